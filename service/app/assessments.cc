#include "app/assessments.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "app/page_size.h"
#include "base/error_reasons.h"
#include "base/time.h"
#include "core/assessment_scoring.h"
#include "core/assessment_validation.h"
#include "core/errors.h"

namespace scoliomassage::app {
namespace {

inline constexpr PageSizeRule kAssessmentPageSize{20, 100};

std::string KnownInstruments(const catalog::Instruments& instruments) {
  std::vector<std::string> ids;
  for (const v1::Instrument& instrument : instruments.instruments()) ids.push_back(instrument.id());
  return absl::StrJoin(ids, ", ");
}

}  // namespace

Assessments::Assessments(storage::Store& store, const catalog::Instruments& instruments,
                         const Pseudonymizer& pseudonyms)
    : store_(store), instruments_(instruments), pseudonyms_(pseudonyms) {}

absl::StatusOr<v1::Assessment> Assessments::Record(const auth::Caller& caller,
                                                   const v1::RecordAssessmentRequest& request,
                                                   std::string* audit_subject) const {
  if (absl::Status valid = core::ValidateRecordAssessmentRequest(request, base::NowMicros());
      !valid.ok()) {
    return valid;
  }
  *audit_subject = pseudonyms_.Pseudonym(caller.clinic_id, request.assessment().patient_id());
  const v1::Instrument* instrument = instruments_.FindById(request.assessment().instrument_id());
  if (instrument == nullptr) {
    return core::InvalidField(
        "assessment.instrument_id",
        absl::StrCat("\"", request.assessment().instrument_id(),
                     "\" is not a loaded instrument (", KnownInstruments(instruments_), ")"));
  }
  v1::Assessment assessment = request.assessment();
  if (caller.role == auth::Role::kTherapist) {
    if (assessment.therapist_id().empty()) assessment.set_therapist_id(caller.principal);
    if (assessment.therapist_id() != caller.principal) {
      return core::WithReason(
          absl::PermissionDeniedError(
              "a therapist may only record assessments under their own therapist_id"),
          base::kReasonNotOwner);
    }
  }
  absl::StatusOr<std::vector<v1::AssessmentScore>> scores =
      core::ScoreAssessment(*instrument, assessment.answers(), "assessment.");
  if (!scores.ok()) return scores.status();
  // Output-only fields a client echoed back are replaced, never trusted.
  assessment.clear_name();
  assessment.clear_create_time();
  assessment.clear_episode();
  assessment.clear_patient_pseudonym();
  assessment.clear_scores();
  assessment.set_instrument_version(instrument->version());
  for (v1::AssessmentScore& score : *scores) *assessment.add_scores() = std::move(score);
  return store_.RecordAssessment(caller.clinic_id, request.request_id(), assessment);
}

absl::StatusOr<v1::ListAssessmentsResponse> Assessments::List(
    const auth::Caller& caller, const v1::ListAssessmentsRequest& request,
    std::string* audit_subject) const {
  auto page_size = ResolvePageSize(request.page_size(), kAssessmentPageSize, "page_size");
  if (!page_size.ok()) return page_size.status();
  if (absl::Status valid = core::ValidateListAssessmentsRequest(request); !valid.ok()) return valid;
  *audit_subject = pseudonyms_.Pseudonym(caller.clinic_id, request.patient_id());
  auto page = store_.ListAssessments(caller.clinic_id, request, *page_size);
  if (!page.ok()) return page.status();
  v1::ListAssessmentsResponse response;
  for (v1::Assessment& assessment : page->assessments) {
    if (caller.role == auth::Role::kTherapist && assessment.therapist_id() != caller.principal) {
      continue;
    }
    *response.add_assessments() = std::move(assessment);
  }
  response.set_next_page_token(page->next_page_token);
  return response;
}

absl::StatusOr<v1::ListInstrumentsResponse> Assessments::ListInstruments(
    const auth::Caller&, const v1::ListInstrumentsRequest&, std::string* audit_subject) const {
  *audit_subject = "instruments";
  v1::ListInstrumentsResponse response;
  for (const v1::Instrument& instrument : instruments_.instruments()) {
    *response.add_instruments() = instrument;
  }
  return response;
}

}  // namespace scoliomassage::app
