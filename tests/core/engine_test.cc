// The protocol engine, table-driven and with no server: every screening rule,
// the dose and its progression, sides, cards and the basis.
#include "core/engine.h"

#include <cstdlib>
#include <functional>
#include <set>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "catalog/default_catalog.h"
#include "catalog/loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scoliomassage::core {
namespace {

using ::testing::ElementsAreArray;

// Weights 2,2,1,2,4,2,2 add up to 15, so a 15-minute session is the weights
// themselves and the other totals are easy to check by hand.
constexpr char kTestCatalog[] = R"(
protocols {
  id: "thoracic-c-curve"  version: 3  title: "Thoracic test"
  spine_region: SPINE_REGION_THORACIC  curve_pattern: CURVE_PATTERN_C_CURVE
  source: "test source" evidence_level: EVIDENCE_LEVEL_EXPERT_OPINION
  steps { body_area: BODY_AREA_LEGS position: POSITION_PRONE ankle_roller: true
          technique: "stroking" intensity: INTENSITY_LIGHT weight: 2 curve_side: CURVE_SIDE_BOTH }
  steps { body_area: BODY_AREA_HIPS position: POSITION_PRONE ankle_roller: true
          technique: "effleurage" intensity: INTENSITY_LIGHT weight: 2 }
  steps { body_area: BODY_AREA_ABDOMEN position: POSITION_SUPINE
          technique: "stroking" intensity: INTENSITY_LIGHT weight: 1 }
  steps { body_area: BODY_AREA_BACK position: POSITION_PRONE ankle_roller: true
          technique: "effleurage" intensity: INTENSITY_LIGHT weight: 2 curve_side: CURVE_SIDE_BOTH }
  steps { body_area: BODY_AREA_BACK position: POSITION_PRONE ankle_roller: true
          technique: "kneading" intensity: INTENSITY_MODERATE weight: 4 curve_side: CURVE_SIDE_CONCAVE
          goal: "relax" }
  steps { body_area: BODY_AREA_BACK position: POSITION_PRONE ankle_roller: true
          technique: "friction" intensity: INTENSITY_DEEP weight: 2 curve_side: CURVE_SIDE_CONCAVE
          goal: "relax" }
  steps { body_area: BODY_AREA_BACK position: POSITION_PRONE ankle_roller: true
          technique: "kneading" intensity: INTENSITY_MODERATE weight: 2 curve_side: CURVE_SIDE_CONVEX
          goal: "tone" }
}
protocols {
  id: "lumbar-back-only"  version: 1
  spine_region: SPINE_REGION_LUMBAR  curve_pattern: CURVE_PATTERN_C_CURVE
  source: "test source" evidence_level: EVIDENCE_LEVEL_EXPERT_OPINION
  steps { body_area: BODY_AREA_BACK position: POSITION_PRONE ankle_roller: true
          technique: "kneading" intensity: INTENSITY_MODERATE weight: 1 }
}
)";

std::shared_ptr<const catalog::Catalog> TestCatalog() {
  auto catalog = catalog::ParseCatalogFiles({{"test.textproto", kTestCatalog}});
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return *catalog;
}

v1::RecommendProtocolRequest BaseRequest() {
  v1::RecommendProtocolRequest request;
  request.set_patient_id("patient-1");
  auto* profile = request.mutable_profile();
  profile->set_age_years(30);
  profile->set_primary_region(v1::SPINE_REGION_THORACIC);
  profile->set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
  profile->set_convex_side(v1::SIDE_RIGHT);
  profile->set_cobb_angle_degrees(20);
  profile->set_risser_grade(5);
  request.mutable_screening()->set_pain_nrs(3);
  return request;
}

v1::Outcome Outcome(int session, int minutes, int pain_before, int pain_after,
                    int adverse_events = 0, v1::Severity severity = v1::SEVERITY_MILD,
                    v1::AdverseEventType type = v1::ADVERSE_EVENT_TYPE_PROLONGED_SORENESS) {
  v1::Outcome outcome;
  outcome.set_name(absl::StrCat("outcomes/session-", session));
  outcome.set_session_number(session);
  outcome.set_minutes(minutes);
  outcome.set_pain_before(pain_before);
  outcome.set_pain_after(pain_after);
  for (int i = 0; i < adverse_events; ++i) {
    auto* event = outcome.add_adverse_events();
    event->set_type(type);
    event->set_severity(severity);
  }
  return outcome;
}

std::string StripPrefix(const std::string& name, const std::string& prefix) {
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

// "BACK PRONE roller DEEP 2": area, position, ankle roller, intensity, minutes.
std::string Describe(const v1::Step& step) {
  return absl::StrCat(StripPrefix(v1::BodyArea_Name(step.body_area()), "BODY_AREA_"), " ",
                      StripPrefix(v1::Position_Name(step.position()), "POSITION_"), " ",
                      step.ankle_roller() ? "roller" : "-", " ",
                      StripPrefix(v1::Intensity_Name(step.intensity()), "INTENSITY_"), " ",
                      step.minutes());
}

std::vector<std::string> Describe(const v1::RecommendProtocolResponse& response) {
  std::vector<std::string> steps;
  for (const auto& step : response.protocol().steps()) steps.push_back(Describe(step));
  return steps;
}

std::set<std::string> CardRules(const v1::RecommendProtocolResponse& response) {
  std::set<std::string> ids;
  for (const auto& card : response.cards()) ids.insert(card.rule_id());
  return ids;
}

// What every response must carry, whatever the rules.
void ExpectWellFormedCards(const v1::RecommendProtocolResponse& response) {
  std::set<std::string> fired;
  for (const auto& rule : response.basis().rules()) {
    EXPECT_FALSE(rule.rule_id().empty());
    EXPECT_FALSE(rule.source().empty()) << rule.rule_id();
    fired.insert(rule.rule_id());
  }
  bool supportive_care = false;
  for (const auto& card : response.cards()) {
    SCOPED_TRACE(card.rule_id());
    EXPECT_FALSE(card.summary().empty());
    EXPECT_LT(card.summary().size(), 140u);
    EXPECT_FALSE(card.detail().empty());
    EXPECT_FALSE(card.source().empty());
    EXPECT_FALSE(card.rule_id().empty());
    EXPECT_NE(card.indicator(), v1::INDICATOR_UNSPECIFIED);
    EXPECT_TRUE(fired.count(card.rule_id())) << "every card's rule is in the basis";
    if (card.rule_id() == "evidence.supportive_care") {
      supportive_care = true;
      EXPECT_EQ(card.indicator(), v1::INDICATOR_INFO);
      EXPECT_THAT(card.summary(), ::testing::HasSubstr("does not correct the curve"));
      EXPECT_THAT(card.source(), ::testing::HasSubstr("SOSORT guidelines"));
    }
  }
  EXPECT_TRUE(supportive_care);
  EXPECT_FALSE(response.basis().summary().empty());
}

const std::vector<std::string> kBaselineAt15 = {
    "LEGS PRONE roller LIGHT 2",     "HIPS PRONE roller LIGHT 2", "ABDOMEN SUPINE - LIGHT 1",
    "BACK PRONE roller LIGHT 2",     "BACK PRONE roller MODERATE 4",
    "BACK PRONE roller DEEP 2",      "BACK PRONE roller MODERATE 2"};

struct EngineCase {
  std::string name;
  std::function<void(v1::RecommendProtocolRequest&)> request_change;
  PatientProgress progress;
  v1::Decision decision;
  std::vector<std::string> steps;  // empty: no protocol
  int total_minutes;
  std::vector<std::string> card_rules;  // must be present
  std::string progression;              // empty for refer/defer
};
// Test names, not byte dumps, in failure messages.
void PrintTo(const EngineCase& test, std::ostream* out) { *out << test.name; }


void AddFindings(v1::RecommendProtocolRequest& request,
                 std::initializer_list<v1::Contraindication> findings) {
  for (auto finding : findings) request.mutable_screening()->add_contraindications(finding);
}

std::function<void(v1::RecommendProtocolRequest&)> With(
    std::initializer_list<v1::Contraindication> findings) {
  std::vector<v1::Contraindication> copy(findings);
  return [copy](v1::RecommendProtocolRequest& request) {
    for (auto finding : copy) request.mutable_screening()->add_contraindications(finding);
  };
}

PatientProgress History(int sessions_logged, v1::Outcome last) {
  PatientProgress progress;
  progress.sessions_logged = sessions_logged;
  progress.last_outcome = std::move(last);
  return progress;
}

std::vector<EngineCase> Cases() {
  auto nothing = [](v1::RecommendProtocolRequest&) {};
  std::vector<EngineCase> cases = {
      {"Baseline", nothing, {}, v1::DECISION_PROCEED, kBaselineAt15, 15, {}, "start"},
      {"Anticoagulants", With({v1::CONTRAINDICATION_ANTICOAGULANTS}), {},
       v1::DECISION_PROCEED_MODIFIED,
       {"LEGS PRONE roller LIGHT 2", "HIPS PRONE roller LIGHT 2", "ABDOMEN SUPINE - LIGHT 1",
        "BACK PRONE roller LIGHT 2", "BACK PRONE roller MODERATE 4", "BACK PRONE roller LIGHT 2",
        "BACK PRONE roller MODERATE 2"},
       15, {"modify.anticoagulants", "limits.technique_changed"}, "start"},
      {"BleedingDisorder", With({v1::CONTRAINDICATION_BLEEDING_DISORDER}), {},
       v1::DECISION_PROCEED_MODIFIED,
       {"LEGS PRONE roller LIGHT 2", "HIPS PRONE roller LIGHT 2", "ABDOMEN SUPINE - LIGHT 1",
        "BACK PRONE roller LIGHT 2", "BACK PRONE roller MODERATE 4", "BACK PRONE roller LIGHT 2",
        "BACK PRONE roller MODERATE 2"},
       15, {"modify.bleeding_disorder", "limits.technique_changed"}, "start"},
      {"SevereOsteoporosis", With({v1::CONTRAINDICATION_SEVERE_OSTEOPOROSIS}), {},
       v1::DECISION_PROCEED_MODIFIED,
       {"LEGS PRONE roller LIGHT 2", "HIPS PRONE roller LIGHT 2", "ABDOMEN SUPINE - LIGHT 1",
        "BACK PRONE roller LIGHT 2", "BACK PRONE roller LIGHT 4", "BACK PRONE roller LIGHT 2",
        "BACK PRONE roller LIGHT 2"},
       15, {"modify.severe_osteoporosis", "limits.technique_changed"}, "start"},
      // The abdomen step is left out; its minute goes to the largest remainder.
      {"Pregnancy", With({v1::CONTRAINDICATION_PREGNANCY}), {}, v1::DECISION_PROCEED_MODIFIED,
       {"LEGS SIDE_LYING - LIGHT 2", "HIPS SIDE_LYING - LIGHT 2", "BACK SIDE_LYING - LIGHT 2",
        "BACK SIDE_LYING - MODERATE 5", "BACK SIDE_LYING - DEEP 2", "BACK SIDE_LYING - MODERATE 2"},
       15, {"modify.pregnancy"}, "start"},
      // No back work; the time goes to legs, hips and abdomen (weights 2:2:1).
      {"RecentSpinalSurgery", With({v1::CONTRAINDICATION_RECENT_SPINAL_SURGERY}), {},
       v1::DECISION_PROCEED_MODIFIED,
       {"LEGS PRONE roller LIGHT 6", "HIPS PRONE roller LIGHT 6", "ABDOMEN SUPINE - LIGHT 3"}, 15,
       {"modify.recent_spinal_surgery"}, "start"},
      {"PregnancyAndSurgery",
       With({v1::CONTRAINDICATION_PREGNANCY, v1::CONTRAINDICATION_RECENT_SPINAL_SURGERY}), {},
       v1::DECISION_PROCEED_MODIFIED, {"LEGS SIDE_LYING - LIGHT 8", "HIPS SIDE_LYING - LIGHT 7"},
       15, {"modify.pregnancy", "modify.recent_spinal_surgery"}, "start"},
      {"OsteoporosisAndAnticoagulants",
       With({v1::CONTRAINDICATION_ANTICOAGULANTS, v1::CONTRAINDICATION_SEVERE_OSTEOPOROSIS}), {},
       v1::DECISION_PROCEED_MODIFIED,
       {"LEGS PRONE roller LIGHT 2", "HIPS PRONE roller LIGHT 2", "ABDOMEN SUPINE - LIGHT 1",
        "BACK PRONE roller LIGHT 2", "BACK PRONE roller LIGHT 4", "BACK PRONE roller LIGHT 2",
        "BACK PRONE roller LIGHT 2"},
       15, {"modify.anticoagulants", "modify.severe_osteoporosis"}, "start"},
      {"HighPainGentleOnly", [](auto& r) { r.mutable_screening()->set_pain_nrs(8); }, {},
       v1::DECISION_PROCEED_MODIFIED,
       {"LEGS PRONE roller LIGHT 2", "HIPS PRONE roller LIGHT 2", "ABDOMEN SUPINE - LIGHT 1",
        "BACK PRONE roller LIGHT 2", "BACK PRONE roller LIGHT 4", "BACK PRONE roller LIGHT 2",
        "BACK PRONE roller LIGHT 2"},
       15, {"modify.high_pain", "limits.technique_changed"}, "start"},
      {"PainSevenIsNotHigh", [](auto& r) { r.mutable_screening()->set_pain_nrs(7); }, {},
       v1::DECISION_PROCEED, kBaselineAt15, 15, {}, "start"},
      {"DuplicateFindingCountsOnce",
       With({v1::CONTRAINDICATION_ANTICOAGULANTS, v1::CONTRAINDICATION_ANTICOAGULANTS}), {},
       v1::DECISION_PROCEED_MODIFIED,
       {"LEGS PRONE roller LIGHT 2", "HIPS PRONE roller LIGHT 2", "ABDOMEN SUPINE - LIGHT 1",
        "BACK PRONE roller LIGHT 2", "BACK PRONE roller MODERATE 4", "BACK PRONE roller LIGHT 2",
        "BACK PRONE roller MODERATE 2"},
       15, {"modify.anticoagulants", "limits.technique_changed"}, "start"},
      // Dose from the host's session number with no history: the ladder.
      {"HostSessionFiveLadder", [](auto& r) { r.set_session_number(5); }, {},
       v1::DECISION_PROCEED,
       {"LEGS PRONE roller LIGHT 4", "HIPS PRONE roller LIGHT 3", "ABDOMEN SUPINE - LIGHT 2",
        "BACK PRONE roller LIGHT 3", "BACK PRONE roller MODERATE 7", "BACK PRONE roller DEEP 3",
        "BACK PRONE roller MODERATE 3"},
       25, {}, "start"},
      {"HostSessionEightIsForty", [](auto& r) { r.set_session_number(8); }, {},
       v1::DECISION_PROCEED,
       {"LEGS PRONE roller LIGHT 6", "HIPS PRONE roller LIGHT 5", "ABDOMEN SUPINE - LIGHT 3",
        "BACK PRONE roller LIGHT 5", "BACK PRONE roller MODERATE 11", "BACK PRONE roller DEEP 5",
        "BACK PRONE roller MODERATE 5"},
       40, {}, "start"},
      // From history: 5 sessions logged, the last one (25 min) brought relief.
      {"AdvanceFromHistory", nothing, History(5, Outcome(5, 25, 5, 3)), v1::DECISION_PROCEED,
       {"LEGS PRONE roller LIGHT 4", "HIPS PRONE roller LIGHT 4", "ABDOMEN SUPINE - LIGHT 2",
        "BACK PRONE roller LIGHT 4", "BACK PRONE roller MODERATE 8", "BACK PRONE roller DEEP 4",
        "BACK PRONE roller MODERATE 4"},
       30, {}, "advance"},
      {"EarlyAdvanceAtSessionThree", nothing, History(2, Outcome(2, 15, 4, 2)),
       v1::DECISION_PROCEED,
       {"LEGS PRONE roller LIGHT 3", "HIPS PRONE roller LIGHT 3", "ABDOMEN SUPINE - LIGHT 1",
        "BACK PRONE roller LIGHT 3", "BACK PRONE roller MODERATE 5", "BACK PRONE roller DEEP 3",
        "BACK PRONE roller MODERATE 2"},
       20, {}, "advance"},
      // Tolerated (no event, pain not up) advances even without relief.
      {"AdvanceWhenToleratedWithoutRelief", nothing, History(5, Outcome(5, 25, 4, 4)),
       v1::DECISION_PROCEED,
       {"LEGS PRONE roller LIGHT 4", "HIPS PRONE roller LIGHT 4", "ABDOMEN SUPINE - LIGHT 2",
        "BACK PRONE roller LIGHT 4", "BACK PRONE roller MODERATE 8", "BACK PRONE roller DEEP 4",
        "BACK PRONE roller MODERATE 4"},
       30, {}, "advance"},
      {"NoEarlyAdvanceWithoutMeaningfulRelief", nothing, History(2, Outcome(2, 15, 8, 7)),
       v1::DECISION_PROCEED, kBaselineAt15, 15, {}, "hold"},
      {"HoldAfterAMildEvent", nothing, History(5, Outcome(5, 25, 5, 3, 1)), v1::DECISION_PROCEED,
       {"LEGS PRONE roller LIGHT 4", "HIPS PRONE roller LIGHT 3", "ABDOMEN SUPINE - LIGHT 2",
        "BACK PRONE roller LIGHT 3", "BACK PRONE roller MODERATE 7", "BACK PRONE roller DEEP 3",
        "BACK PRONE roller MODERATE 3"},
       25, {}, "hold"},
      {"HoldWhenPainRoseByOne", nothing, History(5, Outcome(5, 25, 4, 5)), v1::DECISION_PROCEED,
       {"LEGS PRONE roller LIGHT 4", "HIPS PRONE roller LIGHT 3", "ABDOMEN SUPINE - LIGHT 2",
        "BACK PRONE roller LIGHT 3", "BACK PRONE roller MODERATE 7", "BACK PRONE roller DEEP 3",
        "BACK PRONE roller MODERATE 3"},
       25, {}, "hold"},
      // An adverse event after 30 minutes: 25 minutes, each step one level lighter.
      {"StepBackAfterAModerateEvent", nothing,
       History(6, Outcome(6, 30, 5, 3, 1, v1::SEVERITY_MODERATE)),
       v1::DECISION_PROCEED_MODIFIED,
       {"LEGS PRONE roller LIGHT 4", "HIPS PRONE roller LIGHT 3", "ABDOMEN SUPINE - LIGHT 2",
        "BACK PRONE roller LIGHT 3", "BACK PRONE roller LIGHT 7", "BACK PRONE roller MODERATE 3",
        "BACK PRONE roller LIGHT 3"},
       25, {"dose.step_back"}, "step_back"},
      {"StepBackAfterPainRose", nothing, History(6, Outcome(6, 30, 3, 5)),
       v1::DECISION_PROCEED_MODIFIED,
       {"LEGS PRONE roller LIGHT 4", "HIPS PRONE roller LIGHT 3", "ABDOMEN SUPINE - LIGHT 2",
        "BACK PRONE roller LIGHT 3", "BACK PRONE roller LIGHT 7", "BACK PRONE roller MODERATE 3",
        "BACK PRONE roller LIGHT 3"},
       25, {"dose.step_back"}, "step_back"},
      {"StepBackWithAnticoagulants", With({v1::CONTRAINDICATION_ANTICOAGULANTS}),
       History(6, Outcome(6, 30, 3, 5)), v1::DECISION_PROCEED_MODIFIED,
       {"LEGS PRONE roller LIGHT 4", "HIPS PRONE roller LIGHT 3", "ABDOMEN SUPINE - LIGHT 2",
        "BACK PRONE roller LIGHT 3", "BACK PRONE roller LIGHT 7", "BACK PRONE roller MODERATE 3",
        "BACK PRONE roller LIGHT 3"},
       25, {"dose.step_back", "modify.anticoagulants"}, "step_back"},
      {"ReferWinsOverDefer",
       With({v1::CONTRAINDICATION_FEVER, v1::CONTRAINDICATION_NEUROLOGICAL_DEFICIT}), {},
       v1::DECISION_REFER, {}, 0,
       {"screening.refer.neurological_deficit", "screening.defer.fever"}, ""},
      {"ReferIgnoresModifiers",
       With({v1::CONTRAINDICATION_PREGNANCY, v1::CONTRAINDICATION_SUSPECTED_FRACTURE}), {},
       v1::DECISION_REFER, {}, 0, {"screening.refer.suspected_fracture"}, ""},
  };
  const std::pair<v1::Contraindication, const char*> red_flags[] = {
      {v1::CONTRAINDICATION_NEUROLOGICAL_DEFICIT, "screening.refer.neurological_deficit"},
      {v1::CONTRAINDICATION_BOWEL_BLADDER_CHANGE, "screening.refer.bowel_bladder_change"},
      {v1::CONTRAINDICATION_SUSPECTED_FRACTURE, "screening.refer.suspected_fracture"},
      {v1::CONTRAINDICATION_MALIGNANCY_UNCLEARED, "screening.refer.malignancy_uncleared"},
      {v1::CONTRAINDICATION_UNEXPLAINED_WEIGHT_LOSS, "screening.refer.unexplained_weight_loss"},
      // Massage can dislodge a clot: refer for same-day assessment, not defer.
      {v1::CONTRAINDICATION_SUSPECTED_DVT, "screening.refer.suspected_dvt"}};
  for (const auto& [finding, rule] : red_flags) {
    cases.push_back({absl::StrCat("Refer_", v1::Contraindication_Name(finding)), With({finding}),
                     {}, v1::DECISION_REFER, {}, 0, {rule}, ""});
  }
  const std::pair<v1::Contraindication, const char*> acute[] = {
      {v1::CONTRAINDICATION_FEVER, "screening.defer.fever"},
      {v1::CONTRAINDICATION_ACUTE_INFECTION, "screening.defer.acute_infection"},
      {v1::CONTRAINDICATION_SKIN_LESION_AT_SITE, "screening.defer.skin_lesion_at_site"},
      {v1::CONTRAINDICATION_ACUTE_INFLAMMATION, "screening.defer.acute_inflammation"}};
  for (const auto& [finding, rule] : acute) {
    cases.push_back({absl::StrCat("Defer_", v1::Contraindication_Name(finding)), With({finding}),
                     {}, v1::DECISION_DEFER, {}, 0, {rule}, ""});
  }
  return cases;
}

class EngineRuleTest : public ::testing::TestWithParam<EngineCase> {};

TEST_P(EngineRuleTest, DecisionStepsAndMinutes) {
  const EngineCase& test = GetParam();
  ProtocolEngine engine(TestCatalog());
  v1::RecommendProtocolRequest request = BaseRequest();
  test.request_change(request);
  auto response = engine.Recommend(request, test.progress);
  ASSERT_TRUE(response.ok()) << response.status();

  EXPECT_EQ(v1::Decision_Name(response->decision()), v1::Decision_Name(test.decision));
  EXPECT_THAT(Describe(*response), ElementsAreArray(test.steps));
  if (test.steps.empty()) {
    EXPECT_FALSE(response->has_protocol());
  } else {
    int sum = 0;
    for (int i = 0; i < response->protocol().steps_size(); ++i) {
      EXPECT_EQ(response->protocol().steps(i).order(), i + 1);
      sum += response->protocol().steps(i).minutes();
    }
    EXPECT_EQ(response->protocol().total_minutes(), test.total_minutes);
    EXPECT_EQ(sum, test.total_minutes);
  }
  std::set<std::string> cards = CardRules(*response);
  for (const auto& rule : test.card_rules) EXPECT_TRUE(cards.count(rule)) << rule;
  EXPECT_EQ(response->basis().progression(), test.progression);
  ExpectWellFormedCards(*response);
}

INSTANTIATE_TEST_SUITE_P(Rules, EngineRuleTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

TEST(EngineScreeningTest, ReferHasACriticalCardPerRedFlag) {
  ProtocolEngine engine(TestCatalog());
  auto request = BaseRequest();
  AddFindings(request, {v1::CONTRAINDICATION_BOWEL_BLADDER_CHANGE,
                        v1::CONTRAINDICATION_MALIGNANCY_UNCLEARED, v1::CONTRAINDICATION_FEVER});
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok());
  int critical = 0, warning = 0;
  for (const auto& card : response->cards()) {
    if (card.indicator() == v1::INDICATOR_CRITICAL) ++critical;
    if (card.rule_id().rfind("screening.defer.", 0) == 0) {
      ++warning;
      EXPECT_EQ(card.indicator(), v1::INDICATOR_WARNING);
    }
  }
  EXPECT_EQ(critical, 2);
  EXPECT_EQ(warning, 1);
  EXPECT_TRUE(response->basis().protocol_id().empty()) << "no protocol on a referral";
}

TEST(EngineScreeningTest, ModifierCardsAreWarnings) {
  ProtocolEngine engine(TestCatalog());
  auto request = BaseRequest();
  AddFindings(request, {v1::CONTRAINDICATION_PREGNANCY, v1::CONTRAINDICATION_RECENT_SPINAL_SURGERY});
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok());
  for (const auto& card : response->cards()) {
    if (card.rule_id() == "modify.pregnancy") {
      EXPECT_EQ(card.indicator(), v1::INDICATOR_WARNING);
      EXPECT_THAT(card.summary(), ::testing::HasSubstr("provider should agree"));
    }
    if (card.rule_id() == "modify.recent_spinal_surgery") {
      EXPECT_EQ(card.indicator(), v1::INDICATOR_WARNING);
      EXPECT_THAT(card.summary(), ::testing::HasSubstr("surgeon"));
    }
  }
}

TEST(EngineSidesTest, ConcaveIsOppositeTheConvexSide) {
  ProtocolEngine engine(TestCatalog());
  for (auto [convex, concave] : {std::pair{v1::SIDE_RIGHT, v1::SIDE_LEFT},
                                 std::pair{v1::SIDE_LEFT, v1::SIDE_RIGHT}}) {
    auto request = BaseRequest();
    request.mutable_profile()->set_convex_side(convex);
    auto response = engine.Recommend(request, {});
    ASSERT_TRUE(response.ok());
    std::vector<v1::Side> sides;
    for (const auto& step : response->protocol().steps()) sides.push_back(step.focus_side());
    EXPECT_THAT(sides, ElementsAreArray({v1::SIDE_BOTH, v1::SIDE_BOTH, v1::SIDE_BOTH,
                                         v1::SIDE_BOTH, concave, concave, convex}));
    EXPECT_FALSE(CardRules(*response).count("side.convex_unspecified"));
  }
}

TEST(EngineSidesTest, UnknownConvexSideWorksBothSidesAndSaysSo) {
  ProtocolEngine engine(TestCatalog());
  auto request = BaseRequest();
  request.mutable_profile()->clear_convex_side();
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok());
  for (const auto& step : response->protocol().steps()) EXPECT_EQ(step.focus_side(), v1::SIDE_BOTH);
  EXPECT_TRUE(CardRules(*response).count("side.convex_unspecified"));
}

TEST(EngineStepsTest, BackStepsCarryTheRegion) {
  ProtocolEngine engine(TestCatalog());
  auto response = engine.Recommend(BaseRequest(), {});
  ASSERT_TRUE(response.ok());
  for (const auto& step : response->protocol().steps()) {
    EXPECT_EQ(step.spine_region(), step.body_area() == v1::BODY_AREA_BACK
                                       ? v1::SPINE_REGION_THORACIC
                                       : v1::SPINE_REGION_UNSPECIFIED);
  }
}

TEST(EngineStepsTest, ChangedStepsSayWhatChangedInTheirInstructions) {
  ProtocolEngine engine(TestCatalog());
  auto request = BaseRequest();
  AddFindings(request, {v1::CONTRAINDICATION_PREGNANCY, v1::CONTRAINDICATION_ANTICOAGULANTS});
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok());
  // Deep friction under anticoagulants is replaced, not relabelled.
  const auto& friction = response->protocol().steps(4);
  EXPECT_EQ(friction.technique(), "light effleurage");
  EXPECT_EQ(friction.technique_class(), v1::TECHNIQUE_CLASS_EFFLEURAGE);
  EXPECT_EQ(friction.intensity(), v1::INTENSITY_LIGHT);
  EXPECT_THAT(friction.instructions(), ::testing::HasSubstr("side-lying instead of prone"));
  EXPECT_THAT(friction.instructions(), ::testing::HasSubstr("anticoagulants"));
  EXPECT_THAT(friction.instructions(), ::testing::Not(::testing::HasSubstr("friction")));
}

struct CurveCase {
  const char* name;
  std::optional<double> cobb;
  std::optional<int> risser;
  std::set<std::string> present;
  std::set<std::string> absent;
};
// Test names, not byte dumps, in failure messages.
void PrintTo(const CurveCase& test, std::ostream* out) { *out << test.name; }


class EngineCurveTest : public ::testing::TestWithParam<CurveCase> {};

TEST_P(EngineCurveTest, SeverityCards) {
  const CurveCase& test = GetParam();
  ProtocolEngine engine(TestCatalog());
  auto request = BaseRequest();
  auto* profile = request.mutable_profile();
  profile->clear_cobb_angle_degrees();
  profile->clear_risser_grade();
  if (test.cobb) profile->set_cobb_angle_degrees(*test.cobb);
  if (test.risser) profile->set_risser_grade(*test.risser);
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok());
  // Severity cards never change today's session.
  EXPECT_EQ(response->decision(), v1::DECISION_PROCEED);
  EXPECT_THAT(Describe(*response), ElementsAreArray(kBaselineAt15));
  auto cards = CardRules(*response);
  for (const auto& rule : test.present) EXPECT_TRUE(cards.count(rule)) << rule;
  for (const auto& rule : test.absent) EXPECT_FALSE(cards.count(rule)) << rule;
  for (const auto& card : response->cards()) {
    if (card.rule_id().rfind("curve.", 0) == 0 && card.rule_id() != "curve.below_scoliosis_threshold" &&
        card.rule_id() != "curve.confirm_skeletal_maturity") {
      EXPECT_EQ(card.indicator(), v1::INDICATOR_WARNING) << card.rule_id();
    }
  }
  ExpectWellFormedCards(*response);
}

INSTANTIATE_TEST_SUITE_P(
    Curve, EngineCurveTest,
    ::testing::Values(
        CurveCase{"NoImaging", std::nullopt, 1, {"curve.no_imaging"}, {"curve.bracing_window"}},
        CurveCase{"BracingWindow", 30.0, 1, {"curve.bracing_window"}, {"curve.no_imaging", "curve.surgical_opinion"}},
        CurveCase{"BracingWindowLowEdge", 25.0, 0, {"curve.bracing_window"}, {}},
        CurveCase{"BracingWindowAt40", 40.0, 2, {"curve.bracing_window"}, {}},
        // The old gap: a growing patient at 41-44 degrees got no card.
        CurveCase{"GrowingAt41", 41.0, 1, {"curve.bracing_window"}, {"curve.surgical_opinion"}},
        CurveCase{"GrowingAt44", 44.0, 2, {"curve.bracing_window"}, {"curve.surgical_opinion"}},
        CurveCase{"GrowingAt45BothCards", 45.0, 2, {"curve.bracing_window", "curve.surgical_opinion"}, {}},
        CurveCase{"GrowingAt46SurgicalOnly", 46.0, 0, {"curve.surgical_opinion"}, {"curve.bracing_window"}},
        CurveCase{"BelowBracingWindow", 24.0, 1, {}, {"curve.bracing_window"}},
        CurveCase{"SkeletallyMature", 30.0, 3, {}, {"curve.bracing_window"}},
        // Age 30 in the base request: no Risser grade means mature here.
        CurveCase{"RisserUnknownAdult", 30.0, std::nullopt, {}, {"curve.bracing_window"}},
        CurveCase{"AdultAt45NoSurgicalYet", 45.0, 4, {}, {"curve.surgical_opinion", "curve.bracing_window"}},
        CurveCase{"AdultAt49", 49.9, 4, {}, {"curve.surgical_opinion"}},
        CurveCase{"AdultSurgicalOpinionAt50", 50.0, 4, {"curve.surgical_opinion"}, {"curve.bracing_window"}},
        CurveCase{"BelowScoliosis", 8.0, 4, {"curve.below_scoliosis_threshold"}, {"curve.no_imaging"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(EngineBasisTest, ExplainsTheInputsUsed) {
  ProtocolEngine engine(TestCatalog());
  auto response = engine.Recommend(BaseRequest(), History(3, Outcome(3, 15, 6, 3)));
  ASSERT_TRUE(response.ok());
  const auto& basis = response->basis();
  EXPECT_EQ(basis.protocol_id(), "thoracic-c-curve");
  EXPECT_EQ(basis.protocol_version(), 3u);
  EXPECT_EQ(basis.session_number(), 4);
  EXPECT_EQ(basis.session_number_source(), "history");
  EXPECT_EQ(basis.last_outcome(), "outcomes/session-3");
  EXPECT_EQ(basis.progression(), "advance");
  EXPECT_EQ(response->protocol().session_number(), 4);
  EXPECT_EQ(response->protocol().protocol_id(), "thoracic-c-curve");
  EXPECT_EQ(response->protocol().protocol_version(), 3u);
  EXPECT_EQ(response->protocol().total_minutes(), 20);
  EXPECT_THAT(basis.summary(), ::testing::HasSubstr("thoracic-c-curve v3"));
  bool dose_rule = false;
  for (const auto& rule : basis.rules()) dose_rule |= rule.rule_id() == "dose.advance_tolerated";
  EXPECT_TRUE(dose_rule);
  EXPECT_EQ(basis.dose_rule(), "dose.advance_tolerated");
  EXPECT_EQ(basis.curve_severity(), "low (up to 20 degrees)");
  EXPECT_THAT(basis.summary(), ::testing::HasSubstr("SOSORT low"));
}

TEST(EngineBasisTest, HostSessionNumberWins) {
  ProtocolEngine engine(TestCatalog());
  auto request = BaseRequest();
  request.set_session_number(2);
  auto response = engine.Recommend(request, History(7, Outcome(7, 40, 6, 3)));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->basis().session_number(), 2);
  EXPECT_EQ(response->basis().session_number_source(), "host");
  EXPECT_EQ(response->protocol().total_minutes(), 15) << "sessions 1-2 are always 15 minutes";
}

TEST(EngineBasisTest, IsDeterministic) {
  ProtocolEngine engine(TestCatalog());
  auto request = BaseRequest();
  AddFindings(request, {v1::CONTRAINDICATION_PREGNANCY});
  auto first = engine.Recommend(request, History(4, Outcome(4, 20, 5, 4)));
  auto second = engine.Recommend(request, History(4, Outcome(4, 20, 5, 4)));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->SerializeAsString(), second->SerializeAsString());
}

TEST(EngineCatalogTest, SCurveFallsBackToCCurveWithACard) {
  ProtocolEngine engine(TestCatalog());
  auto request = BaseRequest();
  request.mutable_profile()->set_curve_pattern(v1::CURVE_PATTERN_S_CURVE);
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->protocol().protocol_id(), "thoracic-c-curve");
  EXPECT_TRUE(CardRules(*response).count("catalog.s_curve_fallback"));
}

TEST(EngineCatalogTest, RegionWithoutProtocolIsFailedPrecondition) {
  ProtocolEngine engine(TestCatalog());
  auto request = BaseRequest();
  request.mutable_profile()->set_primary_region(v1::SPINE_REGION_CERVICAL);
  auto response = engine.Recommend(request, {});
  EXPECT_EQ(response.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(EngineCatalogTest, NothingLeftToDoDefers) {
  ProtocolEngine engine(TestCatalog());
  auto request = BaseRequest();
  request.mutable_profile()->set_primary_region(v1::SPINE_REGION_LUMBAR);
  AddFindings(request, {v1::CONTRAINDICATION_RECENT_SPINAL_SURGERY});
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->decision(), v1::DECISION_DEFER);
  EXPECT_FALSE(response->has_protocol());
  EXPECT_TRUE(CardRules(*response).count("plan.no_steps_left"));
}

// S-curve protocols also work the compensatory curve, and say which region.
TEST(EngineDefaultCatalogTest, SCurveBackStepsNameTheCompensatoryRegion) {
  auto catalog = catalog::LoadCatalog(catalog::kSourceCatalogDir);
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  ProtocolEngine engine(*catalog);
  auto request = BaseRequest();
  request.mutable_profile()->set_primary_region(v1::SPINE_REGION_LUMBAR);
  request.mutable_profile()->set_curve_pattern(v1::CURVE_PATTERN_S_CURVE);
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok()) << response.status();
  std::set<int> regions;
  for (const auto& step : response->protocol().steps()) {
    if (step.body_area() == v1::BODY_AREA_BACK) regions.insert(step.spine_region());
    else EXPECT_EQ(step.spine_region(), v1::SPINE_REGION_UNSPECIFIED);
  }
  EXPECT_EQ(regions, (std::set<int>{v1::SPINE_REGION_THORACIC, v1::SPINE_REGION_LUMBAR}));
}

// The shipped catalog, for every region, pattern and session 1-12.
TEST(EngineDefaultCatalogTest, EveryProtocolFollowsTheLadder) {
  auto catalog = catalog::LoadCatalog(catalog::kSourceCatalogDir);
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  ProtocolEngine engine(*catalog);
  const int ladder[] = {15, 15, 15, 20, 25, 30, 35, 40, 40, 40, 40, 40};
  for (const auto& protocol : engine.catalog().protocols()) {
    for (int session = 1; session <= 12; ++session) {
      SCOPED_TRACE(absl::StrCat(protocol.id(), " session ", session));
      auto request = BaseRequest();
      request.mutable_profile()->set_primary_region(protocol.spine_region());
      request.mutable_profile()->set_curve_pattern(protocol.curve_pattern());
      request.set_session_number(session);
      auto response = engine.Recommend(request, {});
      ASSERT_TRUE(response.ok()) << response.status();
      EXPECT_EQ(response->decision(), v1::DECISION_PROCEED);
      EXPECT_EQ(response->protocol().protocol_id(), protocol.id());
      EXPECT_EQ(response->protocol().total_minutes(), ladder[session - 1]);
      int sum = 0;
      int previous_area = 0;
      for (const auto& step : response->protocol().steps()) {
        sum += step.minutes();
        EXPECT_GE(step.minutes(), 1);
        EXPECT_GE(step.body_area(), previous_area);
        previous_area = step.body_area();
        if (step.body_area() == v1::BODY_AREA_BACK) {
          // Back steps work the protocol's region, or on an S-curve the
          // compensatory curve's neighbouring region.
          EXPECT_LE(std::abs(step.spine_region() - protocol.spine_region()), 2)
              << protocol.id();
          if (protocol.curve_pattern() == v1::CURVE_PATTERN_C_CURVE) {
            EXPECT_EQ(step.spine_region(), protocol.spine_region());
          }
        }
      }
      EXPECT_EQ(sum, ladder[session - 1]);
    }
  }
}

TEST(EngineDefaultCatalogTest, PregnancyNeverLiesProneOrWorksTheAbdomen) {
  auto catalog = catalog::LoadCatalog(catalog::kSourceCatalogDir);
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  ProtocolEngine engine(*catalog);
  for (const auto& protocol : engine.catalog().protocols()) {
    SCOPED_TRACE(protocol.id());
    auto request = BaseRequest();
    request.mutable_profile()->set_primary_region(protocol.spine_region());
    request.mutable_profile()->set_curve_pattern(protocol.curve_pattern());
    AddFindings(request, {v1::CONTRAINDICATION_PREGNANCY});
    auto response = engine.Recommend(request, {});
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->decision(), v1::DECISION_PROCEED_MODIFIED);
    for (const auto& step : response->protocol().steps()) {
      EXPECT_NE(step.position(), v1::POSITION_PRONE);
      EXPECT_NE(step.position(), v1::POSITION_SUPINE);
      EXPECT_FALSE(step.ankle_roller());
      EXPECT_NE(step.body_area(), v1::BODY_AREA_ABDOMEN);
    }
  }
}

}  // namespace
}  // namespace scoliomassage::core
