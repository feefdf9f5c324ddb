// The protocol engine: today's massage protocol for a patient at check-in,
// with the cards and the basis that explain it. Pure: no I/O, no clock, no
// gRPC; the servicer validates the request first, gives the patient's
// progress from the Store, and fills in recommendation_id and create_time.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "catalog/catalog.h"
#include "core/progress.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

class ProtocolEngine {
 public:
  explicit ProtocolEngine(std::shared_ptr<const catalog::Catalog> catalog);

  // `request` must have passed ValidateRecommendRequest. Deterministic given
  // its inputs. DECISION_REFER for a red flag or for a serious adverse event
  // after the last session that no clinician has cleared; DECISION_DEFER for
  // an acute finding or a guardian's refusal. Then there is no protocol, and
  // the basis has the session number but no protocol or progression.
  // Errors: FAILED_PRECONDITION (reason PROTOCOL_NOT_IN_CATALOG) when the
  // catalog has no protocol for the patient's region.
  absl::StatusOr<v1::RecommendProtocolResponse> Recommend(
      const v1::RecommendProtocolRequest& request, const PatientProgress& progress) const;

  const catalog::Catalog& catalog() const { return *catalog_; }

 private:
  std::shared_ptr<const catalog::Catalog> catalog_;
};

}  // namespace scoliomassage::core
