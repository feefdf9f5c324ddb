// Loading catalogs from files: good ones load, broken ones are rejected with
// the file, the line and the problem, and nothing is ever half-loaded.
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "catalog/loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scoliomassage::catalog {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// As a std::string so gMock prints it readably.
std::string Message(const absl::Status& status) { return std::string(status.message()); }

// A protocol that passes every check; tests break one thing at a time.
std::string ProtocolText(const std::string& id, const std::string& region,
                         const std::string& pattern) {
  return absl::StrCat(R"(protocols {
  id: ")", id, R"("
  version: 1
  title: "test"
  spine_region: SPINE_REGION_)", region, R"(
  curve_pattern: CURVE_PATTERN_)", pattern, R"(
  source: "clinic practice description (expert opinion), test protocol" evidence_level: EVIDENCE_LEVEL_EXPERT_OPINION
  steps {
    body_area: BODY_AREA_LEGS
    position: POSITION_PRONE
    ankle_roller: true
    technique: "stroking"
    intensity: INTENSITY_LIGHT
    weight: 1
  }
  steps {
    body_area: BODY_AREA_BACK
    position: POSITION_PRONE
    ankle_roller: true
    technique: "kneading"
    intensity: INTENSITY_MODERATE
    weight: 2
    curve_side: CURVE_SIDE_CONCAVE
  }
}
)");
}

class CatalogFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           absl::StrCat("catalog_", info->test_suite_name(), "_", info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  fs::path dir_;
};

TEST_F(CatalogFilesTest, LoadsOneFile) {
  std::string path = Write("one.textproto", ProtocolText("lumbar-c-curve", "LUMBAR", "C_CURVE") +
                                                ProtocolText("lumbar-s-curve", "LUMBAR", "S_CURVE"));
  auto catalog = LoadCatalog(path);
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  EXPECT_EQ((*catalog)->protocols().size(), 2u);
}

TEST_F(CatalogFilesTest, LoadsADirectoryInNameOrderIgnoringOtherFiles) {
  Write("b.textproto", ProtocolText("thoracic-c-curve", "THORACIC", "C_CURVE"));
  Write("a.textproto", ProtocolText("lumbar-c-curve", "LUMBAR", "C_CURVE"));
  Write("README.md", "not a catalog {{{");
  auto catalog = LoadCatalog(dir_.string());
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  ASSERT_EQ((*catalog)->protocols().size(), 2u);
  // Listed by (region, pattern), whatever the files.
  EXPECT_EQ((*catalog)->protocols()[0].id(), "thoracic-c-curve");
  EXPECT_EQ((*catalog)->protocols()[1].id(), "lumbar-c-curve");
}

TEST_F(CatalogFilesTest, SyntaxErrorNamesFileAndLine) {
  // Line 3 lacks the colon-separated value the parser expects.
  std::string path = Write("broken.textproto", "protocols {\n  id: \"x\"\n  version: {\n}\n");
  auto catalog = LoadCatalog(path);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(catalog.status()), HasSubstr("broken.textproto:3:"));
}

TEST_F(CatalogFilesTest, UnknownFieldIsRejectedWithItsLine) {
  std::string text = ProtocolText("lumbar-c-curve", "LUMBAR", "C_CURVE");
  text = absl::StrReplaceAll(text, {{"  version: 1\n", "  version: 1\n  duration: 5\n"}});
  std::string path = Write("unknown.textproto", text);
  auto catalog = LoadCatalog(path);
  ASSERT_FALSE(catalog.ok());
  EXPECT_THAT(Message(catalog.status()), HasSubstr("unknown.textproto:4:"));
  EXPECT_THAT(Message(catalog.status()), HasSubstr("duration"));
}

TEST_F(CatalogFilesTest, UnknownEnumNameIsRejected) {
  std::string text = absl::StrReplaceAll(ProtocolText("lumbar-c-curve", "LUMBAR", "C_CURVE"),
                                         {{"BODY_AREA_LEGS", "BODY_AREA_ARMS"}});
  auto catalog = LoadCatalog(Write("enum.textproto", text));
  ASSERT_FALSE(catalog.ok());
  // Protobuf 3.21 reports a bad enum value at the token after it (line 10),
  // so accept the value's line or the next; the message names the value.
  EXPECT_THAT(Message(catalog.status()), ::testing::AnyOf(HasSubstr("enum.textproto:9:"),
                                                          HasSubstr("enum.textproto:10:")));
  EXPECT_THAT(Message(catalog.status()), HasSubstr("BODY_AREA_ARMS"));
}

struct BrokenProtocolCase {
  std::string name;
  std::string from;  // replaced in a good protocol
  std::string to;
  std::string field;     // what the message must name
  int line;              // where the problem is (1-based)
  std::string protocol = "lumbar-c-curve";  // the id the message names
};
// Test names, not byte dumps, in failure messages.
void PrintTo(const BrokenProtocolCase& test, std::ostream* out) { *out << test.name; }


class BrokenProtocolTest : public CatalogFilesTest,
                           public ::testing::WithParamInterface<BrokenProtocolCase> {};

TEST_P(BrokenProtocolTest, RejectedNamingFileProtocolFieldAndLine) {
  const BrokenProtocolCase& test = GetParam();
  std::string good = ProtocolText("lumbar-c-curve", "LUMBAR", "C_CURVE");
  std::string text = absl::StrReplaceAll(good, {{test.from, test.to}});
  ASSERT_NE(text, good) << "the case must change the protocol";
  auto catalog = LoadCatalog(Write("bad.textproto", text));
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), absl::StatusCode::kInvalidArgument);
  std::string message(catalog.status().message());
  EXPECT_THAT(message, HasSubstr(absl::StrCat("bad.textproto:", test.line, ":")));
  EXPECT_THAT(message, HasSubstr(test.field));
  EXPECT_THAT(message, HasSubstr(absl::StrCat("protocol \"", test.protocol, "\""))) << "names the protocol";
}

INSTANTIATE_TEST_SUITE_P(
    Checks, BrokenProtocolTest,
    ::testing::Values(
        // A missing field points at the protocol's own line.
        BrokenProtocolCase{"MissingSource",
                           "source: \"clinic practice description (expert opinion), test protocol\"", "",
                           "source", 1},
        BrokenProtocolCase{"SourceNamesAFile", "test protocol\"", "notes-v2.txt\"",
                           "source: cite the publication, not a file", 7},
        BrokenProtocolCase{"MissingEvidenceLevel", " evidence_level: EVIDENCE_LEVEL_EXPERT_OPINION", "",
                           "evidence_level: required", 1},
        // Coded techniques: the class must agree with the words.
        BrokenProtocolCase{"TappingCodedAsKneading", "technique: \"kneading\"",
                           "technique: \"kneading and tapping\" technique_class: TECHNIQUE_CLASS_PETRISSAGE",
                           "steps[1].technique: breaks rule catalog.technique_matches_class: the text "
                           "names TECHNIQUE_CLASS_TAPOTEMENT", 20},
        BrokenProtocolCase{"TwoClassesUncoded", "technique: \"kneading\"",
                           "technique: \"brisk kneading and tapping\"",
                           "steps[1].technique: set technique_class: the text names several", 20},
        BrokenProtocolCase{"UnknownTechniqueWord", "technique: \"stroking\"",
                           "technique: \"reiki\"", "steps[0].technique: set technique_class", 12},
        // The neck rules, for a clinic catalog that tries to break them.
        BrokenProtocolCase{"TapotementOnCervicalBack", "technique: \"kneading\"",
                           "technique: \"light tapping\" spine_region: SPINE_REGION_CERVICAL",
                           "steps[1].technique: breaks rule neck.no_tapotement", 20},
        BrokenProtocolCase{"DeepOnCervicothoracicBack",
                           "technique: \"kneading\"\n    intensity: INTENSITY_MODERATE",
                           "technique: \"kneading\"\n    intensity: INTENSITY_DEEP "
                           "spine_region: SPINE_REGION_CERVICOTHORACIC",
                           "steps[1].intensity: breaks rule neck.max_moderate", 21},
        BrokenProtocolCase{"FrictionOnTheFrontOfTheNeck",
                           "body_area: BODY_AREA_BACK\n    position: POSITION_PRONE\n    ankle_roller: true\n"
                           "    technique: \"kneading\"",
                           "body_area: BODY_AREA_NECK\n    position: POSITION_SUPINE\n\n"
                           "    technique: \"friction\"",
                           "steps[1].technique: breaks rule neck.no_friction_front_or_side", 20},
        BrokenProtocolCase{"DeepOnTheNeck",
                           "body_area: BODY_AREA_BACK\n    position: POSITION_PRONE\n    ankle_roller: true\n"
                           "    technique: \"kneading\"\n    intensity: INTENSITY_MODERATE",
                           "body_area: BODY_AREA_NECK\n    position: POSITION_SUPINE\n\n"
                           "    technique: \"kneading\"\n    intensity: INTENSITY_DEEP",
                           "steps[1].intensity: breaks rule neck.max_moderate", 21},
        BrokenProtocolCase{"VersionZero", "version: 1", "version: 0", "version", 3},
        BrokenProtocolCase{"IdWithCapitals", "id: \"lumbar-c-curve\"", "id: \"Lumbar C\"", "id", 2, "Lumbar C"},
        BrokenProtocolCase{"MissingRegion", "  spine_region: SPINE_REGION_LUMBAR\n", "",
                           "spine_region", 1},
        BrokenProtocolCase{"MissingPattern", "  curve_pattern: CURVE_PATTERN_C_CURVE\n", "",
                           "curve_pattern", 1},
        BrokenProtocolCase{"WeightZero", "weight: 2", "weight: 0", "steps[1].weight", 22},
        BrokenProtocolCase{"NoTechnique", "technique: \"stroking\"", "technique: \"\"",
                           "steps[0].technique", 12},
        BrokenProtocolCase{"NoIntensity", "    intensity: INTENSITY_LIGHT\n", "",
                           "steps[0].intensity", 8},
        BrokenProtocolCase{"RollerWhileSeated", "POSITION_PRONE\n    ankle_roller: true\n    technique: \"stroking\"",
                           "POSITION_SEATED\n    ankle_roller: true\n    technique: \"stroking\"",
                           "steps[0].ankle_roller", 11}),
    [](const auto& info) { return info.param.name; });

TEST_F(CatalogFilesTest, WrongStepOrderIsRejected) {
  // Swap the steps: back first, then legs.
  std::string text = absl::StrReplaceAll(ProtocolText("lumbar-c-curve", "LUMBAR", "C_CURVE"),
                                         {{"BODY_AREA_LEGS", "BODY_AREA_TMP"}});
  text = absl::StrReplaceAll(text, {{"BODY_AREA_BACK", "BODY_AREA_LEGS"}});
  text = absl::StrReplaceAll(text, {{"BODY_AREA_TMP", "BODY_AREA_BACK"}});
  auto catalog = LoadCatalog(Write("order.textproto", text));
  ASSERT_FALSE(catalog.ok());
  EXPECT_THAT(Message(catalog.status()), HasSubstr("order.textproto:17:"));
  EXPECT_THAT(Message(catalog.status()), HasSubstr("steps[1].body_area"));
  EXPECT_THAT(Message(catalog.status()), HasSubstr("then the front and side of the neck"));
}

TEST_F(CatalogFilesTest, NoStepsIsRejected) {
  std::string text = "protocols {\n  id: \"x\"\n  version: 1\n  source: \"s\"\n"
                     "  spine_region: SPINE_REGION_LUMBAR\n  curve_pattern: CURVE_PATTERN_C_CURVE\n}\n";
  auto catalog = LoadCatalog(Write("empty.textproto", text));
  ASSERT_FALSE(catalog.ok());
  EXPECT_THAT(Message(catalog.status()), HasSubstr("empty.textproto:1:"));
  EXPECT_THAT(Message(catalog.status()), HasSubstr("steps"));
}

TEST_F(CatalogFilesTest, DuplicateIdAcrossFilesIsRejected) {
  Write("a.textproto", ProtocolText("lumbar-c-curve", "LUMBAR", "C_CURVE"));
  Write("b.textproto", ProtocolText("lumbar-c-curve", "THORACIC", "C_CURVE"));
  auto catalog = LoadCatalog(dir_.string());
  ASSERT_FALSE(catalog.ok());
  EXPECT_THAT(Message(catalog.status()), HasSubstr("b.textproto:2:"));
  EXPECT_THAT(Message(catalog.status()), HasSubstr("duplicate id"));
  EXPECT_THAT(Message(catalog.status()), HasSubstr("a.textproto:1"));
}

TEST_F(CatalogFilesTest, DuplicateRegionAndPatternIsRejected) {
  std::string path = Write("dup.textproto", ProtocolText("lumbar-one", "LUMBAR", "C_CURVE") +
                                                ProtocolText("lumbar-two", "LUMBAR", "C_CURVE"));
  auto catalog = LoadCatalog(path);
  ASSERT_FALSE(catalog.ok());
  EXPECT_THAT(Message(catalog.status()), HasSubstr("lumbar-two"));
  EXPECT_THAT(Message(catalog.status()), HasSubstr("already covered by protocol \"lumbar-one\""));
}

TEST_F(CatalogFilesTest, TooManyStepsIsRejected) {
  std::string steps;
  for (int i = 0; i < 16; ++i) {
    absl::StrAppend(&steps, "  steps { body_area: BODY_AREA_LEGS position: POSITION_PRONE "
                            "technique: \"stroking\" intensity: INTENSITY_LIGHT weight: 1 }\n");
  }
  std::string text = absl::StrCat(
      "protocols {\n  id: \"x\"\n  version: 1\n  source: \"s\"\n"
      "  spine_region: SPINE_REGION_LUMBAR\n  curve_pattern: CURVE_PATTERN_C_CURVE\n",
      steps, "}\n");
  auto catalog = LoadCatalog(Write("many.textproto", text));
  ASSERT_FALSE(catalog.ok());
  EXPECT_THAT(Message(catalog.status()), HasSubstr("at most 15 steps"));
}

TEST_F(CatalogFilesTest, OneBrokenFileMeansNoCatalogAtAll) {
  Write("a-good.textproto", ProtocolText("lumbar-c-curve", "LUMBAR", "C_CURVE"));
  Write("b-broken.textproto", "protocols { id: \"x\" ");
  auto catalog = LoadCatalog(dir_.string());
  ASSERT_FALSE(catalog.ok());
  EXPECT_THAT(Message(catalog.status()), HasSubstr("b-broken.textproto:1:"));
  EXPECT_THAT(Message(catalog.status()), ::testing::Not(HasSubstr("a-good")));
}

TEST_F(CatalogFilesTest, EveryProblemIsReportedAtOnce) {
  std::string text = absl::StrReplaceAll(ProtocolText("lumbar-c-curve", "LUMBAR", "C_CURVE"),
                                         {{"version: 1", "version: 0"}, {"weight: 2", "weight: 0"}});
  auto catalog = LoadCatalog(Write("two.textproto", text));
  ASSERT_FALSE(catalog.ok());
  EXPECT_THAT(Message(catalog.status()), HasSubstr("(2 problems)"));
}

// A clinic's cervical protocol written the old way: percussion and deep
// friction on the neck, the scalenes as back work with friction. The folder
// does not load, and each breach names the file, the line and the rule.
TEST_F(CatalogFilesTest, ClinicCatalogBreakingTheNeckRulesDoesNotLoad) {
  Write("a-lumbar.textproto", ProtocolText("lumbar-c-curve", "LUMBAR", "C_CURVE"));
  Write("b-cervical.textproto", R"(protocols {
  id: "clinic-cervical"
  version: 4
  spine_region: SPINE_REGION_CERVICAL
  curve_pattern: CURVE_PATTERN_C_CURVE
  source: "clinic practice description (expert opinion), Riverside clinic"
  evidence_level: EVIDENCE_LEVEL_EXPERT_OPINION
  steps { body_area: BODY_AREA_LEGS position: POSITION_PRONE technique: "stroking"
          intensity: INTENSITY_LIGHT weight: 1 }
  steps { body_area: BODY_AREA_BACK position: POSITION_PRONE
          technique: "deep friction" intensity: INTENSITY_DEEP weight: 2 }
  steps { body_area: BODY_AREA_BACK position: POSITION_PRONE
          technique: "brisk tapping" technique_class: TECHNIQUE_CLASS_TAPOTEMENT
          intensity: INTENSITY_MODERATE weight: 1 }
  steps { body_area: BODY_AREA_NECK position: POSITION_SUPINE
          technique: "friction of the scalenes" intensity: INTENSITY_LIGHT weight: 1 }
}
)");
  auto catalog = LoadCatalog(dir_.string());
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message = Message(catalog.status());
  EXPECT_THAT(message, HasSubstr("(3 problems)"));
  EXPECT_THAT(message, HasSubstr("b-cervical.textproto:11:38: protocol \"clinic-cervical\": "
                                 "steps[1].intensity: breaks rule neck.max_moderate"));
  EXPECT_THAT(message, HasSubstr("b-cervical.textproto:13:38: protocol \"clinic-cervical\": "
                                 "steps[2].technique_class: breaks rule neck.no_tapotement"));
  EXPECT_THAT(message, HasSubstr("b-cervical.textproto:16:11: protocol \"clinic-cervical\": "
                                 "steps[3].technique: breaks rule neck.no_friction_front_or_side"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("a-lumbar")));
}

TEST_F(CatalogFilesTest, MissingPathIsNotFoundAndNamed) {
  std::string path = (dir_ / "nowhere").string();
  auto catalog = LoadCatalog(path);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(catalog.status()), HasSubstr(path));
}

TEST_F(CatalogFilesTest, DirectoryWithoutCatalogFilesFails) {
  Write("notes.txt", "hello");
  auto catalog = LoadCatalog(dir_.string());
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(catalog.status()), HasSubstr(dir_.string()));
}

TEST_F(CatalogFilesTest, FileWithoutProtocolsFails) {
  auto catalog = LoadCatalog(Write("none.textproto", "# nothing yet\n"));
  ASSERT_FALSE(catalog.ok());
  EXPECT_THAT(Message(catalog.status()), HasSubstr("none.textproto:1:1: the file defines no protocols"));
}

TEST(CatalogLookupTest, SCurveFallsBackToTheRegionsCCurve) {
  auto catalog = ParseCatalogFiles({{"mem.textproto", ProtocolText("thoracic-c-curve", "THORACIC", "C_CURVE")}});
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  bool used_fallback = false;
  const auto* protocol =
      (*catalog)->Find(v1::SPINE_REGION_THORACIC, v1::CURVE_PATTERN_S_CURVE, &used_fallback);
  ASSERT_NE(protocol, nullptr);
  EXPECT_EQ(protocol->id(), "thoracic-c-curve");
  EXPECT_TRUE(used_fallback);

  protocol = (*catalog)->Find(v1::SPINE_REGION_THORACIC, v1::CURVE_PATTERN_UNSPECIFIED, &used_fallback);
  ASSERT_NE(protocol, nullptr);
  EXPECT_FALSE(used_fallback);
  EXPECT_EQ((*catalog)->Find(v1::SPINE_REGION_LUMBAR, v1::CURVE_PATTERN_C_CURVE), nullptr);
  EXPECT_EQ((*catalog)->Find(v1::SPINE_REGION_LUMBAR, v1::CURVE_PATTERN_S_CURVE), nullptr);
  EXPECT_NE((*catalog)->FindById("thoracic-c-curve"), nullptr);
  EXPECT_EQ((*catalog)->FindById("lumbar-c-curve"), nullptr);
}

TEST(CatalogLookupTest, SCurveIsPreferredWhenPresent) {
  auto catalog = ParseCatalogFiles(
      {{"mem.textproto", ProtocolText("thoracic-c-curve", "THORACIC", "C_CURVE") +
                             ProtocolText("thoracic-s-curve", "THORACIC", "S_CURVE")}});
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  bool used_fallback = true;
  const auto* protocol =
      (*catalog)->Find(v1::SPINE_REGION_THORACIC, v1::CURVE_PATTERN_S_CURVE, &used_fallback);
  ASSERT_NE(protocol, nullptr);
  EXPECT_EQ(protocol->id(), "thoracic-s-curve");
  EXPECT_FALSE(used_fallback);
}

}  // namespace
}  // namespace scoliomassage::catalog
