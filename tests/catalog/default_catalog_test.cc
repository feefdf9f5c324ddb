// The default catalog shipped with the server: it loads, covers every region
// and pattern, and follows the clinic's described practice.
#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "catalog/default_catalog.h"
#include "catalog/loader.h"
#include "gtest/gtest.h"

namespace scoliomassage::catalog {
namespace {

std::shared_ptr<const Catalog> DefaultCatalog() {
  auto catalog = LoadCatalog(kSourceCatalogDir);
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return catalog.ok() ? *catalog : nullptr;
}

TEST(DefaultCatalogTest, HasOneProtocolPerRegionAndPattern) {
  auto catalog = DefaultCatalog();
  ASSERT_NE(catalog, nullptr);
  EXPECT_EQ(catalog->protocols().size(), 12u);
  for (int region = v1::SPINE_REGION_CERVICAL; region <= v1::SPINE_REGION_LUMBOSACRAL; ++region) {
    for (auto pattern : {v1::CURVE_PATTERN_C_CURVE, v1::CURVE_PATTERN_S_CURVE}) {
      bool used_fallback = true;
      const auto* protocol =
          catalog->Find(static_cast<v1::SpineRegion>(region), pattern, &used_fallback);
      ASSERT_NE(protocol, nullptr) << v1::SpineRegion_Name(region);
      EXPECT_FALSE(used_fallback);
      EXPECT_EQ(protocol->spine_region(), region);
      EXPECT_EQ(protocol->curve_pattern(), pattern);
    }
  }
}

TEST(DefaultCatalogTest, EveryProtocolCitesClinicPracticeAsExpertOpinion) {
  auto catalog = DefaultCatalog();
  ASSERT_NE(catalog, nullptr);
  for (const auto& protocol : catalog->protocols()) {
    EXPECT_TRUE(absl::StartsWith(protocol.source(), "clinic practice description (expert opinion)"))
        << protocol.id();
    EXPECT_EQ(protocol.evidence_level(), v1::EVIDENCE_LEVEL_EXPERT_OPINION) << protocol.id();
    EXPECT_GE(protocol.version(), 2u) << "content changed: the version was raised";
    std::string text = absl::AsciiStrToLower(protocol.DebugString());
    for (const char* file : {".txt", ".md", "clinical", "seed", "shared/"}) {
      EXPECT_FALSE(absl::StrContains(text, file)) << protocol.id() << " names " << file;
    }
  }
}

TEST(DefaultCatalogTest, EveryStepIsCodedAndItsTextAgrees) {
  auto catalog = DefaultCatalog();
  ASSERT_NE(catalog, nullptr);
  for (const auto& protocol : catalog->protocols()) {
    for (const auto& step : protocol.steps()) {
      SCOPED_TRACE(protocol.id() + ": " + step.technique());
      EXPECT_NE(step.technique_class(), v1::TECHNIQUE_CLASS_UNSPECIFIED);
      const bool percussion_words = absl::StrContains(step.technique(), "tapping");
      EXPECT_EQ(percussion_words, step.technique_class() == v1::TECHNIQUE_CLASS_TAPOTEMENT);
    }
  }
}

// The neck rules (Yin 2014): cervical and cervicothoracic work never uses
// percussion and never exceeds MODERATE; the front and side of the neck
// (the scalenes) are BODY_AREA_NECK and get no friction.
TEST(DefaultCatalogTest, NeckWorkFollowsTheNeckRules) {
  auto catalog = DefaultCatalog();
  ASSERT_NE(catalog, nullptr);
  int neck_steps = 0;
  for (const auto& protocol : catalog->protocols()) {
    for (const auto& step : protocol.steps()) {
      SCOPED_TRACE(protocol.id() + ": " + step.technique());
      const auto region = step.spine_region() != v1::SPINE_REGION_UNSPECIFIED
                              ? step.spine_region()
                              : protocol.spine_region();
      const bool scalenes = std::find(step.muscles().begin(), step.muscles().end(),
                                      std::string("scalenes")) != step.muscles().end();
      if (scalenes) {
        EXPECT_EQ(step.body_area(), v1::BODY_AREA_NECK);
      }
      const bool neck = step.body_area() == v1::BODY_AREA_NECK ||
                        (step.body_area() == v1::BODY_AREA_BACK &&
                         (region == v1::SPINE_REGION_CERVICAL ||
                          region == v1::SPINE_REGION_CERVICOTHORACIC));
      if (!neck) continue;
      ++neck_steps;
      EXPECT_NE(step.technique_class(), v1::TECHNIQUE_CLASS_TAPOTEMENT);
      EXPECT_LE(step.intensity(), v1::INTENSITY_MODERATE);
      if (step.body_area() == v1::BODY_AREA_NECK) {
        EXPECT_NE(step.technique_class(), v1::TECHNIQUE_CLASS_FRICTION);
      }
    }
  }
  EXPECT_GT(neck_steps, 20);
}

TEST(DefaultCatalogTest, FollowsTheClinicsOrderPositionsAndStrokes) {
  auto catalog = DefaultCatalog();
  ASSERT_NE(catalog, nullptr);
  for (const auto& protocol : catalog->protocols()) {
    SCOPED_TRACE(protocol.id());
    ASSERT_GE(protocol.steps_size(), 4);
    EXPECT_EQ(protocol.steps(0).body_area(), v1::BODY_AREA_LEGS);
    EXPECT_EQ(protocol.steps(1).body_area(), v1::BODY_AREA_HIPS);
    EXPECT_EQ(protocol.steps(2).body_area(), v1::BODY_AREA_ABDOMEN);
    bool seen_relax_concave = false, seen_tone_convex = false, seen_deep = false;
    for (int i = 0; i < protocol.steps_size(); ++i) {
      const auto& step = protocol.steps(i);
      if (i >= 3) {
        EXPECT_TRUE(step.body_area() == v1::BODY_AREA_BACK || step.body_area() == v1::BODY_AREA_NECK)
            << "step " << i;
      }
      if (step.body_area() == v1::BODY_AREA_ABDOMEN) {
        EXPECT_EQ(step.position(), v1::POSITION_SUPINE);
        EXPECT_FALSE(step.ankle_roller());
      } else if (step.position() == v1::POSITION_PRONE) {
        EXPECT_TRUE(step.ankle_roller()) << "step " << i;
      } else {
        // Only the cervical scalenes are worked supine (front of the neck).
        EXPECT_EQ(protocol.spine_region(), v1::SPINE_REGION_CERVICAL) << "step " << i;
        EXPECT_EQ(step.body_area(), v1::BODY_AREA_NECK) << "step " << i;
        EXPECT_EQ(step.intensity(), v1::INTENSITY_LIGHT);
      }
      if (step.curve_side() == v1::CURVE_SIDE_CONCAVE && step.goal() == "relax") seen_relax_concave = true;
      if (step.curve_side() == v1::CURVE_SIDE_CONVEX && step.goal() == "stimulate") seen_tone_convex = true;
      if (step.intensity() == v1::INTENSITY_DEEP) seen_deep = true;
      if (step.body_area() == v1::BODY_AREA_BACK || step.body_area() == v1::BODY_AREA_NECK) {
        EXPECT_GT(step.muscles_size(), 0);
      }
    }
    // Smooth first: the first back step is light, deeper work comes later.
    EXPECT_EQ(protocol.steps(0).intensity(), v1::INTENSITY_LIGHT);
    EXPECT_EQ(protocol.steps(3).intensity(), v1::INTENSITY_LIGHT);
    EXPECT_TRUE(seen_relax_concave);
    EXPECT_TRUE(seen_tone_convex);
    // Neck work is never deep; the other regions go deeper later on.
    const bool neck_region = protocol.spine_region() == v1::SPINE_REGION_CERVICAL ||
                             protocol.spine_region() == v1::SPINE_REGION_CERVICOTHORACIC;
    EXPECT_EQ(seen_deep, !neck_region);
  }
}

TEST(DefaultCatalogTest, SCurvesAlsoWorkTheCompensatoryCurve) {
  auto catalog = DefaultCatalog();
  ASSERT_NE(catalog, nullptr);
  for (int region = v1::SPINE_REGION_CERVICAL; region <= v1::SPINE_REGION_LUMBOSACRAL; ++region) {
    const auto* c_curve = catalog->Find(static_cast<v1::SpineRegion>(region), v1::CURVE_PATTERN_C_CURVE);
    const auto* s_curve = catalog->Find(static_cast<v1::SpineRegion>(region), v1::CURVE_PATTERN_S_CURVE);
    ASSERT_NE(c_curve, nullptr);
    ASSERT_NE(s_curve, nullptr);
    EXPECT_GT(s_curve->steps_size(), c_curve->steps_size()) << s_curve->id();
    int compensatory = 0;
    for (const auto& step : s_curve->steps()) {
      if (absl::StrContains(step.instructions(), "Compensatory")) ++compensatory;
    }
    EXPECT_GE(compensatory, 2) << s_curve->id();
  }
}

TEST(DefaultCatalogTest, RegionsWorkTheirOwnMuscles) {
  auto catalog = DefaultCatalog();
  ASSERT_NE(catalog, nullptr);
  auto back_muscles = [&](v1::SpineRegion region) {
    std::set<std::string> muscles;
    for (const auto& step : catalog->Find(region, v1::CURVE_PATTERN_C_CURVE)->steps()) {
      if (step.body_area() != v1::BODY_AREA_LEGS) muscles.insert(step.muscles().begin(), step.muscles().end());
    }
    return muscles;
  };
  auto cervical = back_muscles(v1::SPINE_REGION_CERVICAL);
  for (const char* muscle : {"cervical paraspinals", "upper trapezius", "levator scapulae", "scalenes"}) {
    EXPECT_TRUE(cervical.count(muscle)) << muscle;
  }
  auto thoracic = back_muscles(v1::SPINE_REGION_THORACIC);
  for (const char* muscle : {"thoracic paraspinals", "rhomboids", "middle trapezius", "lower trapezius", "latissimus dorsi"}) {
    EXPECT_TRUE(thoracic.count(muscle)) << muscle;
  }
  auto lumbar = back_muscles(v1::SPINE_REGION_LUMBAR);
  for (const char* muscle : {"quadratus lumborum", "lumbar paraspinals"}) {
    EXPECT_TRUE(lumbar.count(muscle)) << muscle;
  }
  auto lumbosacral = back_muscles(v1::SPINE_REGION_LUMBOSACRAL);
  for (const char* muscle : {"sacral area", "gluteus medius"}) {
    EXPECT_TRUE(lumbosacral.count(muscle)) << muscle;
  }
}

TEST(DefaultCatalogTest, NeverClaimsToCorrectTheSpine) {
  auto catalog = DefaultCatalog();
  ASSERT_NE(catalog, nullptr);
  for (const auto& protocol : catalog->protocols()) {
    std::string text = absl::AsciiStrToLower(protocol.DebugString());
    for (const char* claim : {"straighten", "correct", "adjust the spine", "cure", "strengthen",
                              "tone them", "weak muscles"}) {
      EXPECT_FALSE(absl::StrContains(text, claim)) << protocol.id() << " says " << claim;
    }
  }
}

TEST(DefaultCatalogTest, DefaultPathPointsAtACatalog) {
  auto catalog = LoadCatalog(DefaultCatalogPath());
  EXPECT_TRUE(catalog.ok()) << catalog.status();
}

}  // namespace
}  // namespace scoliomassage::catalog
