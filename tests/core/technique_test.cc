// Coding techniques from their words, and the neck rules over classes.
#include "core/technique.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace scoliomassage::core {
namespace {

TEST(TechniqueTest, OneKnownWordCodesTheStep) {
  const std::pair<const char*, v1::TechniqueClass> cases[] = {
      {"stroking", v1::TECHNIQUE_CLASS_STROKING},
      {"Light effleurage", v1::TECHNIQUE_CLASS_EFFLEURAGE},
      {"brisk kneading", v1::TECHNIQUE_CLASS_PETRISSAGE},
      {"petrissage", v1::TECHNIQUE_CLASS_PETRISSAGE},
      {"circular friction", v1::TECHNIQUE_CLASS_FRICTION},
      {"light tapping", v1::TECHNIQUE_CLASS_TAPOTEMENT},
      {"hacking", v1::TECHNIQUE_CLASS_TAPOTEMENT},
      {"percussive work", v1::TECHNIQUE_CLASS_TAPOTEMENT},
      {"light taps", v1::TECHNIQUE_CLASS_TAPOTEMENT},
      {"vibration", v1::TECHNIQUE_CLASS_VIBRATION},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(ClassFromText(text), std::optional<v1::TechniqueClass>(expected)) << text;
  }
}

TEST(TechniqueTest, TwoClassesOrNoneCannotBeCoded) {
  EXPECT_EQ(ClassFromText("brisk kneading and tapping"), std::nullopt);
  EXPECT_EQ(ClassFromText("reiki"), std::nullopt);
  EXPECT_EQ(ClassFromText("tape the shoulder"), std::nullopt) << "word starts only";
  const unsigned named = TechniqueClassesNamed("kneading and tapping");
  EXPECT_TRUE(Names(named, v1::TECHNIQUE_CLASS_PETRISSAGE));
  EXPECT_TRUE(Names(named, v1::TECHNIQUE_CLASS_TAPOTEMENT));
  EXPECT_FALSE(Names(named, v1::TECHNIQUE_CLASS_FRICTION));
}

struct NeckCase {
  const char* name;
  v1::BodyArea area;
  v1::SpineRegion region;
  v1::TechniqueClass technique_class;
  v1::Intensity intensity;
  const char* rule;  // null: allowed
};

TEST(TechniqueTest, NeckRules) {
  const NeckCase cases[] = {
      {"CervicalTapping", v1::BODY_AREA_BACK, v1::SPINE_REGION_CERVICAL,
       v1::TECHNIQUE_CLASS_TAPOTEMENT, v1::INTENSITY_LIGHT, "neck.no_tapotement"},
      {"CervicothoracicDeep", v1::BODY_AREA_BACK, v1::SPINE_REGION_CERVICOTHORACIC,
       v1::TECHNIQUE_CLASS_PETRISSAGE, v1::INTENSITY_DEEP, "neck.max_moderate"},
      {"CervicalModerateFriction", v1::BODY_AREA_BACK, v1::SPINE_REGION_CERVICAL,
       v1::TECHNIQUE_CLASS_FRICTION, v1::INTENSITY_MODERATE, nullptr},
      {"FrontOfNeckFriction", v1::BODY_AREA_NECK, v1::SPINE_REGION_UNSPECIFIED,
       v1::TECHNIQUE_CLASS_FRICTION, v1::INTENSITY_LIGHT, "neck.no_friction_front_or_side"},
      {"FrontOfNeckDeep", v1::BODY_AREA_NECK, v1::SPINE_REGION_UNSPECIFIED,
       v1::TECHNIQUE_CLASS_STROKING, v1::INTENSITY_DEEP, "neck.max_moderate"},
      {"FrontOfNeckStroking", v1::BODY_AREA_NECK, v1::SPINE_REGION_UNSPECIFIED,
       v1::TECHNIQUE_CLASS_STROKING, v1::INTENSITY_LIGHT, nullptr},
      {"ThoracicTappingIsNotNeckWork", v1::BODY_AREA_BACK, v1::SPINE_REGION_THORACIC,
       v1::TECHNIQUE_CLASS_TAPOTEMENT, v1::INTENSITY_DEEP, nullptr},
      {"LegsAreNotNeckWork", v1::BODY_AREA_LEGS, v1::SPINE_REGION_CERVICAL,
       v1::TECHNIQUE_CLASS_TAPOTEMENT, v1::INTENSITY_DEEP, nullptr},
  };
  for (const NeckCase& test : cases) {
    auto breach = NeckRuleBreach(test.area, test.region, test.technique_class, test.intensity);
    if (test.rule == nullptr) {
      EXPECT_FALSE(breach.has_value()) << test.name;
    } else {
      ASSERT_TRUE(breach.has_value()) << test.name;
      EXPECT_EQ(std::string(breach->rule_id), test.rule) << test.name;
    }
  }
}

}  // namespace
}  // namespace scoliomassage::core
