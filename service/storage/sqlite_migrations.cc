#include "storage/sqlite_migrations.h"

#include "absl/strings/str_cat.h"

namespace scoliomassage::storage {
namespace {

constexpr char kCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  version INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  applied_at_us INTEGER NOT NULL)";

absl::Status ApplyPending(SqliteConnection& db, const std::vector<Migration>& migrations,
                          int64_t now_us) {
  if (absl::Status status = db.Exec(kCreateMigrationsTable); !status.ok()) return status;
  absl::StatusOr<int> current = SqliteSchemaVersion(db);
  if (!current.ok()) return current.status();
  const int newest_known = migrations.empty() ? 0 : migrations.back().version;
  if (*current > newest_known) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database schema is at version ", *current, " but this build knows only up to ",
        newest_known, "; run a newer scoliomassaged"));
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) continue;
    if (absl::Status status = db.Exec(migration.sql); !status.ok()) {
      return absl::Status(status.code(), absl::StrCat("schema migration ", migration.version, " (",
                                                      migration.name, "): ", status.message()));
    }
    absl::StatusOr<SqliteStatement> record = db.Prepare(
        "INSERT INTO schema_migrations (version, name, applied_at_us) VALUES (?1, ?2, ?3)");
    if (!record.ok()) return record.status();
    record->BindInt(1, migration.version);
    record->BindText(2, migration.name);
    record->BindInt(3, now_us);
    if (absl::Status status = record->Run(); !status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int> SqliteSchemaVersion(SqliteConnection& db) {
  absl::StatusOr<SqliteStatement> query =
      db.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!query.ok()) return query.status();
  absl::StatusOr<bool> row = query->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(query->ColumnInt(0));
}

absl::Status ApplySqliteMigrations(SqliteConnection& db, const std::vector<Migration>& migrations,
                                   int64_t now_us) {
  if (absl::Status status = db.Exec("BEGIN IMMEDIATE"); !status.ok()) return status;
  absl::Status status = ApplyPending(db, migrations, now_us);
  if (status.ok()) status = db.Exec("COMMIT");
  if (!status.ok() && db.InTransaction()) db.Exec("ROLLBACK").IgnoreError();
  return status;
}

}  // namespace scoliomassage::storage
