// Turns a catalog protocol into today's steps: leaves out what screening
// forbids, changes positions and intensities, splits the minutes and
// resolves concave/convex into left/right.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "core/technique_limits.h"
#include "scoliomassage/v1/catalog.pb.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

struct SessionChanges {
  // Recent spinal surgery without the surgeon's clearance: no work over the
  // spine (BACK and NECK steps are left out).
  bool leave_out_spine = false;
  // Pregnancy: no prone (nor supine) position, no ankle roller, no
  // abdominal work.
  bool side_lying_only = false;
  // Limits over technique classes and intensities (screening, pain, a
  // cleared surgery). The neck rules are added by PlanSteps for everyone.
  std::vector<TechniqueLimit> limits;
  // Step back after a bad session: every step one level lighter.
  bool lower_intensity = false;
};

// CONCAVE is the side opposite the convexity, CONVEX the convex side itself;
// with no convex side known (or CURVE_SIDE_BOTH) both sides are worked.
v1::Side ResolveSide(v1::CurveSide curve_side, v1::Side convex_side);

// Today's steps in order 1..n. Left-out steps give their minutes to the
// rest, so the steps always add up to total_minutes. BACK steps carry the
// protocol's spine region. Every step carries its technique class; limits
// replace or lighten steps and `technique_changes` says which (may be null).
// Empty when every step was left out.
// FAILED_PRECONDITION when the protocol has more steps than minutes (a
// checked catalog never does).
absl::StatusOr<std::vector<v1::Step>> PlanSteps(const v1::CatalogProtocol& protocol,
                                                const SessionChanges& changes,
                                                v1::Side convex_side, int total_minutes,
                                                std::vector<TechniqueChange>* technique_changes);

}  // namespace scoliomassage::core
