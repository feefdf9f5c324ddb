// Small-cell suppression over whole summary tables (core/small_cell_table.h),
// checked against tables worked out by hand.
#include "core/small_cell_table.h"

#include <gtest/gtest.h>

#include <vector>

namespace scoliomassage::core {
namespace {

std::vector<bool> Hidden(const std::vector<TableCell>& cells, int total) {
  return SuppressSmallCellsInTable(cells, total).cells;
}

TEST(SmallCellTable, OneDimensionIsTheRuleItself) {
  // 6, 5, 4 patients: 4 is small; 5 is hidden with it so that the total
  // (15) minus 6 cannot give 4 away.
  const std::vector<TableCell> cells = {{{"a"}, 6}, {{"b"}, 5}, {{"c"}, 4}};
  EXPECT_EQ(Hidden(cells, 15), (std::vector<bool>{false, true, true}));
  EXPECT_FALSE(SuppressSmallCellsInTable(cells, 15).total);
  // Two small cells protect each other: no complement needed.
  EXPECT_EQ(Hidden({{{"a"}, 6}, {{"b"}, 3}, {{"c"}, 4}}, 13),
            (std::vector<bool>{false, true, true}));
  EXPECT_EQ(Hidden({{{"a"}, 6}, {{"b"}, 7}}, 13), (std::vector<bool>{false, false}));
  // A small total is itself hidden.
  EXPECT_TRUE(SuppressSmallCellsInTable({{{"a"}, 2}, {{"b"}, 2}}, 4).total);
}

TEST(SmallCellTable, EveryLineOfATwoDimensionalTableHidesNoneOrTwoOrMore) {
  // protocol x month. Only (p1, m1) is small. The table-wide rule hides it
  // and the smallest other cell, (p2, m2) with 6; but line p1 (the same
  // request without month) would still give (p1, m1) away from p1's total,
  // and line m1 from m1's. Complements follow in each line until every
  // line hides none or two or more.
  //            m1   m2   m3
  //   p1        3    9   10
  //   p2        8    6   12
  const std::vector<TableCell> cells = {
      {{"p1", "m1"}, 3}, {{"p1", "m2"}, 9},  {{"p1", "m3"}, 10},
      {{"p2", "m1"}, 8}, {{"p2", "m2"}, 6},  {{"p2", "m3"}, 12}};
  const std::vector<bool> hidden = Hidden(cells, 48);
  // By hand: table-wide -> (p1,m1), (p2,m2). Column m1 hides one -> its
  // smallest shown, (p2,m1) 8, too; column m2 likewise -> (p1,m2) 9. Rows
  // p1 and p2 then hide two each, columns two each: done.
  EXPECT_EQ(hidden, (std::vector<bool>{true, true, false, true, true, false}));
  // Whatever the numbers, no line keeps exactly one hidden cell.
  for (size_t along = 0; along < 2; ++along) {
    for (const char* value : {"p1", "p2", "m1", "m2", "m3"}) {
      int in_line = 0;
      int hidden_in_line = 0;
      for (size_t i = 0; i < cells.size(); ++i) {
        if (cells[i].dimensions[1 - along] != value) continue;
        ++in_line;
        if (hidden[i]) ++hidden_in_line;
      }
      if (in_line > 1) {
        EXPECT_NE(hidden_in_line, 1) << value;
      }
    }
  }
}

TEST(SmallCellTable, ALoneCellInALineNeedsNoComplement) {
  // Episode groups: each episode is one patient, in a line of its own for
  // the instrument; every one is hidden and nothing else needs to be.
  const std::vector<TableCell> cells = {{{"odi/total", "episodes/1"}, 1},
                                        {{"odi/total", "episodes/2"}, 1},
                                        {{"ndi/total", "episodes/3"}, 1}};
  EXPECT_EQ(Hidden(cells, 3), (std::vector<bool>{true, true, true}));
}

}  // namespace
}  // namespace scoliomassage::core
