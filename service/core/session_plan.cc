#include "core/session_plan.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/dose.h"
#include "core/technique.h"

namespace scoliomassage::core {
namespace {

v1::Side Opposite(v1::Side side) {
  if (side == v1::SIDE_LEFT) return v1::SIDE_RIGHT;
  if (side == v1::SIDE_RIGHT) return v1::SIDE_LEFT;
  return v1::SIDE_BOTH;
}

bool LeftOut(const v1::StepTemplate& step, const SessionChanges& changes) {
  const bool over_spine =
      step.body_area() == v1::BODY_AREA_BACK || step.body_area() == v1::BODY_AREA_NECK;
  if (changes.leave_out_spine && over_spine) return true;
  if (changes.side_lying_only && step.body_area() == v1::BODY_AREA_ABDOMEN) return true;
  return false;
}

v1::Intensity SteppedBack(v1::Intensity catalog_intensity, const SessionChanges& changes) {
  if (!changes.lower_intensity) return catalog_intensity;
  return static_cast<v1::Intensity>(std::max<int>(v1::INTENSITY_LIGHT, catalog_intensity - 1));
}

// A loaded catalog codes every step; a Catalog built in code may not. Then
// the text decides, and a text naming percussion or friction anywhere is
// taken as that class, so a limit cannot miss it.
v1::TechniqueClass CodedClass(const v1::StepTemplate& step) {
  if (step.technique_class() != v1::TECHNIQUE_CLASS_UNSPECIFIED) return step.technique_class();
  const unsigned named = TechniqueClassesNamed(step.technique());
  if (Names(named, v1::TECHNIQUE_CLASS_TAPOTEMENT)) return v1::TECHNIQUE_CLASS_TAPOTEMENT;
  if (Names(named, v1::TECHNIQUE_CLASS_FRICTION)) return v1::TECHNIQUE_CLASS_FRICTION;
  return ClassFromText(step.technique()).value_or(v1::TECHNIQUE_CLASS_UNSPECIFIED);
}

}  // namespace

v1::Side ResolveSide(v1::CurveSide curve_side, v1::Side convex_side) {
  if (convex_side != v1::SIDE_LEFT && convex_side != v1::SIDE_RIGHT) return v1::SIDE_BOTH;
  switch (curve_side) {
    case v1::CURVE_SIDE_CONVEX: return convex_side;
    case v1::CURVE_SIDE_CONCAVE: return Opposite(convex_side);
    default: return v1::SIDE_BOTH;
  }
}

absl::StatusOr<std::vector<v1::Step>> PlanSteps(const v1::CatalogProtocol& protocol,
                                                const SessionChanges& changes,
                                                v1::Side convex_side, int total_minutes,
                                                std::vector<TechniqueChange>* technique_changes) {
  std::vector<TechniqueLimit> limits = NeckLimits();
  limits.insert(limits.end(), changes.limits.begin(), changes.limits.end());
  std::vector<TechniqueChange> ignored;
  std::vector<TechniqueChange>& changed = technique_changes ? *technique_changes : ignored;
  std::vector<const v1::StepTemplate*> kept;
  std::vector<uint32_t> weights;
  for (const auto& step : protocol.steps()) {
    if (LeftOut(step, changes)) continue;
    kept.push_back(&step);
    weights.push_back(step.weight());
  }
  if (kept.size() > static_cast<size_t>(total_minutes)) {
    return absl::FailedPreconditionError(
        absl::StrCat("protocol \"", protocol.id(), "\" has ", kept.size(), " steps for ",
                     total_minutes, " minutes; every step needs at least one minute"));
  }
  std::vector<int> minutes = DistributeMinutes(weights, total_minutes);

  std::vector<v1::Step> steps;
  steps.reserve(kept.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    const v1::StepTemplate& source = *kept[i];
    v1::Step step;
    step.set_order(static_cast<int>(i) + 1);
    step.set_body_area(source.body_area());
    if (source.body_area() == v1::BODY_AREA_BACK) {
      step.set_spine_region(source.spine_region() != v1::SPINE_REGION_UNSPECIFIED
                                ? source.spine_region()
                                : protocol.spine_region());
    }
    // The catalog's instructions describe the unchanged step, so today's
    // changes are said first, where the therapist reads before starting.
    std::string changed_today;
    bool lying = source.position() == v1::POSITION_PRONE || source.position() == v1::POSITION_SUPINE;
    if (changes.side_lying_only && lying) {
      step.set_position(v1::POSITION_SIDE_LYING);
      step.set_ankle_roller(false);
      absl::StrAppend(&changed_today, "side-lying instead of ",
                      source.position() == v1::POSITION_PRONE ? "prone" : "supine",
                      ", no ankle roller; ");
    } else {
      step.set_position(source.position());
      step.set_ankle_roller(source.ankle_roller());
    }
    step.set_technique(source.technique());
    step.set_technique_class(CodedClass(source));
    step.set_intensity(SteppedBack(source.intensity(), changes));
    if (step.intensity() != source.intensity()) {
      absl::StrAppend(&changed_today, IntensityWord(source.intensity()), " pressure lowered to ",
                      IntensityWord(step.intensity()), " (step back); ");
    }
    step.set_minutes(minutes[i]);
    step.set_focus_side(ResolveSide(source.curve_side(), convex_side));
    step.set_goal(source.goal());
    step.set_instructions(source.instructions());
    *step.mutable_muscles() = source.muscles();
    ApplyLimits(limits, step, changed);
    if (!changed_today.empty()) {
      changed_today.resize(changed_today.size() - 2);
      step.set_instructions(
          absl::StrCat("Changed today: ", changed_today, ". ", step.instructions()));
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace scoliomassage::core
