// scoliomassaged: flags live here only. Each flag has an environment twin,
// SCOLIOMASSAGE_<FLAG IN CAPITALS>; a flag on the command line wins.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "catalog/default_catalog.h"
#include "catalog/instrument_loader.h"
#include "observability/log.h"
#include "server/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "HOST:PORT to serve on (port 0: any free port)");
ABSL_FLAG(std::string, database, "sqlite://var/scoliomassage.db",
          "sqlite://PATH, a bare path (SQLite), or postgresql://user@host:port/db");
ABSL_FLAG(std::string, catalog, "",
          "protocol catalog: a .textproto file or a folder of them (default: the shipped catalog)");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");
ABSL_FLAG(int, worker_threads, 16, "threads that run calls");
ABSL_FLAG(int, max_queued_calls, 512, "calls that may wait for a worker before RESOURCE_EXHAUSTED");
ABSL_FLAG(int, shutdown_grace_seconds, 10, "how long in-flight calls may finish on SIGTERM");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate chain (enables TLS)");
ABSL_FLAG(std::string, tls_key, "", "PEM server private key");
ABSL_FLAG(std::string, tls_client_ca, "", "PEM CA for client certificates (enables mTLS)");
ABSL_FLAG(bool, insecure, false, "allow plaintext on a non-loopback address (a proxy terminates TLS)");
ABSL_FLAG(std::string, tokens_file, "",
          "bearer tokens file (hashes only); empty means dev mode, loopback only");
ABSL_FLAG(std::string, pseudonym_secret_file, "", "secret for analytics pseudonyms (HMAC-SHA256)");
ABSL_FLAG(std::string, analytics_free_text_clinics, "",
          "comma-separated clinics whose admins let analytics see free-text notes");
ABSL_FLAG(std::string, http_listen, "", "HOST:PORT for the HTTP face (CDS Hooks); off when empty");
ABSL_FLAG(std::string, http_public_url, "",
          "base URL HTTP clients use, e.g. behind a proxy (JWT aud); default http(s)://HOST:PORT");
ABSL_FLAG(std::string, cds_issuers_file, "",
          "CDS Hooks issuers JSON {\"issuers\":[{\"iss\",\"jwks\",\"clinic\"}]}");
ABSL_FLAG(std::string, export_dir, "",
          "folder for FHIR $export files (a folder per job); empty: a temp folder removed at exit");
ABSL_FLAG(int, export_expiry_seconds, 3600, "how long a finished FHIR export's files are kept");
ABSL_FLAG(int, max_export_jobs, 2, "FHIR export jobs at once (one per clinic)");

ABSL_FLAG(std::string, analytics_database, "",
          "postgresql:// URL of a hot standby of --database for analytics reads (history, "
          "summaries, audit); empty: the primary");
ABSL_FLAG(absl::Duration, analytics_max_lag, absl::Seconds(30),
          "the standby serves analytics while at most this far behind the primary, e.g. 30s");
ABSL_FLAG(std::string, analytics_fallback, "primary",
          "when the standby is down or lags past --analytics_max_lag: primary (read the primary) "
          "or unavailable (fail UNAVAILABLE)");

ABSL_FLAG(std::string, instruments, "",
          "questionnaire definitions: a .textproto file or a folder of them (default: the "
          "shipped NRS, ODI, NDI, SRS-22r and PSFS)");

ABSL_FLAG(std::string, evaluations_file, "",
          "protocol evaluations (a textproto v1.ProtocolEvaluations): each clinic's two catalog "
          "versions of a protocol to compare; new episodes are assigned one by a stable hash of "
          "the patient pseudonym (default: none, off)");

namespace {

using scoliomassage::observability::Log;
using scoliomassage::observability::LogLevel;

constexpr const char* kFlagNames[] = {
    "listen", "database", "catalog", "log_level", "worker_threads", "max_queued_calls",
    "shutdown_grace_seconds", "tls_cert", "tls_key", "tls_client_ca", "insecure", "tokens_file",
    "pseudonym_secret_file", "analytics_free_text_clinics", "http_listen", "http_public_url",
    "cds_issuers_file", "export_dir", "export_expiry_seconds", "max_export_jobs",
    "analytics_database", "analytics_max_lag", "analytics_fallback", "instruments",
    "evaluations_file"};

// Environment twins are applied before the command line is parsed, so the
// command line overrides them.
bool ApplyEnvironment() {
  for (const char* name : kFlagNames) {
    const std::string variable = "SCOLIOMASSAGE_" + absl::AsciiStrToUpper(name);
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::string error;
    if (flag == nullptr || !flag->ParseFrom(value, &error)) {
      std::fprintf(stderr, "scoliomassaged: bad %s: %s\n", variable.c_str(), error.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "scoliomassaged: the scoliomassage gRPC service.\n"
      "Every flag has an environment twin SCOLIOMASSAGE_<FLAG>, e.g. SCOLIOMASSAGE_LISTEN.");
  // --help lists this file's flags (absl matches flag files by the binary's
  // name otherwise, and the binary is not called main).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) { return absl::EndsWith(file, "server/main.cc"); };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.version_string = [] { return std::string("scoliomassaged " SCOLIOMASSAGE_VERSION "\n"); };
  absl::SetFlagsUsageConfig(usage);
  if (!ApplyEnvironment()) return 2;
  absl::ParseCommandLine(argc, argv);

  scoliomassage::observability::LogLevel level;
  if (!scoliomassage::observability::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    std::fprintf(stderr, "scoliomassaged: --log_level must be debug, info, warning or error\n");
    return 2;
  }
  scoliomassage::observability::SetLogLevel(level);

  scoliomassage::server::Options options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.database = absl::GetFlag(FLAGS_database);
  options.catalog = absl::GetFlag(FLAGS_catalog).empty()
                        ? scoliomassage::catalog::DefaultCatalogPath()
                        : absl::GetFlag(FLAGS_catalog);
  options.worker_threads = absl::GetFlag(FLAGS_worker_threads);
  options.max_queued_calls = absl::GetFlag(FLAGS_max_queued_calls);
  options.shutdown_grace = absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds));
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  options.insecure = absl::GetFlag(FLAGS_insecure);
  options.tokens_file = absl::GetFlag(FLAGS_tokens_file);
  options.pseudonym_secret_file = absl::GetFlag(FLAGS_pseudonym_secret_file);
  options.http_listen = absl::GetFlag(FLAGS_http_listen);
  options.http_public_url = absl::GetFlag(FLAGS_http_public_url);
  options.cds_issuers_file = absl::GetFlag(FLAGS_cds_issuers_file);
  options.export_dir = absl::GetFlag(FLAGS_export_dir);
  options.export_expiry = absl::Seconds(absl::GetFlag(FLAGS_export_expiry_seconds));
  options.max_export_jobs = absl::GetFlag(FLAGS_max_export_jobs);
  options.analytics_database = absl::GetFlag(FLAGS_analytics_database);
  options.analytics_max_lag = absl::GetFlag(FLAGS_analytics_max_lag);
  options.analytics_fallback = absl::GetFlag(FLAGS_analytics_fallback);
  options.instruments = absl::GetFlag(FLAGS_instruments).empty()
                            ? scoliomassage::catalog::DefaultInstrumentsPath()
                            : absl::GetFlag(FLAGS_instruments);
  options.evaluations_file = absl::GetFlag(FLAGS_evaluations_file);
  for (absl::string_view clinic :
       absl::StrSplit(absl::GetFlag(FLAGS_analytics_free_text_clinics), ',', absl::SkipEmpty())) {
    options.analytics_free_text_clinics.insert(std::string(clinic));
  }
  if (options.worker_threads < 1 || options.max_queued_calls < 1) {
    std::fprintf(stderr, "scoliomassaged: --worker_threads and --max_queued_calls must be >= 1\n");
    return 2;
  }

  // Signals are taken by one thread with sigwait, so no handler runs inside
  // gRPC's threads. Block them before any thread starts so all inherit it.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = scoliomassage::server::Server::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "scoliomassaged: cannot start: %s\n", std::string(server.status().message()).c_str());
    Log(LogLevel::kError, "start failed", {{"status", server.status().ToString()}});
    return 1;
  }
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  if ((*server)->http_port() != 0) {
    // Printed before the gRPC line, which is the one scripts wait for last.
    const std::string http_host = options.http_listen.substr(0, options.http_listen.rfind(':'));
    std::fprintf(stderr, "scoliomassaged HTTP listening on %s:%d\n", http_host.c_str(), (*server)->http_port());
  }
  // Tests and scripts wait for this exact line.
  std::fprintf(stderr, "scoliomassaged listening on %s:%d\n", host.c_str(), (*server)->port());
  std::fflush(stderr);
  Log(LogLevel::kInfo, "serving", {{"listen", host + ":" + std::to_string((*server)->port())},
                                   {"catalog", options.catalog}});

  std::thread signal_thread([&] {
    for (;;) {
      int signal_number = 0;
      sigwait(&signals, &signal_number);
      if (signal_number == SIGHUP) {
        absl::Status reloaded = (*server)->ReloadCredentials();
        Log(reloaded.ok() ? LogLevel::kInfo : LogLevel::kError,
            reloaded.ok() ? "tokens file reloaded" : "tokens file reload failed; old tokens stay",
            {{"status", reloaded.ToString()}});
        continue;
      }
      Log(LogLevel::kInfo, "shutting down: NOT_SERVING, draining in-flight calls",
          {{"grace_seconds", std::to_string(absl::ToInt64Seconds(options.shutdown_grace))}});
      (*server)->Shutdown(options.shutdown_grace);
      return;
    }
  });
  (*server)->Wait();
  signal_thread.join();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}
