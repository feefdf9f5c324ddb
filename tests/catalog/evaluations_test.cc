// Protocol evaluations at start: a catalog holds two versions of one
// protocol (the latest is the default), and the evaluations file loads only
// when every evaluation names two versions the catalog holds; otherwise the
// start fails with the file, the line and the reason.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "catalog/evaluations.h"
#include "catalog/loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scoliomassage::catalog {
namespace {

using ::testing::HasSubstr;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

std::string Protocol(const std::string& id, int version, const std::string& region,
                     const std::string& title = "test") {
  return absl::StrCat(R"(protocols {
  id: ")", id, R"("
  version: )", version, R"(
  title: ")", title, R"("
  spine_region: SPINE_REGION_)", region, R"(
  curve_pattern: CURVE_PATTERN_C_CURVE
  source: "clinic practice description (expert opinion), test protocol"
  evidence_level: EVIDENCE_LEVEL_EXPERT_OPINION
  steps { body_area: BODY_AREA_LEGS position: POSITION_PRONE ankle_roller: true
          technique: "stroking" intensity: INTENSITY_LIGHT weight: 1 }
  steps { body_area: BODY_AREA_BACK position: POSITION_PRONE technique: "kneading"
          intensity: INTENSITY_MODERATE weight: 2 curve_side: CURVE_SIDE_CONCAVE }
}
)");
}

std::shared_ptr<const Catalog> TwoVersions() {
  auto catalog = ParseCatalogFiles(
      {{"a.textproto", Protocol("lumbar-c-curve", 2, "LUMBAR", "new") +
                           Protocol("lumbar-c-curve", 1, "LUMBAR", "old") +
                           Protocol("thoracic-c-curve", 1, "THORACIC")}});
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return catalog.ok() ? *catalog : nullptr;
}

constexpr char kGood[] = R"(evaluations {
  clinic_id: "clinic-a"
  name: "lumbar-2027"
  protocol_id: "lumbar-c-curve"
  variant_a_version: 1
  variant_b_version: 2
  start_date: "2026-01-01"
}
)";

absl::StatusOr<std::shared_ptr<const Evaluations>> Parse(const std::string& text) {
  return ParseEvaluations({"evaluations.textproto", text}, *TwoVersions());
}

TEST(CatalogVersionsTest, TwoVersionsLoadAndTheLatestIsTheDefault) {
  auto catalog = TwoVersions();
  ASSERT_NE(catalog, nullptr);
  EXPECT_EQ(catalog->protocols().size(), 3u);
  const v1::CatalogProtocol* found =
      catalog->Find(v1::SPINE_REGION_LUMBAR, v1::CURVE_PATTERN_C_CURVE);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->version(), 2u);
  EXPECT_EQ(found->title(), "new");
  EXPECT_EQ(catalog->FindById("lumbar-c-curve")->version(), 2u);
  ASSERT_NE(catalog->FindVersion("lumbar-c-curve", 1), nullptr);
  EXPECT_EQ(catalog->FindVersion("lumbar-c-curve", 1)->title(), "old");
  EXPECT_EQ(catalog->FindVersion("lumbar-c-curve", 3), nullptr);
}

TEST(CatalogVersionsTest, TheSameVersionTwiceIsRejected) {
  auto catalog = ParseCatalogFiles({{"a.textproto", Protocol("lumbar-c-curve", 1, "LUMBAR") +
                                                        Protocol("lumbar-c-curve", 1, "LUMBAR")}});
  ASSERT_FALSE(catalog.ok());
  EXPECT_THAT(Message(catalog.status()), HasSubstr("duplicate id and version 1"));
}

TEST(CatalogVersionsTest, VersionsOfOneProtocolMustShareTheRegion) {
  auto catalog = ParseCatalogFiles({{"a.textproto", Protocol("lumbar-c-curve", 1, "LUMBAR") +
                                                        Protocol("lumbar-c-curve", 2, "THORACIC")}});
  ASSERT_FALSE(catalog.ok());
  EXPECT_THAT(Message(catalog.status()), HasSubstr("a.textproto:"));
  EXPECT_THAT(Message(catalog.status()), HasSubstr("every version of a protocol covers the same"));
}

TEST(EvaluationsLoaderTest, AGoodFileLoads) {
  auto evaluations = Parse(kGood);
  ASSERT_TRUE(evaluations.ok()) << evaluations.status();
  const Evaluation* found = (*evaluations)->Find("clinic-a", "lumbar-c-curve");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->VersionOf(v1::EVALUATION_VARIANT_A), 1u);
  EXPECT_EQ(found->VersionOf(v1::EVALUATION_VARIANT_B), 2u);
  EXPECT_EQ(found->start_us, 1767225600LL * 1000000);  // 2026-01-01T00:00:00Z
  // Per clinic and per protocol: nobody else is in it.
  EXPECT_EQ((*evaluations)->Find("clinic-b", "lumbar-c-curve"), nullptr);
  EXPECT_EQ((*evaluations)->Find("clinic-a", "thoracic-c-curve"), nullptr);
}

struct BadCase {
  std::string from;
  std::string to;
  std::string field;
  std::string reason;
};

TEST(EvaluationsLoaderTest, EachBrokenRuleNamesTheFileLineFieldAndReason) {
  const std::vector<BadCase> cases = {
      {"clinic_id: \"clinic-a\"", "", "clinic_id", "required"},
      {"name: \"lumbar-2027\"", "name: \"Lumbar 2027\"", "name", "required: 1-64 lowercase letters"},
      {"protocol_id: \"lumbar-c-curve\"", "protocol_id: \"neck-x\"", "protocol_id",
       "the catalog has no protocol \"neck-x\""},
      {"variant_a_version: 1", "variant_a_version: 7", "variant_a_version",
       "the catalog has no version 7 of protocol \"lumbar-c-curve\""},
      {"variant_b_version: 2", "", "variant_b_version", "required"},
      {"variant_b_version: 2", "variant_b_version: 1", "variant_b_version",
       "must differ from variant_a_version"},
      {"start_date: \"2026-01-01\"", "start_date: \"2026-13-01\"", "start_date",
       "not a \"YYYY-MM-DD\" date"},
      {"start_date: \"2026-01-01\"", "", "start_date", "required"},
  };
  for (const BadCase& bad : cases) {
    const std::string text = absl::StrReplaceAll(kGood, {{bad.from, bad.to}});
    ASSERT_NE(text, kGood) << bad.from;
    auto evaluations = Parse(text);
    ASSERT_FALSE(evaluations.ok()) << bad.field;
    EXPECT_EQ(evaluations.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message = Message(evaluations.status());
    EXPECT_THAT(message, HasSubstr("the evaluations file was not loaded")) << bad.field;
    EXPECT_THAT(message, HasSubstr("evaluations.textproto:")) << bad.field;
    EXPECT_THAT(message, HasSubstr(absl::StrCat(bad.field, ": ", bad.reason))) << message;
  }
}

TEST(EvaluationsLoaderTest, TheLineOfTheBadFieldIsNamed) {
  auto evaluations =
      Parse(absl::StrReplaceAll(kGood, {{"variant_a_version: 1", "variant_a_version: 7"}}));
  ASSERT_FALSE(evaluations.ok());
  EXPECT_THAT(Message(evaluations.status()), HasSubstr("evaluations.textproto:5:"));
}

TEST(EvaluationsLoaderTest, TwoEvaluationsOfOneProtocolInOneClinicAreRejected) {
  const std::string second = absl::StrReplaceAll(kGood, {{"lumbar-2027", "lumbar-2028"}});
  auto evaluations = Parse(absl::StrCat(kGood, second));
  ASSERT_FALSE(evaluations.ok());
  EXPECT_THAT(Message(evaluations.status()),
              HasSubstr("protocol_id: already evaluated by another evaluation of this clinic"));
  // Another clinic may run its own with the same name.
  auto other = Parse(absl::StrCat(kGood, absl::StrReplaceAll(kGood, {{"clinic-a", "clinic-b"}})));
  EXPECT_TRUE(other.ok()) << other.status();
}

TEST(EvaluationsLoaderTest, ParseErrorsAndEmptyFilesAreRejected) {
  auto broken = Parse("evaluations { clinic_id: }");
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(Message(broken.status()), HasSubstr("evaluations.textproto:1:"));
  auto empty = Parse("");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(Message(empty.status()), HasSubstr("defines no evaluations"));
}

TEST(EvaluationsLoaderTest, AMissingFileIsNamed) {
  auto catalog = TwoVersions();
  auto evaluations = LoadEvaluations("/nonexistent/evaluations.textproto", *catalog);
  ASSERT_FALSE(evaluations.ok());
  EXPECT_THAT(Message(evaluations.status()), HasSubstr("/nonexistent/evaluations.textproto"));
}

}  // namespace
}  // namespace scoliomassage::catalog
