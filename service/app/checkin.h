// Check-in: today's protocol for a patient, and the loaded catalog.
#pragma once

#include "absl/status/statusor.h"
#include "app/types.h"
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

 private:
  // Appends the questionnaire cards and rules to `response`.
  absl::Status AddAssessmentChange(const auth::Caller& caller, const std::string& patient_id,
                                   v1::RecommendProtocolResponse* response) const;

  storage::Store& store_;
  const core::ProtocolEngine& engine_;
  const Pseudonymizer& pseudonyms_;
  RecommendationLog* recommendations_;
  const catalog::Instruments* instruments_ = nullptr;
};

}  // namespace scoliomassage::app
