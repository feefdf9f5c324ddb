// What a protocol comparison reports about protocol evaluations (variants
// of one protocol, assigned by a stable hash of the pseudonym; see
// app/variants.h): per group, its episodes by the variant assigned and by
// the variant received, how many a therapist overrode, and how many are in
// no evaluation. The caller (core/comparison.cc) forms the groups, as
// received or by assigned variant (intention to treat); this only counts,
// and for the analytics role hides the small counts.
//
// Suppression for analytics, the same rule as every other analytics figure
// (SuppressSmallCells): a count of 1-4 distinct patients is hidden (shown
// as suppressed, never 0), and complementary suppression keeps a group's
// episode count from giving a hidden count away: the counts by assigned
// variant (A, B, in no evaluation) sum to the group, and so do those by
// received variant. Two counts over the very same episodes (e.g. "assigned
// B" in group A as received is "overridden into" it, and "overridden out of"
// one group is "overridden into" the other) are hidden together, wherever
// they appear. Rules are applied again until nothing changes.
#pragma once

#include <string>
#include <vector>

#include "scoliomassage/v1/catalog.pb.h"

namespace scoliomassage::core {

// An episode row's place in a protocol evaluation.
struct EvaluationRow {
  std::string evaluation;  // the evaluation's name
  v1::EvaluationVariant assigned = v1::EVALUATION_VARIANT_UNSPECIFIED;
  v1::EvaluationVariant received = v1::EVALUATION_VARIANT_UNSPECIFIED;
  bool overridden = false;  // a therapist chose the variant
  // The group the row would be in by the variant assigned, and by the
  // variant received, under the comparison's grouping. They differ only
  // when an override moved the row between groups.
  std::string assigned_group;
  std::string received_group;
};

struct CountCell {
  int episodes = 0;
  bool suppressed = false;  // analytics: not shown, and not 0
};

struct EvaluationCounts {
  std::vector<std::string> evaluations;  // sorted names
  CountCell assigned_a, assigned_b, received_a, received_b;
  CountCell overridden, overridden_into, overridden_out_of;
  CountCell not_in_evaluation;
};

// One input row: which output group it is in, its patient (counted, never
// shown), and its evaluation (null when in none).
struct EvaluationInputRow {
  size_t group = 0;
  std::string patient;
  const EvaluationRow* evaluation = nullptr;
};

// The counts of each of `groups` (names, in output order). A group marked
// in `suppressed_groups` is hidden whole by the caller; its counts are
// hidden here too so that another group cannot give them away.
std::vector<EvaluationCounts> CountEvaluations(const std::vector<std::string>& groups,
                                               const std::vector<EvaluationInputRow>& rows,
                                               const std::vector<bool>& suppressed_groups,
                                               bool for_analytics);

}  // namespace scoliomassage::core
