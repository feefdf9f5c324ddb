#include "core/technique_limits.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/technique.h"

namespace scoliomassage::core {
namespace {

bool InScope(LimitScope scope, const v1::Step& step) {
  switch (scope) {
    case LimitScope::kAllSteps: return true;
    case LimitScope::kSpine:
      return step.body_area() == v1::BODY_AREA_BACK || step.body_area() == v1::BODY_AREA_NECK;
    case LimitScope::kNeckWork: return IsNeckWork(step.body_area(), step.spine_region());
    case LimitScope::kFrontAndSideOfNeck: return step.body_area() == v1::BODY_AREA_NECK;
  }
  return false;
}

struct Replacement {
  v1::TechniqueClass technique_class;
  const char* technique;
  const char* instructions;
};

// Gentle techniques with the same aim (ease the tissue) that every limit
// allows: LIGHT stroking and effleurage are never forbidden.
constexpr Replacement kGentleStroking = {
    v1::TECHNIQUE_CLASS_STROKING, "gentle stroking",
    "Slow, light stroking over the same muscles, in the direction of the fibres"};
constexpr Replacement kLightEffleurage = {
    v1::TECHNIQUE_CLASS_EFFLEURAGE, "light effleurage",
    "Smooth, light effleurage over the same muscles, with no pressure into the tissue"};

void Replace(const Replacement& with, const std::vector<std::string>& why, v1::Step& step) {
  step.set_technique_class(with.technique_class);
  step.set_technique(with.technique);
  step.set_intensity(v1::INTENSITY_LIGHT);
  // The catalog's instructions describe the technique that was removed, so
  // none of its words may remain.
  step.set_instructions(absl::StrCat("Changed today (", absl::StrJoin(why, "; "),
                                     "): this step is replaced, see the card. ",
                                     with.instructions, "."));
}

void AddOnce(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace

std::vector<TechniqueLimit> NeckLimits() {
  return {
      {"neck.no_tapotement", "neck work", LimitScope::kNeckWork,
       v1::INTENSITY_DEEP, /*no_tapotement=*/true, /*no_friction=*/false},
      {"neck.max_moderate", "neck work", LimitScope::kNeckWork,
       kNeckMaxIntensity, false, false},
      {"neck.no_friction_front_or_side", "front and side of the neck",
       LimitScope::kFrontAndSideOfNeck, v1::INTENSITY_DEEP, false, /*no_friction=*/true},
  };
}

void ApplyLimits(const std::vector<TechniqueLimit>& limits, v1::Step& step,
                 std::vector<TechniqueChange>& changes) {
  v1::Intensity cap = v1::INTENSITY_DEEP;
  // Why a class is not allowed, and why pressure is capped: each reason and
  // rule once, in the order the limits were given.
  std::vector<std::string> class_reasons, class_rules, cap_reasons, cap_rules;
  for (const TechniqueLimit& limit : limits) {
    if (!InScope(limit.scope, step)) continue;
    const bool forbids_class =
        (limit.no_tapotement && step.technique_class() == v1::TECHNIQUE_CLASS_TAPOTEMENT) ||
        (limit.no_friction && step.technique_class() == v1::TECHNIQUE_CLASS_FRICTION);
    if (forbids_class) {
      AddOnce(class_reasons, limit.reason);
      AddOnce(class_rules, limit.rule_id);
    }
    if (limit.max_intensity < step.intensity()) {
      AddOnce(cap_reasons, limit.reason);
      AddOnce(cap_rules, limit.rule_id);
      cap = std::min(cap, limit.max_intensity);
    }
  }
  const std::string before =
      absl::StrCat(TechniqueClassWord(step.technique_class()), " at ",
                   IntensityWord(step.intensity()), " pressure");
  // Friction presses into the tissue: lighter friction is not a gentler
  // version of it, so friction over a pressure cap is replaced as well.
  const bool friction_over_cap =
      step.technique_class() == v1::TECHNIQUE_CLASS_FRICTION && step.intensity() > cap;
  if (!class_reasons.empty() || friction_over_cap) {
    const bool percussion = step.technique_class() == v1::TECHNIQUE_CLASS_TAPOTEMENT;
    const bool by_class = !class_reasons.empty();
    const std::vector<std::string>& why = by_class ? class_reasons : cap_reasons;
    const std::vector<std::string>& rules = by_class ? class_rules : cap_rules;
    Replace(percussion ? kGentleStroking : kLightEffleurage, why, step);
    changes.push_back({step.order(), absl::StrJoin(rules, ", "),
                       absl::StrCat(before, " replaced by ", step.technique(), " (",
                                    absl::StrJoin(why, "; "), ")")});
    return;
  }
  if (step.intensity() > cap) {
    step.set_intensity(cap);
    step.set_technique(absl::StrCat(step.technique(), ", ", IntensityWord(cap), " pressure only"));
    step.set_instructions(absl::StrCat("Changed today (", absl::StrJoin(cap_reasons, "; "),
                                       "): ", IntensityWord(cap), " pressure only. ",
                                       step.instructions()));
    changes.push_back({step.order(), absl::StrJoin(cap_rules, ", "),
                       absl::StrCat(before, " lowered to ", IntensityWord(cap), " pressure (",
                                    absl::StrJoin(cap_reasons, "; "), ")")});
  }
}

}  // namespace scoliomassage::core
