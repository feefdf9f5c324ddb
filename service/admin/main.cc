// scoliomassage-admin: operator commands that work on the store itself, not
// through the API: an online backup of a live SQLite store, a check of a
// backup, and a data-subject export of one patient.
//
// Exit codes: 0 done; 1 the command failed (nothing half-written is left);
// 2 usage error; 3 verify found a problem with the file.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "admin/patient_export.h"
#include "admin/sqlite_backup.h"
#include "admin/store_session.h"
#include "app/pseudonym.h"
#include "base/read_file.h"
#include "storage/database_url.h"

ABSL_FLAG(std::string, database, "sqlite://var/scoliomassage.db",
          "the store, as the server's --database: sqlite://PATH, a bare path, or postgresql://...");
ABSL_FLAG(std::string, to, "", "backup: the backup file; export-patient: the output file (default stdout)");
ABSL_FLAG(std::string, patient, "", "export-patient: the patient id, as the host sends it");
ABSL_FLAG(std::string, clinic, "", "export-patient: the patient's clinic id");
ABSL_FLAG(std::string, format, "json", "export-patient: json (fhir once the FHIR mapping exists)");
ABSL_FLAG(std::string, pseudonym_secret_file, "",
          "export-patient: the server's pseudonym secret, to find the audit records of the patient");

namespace {

using scoliomassage::admin::StoreFacts;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitVerifyProblem = 3;
// The same minimum as the server's (server.cc): a shorter secret never made
// the pseudonyms in a store.
constexpr size_t kMinPseudonymSecretBytes = 32;

constexpr const char kUsage[] =
    "scoliomassage-admin: backup, verify and data-subject export, on the store itself.\n"
    "\n"
    "  scoliomassage-admin [--database=URL] backup --to=FILE\n"
    "      A consistent copy of a live SQLite store while the server serves; FILE appears\n"
    "      only when complete (written to FILE.tmp, fsynced, renamed). PostgreSQL: use\n"
    "      pg_dump or point-in-time recovery (README, Deployment).\n"
    "  scoliomassage-admin verify FILE\n"
    "      Checks a SQLite store file read-only: integrity_check, foreign_key_check, the\n"
    "      schema version this release expects, every outcome decodes; prints the counts.\n"
    "  scoliomassage-admin [--database=URL] export-patient --clinic=ID --patient=ID\n"
    "                      --pseudonym_secret_file=FILE [--format=json] [--to=FILE]\n"
    "      Everything held on one patient, as JSON, with the audit records of every call\n"
    "      that read or wrote it.\n"
    "\n"
    "--database and --pseudonym_secret_file have the server's environment twins\n"
    "SCOLIOMASSAGE_DATABASE and SCOLIOMASSAGE_PSEUDONYM_SECRET_FILE.\n"
    "Exit codes: 0 done, 1 the command failed, 2 usage error, 3 verify found a problem.";

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "scoliomassage-admin: %s\n", message.c_str());
  return code;
}

bool ApplyEnvironment() {
  for (const char* name : {"database", "pseudonym_secret_file"}) {
    const std::string variable = "SCOLIOMASSAGE_" + absl::AsciiStrToUpper(name);
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) continue;
    std::string error;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr || !flag->ParseFrom(value, &error)) {
      std::fprintf(stderr, "scoliomassage-admin: bad %s: %s\n", variable.c_str(), error.c_str());
      return false;
    }
  }
  return true;
}

void PrintFacts(const char* heading, const std::string& path, const StoreFacts& facts) {
  std::printf("%s %s\n", heading, path.c_str());
  std::printf("  schema_version    %lld\n", static_cast<long long>(facts.schema_version));
  std::printf("  outcomes          %lld\n", static_cast<long long>(facts.outcomes));
  std::printf("  outcome_revisions %lld\n", static_cast<long long>(facts.outcome_revisions));
  std::printf("  recommendations   %lld\n", static_cast<long long>(facts.recommendations));
  std::printf("  audit_records     %lld\n", static_cast<long long>(facts.audit_records));
  std::printf("  idempotency_keys  %lld\n", static_cast<long long>(facts.idempotency_keys));
  std::printf("  bytes             %lld\n", static_cast<long long>(facts.file_bytes));
}

int Backup() {
  const std::string target = absl::GetFlag(FLAGS_to);
  if (target.empty()) return Fail(kExitUsage, "backup needs --to=FILE");
  auto url = scoliomassage::storage::ParseDatabaseUrl(absl::GetFlag(FLAGS_database));
  if (!url.ok()) return Fail(kExitUsage, std::string(url.status().message()));
  if (url->backend == scoliomassage::storage::DatabaseUrl::Backend::kPostgres) {
    return Fail(kExitUsage,
                "backup copies SQLite stores only; back up PostgreSQL with its own tools: "
                "pg_dump for a logical copy, or a base backup plus WAL archiving for "
                "point-in-time recovery (README, Deployment: Backups)");
  }
  auto facts = scoliomassage::admin::BackupSqlite(url->sqlite_path, target);
  if (!facts.ok()) return Fail(kExitFailed, "backup failed: " + std::string(facts.status().message()));
  PrintFacts("backup written:", target, *facts);
  return kExitOk;
}

int Verify(const std::vector<char*>& arguments) {
  if (arguments.size() != 3) return Fail(kExitUsage, "verify needs one FILE: scoliomassage-admin verify FILE");
  const std::string path = arguments[2];
  std::vector<std::string> problems;
  auto facts = scoliomassage::admin::VerifySqlite(path, &problems);
  if (!facts.ok()) return Fail(kExitFailed, "cannot verify: " + std::string(facts.status().message()));
  if (!problems.empty()) {
    for (const std::string& problem : problems) std::fprintf(stderr, "problem: %s\n", problem.c_str());
    return Fail(kExitVerifyProblem, absl::StrCat(path, " FAILED verification: ", problems.size(),
                                                 " problem(s), the first: ", problems.front()));
  }
  PrintFacts("verified:", path, *facts);
  std::printf("  expected_schema   %lld\n",
              static_cast<long long>(scoliomassage::admin::ExpectedSchemaVersion()));
  return kExitOk;
}

// Written like a backup (FILE.tmp, fsync, rename) and readable only by its
// owner: it is one patient's whole record.
absl::Status WritePrivateFile(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot create ", temporary, ": ", std::strerror(errno)));
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  const bool ok = written == content.size() && ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", std::strerror(ok ? errno : error)));
  }
  return absl::OkStatus();
}

int ExportPatient() {
  scoliomassage::admin::PatientExportRequest request;
  request.clinic_id = absl::GetFlag(FLAGS_clinic);
  request.patient_id = absl::GetFlag(FLAGS_patient);
  if (request.patient_id.empty()) return Fail(kExitUsage, "export-patient needs --patient=ID");
  if (request.clinic_id.empty()) {
    return Fail(kExitUsage, "export-patient needs --clinic=ID: patient ids are the host's and "
                            "only unique within a clinic");
  }
  scoliomassage::admin::ExportFormat format;
  if (absl::GetFlag(FLAGS_format) == "json") {
    format = scoliomassage::admin::ExportFormat::kJson;
  } else if (absl::GetFlag(FLAGS_format) == "fhir") {
    format = scoliomassage::admin::ExportFormat::kFhir;
  } else {
    return Fail(kExitUsage, "--format must be json (or fhir, once available)");
  }
  const std::string secret_file = absl::GetFlag(FLAGS_pseudonym_secret_file);
  if (secret_file.empty()) {
    return Fail(kExitUsage,
                "export-patient needs --pseudonym_secret_file (the server's): audit records name "
                "patients only by their pseudonym");
  }
  auto secret = scoliomassage::base::ReadFileToString(secret_file, "pseudonym secret");
  if (!secret.ok()) return Fail(kExitFailed, std::string(secret.status().message()));
  if (secret->size() < kMinPseudonymSecretBytes) {
    return Fail(kExitUsage, absl::StrCat(secret_file, " holds ", secret->size(),
                                         " bytes; the server's pseudonym secret has at least 32"));
  }
  request.patient_pseudonym =
      scoliomassage::app::Pseudonymizer(*secret).Pseudonym(request.clinic_id, request.patient_id);

  absl::StatusOr<scoliomassage::admin::PatientRecords> records;
  absl::Status read = scoliomassage::admin::ReadStore(
      absl::GetFlag(FLAGS_database),
      [&](scoliomassage::storage::SqlSession& db, const scoliomassage::storage::SqlDialect& dialect) {
        records = scoliomassage::admin::CollectPatientRecords(db, dialect, request);
        return records.status();
      });
  if (!read.ok()) return Fail(kExitFailed, "export failed: " + std::string(read.message()));
  absl::StatusOr<std::string> output = scoliomassage::admin::RenderPatientExport(*records, format);
  if (!output.ok()) {
    return Fail(output.status().code() == absl::StatusCode::kUnimplemented ? kExitUsage : kExitFailed,
                std::string(output.status().message()));
  }
  // Recorded before the data leaves, so no export goes unaudited.
  if (absl::Status audited = scoliomassage::admin::RecordOperatorAccess(
          absl::GetFlag(FLAGS_database), request.clinic_id, "export-patient",
          request.patient_pseudonym);
      !audited.ok()) {
    return Fail(kExitFailed, "nothing exported: the export could not be recorded in the audit trail: " +
                                 std::string(audited.message()));
  }
  const size_t audit_count = records->document["audit_records"].size();
  const size_t revision_count = records->outcome_revisions.size();
  const std::string to = absl::GetFlag(FLAGS_to);
  if (to.empty()) {
    std::fwrite(output->data(), 1, output->size(), stdout);
    if (std::fflush(stdout) != 0) return Fail(kExitFailed, "cannot write to stdout");
  } else if (absl::Status written = WritePrivateFile(to, *output); !written.ok()) {
    return Fail(kExitFailed, std::string(written.message()));
  }
  std::fprintf(stderr, "scoliomassage-admin: exported patient %s of clinic %s: %zu outcome revision(s), "
               "%zu audit record(s)%s%s\n", request.patient_id.c_str(), request.clinic_id.c_str(),
               revision_count, audit_count, to.empty() ? "" : " to ", to.c_str());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) { return absl::StrContains(file, "admin/main.cc"); };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.version_string = [] { return std::string("scoliomassage-admin " SCOLIOMASSAGE_VERSION "\n"); };
  absl::SetFlagsUsageConfig(usage);
  if (!ApplyEnvironment()) return kExitUsage;
  std::vector<char*> arguments = absl::ParseCommandLine(argc, argv);
  if (arguments.size() < 2 || std::strcmp(arguments[1], "help") == 0) {
    std::printf("%s\n", kUsage);
    return arguments.size() < 2 ? kExitUsage : kExitOk;
  }
  const std::string command = arguments[1];
  if (command != "verify" && arguments.size() > 2) {
    return Fail(kExitUsage, absl::StrCat("unexpected argument '", arguments[2], "' (flags are --name=value)"));
  }
  if (command == "backup") return Backup();
  if (command == "verify") return Verify(arguments);
  if (command == "export-patient") return ExportPatient();
  return Fail(kExitUsage, "unknown command '" + command + "' (backup, verify, export-patient; see --help)");
}
