// Questionnaire summaries (SummarizeOutcomes with GROUP_BY_INSTRUMENT):
// aggregates over assessment_scores, one group per instrument and domain
// (and episode when asked), computed in the database.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scoliomassage/v1/history.pb.h"
#include "storage/sql_executor.h"
#include "storage/store_common.h"

namespace scoliomassage::storage {

bool IsAssessmentSummary(const std::vector<v1::GroupBy>& group_by);

// INVALID_ARGUMENT for a dimension or filter that does not apply to
// questionnaires (protocol, region, session, therapist, month).
absl::StatusOr<PlannedRead> PlanAssessmentSummary(const std::string& clinic_id,
                                                  const v1::HistoryFilter& filter,
                                                  const std::vector<v1::GroupBy>& group_by,
                                                  char placeholder_prefix);

absl::StatusOr<std::vector<v1::SummaryGroup>> ReadAssessmentSummary(
    ResultRows& rows, const std::vector<v1::GroupBy>& group_by);

}  // namespace scoliomassage::storage
