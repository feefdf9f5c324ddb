#include "core/small_cell_table.h"

#include <cstddef>
#include <map>

namespace scoliomassage::core {
namespace {

// Runs the rule on the cells of `members`, a hidden cell standing in as a
// small one (1 patient, below any threshold). Returns whether it hid more.
bool SuppressLine(const std::vector<TableCell>& cells, const std::vector<size_t>& members,
                  int min_patients, std::vector<bool>& hidden) {
  std::vector<int> patients;
  int sum = 0;
  for (size_t index : members) {
    const int shown = hidden[index] ? 1 : cells[index].patients;
    patients.push_back(shown);
    sum += shown;
  }
  // The line's own total only decides whether the line's group is shown,
  // which the request without this dimension decides for itself.
  const Suppression line = SuppressSmallCells(patients, sum, min_patients);
  bool changed = false;
  for (size_t i = 0; i < members.size(); ++i) {
    if (line.cells[i] && !hidden[members[i]]) {
      hidden[members[i]] = true;
      changed = true;
    }
  }
  return changed;
}

}  // namespace

Suppression SuppressSmallCellsInTable(const std::vector<TableCell>& cells, int total_patients,
                                      int min_patients) {
  std::vector<int> patients;
  for (const TableCell& cell : cells) patients.push_back(cell.patients);
  Suppression result = SuppressSmallCells(patients, total_patients, min_patients);
  const size_t dimensions = cells.empty() ? 0 : cells.front().dimensions.size();
  if (dimensions < 2) return result;  // the only line is the table itself
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t along = 0; along < dimensions; ++along) {
      // Lines along `along`: the cells that agree on every other dimension.
      std::map<std::vector<std::string>, std::vector<size_t>> lines;
      for (size_t i = 0; i < cells.size(); ++i) {
        std::vector<std::string> rest = cells[i].dimensions;
        rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(along));
        lines[rest].push_back(i);
      }
      for (const auto& entry : lines) {
        changed = SuppressLine(cells, entry.second, min_patients, result.cells) || changed;
      }
    }
  }
  return result;
}

}  // namespace scoliomassage::core
