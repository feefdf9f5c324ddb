// Reads argv into the registered absl flags and the positional arguments.
//
// absl::ParseCommandLine would do, except that it exits with status 1 on a
// bad flag, and this tool promises exit 2 for usage errors. It also lets us
// tell which flags were given, so that a flag overrides its environment twin
// and a flag that does not belong to the subcommand is reported.
#ifndef SCOLIOMASSAGE_CLI_COMMAND_LINE_H_
#define SCOLIOMASSAGE_CLI_COMMAND_LINE_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace scoliomassage::cli {

struct ParsedArgs {
  std::vector<std::string> positional;
  // Names of the flags given, without dashes.
  std::set<std::string> given;
  bool help = false;
};

// Accepts --name=value, --name value, -name=value, --name and --noname for
// booleans, -h/--help, and "--" to end the flags. argv[0] is skipped.
absl::StatusOr<ParsedArgs> ParseArgs(int argc, const char* const* argv);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_COMMAND_LINE_H_
