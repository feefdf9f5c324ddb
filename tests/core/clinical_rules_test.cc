// The clinical safety rules, table-driven over every region and pattern of
// the shipped catalog and over a clinic catalog that tries to break them:
// limits change the technique (not only its label), the neck rules hold for
// any catalog, serious adverse events refer until cleared, clearances,
// minors, the episode review, and honest, published sources.
#include <functional>
#include <optional>
#include <ostream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "catalog/default_catalog.h"
#include "catalog/loader.h"
#include "core/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scoliomassage::core {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<const catalog::Catalog> ShippedCatalog() {
  auto catalog = catalog::LoadCatalog(catalog::kSourceCatalogDir);
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return *catalog;
}

v1::RecommendProtocolRequest Request(const v1::CatalogProtocol& protocol) {
  v1::RecommendProtocolRequest request;
  request.set_patient_id("patient-7");
  auto* profile = request.mutable_profile();
  profile->set_age_years(34);
  profile->set_primary_region(protocol.spine_region());
  profile->set_curve_pattern(protocol.curve_pattern());
  profile->set_convex_side(v1::SIDE_LEFT);
  profile->set_cobb_angle_degrees(22);
  profile->set_risser_grade(5);
  request.mutable_screening()->set_pain_nrs(4);
  request.set_session_number(8);  // 40 minutes: every step has time
  return request;
}

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  return time;
}

// 2026-11-30T10:00:00Z, the last session in these tests.
constexpr int64_t kLastSession = 1796032800;

v1::Outcome LastSession(int session, int minutes, int before, int after) {
  v1::Outcome outcome;
  outcome.set_name(absl::StrCat("outcomes/s", session));
  outcome.set_session_number(session);
  outcome.set_minutes(minutes);
  outcome.set_pain_before(before);
  outcome.set_pain_after(after);
  *outcome.mutable_performed_at() = At(kLastSession);
  return outcome;
}

PatientProgress After(v1::Outcome last, int sessions_logged) {
  PatientProgress progress;
  progress.sessions_logged = sessions_logged;
  progress.last_outcome = std::move(last);
  return progress;
}

std::set<std::string> CardRules(const v1::RecommendProtocolResponse& response) {
  std::set<std::string> ids;
  for (const auto& card : response.cards()) ids.insert(card.rule_id());
  return ids;
}

const v1::Card* FindCard(const v1::RecommendProtocolResponse& response, const std::string& rule) {
  for (const auto& card : response.cards()) {
    if (card.rule_id() == rule) return &card;
  }
  return nullptr;
}

bool MentionsPercussion(const std::string& text) {
  const std::string lower = absl::AsciiStrToLower(text);
  for (const char* word : {"tapping", "tapotement", "percussion", "hacking", "cupping", "pounding"}) {
    if (absl::StrContains(lower, word)) return true;
  }
  return false;
}

bool OverSpine(const v1::Step& step) {
  return step.body_area() == v1::BODY_AREA_BACK || step.body_area() == v1::BODY_AREA_NECK;
}

bool NeckWork(const v1::Step& step) {
  return step.body_area() == v1::BODY_AREA_NECK ||
         (step.body_area() == v1::BODY_AREA_BACK &&
          (step.spine_region() == v1::SPINE_REGION_CERVICAL ||
           step.spine_region() == v1::SPINE_REGION_CERVICOTHORACIC));
}

// What every plan must respect, whatever today's findings.
void ExpectNeckRulesAndHonestText(const v1::RecommendProtocolResponse& response) {
  for (const auto& step : response.protocol().steps()) {
    SCOPED_TRACE(absl::StrCat("step ", step.order(), " ", step.technique()));
    EXPECT_NE(step.technique_class(), v1::TECHNIQUE_CLASS_UNSPECIFIED);
    if (step.technique_class() != v1::TECHNIQUE_CLASS_TAPOTEMENT) {
      EXPECT_FALSE(MentionsPercussion(step.technique()));
      EXPECT_FALSE(MentionsPercussion(step.instructions())) << step.instructions();
    }
    if (NeckWork(step)) {
      EXPECT_NE(step.technique_class(), v1::TECHNIQUE_CLASS_TAPOTEMENT);
      EXPECT_LE(step.intensity(), v1::INTENSITY_MODERATE);
    }
    if (step.body_area() == v1::BODY_AREA_NECK) {
      EXPECT_NE(step.technique_class(), v1::TECHNIQUE_CLASS_FRICTION);
    }
    for (const auto& muscle : step.muscles()) {
      if (muscle == "scalenes") {
        EXPECT_EQ(step.body_area(), v1::BODY_AREA_NECK);
      }
    }
  }
}

// A published source (a year) or the clinic's practice, labelled as such;
// never a file of this repository.
void ExpectHonestSources(const v1::RecommendProtocolResponse& response) {
  static const std::regex kYear("(19|20)[0-9][0-9]");
  auto check = [](const std::string& source, const std::string& what) {
    EXPECT_TRUE(std::regex_search(source, kYear) ||
                absl::StrContains(source, "(expert opinion)"))
        << what << ": " << source;
  };
  for (const auto& card : response.cards()) {
    check(card.source(), card.rule_id());
    EXPECT_LT(card.summary().size(), 140u) << card.rule_id() << ": CDS Hooks summary limit";
    for (const std::string* text : {&card.summary(), &card.detail(), &card.source()}) {
      const std::string lower = absl::AsciiStrToLower(*text);
      for (const char* bad : {".md", ".txt", "clinical.md", "seed", "shared/", "strengthens the",
                              "will strengthen", "straightens the", "corrects the", "tone weak"}) {
        EXPECT_FALSE(absl::StrContains(lower, bad)) << card.rule_id() << " says " << bad;
      }
    }
  }
  for (const auto& rule : response.basis().rules()) check(rule.source(), rule.rule_id());
  if (response.has_protocol()) {
    check(response.protocol().source(), "protocol");
    EXPECT_EQ(response.protocol().evidence_level(), v1::EVIDENCE_LEVEL_EXPERT_OPINION);
  }
}

// --- Limits over every shipped protocol ---------------------------------

struct LimitCase {
  const char* name;
  std::function<void(v1::RecommendProtocolRequest&)> change;
  v1::Intensity max_intensity;
  bool no_tapotement;
  bool no_friction_over_spine;
  bool no_spine_work;
  const char* card;
};
void PrintTo(const LimitCase& test, std::ostream* out) { *out << test.name; }

void Find(v1::RecommendProtocolRequest& request, v1::Contraindication finding) {
  request.mutable_screening()->add_contraindications(finding);
}

void SurgeonClearance(v1::RecommendProtocolRequest& request) {
  auto* clearance = request.add_clearances();
  clearance->set_subject(v1::CLEARANCE_SUBJECT_SPINAL_SURGERY);
  clearance->set_cleared_by("Dr K. Osei, spine surgeon");
  *clearance->mutable_cleared_at() = At(kLastSession);
}

class LimitTest : public ::testing::TestWithParam<LimitCase> {};

TEST_P(LimitTest, HoldsForEveryShippedProtocolAndChangesTheTechnique) {
  const LimitCase& test = GetParam();
  ProtocolEngine engine(ShippedCatalog());
  for (const auto& protocol : engine.catalog().protocols()) {
    SCOPED_TRACE(protocol.id());
    auto request = Request(protocol);
    test.change(request);
    auto response = engine.Recommend(request, {});
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->decision(), v1::DECISION_PROCEED_MODIFIED);
    EXPECT_TRUE(CardRules(*response).count(test.card)) << test.card;
    int minutes = 0;
    bool percussion_in_catalog = false;
    for (const auto& step : protocol.steps()) {
      percussion_in_catalog |= step.technique_class() == v1::TECHNIQUE_CLASS_TAPOTEMENT;
    }
    for (const auto& step : response->protocol().steps()) {
      SCOPED_TRACE(absl::StrCat("step ", step.order(), " ", step.technique()));
      minutes += step.minutes();
      EXPECT_LE(step.intensity(), test.max_intensity);
      if (test.no_tapotement) {
        EXPECT_NE(step.technique_class(), v1::TECHNIQUE_CLASS_TAPOTEMENT);
      }
      if (test.no_friction_over_spine && OverSpine(step)) {
        EXPECT_NE(step.technique_class(), v1::TECHNIQUE_CLASS_FRICTION);
      }
      if (test.no_spine_work) {
        EXPECT_FALSE(OverSpine(step));
      }
    }
    EXPECT_EQ(minutes, response->protocol().total_minutes()) << "minutes are kept";
    if (test.no_tapotement && percussion_in_catalog && !test.no_spine_work) {
      const v1::Card* changed = FindCard(*response, "limits.technique_changed");
      ASSERT_NE(changed, nullptr) << "a card says what changed";
      EXPECT_THAT(changed->detail(), HasSubstr("replaced by gentle stroking"));
    }
    ExpectNeckRulesAndHonestText(*response);
    ExpectHonestSources(*response);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Limits, LimitTest,
    ::testing::Values(
        LimitCase{"SevereOsteoporosis",
                  [](auto& r) { Find(r, v1::CONTRAINDICATION_SEVERE_OSTEOPOROSIS); },
                  v1::INTENSITY_LIGHT, true, true, false, "modify.severe_osteoporosis"},
        LimitCase{"Anticoagulants", [](auto& r) { Find(r, v1::CONTRAINDICATION_ANTICOAGULANTS); },
                  v1::INTENSITY_MODERATE, true, false, false, "modify.anticoagulants"},
        LimitCase{"BleedingDisorder",
                  [](auto& r) { Find(r, v1::CONTRAINDICATION_BLEEDING_DISORDER); },
                  v1::INTENSITY_MODERATE, true, false, false, "modify.bleeding_disorder"},
        LimitCase{"PainEight", [](auto& r) { r.mutable_screening()->set_pain_nrs(8); },
                  v1::INTENSITY_LIGHT, true, false, false, "modify.high_pain"},
        LimitCase{"SpinalSurgeryNotCleared",
                  [](auto& r) { Find(r, v1::CONTRAINDICATION_RECENT_SPINAL_SURGERY); },
                  v1::INTENSITY_DEEP, false, false, true, "modify.recent_spinal_surgery"},
        LimitCase{"SpinalSurgeryCleared",
                  [](auto& r) {
                    Find(r, v1::CONTRAINDICATION_RECENT_SPINAL_SURGERY);
                    SurgeonClearance(r);
                  },
                  v1::INTENSITY_DEEP, false, true, false, "clearance.spinal_surgery"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(LimitTest, AnticoagulantsReplaceDeepFrictionWithLightEffleurage) {
  ProtocolEngine engine(ShippedCatalog());
  const auto* protocol = engine.catalog().Find(v1::SPINE_REGION_THORACIC, v1::CURVE_PATTERN_C_CURVE);
  auto request = Request(*protocol);
  Find(request, v1::CONTRAINDICATION_ANTICOAGULANTS);
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok());
  int replaced = 0;
  for (int i = 0; i < protocol->steps_size(); ++i) {
    const auto& catalog_step = protocol->steps(i);
    const auto& step = response->protocol().steps(i);
    if (catalog_step.technique_class() == v1::TECHNIQUE_CLASS_FRICTION &&
        catalog_step.intensity() == v1::INTENSITY_DEEP) {
      EXPECT_EQ(step.technique_class(), v1::TECHNIQUE_CLASS_EFFLEURAGE);
      EXPECT_EQ(step.technique(), "light effleurage");
      EXPECT_EQ(step.intensity(), v1::INTENSITY_LIGHT);
      EXPECT_EQ(step.goal(), catalog_step.goal()) << "same goal";
      EXPECT_EQ(step.minutes(), response->protocol().steps(i).minutes());
      ++replaced;
    }
    if (catalog_step.technique_class() == v1::TECHNIQUE_CLASS_TAPOTEMENT) {
      EXPECT_EQ(step.technique(), "gentle stroking");
      EXPECT_EQ(step.technique_class(), v1::TECHNIQUE_CLASS_STROKING);
      ++replaced;
    }
  }
  EXPECT_EQ(replaced, 2);
}

TEST(LimitTest, SurgeryClearanceIsNamedInTheBasis) {
  ProtocolEngine engine(ShippedCatalog());
  const auto* protocol = engine.catalog().Find(v1::SPINE_REGION_LUMBAR, v1::CURVE_PATTERN_C_CURVE);
  auto request = Request(*protocol);
  Find(request, v1::CONTRAINDICATION_RECENT_SPINAL_SURGERY);
  SurgeonClearance(request);
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->basis().clearances_used_size(), 1);
  EXPECT_THAT(response->basis().clearances_used(0), HasSubstr("Dr K. Osei, spine surgeon"));
  EXPECT_THAT(response->basis().clearances_used(0), HasSubstr("2026-11-30"));
  EXPECT_THAT(response->basis().summary(), HasSubstr("Clearance used: spinal surgery"));
  bool back = false;
  for (const auto& step : response->protocol().steps()) {
    if (step.body_area() != v1::BODY_AREA_BACK) continue;
    back = true;
    EXPECT_EQ(step.intensity(), v1::INTENSITY_LIGHT);
  }
  EXPECT_TRUE(back) << "cleared: back work resumes, modified";
}

TEST(LimitTest, AnAdverseEventClearanceDoesNotClearSurgery) {
  ProtocolEngine engine(ShippedCatalog());
  const auto* protocol = engine.catalog().Find(v1::SPINE_REGION_LUMBAR, v1::CURVE_PATTERN_C_CURVE);
  auto request = Request(*protocol);
  Find(request, v1::CONTRAINDICATION_RECENT_SPINAL_SURGERY);
  SurgeonClearance(request);
  request.mutable_clearances(0)->set_subject(v1::CLEARANCE_SUBJECT_ADVERSE_EVENT);
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok());
  for (const auto& step : response->protocol().steps()) EXPECT_FALSE(OverSpine(step));
}

TEST(LimitTest, StepBackStillRespectsTheNeckRules) {
  ProtocolEngine engine(ShippedCatalog());
  for (const auto& protocol : engine.catalog().protocols()) {
    SCOPED_TRACE(protocol.id());
    v1::Outcome last = LastSession(7, 40, 4, 4);
    auto* event = last.add_adverse_events();
    event->set_type(v1::ADVERSE_EVENT_TYPE_PROLONGED_SORENESS);
    event->set_severity(v1::SEVERITY_MODERATE);
    auto request = Request(protocol);
    request.clear_session_number();
    auto response = engine.Recommend(request, After(last, 7));
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->basis().dose_rule(), "dose.step_back_moderate_event");
    EXPECT_EQ(response->protocol().total_minutes(), 35);
    ExpectNeckRulesAndHonestText(*response);
  }
}

// Without any finding the shipped plans already follow the neck rules, and
// every response cites published sources.
TEST(NeckTest, EveryShippedProtocolAndSessionFollowsTheNeckRules) {
  ProtocolEngine engine(ShippedCatalog());
  for (const auto& protocol : engine.catalog().protocols()) {
    for (int session = 1; session <= 8; ++session) {
      SCOPED_TRACE(absl::StrCat(protocol.id(), " session ", session));
      auto request = Request(protocol);
      request.set_session_number(session);
      auto response = engine.Recommend(request, {});
      ASSERT_TRUE(response.ok());
      EXPECT_EQ(response->decision(), v1::DECISION_PROCEED);
      ExpectNeckRulesAndHonestText(*response);
      ExpectHonestSources(*response);
    }
  }
}

// A clinic catalog built in code skips the loader's checks; the engine still
// enforces the neck rules, replacing what they forbid.
TEST(NeckTest, EngineEnforcesTheNeckRulesOnACatalogThatBreaksThem) {
  v1::CatalogProtocol protocol;
  protocol.set_id("clinic-cervical");
  protocol.set_version(1);
  protocol.set_spine_region(v1::SPINE_REGION_CERVICAL);
  protocol.set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
  protocol.set_source("clinic practice description (expert opinion)");
  protocol.set_evidence_level(v1::EVIDENCE_LEVEL_EXPERT_OPINION);
  auto add = [&](v1::BodyArea area, const char* technique, v1::TechniqueClass technique_class,
                 v1::Intensity intensity) {
    auto* step = protocol.add_steps();
    step->set_body_area(area);
    step->set_position(v1::POSITION_SUPINE);
    step->set_technique(technique);
    step->set_technique_class(technique_class);
    step->set_intensity(intensity);
    step->set_weight(1);
    step->set_goal("relax");
    step->set_instructions(absl::StrCat("Do ", technique, " here."));
    step->add_muscles(area == v1::BODY_AREA_NECK ? "scalenes" : "cervical paraspinals");
  };
  add(v1::BODY_AREA_LEGS, "stroking", v1::TECHNIQUE_CLASS_STROKING, v1::INTENSITY_LIGHT);
  add(v1::BODY_AREA_BACK, "brisk tapping", v1::TECHNIQUE_CLASS_TAPOTEMENT, v1::INTENSITY_DEEP);
  add(v1::BODY_AREA_BACK, "deep kneading", v1::TECHNIQUE_CLASS_PETRISSAGE, v1::INTENSITY_DEEP);
  add(v1::BODY_AREA_NECK, "deep friction", v1::TECHNIQUE_CLASS_FRICTION, v1::INTENSITY_DEEP);
  // Uncoded: the words decide, and percussion words are taken at their word.
  add(v1::BODY_AREA_NECK, "kneading and hacking", v1::TECHNIQUE_CLASS_UNSPECIFIED,
      v1::INTENSITY_MODERATE);
  std::vector<v1::CatalogProtocol> protocols = {protocol};
  ProtocolEngine engine(std::make_shared<const catalog::Catalog>(std::move(protocols)));
  auto request = Request(protocol);
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->decision(), v1::DECISION_PROCEED_MODIFIED);
  const auto& steps = response->protocol().steps();
  ASSERT_EQ(steps.size(), 5);
  EXPECT_EQ(steps[1].technique(), "gentle stroking");
  EXPECT_EQ(steps[2].intensity(), v1::INTENSITY_MODERATE);
  EXPECT_EQ(steps[2].technique(), "deep kneading, moderate pressure only");
  EXPECT_EQ(steps[3].technique(), "light effleurage");
  EXPECT_EQ(steps[4].technique(), "gentle stroking");
  const v1::Card* changed = FindCard(*response, "limits.technique_changed");
  ASSERT_NE(changed, nullptr);
  EXPECT_THAT(changed->detail(), HasSubstr("neck.no_tapotement"));
  EXPECT_THAT(changed->detail(), HasSubstr("neck.max_moderate"));
  EXPECT_THAT(changed->detail(), HasSubstr("neck.no_friction_front_or_side"));
  ExpectNeckRulesAndHonestText(*response);
}

// --- Adverse events of the last session ----------------------------------

struct EventCase {
  const char* name;
  v1::AdverseEventType type;
  v1::Severity severity;
  std::optional<int64_t> cleared_at;  // a clinician's clearance, if any
  v1::Decision decision;
  const char* card;       // must be present
  v1::Indicator indicator;
  const char* dose_rule;  // empty when no session
};
void PrintTo(const EventCase& test, std::ostream* out) { *out << test.name; }

class AdverseEventTest : public ::testing::TestWithParam<EventCase> {};

TEST_P(AdverseEventTest, DecidesTheNextSessionForEveryShippedProtocol) {
  const EventCase& test = GetParam();
  ProtocolEngine engine(ShippedCatalog());
  for (const auto& protocol : engine.catalog().protocols()) {
    SCOPED_TRACE(protocol.id());
    v1::Outcome last = LastSession(5, 30, 5, 3);
    auto* event = last.add_adverse_events();
    event->set_type(test.type);
    event->set_severity(test.severity);
    auto request = Request(protocol);
    request.clear_session_number();
    if (test.cleared_at) {
      auto* clearance = request.add_clearances();
      clearance->set_subject(v1::CLEARANCE_SUBJECT_ADVERSE_EVENT);
      clearance->set_cleared_by("Dr M. Rivera, GP");
      *clearance->mutable_cleared_at() = At(*test.cleared_at);
    }
    auto response = engine.Recommend(request, After(last, 5));
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(v1::Decision_Name(response->decision()), v1::Decision_Name(test.decision));
    const v1::Card* card = FindCard(*response, test.card);
    ASSERT_NE(card, nullptr) << test.card;
    EXPECT_EQ(card->indicator(), test.indicator);
    EXPECT_EQ(response->basis().dose_rule(), test.dose_rule);
    if (test.decision == v1::DECISION_REFER) {
      EXPECT_FALSE(response->has_protocol());
      EXPECT_THAT(card->summary(), HasSubstr("2026-11-30")) << "names the date";
      EXPECT_THAT(card->summary(), HasSubstr(test.type == v1::ADVERSE_EVENT_TYPE_NEUROLOGICAL_SYMPTOMS
                                                 ? "neurological symptoms"
                                                 : "severe"));
    } else {
      ASSERT_TRUE(response->has_protocol());
      ExpectNeckRulesAndHonestText(*response);
    }
    ExpectHonestSources(*response);
  }
}

constexpr int64_t kDayAfter = kLastSession + 86400;
constexpr int64_t kDayBefore = kLastSession - 86400;

INSTANTIATE_TEST_SUITE_P(
    Events, AdverseEventTest,
    ::testing::Values(
        EventCase{"MildNeurologicalRefers", v1::ADVERSE_EVENT_TYPE_NEUROLOGICAL_SYMPTOMS,
                  v1::SEVERITY_MILD, std::nullopt, v1::DECISION_REFER, "adverse_event.refer",
                  v1::INDICATOR_CRITICAL, ""},
        EventCase{"SevereBruisingRefers", v1::ADVERSE_EVENT_TYPE_BRUISING, v1::SEVERITY_SEVERE,
                  std::nullopt, v1::DECISION_REFER, "adverse_event.refer", v1::INDICATOR_CRITICAL,
                  ""},
        EventCase{"ClearanceFromBeforeTheEventDoesNotCount",
                  v1::ADVERSE_EVENT_TYPE_NEUROLOGICAL_SYMPTOMS, v1::SEVERITY_MODERATE, kDayBefore,
                  v1::DECISION_REFER, "adverse_event.refer", v1::INDICATOR_CRITICAL, ""},
        EventCase{"ClearedNeurologicalStepsBack", v1::ADVERSE_EVENT_TYPE_NEUROLOGICAL_SYMPTOMS,
                  v1::SEVERITY_MILD, kDayAfter, v1::DECISION_PROCEED_MODIFIED,
                  "adverse_event.cleared", v1::INDICATOR_WARNING, "dose.step_back_serious_event"},
        EventCase{"ClearedSevereStepsBack", v1::ADVERSE_EVENT_TYPE_DIZZINESS, v1::SEVERITY_SEVERE,
                  kDayAfter, v1::DECISION_PROCEED_MODIFIED, "adverse_event.cleared",
                  v1::INDICATOR_WARNING, "dose.step_back_serious_event"},
        EventCase{"ModerateStepsBack", v1::ADVERSE_EVENT_TYPE_PROLONGED_SORENESS,
                  v1::SEVERITY_MODERATE, std::nullopt, v1::DECISION_PROCEED_MODIFIED,
                  "dose.step_back", v1::INDICATOR_WARNING, "dose.step_back_moderate_event"},
        EventCase{"MildHolds", v1::ADVERSE_EVENT_TYPE_PROLONGED_SORENESS, v1::SEVERITY_MILD,
                  std::nullopt, v1::DECISION_PROCEED, "evidence.supportive_care",
                  v1::INDICATOR_INFO, "dose.hold_mild_event"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(AdverseEventTest, ClearedSessionIsShorterAndLighterAndNamesTheClearance) {
  ProtocolEngine engine(ShippedCatalog());
  const auto* protocol = engine.catalog().Find(v1::SPINE_REGION_THORACIC, v1::CURVE_PATTERN_C_CURVE);
  v1::Outcome last = LastSession(5, 30, 5, 3);
  auto* event = last.add_adverse_events();
  event->set_type(v1::ADVERSE_EVENT_TYPE_NEUROLOGICAL_SYMPTOMS);
  event->set_severity(v1::SEVERITY_MILD);
  auto request = Request(*protocol);
  request.clear_session_number();
  auto* clearance = request.add_clearances();
  clearance->set_subject(v1::CLEARANCE_SUBJECT_ADVERSE_EVENT);
  clearance->set_cleared_by("Dr M. Rivera, GP");
  *clearance->mutable_cleared_at() = At(kDayAfter);
  auto response = engine.Recommend(request, After(last, 5));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->protocol().total_minutes(), 25);
  for (const auto& step : response->protocol().steps()) EXPECT_LE(step.intensity(), v1::INTENSITY_MODERATE);
  ASSERT_EQ(response->basis().clearances_used_size(), 1);
  EXPECT_THAT(response->basis().clearances_used(0),
              HasSubstr("adverse event, cleared by Dr M. Rivera, GP on 2026-12-01"));
}

// --- Screening: DVT refers ------------------------------------------------

TEST(ScreeningTest, SuspectedDvtRefersWithACriticalCard) {
  ProtocolEngine engine(ShippedCatalog());
  for (const auto& protocol : engine.catalog().protocols()) {
    auto request = Request(protocol);
    Find(request, v1::CONTRAINDICATION_SUSPECTED_DVT);
    auto response = engine.Recommend(request, {});
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->decision(), v1::DECISION_REFER);
    const v1::Card* card = FindCard(*response, "screening.refer.suspected_dvt");
    ASSERT_NE(card, nullptr);
    EXPECT_EQ(card->indicator(), v1::INDICATOR_CRITICAL);
    EXPECT_THAT(card->detail(), HasSubstr("same day"));
  }
}

// --- Growth and curve severity --------------------------------------------

struct GrowthCase {
  const char* name;
  int age;
  std::optional<int> risser;
  std::optional<double> cobb;
  std::set<std::string> present;
  std::set<std::string> absent;
  const char* band;  // Basis.curve_severity
};
void PrintTo(const GrowthCase& test, std::ostream* out) { *out << test.name; }

class GrowthTest : public ::testing::TestWithParam<GrowthCase> {};

TEST_P(GrowthTest, CardsAndBand) {
  const GrowthCase& test = GetParam();
  ProtocolEngine engine(ShippedCatalog());
  const auto* protocol = engine.catalog().Find(v1::SPINE_REGION_THORACIC, v1::CURVE_PATTERN_C_CURVE);
  auto request = Request(*protocol);
  auto* profile = request.mutable_profile();
  profile->set_age_years(test.age);
  profile->clear_risser_grade();
  profile->clear_cobb_angle_degrees();
  if (test.risser) profile->set_risser_grade(*test.risser);
  if (test.cobb) profile->set_cobb_angle_degrees(*test.cobb);
  request.set_guardian_consent(v1::GUARDIAN_CONSENT_GIVEN);
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok());
  const auto cards = CardRules(*response);
  for (const auto& rule : test.present) EXPECT_TRUE(cards.count(rule)) << rule;
  for (const auto& rule : test.absent) EXPECT_FALSE(cards.count(rule)) << rule;
  EXPECT_EQ(response->basis().curve_severity(), test.band);
  if (const v1::Card* brace = FindCard(*response, "curve.bracing_window")) {
    EXPECT_THAT(brace->detail(), HasSubstr("reduces the risk"));
    EXPECT_THAT(brace->detail(), HasSubstr("72%"));
    EXPECT_THAT(brace->detail(), HasSubstr("48%"));
    EXPECT_THAT(brace->source(), HasSubstr("N Engl J Med. 2013"));
    EXPECT_FALSE(absl::StrContains(brace->detail(), "can stop"));
  }
  ExpectHonestSources(*response);
}

INSTANTIATE_TEST_SUITE_P(
    Growth, GrowthTest,
    ::testing::Values(
        // A 12-year-old at 30 degrees with no Risser grade on file.
        GrowthCase{"TwelveNoRisserIsPossiblyGrowing", 12, std::nullopt, 30.0,
                   {"curve.bracing_window", "curve.confirm_skeletal_maturity"},
                   {"curve.surgical_opinion"}, "moderate (21-35 degrees)"},
        GrowthCase{"FifteenNoRisserAt46", 15, std::nullopt, 46.0, {"curve.surgical_opinion"},
                   {"curve.bracing_window"}, "severe (41-50 degrees)"},
        GrowthCase{"SixteenNoRisserIsAdult", 16, std::nullopt, 30.0, {},
                   {"curve.bracing_window", "curve.confirm_skeletal_maturity"},
                   "moderate (21-35 degrees)"},
        GrowthCase{"RisserBeatsAge", 12, 4, 30.0, {}, {"curve.bracing_window"},
                   "moderate (21-35 degrees)"},
        GrowthCase{"GrowingAt43", 14, 2, 43.0, {"curve.bracing_window"},
                   {"curve.surgical_opinion"}, "severe (41-50 degrees)"},
        GrowthCase{"AdultAt52", 40, 5, 52.0, {"curve.surgical_opinion"},
                   {"curve.bracing_window"}, "severe to very severe (51-55 degrees)"},
        GrowthCase{"AdultAt38", 40, 5, 38.0, {}, {"curve.surgical_opinion"},
                   "moderate to severe (36-40 degrees)"},
        GrowthCase{"AdultAt60", 40, 5, 60.0, {"curve.surgical_opinion"}, {},
                   "very severe (56 degrees or more)"},
        GrowthCase{"AgeUnknownUsesTheGrowingThreshold", 0, std::nullopt, 47.0,
                   {"curve.surgical_opinion", "profile.age_not_recorded"}, {"curve.bracing_window"},
                   "severe (41-50 degrees)"},
        GrowthCase{"Low", 40, 5, 15.0, {}, {"curve.bracing_window"}, "low (up to 20 degrees)"}),
    [](const auto& info) { return std::string(info.param.name); });

// --- Minors ---------------------------------------------------------------

struct MinorCase {
  const char* name;
  int age;
  v1::GuardianConsent consent;
  v1::Decision decision;
  std::set<std::string> present;
  std::set<std::string> absent;
};
void PrintTo(const MinorCase& test, std::ostream* out) { *out << test.name; }

class MinorTest : public ::testing::TestWithParam<MinorCase> {};

TEST_P(MinorTest, GuardianConsent) {
  const MinorCase& test = GetParam();
  ProtocolEngine engine(ShippedCatalog());
  const auto* protocol = engine.catalog().Find(v1::SPINE_REGION_LUMBAR, v1::CURVE_PATTERN_C_CURVE);
  auto request = Request(*protocol);
  request.mutable_profile()->set_age_years(test.age);
  request.set_guardian_consent(test.consent);
  auto response = engine.Recommend(request, {});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(v1::Decision_Name(response->decision()), v1::Decision_Name(test.decision));
  const auto cards = CardRules(*response);
  for (const auto& rule : test.present) EXPECT_TRUE(cards.count(rule)) << rule;
  for (const auto& rule : test.absent) EXPECT_FALSE(cards.count(rule)) << rule;
  if (const v1::Card* card = FindCard(*response, "minor.guardian_consent_needed")) {
    EXPECT_EQ(card->indicator(), v1::INDICATOR_WARNING);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Minors, MinorTest,
    ::testing::Values(
        MinorCase{"NoConsentRecordedWarns", 16, v1::GUARDIAN_CONSENT_UNSPECIFIED,
                  v1::DECISION_PROCEED, {"minor.guardian_consent_needed"},
                  {"minor.guardian_present"}},
        MinorCase{"RefusedDefers", 16, v1::GUARDIAN_CONSENT_REFUSED, v1::DECISION_DEFER,
                  {"minor.guardian_consent_refused"}, {}},
        MinorCase{"GivenProceeds", 17, v1::GUARDIAN_CONSENT_GIVEN, v1::DECISION_PROCEED, {},
                  {"minor.guardian_consent_needed", "minor.guardian_present"}},
        MinorCase{"FifteenNeedsAGuardianPresent", 15, v1::GUARDIAN_CONSENT_GIVEN,
                  v1::DECISION_PROCEED, {"minor.guardian_present"},
                  {"minor.guardian_consent_needed"}},
        MinorCase{"AdultNeedsNoConsent", 18, v1::GUARDIAN_CONSENT_UNSPECIFIED,
                  v1::DECISION_PROCEED, {},
                  {"minor.guardian_consent_needed", "minor.guardian_consent_refused"}},
        MinorCase{"AdultRefusalIsIgnored", 30, v1::GUARDIAN_CONSENT_REFUSED, v1::DECISION_PROCEED,
                  {}, {"minor.guardian_consent_refused"}}),
    [](const auto& info) { return std::string(info.param.name); });

// --- Episode review -------------------------------------------------------

struct EpisodeCase {
  const char* name;
  int sessions_logged;
  std::optional<int> first_pain_before;
  int latest_pain_before;
  bool review;
};
void PrintTo(const EpisodeCase& test, std::ostream* out) { *out << test.name; }

class EpisodeTest : public ::testing::TestWithParam<EpisodeCase> {};

TEST_P(EpisodeTest, ReviewCard) {
  const EpisodeCase& test = GetParam();
  ProtocolEngine engine(ShippedCatalog());
  const auto* protocol = engine.catalog().Find(v1::SPINE_REGION_LUMBAR, v1::CURVE_PATTERN_S_CURVE);
  auto request = Request(*protocol);
  request.clear_session_number();
  PatientProgress progress = After(
      LastSession(test.sessions_logged, 30, test.latest_pain_before, test.latest_pain_before - 1),
      test.sessions_logged);
  progress.first_pain_before = test.first_pain_before;
  auto response = engine.Recommend(request, progress);
  ASSERT_TRUE(response.ok());
  const v1::Card* card = FindCard(*response, "episode.review");
  EXPECT_EQ(card != nullptr, test.review);
  if (card != nullptr) {
    EXPECT_EQ(card->indicator(), v1::INDICATOR_WARNING);
    EXPECT_THAT(card->detail(), HasSubstr("scoliosis-specific exercise"));
    EXPECT_THAT(card->source(), HasSubstr("Pain. 2001"));
    EXPECT_THAT(card->source(), HasSubstr("SOSORT"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Episodes, EpisodeTest,
    ::testing::Values(EpisodeCase{"SixSessionsNoChange", 6, 6, 6, true},
                      EpisodeCase{"SixSessionsOnePointIsNotMeaningful", 6, 6, 5, true},
                      EpisodeCase{"SixSessionsTwoPointsIsMeaningful", 6, 6, 4, false},
                      EpisodeCase{"ThirtyPercentIsMeaningful", 9, 3, 2, false},
                      EpisodeCase{"WorseAfterTen", 10, 4, 6, true},
                      EpisodeCase{"OnePointFromNineIsNotEnough", 7, 9, 8, true},
                      EpisodeCase{"TwoPointsFromNineIsMeaningful", 7, 9, 7, false},
                      EpisodeCase{"ThreePointsFromNineIsMeaningful", 7, 9, 6, false},
                      EpisodeCase{"FiveSessionsIsTooEarly", 5, 6, 6, false},
                      EpisodeCase{"NoBaselineNoReview", 8, std::nullopt, 6, false}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace scoliomassage::core
