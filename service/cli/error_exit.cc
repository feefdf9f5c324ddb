#include "cli/error_exit.h"

#include <cstdio>

#include "cli/options.h"
#include "cli/status_printer.h"

namespace scoliomassage::cli {

int ExitUsageError(const absl::Status& status) {
  std::fputs(FormatLocalError(status).c_str(), stderr);
  std::fputs("Run 'scoliomassage --help' for the subcommands and flags.\n", stderr);
  return kExitUsage;
}

int ExitCallError(const grpc::Status& status, const Connection& connection) {
  std::fflush(stdout);
  std::fputs(FormatStatus(status).c_str(), stderr);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    std::fprintf(stderr, "  server: %s (is scoliomassaged running there? see --server)\n",
                 connection.server().c_str());
  } else if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    std::fputs("  (give a token with --token, --token_file or SCOLIOMASSAGE_TOKEN)\n", stderr);
  }
  return kExitFailure;
}

}  // namespace scoliomassage::cli
