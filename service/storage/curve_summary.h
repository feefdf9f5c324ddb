// Curve summaries (SummarizeOutcomes with GROUP_BY_CURVE_REGION): one group
// per region measured, over the latest revision of each film. The Cobb
// angle lives in the stored measurement, not in a column, so the films are
// read (one range of the clinic's curve_revisions) and counted here with
// the check-in's own rule for a true progression (core/curve_progression.h).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scoliomassage/v1/history.pb.h"
#include "storage/sql_executor.h"
#include "storage/store_common.h"

namespace scoliomassage::storage {

bool IsCurveSummary(const std::vector<v1::GroupBy>& group_by);

// INVALID_ARGUMENT for another dimension beside GROUP_BY_CURVE_REGION, or a
// therapist or protocol filter (a film has neither).
absl::StatusOr<PlannedRead> PlanCurveSummary(const std::string& clinic_id,
                                             const v1::HistoryFilter& filter,
                                             const std::vector<v1::GroupBy>& group_by,
                                             char placeholder_prefix);

// Groups in region order; regions without a film are absent.
absl::StatusOr<std::vector<v1::SummaryGroup>> ReadCurveSummary(ResultRows& rows);

}  // namespace scoliomassage::storage
