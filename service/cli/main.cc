// scoliomassage: the command-line client. This file owns the flags and
// their environment twins, and dispatches to one function per subcommand.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/connection.h"
#include "cli/help.h"
#include "cli/options.h"
#include "cli/error_exit.h"

// Connection.
ABSL_FLAG(std::string, server, "127.0.0.1:50051", "HOST:PORT of scoliomassaged");
ABSL_FLAG(std::string, token, "", "bearer token");
ABSL_FLAG(std::string, token_file, "", "file holding the bearer token");
ABSL_FLAG(bool, tls, false, "TLS with the system root certificates");
ABSL_FLAG(std::string, tls_ca, "", "CA certificate (PEM); enables TLS");
ABSL_FLAG(std::string, tls_cert, "", "client certificate (PEM) for mutual TLS");
ABSL_FLAG(std::string, tls_key, "", "client private key (PEM) for mutual TLS");
ABSL_FLAG(std::string, tls_server_name, "", "name expected in the server certificate");
ABSL_FLAG(int64_t, deadline_ms, 10000, "deadline per call in milliseconds");
// Subcommands.
ABSL_FLAG(std::string, json_in, "", "request JSON file, - for stdin");
ABSL_FLAG(bool, json, false, "print JSON");
ABSL_FLAG(std::string, request_id, "", "idempotency key (UUID) for log and amend");
ABSL_FLAG(int32_t, revision, 0, "outcome revision for get; 0 is the latest");
ABSL_FLAG(std::string, patient, "", "filter: patient id");
ABSL_FLAG(std::string, therapist, "", "filter: therapist id");
ABSL_FLAG(std::string, protocol, "", "filter: protocol id");
ABSL_FLAG(std::string, region, "", "filter: spine region");
ABSL_FLAG(std::string, since, "", "filter: performed at or after (RFC 3339)");
ABSL_FLAG(std::string, until, "", "filter: performed before (RFC 3339)");
ABSL_FLAG(std::string, resume_token, "", "history: continue after this record");
ABSL_FLAG(bool, include_revisions, false, "history: every revision");
ABSL_FLAG(std::string, format, "jsonl", "history: jsonl or csv");
ABSL_FLAG(std::string, group_by, "",
          "summary: protocol,region,session,therapist,month,instrument,episode");
ABSL_FLAG(int32_t, page_size, 0, "audit: records per page");
ABSL_FLAG(std::string, instrument, "", "assess list: only this instrument (odi, ndi, ...)");
ABSL_FLAG(std::string, pattern, "", "compare: curve pattern, c or s");
ABSL_FLAG(std::string, by, "protocol",
          "compare: protocol, version, or assigned (by assigned variant: intention to treat)");

namespace scoliomassage::cli {
namespace {

using Runner = int (*)(const CommandOptions&, const Connection&);

struct Subcommand {
  const char* name;
  Runner run;
  // Flags that apply, besides the connection flags.
  std::vector<std::string> flags;
  bool takes_name = false;
};

const std::vector<Subcommand>& Subcommands() {
  static const auto* subcommands = new std::vector<Subcommand>{
      {"recommend", RunRecommend, {"json_in", "json"}},
      {"protocols", RunProtocols, {"json"}},
      {"log", RunLog, {"json_in", "request_id"}},
      {"amend", RunAmend, {"json_in", "request_id"}},
      {"get", RunGet, {"revision"}, /*takes_name=*/true},
      {"history",
       RunHistory,
       {"patient", "therapist", "protocol", "region", "since", "until", "resume_token",
        "include_revisions", "format"}},
      {"summary",
       RunSummary,
       {"patient", "therapist", "protocol", "region", "since", "until", "group_by", "json"}},
      {"audit", RunAudit, {"since", "until", "page_size", "json"}},
      {"report", RunReport, {"patient", "json"}},
      {"assess", RunAssess, {"json_in", "request_id", "patient", "instrument", "json"},
       /*takes_name=*/true},
      {"episode", RunEpisode, {"patient", "request_id", "json"}, /*takes_name=*/true},
      {"curve",
       RunCurve,
       {"json_in", "request_id", "patient", "page_size", "revision", "json"},
       /*takes_name=*/true},
      {"compare", RunCompare, {"region", "pattern", "protocol", "since", "until", "by", "format",
                               "json"}},
  };
  return *subcommands;
}

const std::vector<std::string>& ConnectionFlags() {
  static const auto* flags = new std::vector<std::string>{
      "server", "token", "token_file", "tls", "tls_ca", "tls_cert", "tls_key",
      "tls_server_name", "deadline_ms"};
  return *flags;
}

// The flag when given, else its environment variable when set and not empty,
// else the flag's default.
std::string Resolve(const ParsedArgs& args, const absl::Flag<std::string>& flag,
                    const char* name, const char* env) {
  if (args.given.count(name) == 0) {
    const char* value = std::getenv(env);
    if (value != nullptr && *value != '\0') return value;
  }
  return absl::GetFlag(flag);
}

bool IsLoopback(const std::string& server) {
  return absl::StartsWith(server, "127.") || absl::StartsWith(server, "localhost") ||
         absl::StartsWith(server, "[::1]") || absl::StartsWith(server, "unix:") ||
         absl::StartsWith(server, "ipv4:127.") || absl::StartsWith(server, "dns:///localhost");
}

absl::StatusOr<ConnectionOptions> ResolveConnection(const ParsedArgs& args) {
  ConnectionOptions options;
  options.server = Resolve(args, FLAGS_server, "server", "SCOLIOMASSAGE_SERVER");
  options.tls_ca = Resolve(args, FLAGS_tls_ca, "tls_ca", "SCOLIOMASSAGE_TLS_CA");
  options.tls_cert = Resolve(args, FLAGS_tls_cert, "tls_cert", "SCOLIOMASSAGE_TLS_CERT");
  options.tls_key = Resolve(args, FLAGS_tls_key, "tls_key", "SCOLIOMASSAGE_TLS_KEY");
  options.tls_server_name =
      Resolve(args, FLAGS_tls_server_name, "tls_server_name", "SCOLIOMASSAGE_TLS_SERVER_NAME");

  bool tls = absl::GetFlag(FLAGS_tls);
  if (args.given.count("tls") == 0) {
    const char* env = std::getenv("SCOLIOMASSAGE_TLS");
    if (env != nullptr && *env != '\0' && !absl::SimpleAtob(env, &tls)) {
      return absl::InvalidArgumentError("SCOLIOMASSAGE_TLS must be true/false/1/0");
    }
  }
  options.tls = tls || !options.tls_ca.empty() || !options.tls_cert.empty() ||
                !options.tls_key.empty();

  options.deadline_ms = absl::GetFlag(FLAGS_deadline_ms);
  options.deadline_explicit = args.given.count("deadline_ms") > 0;
  if (!options.deadline_explicit) {
    const char* env = std::getenv("SCOLIOMASSAGE_DEADLINE_MS");
    if (env != nullptr && *env != '\0') {
      if (!absl::SimpleAtoi(env, &options.deadline_ms)) {
        return absl::InvalidArgumentError(
            absl::StrCat("SCOLIOMASSAGE_DEADLINE_MS=", env, " is not a number"));
      }
      options.deadline_explicit = true;
    }
  }

  // The token: a flag beats the environment, and the literal beats a file.
  const bool token_flag = args.given.count("token") > 0;
  const bool token_file_flag = args.given.count("token_file") > 0;
  if (token_flag && token_file_flag) {
    return absl::InvalidArgumentError("give --token or --token_file, not both");
  }
  std::string token_file;
  if (token_flag) {
    options.token = absl::GetFlag(FLAGS_token);
  } else if (token_file_flag) {
    token_file = absl::GetFlag(FLAGS_token_file);
  } else if (const char* env = std::getenv("SCOLIOMASSAGE_TOKEN"); env != nullptr && *env) {
    options.token = env;
  } else if (const char* file = std::getenv("SCOLIOMASSAGE_TOKEN_FILE"); file != nullptr && *file) {
    token_file = file;
  }
  if (!token_file.empty()) {
    auto token = ReadSecretFile(token_file, "--token_file");
    if (!token.ok()) return token.status();
    options.token = *token;
  }
  if (!options.token.empty() && !options.tls && !IsLoopback(options.server)) {
    std::fprintf(stderr,
                 "scoliomassage: warning: sending the token to %s without TLS; use --tls_ca\n",
                 options.server.c_str());
  }
  return options;
}

CommandOptions ResolveCommand(const ParsedArgs& args, ConnectionOptions connection) {
  CommandOptions options;
  options.connection = std::move(connection);
  options.args.assign(args.positional.begin() + 1, args.positional.end());
  options.json_in = absl::GetFlag(FLAGS_json_in);
  options.json = absl::GetFlag(FLAGS_json);
  options.request_id = absl::GetFlag(FLAGS_request_id);
  options.revision = absl::GetFlag(FLAGS_revision);
  options.filter.patient = absl::GetFlag(FLAGS_patient);
  options.filter.therapist = absl::GetFlag(FLAGS_therapist);
  options.filter.protocol = absl::GetFlag(FLAGS_protocol);
  options.filter.region = absl::GetFlag(FLAGS_region);
  options.filter.since = absl::GetFlag(FLAGS_since);
  options.filter.until = absl::GetFlag(FLAGS_until);
  options.resume_token = absl::GetFlag(FLAGS_resume_token);
  options.include_revisions = absl::GetFlag(FLAGS_include_revisions);
  options.format = absl::GetFlag(FLAGS_format);
  options.group_by = absl::GetFlag(FLAGS_group_by);
  options.page_size = absl::GetFlag(FLAGS_page_size);
  options.instrument = absl::GetFlag(FLAGS_instrument);
  options.pattern = absl::GetFlag(FLAGS_pattern);
  options.compare_by = absl::GetFlag(FLAGS_by);
  options.format_given = args.given.count("format") > 0;
  return options;
}

int Main(int argc, char** argv) {
  auto args = ParseArgs(argc, argv);
  if (!args.ok()) return ExitUsageError(args.status());
  if (args->help || (!args->positional.empty() && args->positional.front() == "help")) {
    std::fputs(HelpText().c_str(), stdout);
    return kExitOk;
  }
  if (args->positional.empty()) {
    return ExitUsageError(absl::InvalidArgumentError("no subcommand given"));
  }
  const std::string& name = args->positional.front();
  if (name == "version") {
    std::printf("scoliomassage %s\n", SCOLIOMASSAGE_VERSION);
    return kExitOk;
  }
  const Subcommand* subcommand = nullptr;
  for (const auto& candidate : Subcommands()) {
    if (name == candidate.name) subcommand = &candidate;
  }
  if (subcommand == nullptr) {
    return ExitUsageError(absl::InvalidArgumentError(absl::StrCat("unknown subcommand ", name)));
  }
  // A flag meant for another subcommand is almost always a mistake (e.g.
  // --patient on audit), and silently ignoring it would return wrong data.
  for (const std::string& flag : args->given) {
    const auto& allowed = subcommand->flags;
    const auto& common = ConnectionFlags();
    if (std::find(allowed.begin(), allowed.end(), flag) == allowed.end() &&
        std::find(common.begin(), common.end(), flag) == common.end()) {
      return ExitUsageError(absl::InvalidArgumentError(
          absl::StrCat("--", flag, " does not apply to ", name)));
    }
  }
  if (!subcommand->takes_name && args->positional.size() > 1) {
    return ExitUsageError(absl::InvalidArgumentError(
        absl::StrCat(name, " takes no argument \"", args->positional[1], "\"")));
  }

  auto connection_options = ResolveConnection(*args);
  if (!connection_options.ok()) return ExitUsageError(connection_options.status());
  const CommandOptions options = ResolveCommand(*args, *connection_options);
  auto connection = Connection::Open(options.connection);
  if (!connection.ok()) return ExitUsageError(connection.status());
  return subcommand->run(options, **connection);
}

}  // namespace
}  // namespace scoliomassage::cli

int main(int argc, char** argv) { return scoliomassage::cli::Main(argc, argv); }
