#include "admin/store_session.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "storage/database_url.h"
#include "storage/postgres_connection.h"
#include "storage/postgres_executor.h"
#include "storage/postgres_options.h"
#include "storage/sqlite_connection.h"
#include "storage/sqlite_executor.h"
#include "storage/store.h"

namespace scoliomassage::admin {

absl::Status ReadStore(const std::string& database_url,
                       const std::function<absl::Status(storage::SqlSession&, const storage::SqlDialect&)>& body) {
  absl::StatusOr<storage::DatabaseUrl> url = storage::ParseDatabaseUrl(database_url);
  if (!url.ok()) return url.status();
  if (url->backend == storage::DatabaseUrl::Backend::kPostgres) {
    absl::StatusOr<storage::PostgresOptions> options = storage::ParsePostgresUrl(url->postgres_url);
    if (!options.ok()) return options.status();
    absl::StatusOr<std::unique_ptr<storage::PgConnection>> connection =
        storage::PgConnection::Connect(options->conninfo);
    if (!connection.ok()) return connection.status();
    std::unique_ptr<storage::SqlSession> session = storage::PostgresSessionOn(**connection);
    if (absl::Status status = session->RunScript(storage::kPostgresDialect.snapshot_begin); !status.ok()) {
      return status;
    }
    absl::Status status = body(*session, storage::kPostgresDialect);
    (void)session->RunScript("ROLLBACK");
    return status;
  }
  // Opening a SQLite file that is not there would create an empty store.
  std::error_code error;
  if (!std::filesystem::is_regular_file(url->sqlite_path, error)) {
    return absl::NotFoundError(absl::StrCat("no SQLite store at ", url->sqlite_path));
  }
  storage::SqliteConnection::Options options;
  options.path = url->sqlite_path;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<storage::SqliteConnection>> connection =
      storage::SqliteConnection::Open(options);
  if (!connection.ok()) return connection.status();
  std::unique_ptr<storage::SqlSession> session = storage::SqliteSessionOn(**connection);
  if (absl::Status status = session->RunScript(storage::kSqliteDialect.snapshot_begin); !status.ok()) {
    return status;
  }
  absl::Status status = body(*session, storage::kSqliteDialect);
  (void)session->RunScript("ROLLBACK");
  return status;
}

namespace {

// The operating-system user, as the audit trail names the operator: the user
// behind sudo when there is one.
std::string OperatorName() {
  if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user && *sudo_user) {
    return sudo_user;
  }
  if (const passwd* user = getpwuid(geteuid()); user && user->pw_name) return user->pw_name;
  return absl::StrCat("uid-", geteuid());
}

}  // namespace

absl::Status RecordOperatorAccess(const std::string& database_url, const std::string& clinic_id,
                                  const std::string& command, const std::string& subject) {
  absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::OpenStore(database_url);
  if (!store.ok()) return store.status();
  storage::AuditEntry entry;
  entry.principal = absl::StrCat("scoliomassage-admin:", OperatorName());
  entry.role = "admin";
  entry.clinic_id = clinic_id;
  entry.method = absl::StrCat("scoliomassage-admin/", command);
  entry.subject = subject;
  return (*store)->AppendAudit(entry);
}

}  // namespace scoliomassage::admin
