// Limits over technique classes and intensities, applied by the engine to
// any catalog. A limit changes the technique, not only its label: a step whose
// class is not allowed is replaced by an allowed technique with the same goal
// (percussion -> gentle stroking, friction -> light effleurage), and the
// technique text and instructions change with it.
#pragma once

#include <string>
#include <vector>

#include "scoliomassage/v1/common.pb.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

// Which steps a limit covers.
enum class LimitScope {
  kAllSteps,
  // Over the spine and ribs: BACK and NECK steps.
  kSpine,
  // Cervical and cervicothoracic back work, and the front and side of the neck.
  kNeckWork,
  // BODY_AREA_NECK only.
  kFrontAndSideOfNeck,
};

struct TechniqueLimit {
  std::string rule_id;  // the rule behind it, e.g. "modify.severe_osteoporosis"
  std::string reason;   // for the card, e.g. "severe osteoporosis"
  LimitScope scope = LimitScope::kAllSteps;
  v1::Intensity max_intensity = v1::INTENSITY_DEEP;
  bool no_tapotement = false;
  bool no_friction = false;
};

// The neck rules, in force for every patient (Yin 2014).
std::vector<TechniqueLimit> NeckLimits();

// One change a limit made, for the card that says what changed.
struct TechniqueChange {
  int order = 0;  // the step's order today (1-based)
  std::string rule_id;
  std::string description;  // "kneading (petrissage), deep -> moderate pressure"
};

// Applies every limit to `step` (its body_area, spine_region, class and
// intensity already set from the catalog). Appends what changed.
void ApplyLimits(const std::vector<TechniqueLimit>& limits, v1::Step& step,
                 std::vector<TechniqueChange>& changes);

}  // namespace scoliomassage::core
