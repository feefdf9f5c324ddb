#include "core/comparison_evaluation.h"

#include <array>
#include <map>
#include <set>

#include "core/comparison_stats.h"

namespace scoliomassage::core {
namespace {

enum Slot {
  kAssignedA,
  kAssignedB,
  kReceivedA,
  kReceivedB,
  kOverridden,
  kInto,
  kOutOf,
  kNotInEvaluation,
  kSlots,
};

// The two partitions of a group's episodes: each sums to the group.
constexpr std::array<std::array<Slot, 3>, 2> kPartitions = {{
    {kAssignedA, kAssignedB, kNotInEvaluation},
    {kReceivedA, kReceivedB, kNotInEvaluation},
}};

struct Cell {
  std::vector<size_t> rows;  // indices into the input, ascending
  int patients = 0;
  bool hidden = false;
};

using GroupCells = std::array<Cell, kSlots>;

int DistinctPatients(const std::vector<size_t>& rows, const std::vector<EvaluationInputRow>& input) {
  std::set<std::string> patients;
  for (size_t i : rows) patients.insert(input[i].patient);
  return static_cast<int>(patients.size());
}

// Marks `hidden` on cells until every rule holds.
void Suppress(std::vector<GroupCells>& cells, const std::vector<int>& group_patients,
              const std::vector<bool>& suppressed_groups) {
  // The same episodes under two names are one figure.
  std::map<std::vector<size_t>, std::vector<Cell*>> same_rows;
  for (size_t g = 0; g < cells.size(); ++g) {
    for (Cell& cell : cells[g]) {
      if (cell.rows.empty()) continue;
      if (suppressed_groups[g] || cell.patients < kMinPatientsForAnalytics) cell.hidden = true;
      same_rows[cell.rows].push_back(&cell);
    }
  }
  for (bool changed = true; changed;) {
    changed = false;
    auto hide = [&changed](Cell& cell) {
      if (cell.hidden || cell.rows.empty()) return;
      cell.hidden = true;
      changed = true;
    };
    for (auto& entry : same_rows) {
      bool any = false;
      for (const Cell* cell : entry.second) any |= cell->hidden;
      if (any) {
        for (Cell* cell : entry.second) hide(*cell);
      }
    }
    for (size_t g = 0; g < cells.size(); ++g) {
      if (suppressed_groups[g]) continue;
      for (const auto& partition : kPartitions) {
        std::vector<int> patients;
        for (Slot slot : partition) {
          const Cell& cell = cells[g][slot];
          // A hidden cell stands in as a small one, as in small_cell_table.cc.
          patients.push_back(cell.hidden ? 1 : cell.patients);
        }
        const Suppression result = SuppressSmallCells(patients, group_patients[g]);
        for (size_t k = 0; k < partition.size(); ++k) {
          // A lone small cell with no complement would follow from the
          // group's own count: hide the whole partition.
          if (result.cells[k] || result.total) hide(cells[g][partition[k]]);
        }
      }
    }
  }
}

// A hidden count carries no number, so no face can print it as one.
CountCell Count(const Cell& cell) {
  return CountCell{cell.hidden ? 0 : static_cast<int>(cell.rows.size()), cell.hidden};
}

}  // namespace

std::vector<EvaluationCounts> CountEvaluations(const std::vector<std::string>& groups,
                                               const std::vector<EvaluationInputRow>& rows,
                                               const std::vector<bool>& suppressed_groups,
                                               bool for_analytics) {
  std::map<std::string, size_t> index;
  for (size_t g = 0; g < groups.size(); ++g) index.emplace(groups[g], g);
  std::vector<GroupCells> cells(groups.size());
  std::vector<std::set<std::string>> names(groups.size());
  std::vector<std::vector<size_t>> members(groups.size());
  auto add = [&](const std::string& group, Slot slot, size_t row) {
    auto found = index.find(group);
    if (found != index.end()) cells[found->second][slot].rows.push_back(row);
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    const EvaluationInputRow& row = rows[i];
    GroupCells& mine = cells[row.group];
    members[row.group].push_back(i);
    const EvaluationRow* ev = row.evaluation;
    if (ev == nullptr) {
      mine[kNotInEvaluation].rows.push_back(i);
      continue;
    }
    names[row.group].insert(ev->evaluation);
    if (ev->assigned == v1::EVALUATION_VARIANT_A) mine[kAssignedA].rows.push_back(i);
    if (ev->assigned == v1::EVALUATION_VARIANT_B) mine[kAssignedB].rows.push_back(i);
    if (ev->received == v1::EVALUATION_VARIANT_A) mine[kReceivedA].rows.push_back(i);
    if (ev->received == v1::EVALUATION_VARIANT_B) mine[kReceivedB].rows.push_back(i);
    if (ev->overridden) mine[kOverridden].rows.push_back(i);
    // An override that moved the row: into the group of what it received,
    // out of the group of what it was assigned (one of them is its own).
    if (ev->assigned_group != ev->received_group) {
      add(ev->received_group, kInto, i);
      add(ev->assigned_group, kOutOf, i);
    }
  }
  std::vector<int> group_patients;
  for (size_t g = 0; g < groups.size(); ++g) {
    group_patients.push_back(DistinctPatients(members[g], rows));
    for (Cell& cell : cells[g]) cell.patients = DistinctPatients(cell.rows, rows);
  }
  std::vector<bool> hidden_groups = suppressed_groups;
  hidden_groups.resize(groups.size(), false);
  if (for_analytics) Suppress(cells, group_patients, hidden_groups);

  std::vector<EvaluationCounts> out(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    const GroupCells& c = cells[g];
    EvaluationCounts& counts = out[g];
    counts.evaluations.assign(names[g].begin(), names[g].end());
    counts.assigned_a = Count(c[kAssignedA]);
    counts.assigned_b = Count(c[kAssignedB]);
    counts.received_a = Count(c[kReceivedA]);
    counts.received_b = Count(c[kReceivedB]);
    counts.overridden = Count(c[kOverridden]);
    counts.overridden_into = Count(c[kInto]);
    counts.overridden_out_of = Count(c[kOutOf]);
    counts.not_in_evaluation = Count(c[kNotInEvaluation]);
  }
  return out;
}

}  // namespace scoliomassage::core
