// Analytics over the clinical record: the history (the HistoryService's
// resumable stream of outcome records, across patients), summaries and the
// audit log. A single patient's past sessions are "outcomes" (Outcomes::List),
// never "history". Analytics callers see pseudonyms instead of patient ids
// and no free text unless their clinic was granted it (minimum necessary).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/types.h"
#include "storage/store.h"
#include "scoliomassage/v1/audit.pb.h"
#include "scoliomassage/v1/history.pb.h"

namespace scoliomassage::app {

// One page of the history stream. Each record's resume_token is filled in.
struct HistoryPage {
  std::vector<v1::HistoryRecord> records;
  // True when the scan reached the end of the selection.
  bool done = false;
};

class History {
 public:
  // `free_text_clinics`: clinics whose admins granted analytics the notes.
  History(storage::Store& store, const Pseudonymizer& pseudonyms,
          std::set<std::string> free_text_clinics);

  // Checks a QueryHistory request once, before its first page is read.
  absl::Status ValidateQuery(const v1::QueryHistoryRequest& request) const;
  // The next page of a validated QueryHistory stream after `resume_token`
  // (empty: from the start). The page size is app's (kHistoryScanPageSize).
  absl::StatusOr<HistoryPage> NextPage(const auth::Caller& caller,
                                       const v1::QueryHistoryRequest& request,
                                       const std::string& resume_token) const;
  // A stream's horizon, taken once before its first page (it may wait
  // briefly for an analytics standby to catch up; see
  // storage/analytics_store.h). Pages read with it never skip a record: what
  // is past it is left for the next stream, resumed from the last token.
  absl::StatusOr<storage::HistoryHorizon> StartStream() const;
  absl::StatusOr<HistoryPage> NextPage(const auth::Caller& caller,
                                       const v1::QueryHistoryRequest& request,
                                       const std::string& resume_token,
                                       const storage::HistoryHorizon& horizon) const;
  absl::StatusOr<v1::SummarizeOutcomesResponse> Summarize(
      const auth::Caller& caller, const v1::SummarizeOutcomesRequest& request) const;
  absl::StatusOr<v1::ListAuditRecordsResponse> ListAudit(
      const auth::Caller& caller, const v1::ListAuditRecordsRequest& request) const;

 private:
  void MinimizeForAnalytics(const auth::Caller& caller, v1::Outcome* outcome) const;
  void MinimizeForAnalytics(const auth::Caller& caller, v1::CurveMeasurement* measurement) const;
  void MinimizeForAnalytics(const auth::Caller& caller, v1::Assessment* assessment) const;
  void MinimizeForAnalytics(const auth::Caller& caller, v1::HistoryRecord* record) const;

  storage::Store& store_;
  const Pseudonymizer& pseudonyms_;
  std::set<std::string> free_text_clinics_;
};

}  // namespace scoliomassage::app
