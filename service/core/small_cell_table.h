// Small-cell suppression over a whole summary table, for the analytics role.
//
// A summary grouped by several dimensions has more totals than the grand
// one: the same request without one of its dimensions returns each "line"
// of the table (the cells that agree on every other dimension) as a single
// group. So a line that hides exactly one cell would give that cell away by
// subtraction, just as a grand total would. This applies the one rule,
// core::SuppressSmallCells (comparison_stats.h), to the whole table against
// its total and then to every line along every dimension, again and again
// until nothing changes: each line ends with no hidden cell or with two or
// more. A cell hidden already counts as a small one when a line is checked.
#pragma once

#include <string>
#include <vector>

#include "core/comparison_stats.h"

namespace scoliomassage::core {

struct TableCell {
  // The cell's value on each dimension, in the same order for every cell.
  std::vector<std::string> dimensions;
  int patients = 0;  // distinct patients in the cell
};

// cells[i] hidden, and whether the table's total is (total_patients: the
// distinct patients of the whole table).
Suppression SuppressSmallCellsInTable(const std::vector<TableCell>& cells, int total_patients,
                                      int min_patients = kMinPatientsForAnalytics);

}  // namespace scoliomassage::core
