// Questionnaires for one caller: record (validate, score in core, store) and
// list assessments, and list the loaded instruments. A rejected request
// changes nothing: everything is checked and scored before the Store sees it.
#pragma once

#include "absl/status/statusor.h"
#include "app/types.h"
#include "catalog/instruments.h"
#include "scoliomassage/v1/assessment.pb.h"

namespace scoliomassage::app {

class Assessments {
 public:
  Assessments(storage::Store& store, const catalog::Instruments& instruments,
              const Pseudonymizer& pseudonyms);

  // A therapist records under their own therapist_id (empty means them);
  // hosts and admins may name any therapist of their clinic.
  absl::StatusOr<v1::Assessment> Record(const auth::Caller& caller,
                                        const v1::RecordAssessmentRequest& request,
                                        std::string* audit_subject) const;
  // A therapist sees the assessments they administered; hosts and admins
  // see all of the patient's.
  absl::StatusOr<v1::ListAssessmentsResponse> List(const auth::Caller& caller,
                                                   const v1::ListAssessmentsRequest& request,
                                                   std::string* audit_subject) const;
  absl::StatusOr<v1::ListInstrumentsResponse> ListInstruments(
      const auth::Caller& caller, const v1::ListInstrumentsRequest& request,
      std::string* audit_subject) const;

  const catalog::Instruments& instruments() const { return instruments_; }

 private:
  storage::Store& store_;
  const catalog::Instruments& instruments_;
  const Pseudonymizer& pseudonyms_;
};

}  // namespace scoliomassage::app
