// `scoliomassage compare`: the request from the command line, and the
// response as a table for people (scripts use --format=json).
#ifndef SCOLIOMASSAGE_CLI_COMPARISON_FORMAT_H_
#define SCOLIOMASSAGE_CLI_COMPARISON_FORMAT_H_

#include <string>

#include "absl/status/statusor.h"
#include "cli/options.h"
#include "scoliomassage/v1/comparison.pb.h"

namespace scoliomassage::cli {

// --region, --pattern (c, s or CURVE_PATTERN_...), --protocol (a comma-
// separated list), --since/--until (episodes opened in [since, until)),
// --by=protocol|version. INVALID_ARGUMENT says which flag is wrong.
absl::StatusOr<v1::CompareProtocolsRequest> BuildCompareRequest(const CommandOptions& options);

// One row per group (estimates with their intervals, or "not enough data" /
// "suppressed"), then questionnaires, overrides, the differences, and the
// caveats, which are never left out.
std::string FormatComparison(const v1::CompareProtocolsResponse& response);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_COMPARISON_FORMAT_H_
