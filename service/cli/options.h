// What the command line asked for, after flags and environment variables are
// resolved. Flags live in main.cc only; everything else reads these structs.
#ifndef SCOLIOMASSAGE_CLI_OPTIONS_H_
#define SCOLIOMASSAGE_CLI_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cli/filter_flags.h"

namespace scoliomassage::cli {

// Exit codes are part of the interface scripts rely on; --help documents them.
enum ExitCode : int {
  kExitOk = 0,
  // The server answered with an error, or the connection failed.
  kExitFailure = 1,
  // The command line or a local input file is wrong; nothing was sent.
  kExitUsage = 2,
};

struct ConnectionOptions {
  std::string server = "127.0.0.1:50051";
  // Never printed.
  std::string token;
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  // Overrides the name checked against the server certificate.
  std::string tls_server_name;
  bool tls = false;
  int64_t deadline_ms = 10000;
  // Streams get a deadline only when the caller chose one: a long history
  // export must not be cut off by the default meant for unary calls.
  bool deadline_explicit = false;
};

struct CommandOptions {
  ConnectionOptions connection;
  // Positional arguments after the subcommand.
  std::vector<std::string> args;
  std::string json_in;
  bool json = false;
  std::string request_id;
  int revision = 0;
  FilterFlags filter;
  std::string resume_token;
  bool include_revisions = false;
  std::string format = "jsonl";
  std::string group_by;
  int page_size = 0;
  // assess list: only this instrument.
  std::string instrument;
  // compare: the curve pattern, protocol or version, and whether --format
  // was given (its default belongs to history).
  std::string pattern;
  std::string compare_by;
  bool format_given = false;
};

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_OPTIONS_H_
