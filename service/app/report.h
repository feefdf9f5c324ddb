// The patient progress report: who may see it, what it is drawn from, and
// the audit subject. The page itself is drawn by core/report_page.h.
//
// Access follows the data it shows: hosts and admins of the patient's clinic
// see every session; a therapist sees the sessions they logged (the same
// ownership rule as GetOutcome), and is refused (NOT_OWNER) when they logged
// none; analytics never (the page names the patient). The clinic comes from
// the caller. A patient with no session in the caller's clinic is NOT_FOUND,
// so another clinic's patients are not revealed.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "app/types.h"
#include "core/report_data.h"
#include "scoliomassage/v1/report.pb.h"

namespace scoliomassage::app {

// The report draws at most this many sessions (the most recent ones) and
// says so when there are more.
inline constexpr int kMaxReportSessions = 1000;

class Reports {
 public:
  Reports(storage::Store& store, const Pseudonymizer& pseudonyms);

  // Validates, applies the access rules and renders. `audit_subject` gets
  // the patient's pseudonym once the request is valid.
  absl::StatusOr<v1::PatientReport> Get(const auth::Caller& caller,
                                        const v1::GetPatientReportRequest& request,
                                        std::string* audit_subject) const;

  // What Get renders, for tests and the bench.
  absl::StatusOr<core::ReportInput> Gather(const auth::Caller& caller,
                                           const v1::GetPatientReportRequest& request,
                                           std::string* audit_subject) const;

 private:
  absl::Status GatherFilms(const auth::Caller& caller, const std::string& patient_id,
                           std::vector<core::ReportFilm>* films) const;
  absl::Status GatherScores(const auth::Caller& caller, const std::string& patient_id,
                            std::vector<core::ReportScore>* scores) const;

  storage::Store& store_;
  const Pseudonymizer& pseudonyms_;
};

}  // namespace scoliomassage::app
