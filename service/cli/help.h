#ifndef SCOLIOMASSAGE_CLI_HELP_H_
#define SCOLIOMASSAGE_CLI_HELP_H_

#include <string>

namespace scoliomassage::cli {

// What `scoliomassage --help` prints: for operators, analytics jobs and
// admins who script against the service.
std::string HelpText();

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_HELP_H_
