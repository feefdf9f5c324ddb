#include "app/checkin.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "app/curves.h"
#include "base/random_id.h"
#include "base/time.h"
#include "core/assessment_change.h"
#include "core/recommend_validation.h"

namespace scoliomassage::app {

CheckIn::CheckIn(storage::Store& store, const core::ProtocolEngine& engine,
                 const Pseudonymizer& pseudonyms, RecommendationLog* recommendations)
    : store_(store), engine_(engine), pseudonyms_(pseudonyms), recommendations_(recommendations) {}

absl::StatusOr<v1::RecommendProtocolResponse> CheckIn::Recommend(
    const auth::Caller& caller, const v1::RecommendProtocolRequest& request,
    std::string* audit_subject) const {
  if (absl::Status valid = core::ValidateRecommendRequest(request); !valid.ok()) return valid;
  *audit_subject = pseudonyms_.Pseudonym(caller.clinic_id, request.patient_id());
  // One snapshot: progression needs the last outcome even when the host
  // sends the session number; the newest films serve the curve-over-time
  // rules and a Cobb angle the host did not send; the questionnaire pair,
  // the change since the last one. Each is one range of an index, whatever
  // the history.
  auto reads = store_.ReadCheckIn(caller.clinic_id, request.patient_id(), kCheckInFilms,
                                  /*with_assessments=*/instruments_ != nullptr);
  if (!reads.ok()) return reads.status();
  core::PatientProgress& progress = reads->progress;
  progress.as_of_us = base::NowMicros();
  VariantChoice variant;
  if (evaluations_ != nullptr || request.has_variant_override()) {
    auto chosen = ChooseVariant(store_, evaluations_, engine_.catalog(), caller, request,
                                *audit_subject, progress.as_of_us);
    if (!chosen.ok()) return chosen.status();
    variant = *std::move(chosen);
    if (variant.evaluation != nullptr) {
      progress.protocol_version = variant.assignment.protocol_version();
    }
  }
  auto response = engine_.Recommend(request, progress);
  if (!response.ok()) return response.status();
  if (variant.evaluation != nullptr) {
    if (absl::Status applied = ApplyVariant(caller, request, variant, progress, &*response);
        !applied.ok()) {
      return applied;
    }
  }
  if (instruments_ != nullptr) {
    AddAssessmentChange(reads->assessment_pair, &*response);
  }
  auto id = base::RandomHexId();
  if (!id.ok()) return id.status();
  response->set_recommendation_id("recommendations/" + *id);
  *response->mutable_create_time() = base::TimeToTimestamp(absl::Now());
  if (recommendations_ != nullptr) recommendations_->Record(caller.clinic_id, request, *response);
  return response;
}

absl::Status CheckIn::ApplyVariant(const auth::Caller& caller,
                                   const v1::RecommendProtocolRequest& request,
                                   VariantChoice& choice, core::PatientProgress& progress,
                                   v1::RecommendProtocolResponse* response) const {
  // Deferred, referred or planless check-ins start no care: the episode is
  // assigned at the first check-in that gives the evaluated protocol.
  if (!response->has_protocol() ||
      response->protocol().protocol_id() != choice.assignment.protocol_id()) {
    return absl::OkStatus();
  }
  if (!choice.stored) {
    auto episode =
        store_.AssignEpisodeVariant(caller.clinic_id, request.patient_id(), choice.assignment);
    if (!episode.ok()) return episode.status();
    const uint32_t planned = choice.assignment.protocol_version();
    choice.assignment = episode->evaluation();
    if (choice.assignment.protocol_version() != planned) {
      // Another check-in's override won the race: plan its variant.
      progress.protocol_version = choice.assignment.protocol_version();
      auto replanned = engine_.Recommend(request, progress);
      if (!replanned.ok()) return replanned.status();
      *response = *std::move(replanned);
    }
  }
  v1::Basis& basis = *response->mutable_basis();
  *basis.mutable_evaluation() = choice.assignment;
  basis.set_summary(absl::StrCat(basis.summary(), " ", DescribeAssignment(choice.assignment)));
  return absl::OkStatus();
}

void CheckIn::AddAssessmentChange(const std::vector<v1::Assessment>& pair,
                                  v1::RecommendProtocolResponse* response) const {
  if (pair.size() < 2) return;
  const v1::Instrument* instrument = instruments_->FindById(pair[0].instrument_id());
  if (instrument == nullptr) return;  // no longer loaded: nothing to judge by
  core::Explanation explanation;
  core::ReportAssessmentChange(*instrument, pair[1], pair[0], explanation);
  for (const v1::Card& card : explanation.cards()) {
    *response->add_cards() = card;
    response->mutable_basis()->set_summary(
        absl::StrCat(response->basis().summary(), " Questionnaire: ", card.summary(), "."));
  }
  for (const v1::FiredRule& rule : explanation.rules()) {
    *response->mutable_basis()->add_rules() = rule;
  }
}

v1::ListProtocolsResponse CheckIn::ListProtocols() const {
  v1::ListProtocolsResponse response;
  for (const auto& protocol : engine_.catalog().protocols()) *response.add_protocols() = protocol;
  return response;
}

}  // namespace scoliomassage::app
