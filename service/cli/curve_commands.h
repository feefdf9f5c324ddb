// The curve subcommand's table, as pure functions for tests/cli.
#ifndef SCOLIOMASSAGE_CLI_CURVE_COMMANDS_H_
#define SCOLIOMASSAGE_CLI_CURVE_COMMANDS_H_

#include <string>
#include <vector>

#include "scoliomassage/v1/curve.pb.h"

namespace scoliomassage::cli {

std::vector<std::string> CurveTableHeader();
// One film: taken_at (UTC), region, Cobb (one decimal), convex side, apex,
// Risser (empty when unknown), measured_by, revision, name.
std::vector<std::string> CurveTableRow(const v1::CurveMeasurement& measurement);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_CURVE_COMMANDS_H_
