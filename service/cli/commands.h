// One function per subcommand. Each returns the process exit code and has
// already written its output and any error message.
#ifndef SCOLIOMASSAGE_CLI_COMMANDS_H_
#define SCOLIOMASSAGE_CLI_COMMANDS_H_

#include "cli/connection.h"
#include "cli/options.h"

namespace scoliomassage::cli {

int RunRecommend(const CommandOptions& options, const Connection& connection);
int RunProtocols(const CommandOptions& options, const Connection& connection);
int RunLog(const CommandOptions& options, const Connection& connection);
int RunAmend(const CommandOptions& options, const Connection& connection);
int RunGet(const CommandOptions& options, const Connection& connection);
int RunHistory(const CommandOptions& options, const Connection& connection);
int RunSummary(const CommandOptions& options, const Connection& connection);
int RunAudit(const CommandOptions& options, const Connection& connection);
int RunReport(const CommandOptions& options, const Connection& connection);
// assess record|list|instruments, episode open|close|list|result.
int RunAssess(const CommandOptions& options, const Connection& connection);
int RunEpisode(const CommandOptions& options, const Connection& connection);
int RunCurve(const CommandOptions& options, const Connection& connection);
int RunCompare(const CommandOptions& options, const Connection& connection);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_COMMANDS_H_
