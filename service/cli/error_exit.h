// Writing errors to stderr and choosing the exit code, the same way in every
// subcommand.
#ifndef SCOLIOMASSAGE_CLI_ERROR_EXIT_H_
#define SCOLIOMASSAGE_CLI_ERROR_EXIT_H_

#include "absl/status/status.h"
#include "cli/connection.h"
#include "grpcpp/support/status.h"

namespace scoliomassage::cli {

// A local problem (bad flag, unreadable input): exit 2, nothing was sent.
int ExitUsageError(const absl::Status& status);

// The call failed: exit 1.
int ExitCallError(const grpc::Status& status, const Connection& connection);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_ERROR_EXIT_H_
