// Instrument definitions: the shipped ones load; a broken file stops the
// load with the file, the line and what is wrong, and nothing half-loads.
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "catalog/instrument_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scoliomassage::catalog {
namespace {

using ::testing::HasSubstr;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// Line 1 is the opening brace; line 7 the second item; line 12 min_answered_items.
constexpr char kGood[] = R"(instruments {
  id: "test"
  name: "Test scale"
  version: "1"
  direction: CHANGE_DIRECTION_LOWER_IS_BETTER
  items { id: "1" min: 0 max: 5 }
  items { id: "2" min: 0 max: 5 }
  domains {
    id: "total"
    items: ["1", "2"]
    scoring: SCORING_RULE_PERCENT_OF_ANSWERED_MAXIMUM
    min_answered_items: 1
    meaningful_change { points: 10 source: "Author A. Journal. 2000;1:1-2" }
  }
  citation: "Author A. A test scale. Journal. 2000;1:1-2"
}
)";

absl::StatusOr<std::shared_ptr<const Instruments>> Parse(const std::string& text) {
  return ParseInstrumentFiles({{"clinic/test.textproto", text}});
}

TEST(InstrumentLoaderTest, TheShippedDefinitionsLoad) {
  auto loaded = LoadInstruments(DefaultInstrumentsPath());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->instruments().size(), 5u);
  ASSERT_NE((*loaded)->FindById("odi"), nullptr);
  EXPECT_EQ((*loaded)->FindById("odi")->version(), "2.1a");
  EXPECT_EQ((*loaded)->FindById("missing"), nullptr);
}

TEST(InstrumentLoaderTest, AGoodFileLoads) {
  auto loaded = Parse(kGood);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->instruments()[0].id(), "test");
}

TEST(InstrumentLoaderTest, ASyntaxErrorNamesFileAndLine) {
  auto loaded = Parse(absl::StrReplaceAll(kGood, {{"  version: \"1\"", "  version \"1\" }"}}));
  ASSERT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(loaded.status()), HasSubstr("clinic/test.textproto:4:"));
}

TEST(InstrumentLoaderTest, ABadRangeNamesTheItemLine) {
  auto loaded = Parse(absl::StrReplaceAll(kGood, {{"items { id: \"2\" min: 0 max: 5 }",
                                                    "items { id: \"2\" min: 5 max: 5 }"}}));
  ASSERT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(loaded.status()),
              HasSubstr("clinic/test.textproto:7:3: instrument \"test\": items[1]: min (5) must be "
                        "below max (5)"));
}

TEST(InstrumentLoaderTest, DomainProblemsNameTheDomainField) {
  auto loaded = Parse(absl::StrReplaceAll(
      kGood, {{"min_answered_items: 1", "min_answered_items: 3"}, {"[\"1\", \"2\"]", "[\"1\", \"9\"]"}}));
  ASSERT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(loaded.status()),
              HasSubstr("clinic/test.textproto:12:5: instrument \"test\": "
                        "domains[0].min_answered_items: must be 1 to the domain's 2 items"));
  EXPECT_THAT(Message(loaded.status()), HasSubstr("domains[0].items[1]: \"9\" is not an item"));
}

TEST(InstrumentLoaderTest, RequiredFieldsAndSourcesAreChecked) {
  auto loaded = Parse(absl::StrReplaceAll(
      kGood, {{"  citation: \"Author A. A test scale. Journal. 2000;1:1-2\"\n", ""},
              {" source: \"Author A. Journal. 2000;1:1-2\"", ""},
              {"  direction: CHANGE_DIRECTION_LOWER_IS_BETTER\n", ""},
              {"items { id: \"2\"", "items { id: \"b\""}}));
  ASSERT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message = Message(loaded.status());
  EXPECT_THAT(message, HasSubstr("citation: a published source"));
  EXPECT_THAT(message, HasSubstr("meaningful_change.source: a threshold needs its published source"));
  EXPECT_THAT(message, HasSubstr("direction: required"));
  EXPECT_THAT(message, HasSubstr("items[1].id: must be \"2\""));
}

TEST(InstrumentLoaderTest, ASumWithMissingItemsIsRefused) {
  auto loaded = Parse(absl::StrReplaceAll(
      kGood, {{"SCORING_RULE_PERCENT_OF_ANSWERED_MAXIMUM", "SCORING_RULE_SUM"}}));
  ASSERT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(loaded.status()), HasSubstr("a SCORING_RULE_SUM domain needs every item"));
}

TEST(InstrumentLoaderTest, DuplicateIdsAcrossFilesAreRefused) {
  auto loaded = ParseInstrumentFiles({{"a.textproto", kGood}, {"b.textproto", kGood}});
  ASSERT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(loaded.status()), HasSubstr("b.textproto:1:1: instrument \"test\": id: also defined at a.textproto:1"));
}

TEST(InstrumentLoaderTest, MissingPathIsNotFoundAndEmptyFolderFailedPrecondition) {
  EXPECT_EQ(LoadInstruments("/nonexistent/instruments").status().code(), absl::StatusCode::kNotFound);
  const std::filesystem::path empty =
      std::filesystem::path(::testing::TempDir()) / "instruments_empty_folder";
  std::filesystem::create_directories(empty);
  EXPECT_EQ(LoadInstruments(empty.string()).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace scoliomassage::catalog
