// Analytics over the record: resumable history pages, summaries and the audit
// log. Analytics callers see pseudonyms instead of patient ids and no free
// text unless their clinic was granted it (minimum necessary).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/types.h"
#include "scoliomassage/v1/audit.pb.h"
#include "scoliomassage/v1/history.pb.h"

namespace scoliomassage::app {

class History {
 public:
  // `free_text_clinics`: clinics whose admins granted analytics the notes.
  History(storage::Store& store, const Pseudonymizer& pseudonyms,
          std::set<std::string> free_text_clinics);

  absl::Status ValidateQuery(const v1::QueryHistoryRequest& request) const;
  // The next page of a QueryHistory stream after `resume_token`.
  absl::StatusOr<storage::HistoryPage> NextPage(const auth::Caller& caller,
                                                const v1::QueryHistoryRequest& request,
                                                const std::string& resume_token,
                                                int limit) const;
  absl::StatusOr<v1::SummarizeOutcomesResponse> Summarize(
      const auth::Caller& caller, const v1::SummarizeOutcomesRequest& request) const;
  absl::StatusOr<v1::ListAuditRecordsResponse> ListAudit(
      const auth::Caller& caller, const v1::ListAuditRecordsRequest& request) const;

 private:
  void MinimizeForAnalytics(const auth::Caller& caller, v1::Outcome* outcome) const;

  storage::Store& store_;
  const Pseudonymizer& pseudonyms_;
  std::set<std::string> free_text_clinics_;
};

}  // namespace scoliomassage::app
