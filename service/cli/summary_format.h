// SummarizeOutcomes as an aligned table: one column per --group_by
// dimension, then the measures.
#ifndef SCOLIOMASSAGE_CLI_SUMMARY_FORMAT_H_
#define SCOLIOMASSAGE_CLI_SUMMARY_FORMAT_H_

#include <string>
#include <vector>

#include "scoliomassage/v1/history.pb.h"

namespace scoliomassage::cli {

std::string FormatSummaryTable(const v1::SummarizeOutcomesResponse& response,
                               const std::vector<v1::GroupBy>& group_by);

// The CDS Hooks feedback of the response (override rate by rule, overrides by
// reason) as two tables; "" when there is no feedback. FormatSummaryTable
// appends it.
std::string FormatFeedbackTables(const v1::SummarizeOutcomesResponse& response);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_SUMMARY_FORMAT_H_
