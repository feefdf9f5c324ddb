// Coded techniques: the class behind a step's free text, and the neck rules
// over classes and intensities. Shared by the catalog checks (which reject a
// protocol that breaks them) and the engine (which enforces them again on
// whatever catalog it is given).
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "scoliomassage/v1/common.pb.h"

namespace scoliomassage::core {

// "effleurage", "kneading (petrissage)", ... for cards and basis text.
const char* TechniqueClassWord(v1::TechniqueClass technique_class);
const char* IntensityWord(v1::Intensity intensity);

// The classes the words of `technique` name (e.g. "kneading" -> PETRISSAGE,
// "tapping" -> TAPOTEMENT), as a bit set over TechniqueClass values: a text
// like "kneading and tapping" names two. Zero when no known word appears.
unsigned TechniqueClassesNamed(absl::string_view technique);
inline bool Names(unsigned classes, v1::TechniqueClass technique_class) {
  return (classes >> technique_class) & 1u;
}

// The class of a text that names exactly one; nullopt otherwise.
std::optional<v1::TechniqueClass> ClassFromText(absl::string_view technique);

// Whether the neck rules apply: anterior/lateral neck work, or back work
// over the cervical or cervicothoracic spine.
bool IsNeckWork(v1::BodyArea body_area, v1::SpineRegion region);

// Cervical and cervicothoracic work never exceeds this (Yin 2014).
inline constexpr v1::Intensity kNeckMaxIntensity = v1::INTENSITY_MODERATE;

// A broken neck rule: its id and a sentence for the clinic.
struct RuleBreach {
  const char* rule_id;
  std::string description;
};

// The first neck rule a step breaks, if any. `region` is the step's own
// region (or the protocol's for back steps).
std::optional<RuleBreach> NeckRuleBreach(v1::BodyArea body_area, v1::SpineRegion region,
                                         v1::TechniqueClass technique_class,
                                         v1::Intensity intensity);

}  // namespace scoliomassage::core
