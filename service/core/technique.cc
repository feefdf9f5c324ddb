#include "core/technique.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "absl/strings/str_cat.h"

namespace scoliomassage::core {
namespace {

// Word stems, matched at the start of a word so "stroking" is not found in
// "destroking" and "rub" is not found in "scrub". Percussion words first: a
// text that mentions any of them is tapotement work.
constexpr std::pair<const char*, v1::TechniqueClass> kStems[] = {
    {"tapping", v1::TECHNIQUE_CLASS_TAPOTEMENT},    {"tapotement", v1::TECHNIQUE_CLASS_TAPOTEMENT},
    {"hacking", v1::TECHNIQUE_CLASS_TAPOTEMENT},    {"cupping", v1::TECHNIQUE_CLASS_TAPOTEMENT},
    {"pounding", v1::TECHNIQUE_CLASS_TAPOTEMENT},   {"percuss", v1::TECHNIQUE_CLASS_TAPOTEMENT},
    {"clapping", v1::TECHNIQUE_CLASS_TAPOTEMENT},   {"beating", v1::TECHNIQUE_CLASS_TAPOTEMENT},
    {"knead", v1::TECHNIQUE_CLASS_PETRISSAGE},      {"petrissage", v1::TECHNIQUE_CLASS_PETRISSAGE},
    {"friction", v1::TECHNIQUE_CLASS_FRICTION},     {"effleurage", v1::TECHNIQUE_CLASS_EFFLEURAGE},
    {"gliding", v1::TECHNIQUE_CLASS_EFFLEURAGE},    {"vibrat", v1::TECHNIQUE_CLASS_VIBRATION},
    {"shaking", v1::TECHNIQUE_CLASS_VIBRATION},     {"stroking", v1::TECHNIQUE_CLASS_STROKING},
    {"stroke", v1::TECHNIQUE_CLASS_STROKING},       {"taps", v1::TECHNIQUE_CLASS_TAPOTEMENT},
    {"tap ", v1::TECHNIQUE_CLASS_TAPOTEMENT},
};

}  // namespace

const char* TechniqueClassWord(v1::TechniqueClass technique_class) {
  switch (technique_class) {
    case v1::TECHNIQUE_CLASS_EFFLEURAGE: return "effleurage";
    case v1::TECHNIQUE_CLASS_PETRISSAGE: return "kneading (petrissage)";
    case v1::TECHNIQUE_CLASS_FRICTION: return "friction";
    case v1::TECHNIQUE_CLASS_TAPOTEMENT: return "percussion (tapotement)";
    case v1::TECHNIQUE_CLASS_VIBRATION: return "vibration";
    case v1::TECHNIQUE_CLASS_STROKING: return "stroking";
    default: return "unspecified technique";
  }
}

const char* IntensityWord(v1::Intensity intensity) {
  switch (intensity) {
    case v1::INTENSITY_LIGHT: return "light";
    case v1::INTENSITY_MODERATE: return "moderate";
    case v1::INTENSITY_DEEP: return "deep";
    default: return "unspecified";
  }
}

unsigned TechniqueClassesNamed(absl::string_view technique) {
  std::string text(technique);
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  unsigned classes = 0;
  for (const auto& [stem, technique_class] : kStems) {
    for (size_t at = text.find(stem); at != std::string::npos; at = text.find(stem, at + 1)) {
      const bool word_start = at == 0 || !std::isalpha(static_cast<unsigned char>(text[at - 1]));
      if (word_start) {
        classes |= 1u << technique_class;
        break;
      }
    }
  }
  return classes;
}

std::optional<v1::TechniqueClass> ClassFromText(absl::string_view technique) {
  const unsigned classes = TechniqueClassesNamed(technique);
  if (classes == 0 || (classes & (classes - 1)) != 0) return std::nullopt;
  for (int value = v1::TechniqueClass_MIN; value <= v1::TechniqueClass_MAX; ++value) {
    if (Names(classes, static_cast<v1::TechniqueClass>(value))) {
      return static_cast<v1::TechniqueClass>(value);
    }
  }
  return std::nullopt;
}

bool IsNeckWork(v1::BodyArea body_area, v1::SpineRegion region) {
  if (body_area == v1::BODY_AREA_NECK) return true;
  return body_area == v1::BODY_AREA_BACK &&
         (region == v1::SPINE_REGION_CERVICAL || region == v1::SPINE_REGION_CERVICOTHORACIC);
}

std::optional<RuleBreach> NeckRuleBreach(v1::BodyArea body_area, v1::SpineRegion region,
                                         v1::TechniqueClass technique_class,
                                         v1::Intensity intensity) {
  if (!IsNeckWork(body_area, region)) return std::nullopt;
  if (technique_class == v1::TECHNIQUE_CLASS_TAPOTEMENT) {
    return RuleBreach{"neck.no_tapotement",
                      "cervical and cervicothoracic work never uses percussion (tapotement)"};
  }
  if (body_area == v1::BODY_AREA_NECK && technique_class == v1::TECHNIQUE_CLASS_FRICTION) {
    return RuleBreach{"neck.no_friction_front_or_side",
                      "no friction over the front or side of the neck (vertebral artery, "
                      "disc injury)"};
  }
  if (intensity > kNeckMaxIntensity) {
    return RuleBreach{"neck.max_moderate",
                      absl::StrCat("cervical and cervicothoracic work is at most moderate, not ",
                                   IntensityWord(intensity))};
  }
  return std::nullopt;
}

}  // namespace scoliomassage::core
