// Check-in: today's protocol for a patient, and the loaded catalog.
#pragma once

#include "absl/status/statusor.h"
#include "app/types.h"

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

 private:
  storage::Store& store_;
  const core::ProtocolEngine& engine_;
  const Pseudonymizer& pseudonyms_;
  RecommendationLog* recommendations_;
};

}  // namespace scoliomassage::app
