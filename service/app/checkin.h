// Check-in: today's protocol for a patient, and the loaded catalog.
#pragma once

#include "absl/status/statusor.h"
#include "app/types.h"
#include "app/variants.h"
#include "catalog/evaluations.h"
#include "catalog/instruments.h"

namespace scoliomassage::app {

class CheckIn {
 public:
  // `recommendations` may be null (nothing is recorded); it must outlive this.
  CheckIn(storage::Store& store, const core::ProtocolEngine& engine, const Pseudonymizer& pseudonyms,
          RecommendationLog* recommendations);

  absl::StatusOr<v1::RecommendProtocolResponse> Recommend(const auth::Caller& caller,
                                                          const v1::RecommendProtocolRequest& request,
                                                          std::string* audit_subject) const;
  v1::ListProtocolsResponse ListProtocols() const;

  // With instruments, the check-in also reports the patient's latest
  // questionnaire change (core/assessment_change.h), from two index-bounded
  // reads. Set once at start, before any call; must outlive this.
  void set_instruments(const catalog::Instruments* instruments) { instruments_ = instruments; }
  // With evaluations, a check-in under one of the clinic's protocol
  // evaluations uses the episode's variant (app/variants.h); without, every
  // patient gets the latest catalog version. Set once at start; must outlive
  // this.
  void set_evaluations(const catalog::Evaluations* evaluations) { evaluations_ = evaluations; }

 private:
  // Appends the cards and rules of the change between the patient's latest
  // questionnaire pair (newest first) to `response`.
  void AddAssessmentChange(const std::vector<v1::Assessment>& pair,
                           v1::RecommendProtocolResponse* response) const;
  // Stores the variant on the episode when today's protocol is the
  // evaluated one, and puts it in the basis; may re-plan when a concurrent
  // override changed it.
  absl::Status ApplyVariant(const auth::Caller& caller, const v1::RecommendProtocolRequest& request,
                            VariantChoice& choice, core::PatientProgress& progress,
                            v1::RecommendProtocolResponse* response) const;

  storage::Store& store_;
  const core::ProtocolEngine& engine_;
  const Pseudonymizer& pseudonyms_;
  RecommendationLog* recommendations_;
  const catalog::Instruments* instruments_ = nullptr;
  const catalog::Evaluations* evaluations_ = nullptr;
};

}  // namespace scoliomassage::app
