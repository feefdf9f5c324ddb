#include "admin/store_session.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "storage/database_url.h"
#include "storage/postgres_connection.h"
#include "storage/postgres_executor.h"
#include "storage/postgres_options.h"
#include "storage/sqlite_connection.h"
#include "storage/sqlite_executor.h"

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

}  // namespace scoliomassage::admin
