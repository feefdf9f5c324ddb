#include "cli/output_table.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace scoliomassage::cli {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  EXPECT_EQ(lines.back(), "") << "output must end in a newline";
  lines.pop_back();
  return lines;
}

TEST(OutputTableTest, AlignsColumnsToTheWidestCell) {
  OutputTable table({"id", "steps"});
  table.AddRow({"lumbar-c-curve", "7"});
  table.AddRow({"x", "12"});
  const auto lines = Lines(table.Render());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "id              steps");
  EXPECT_EQ(lines[1], "--------------  -----");
  EXPECT_EQ(lines[2], "lumbar-c-curve  7");
  EXPECT_EQ(lines[3], "x               12");
}

TEST(OutputTableTest, RightAlignedColumnsPadOnTheLeft) {
  OutputTable table({"name", "n"});
  table.AlignRight(1);
  table.AddRow({"a", "5"});
  table.AddRow({"b", "125"});
  const auto lines = Lines(table.Render());
  EXPECT_EQ(lines[0], "name    n");
  EXPECT_EQ(lines[2], "a       5");
  EXPECT_EQ(lines[3], "b     125");
}

TEST(OutputTableTest, NoTrailingSpacesAndShortRowsArePadded) {
  OutputTable table({"a", "b", "c"});
  table.AddRow({"long value"});
  for (const auto& line : Lines(table.Render())) {
    ASSERT_FALSE(line.empty());
    EXPECT_NE(line.back(), ' ') << "line: '" << line << "'";
  }
  EXPECT_EQ(table.row_count(), 1u);
}

TEST(OutputTableTest, CountsUtf8CodePointsNotBytes) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("a\xE2\x80\x94" "b"), 3u);  // an em dash is 3 bytes
  OutputTable table({"title", "x"});
  table.AddRow({"Lumbar \xE2\x80\x94 C", "1"});
  table.AddRow({"Lumbar - C", "2"});
  const auto lines = Lines(table.Render());
  // Both rows put "x" column at the same display column.
  EXPECT_EQ(DisplayWidth(lines[2]), DisplayWidth(lines[3]));
}

TEST(OutputTableTest, NewlinesInCellsDoNotBreakRows) {
  OutputTable table({"detail"});
  table.AddRow({"one\ntwo\tthree"});
  const auto lines = Lines(table.Render());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2], "one two three");
}

TEST(OutputTableTest, EmptyTableStillHasHeader) {
  OutputTable table({"id", "version"});
  const auto lines = Lines(table.Render());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "id  version");
  EXPECT_EQ(lines[1], "--  -------");
}

}  // namespace
}  // namespace scoliomassage::cli
