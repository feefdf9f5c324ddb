#include "storage/sqlite_migrations.h"

namespace scoliomassage::storage {
namespace {

constexpr char kCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  version INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  applied_at_us INTEGER NOT NULL)";

// The highest applied version, 0 for an empty database.
absl::StatusOr<int> SqliteSchemaVersion(SqliteConnection& db) {
  absl::StatusOr<SqliteStatement> query =
      db.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!query.ok()) return query.status();
  absl::StatusOr<bool> row = query->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(query->ColumnInt(0));
}

absl::Status ApplyPending(SqliteConnection& db, const std::vector<Migration>& migrations,
                          int64_t now_us) {
  if (absl::Status status = db.Exec(kCreateMigrationsTable); !status.ok()) return status;
  absl::StatusOr<int> current = SqliteSchemaVersion(db);
  if (!current.ok()) return current.status();
  return ApplyNewerMigrations(
      migrations, *current,
      [&](const Migration& migration) { return db.Exec(migration.sql); },
      [&](const Migration& migration) {
        absl::StatusOr<SqliteStatement> record = db.Prepare(
            "INSERT INTO schema_migrations (version, name, applied_at_us) VALUES (?1, ?2, ?3)");
        if (!record.ok()) return record.status();
        record->BindInt(1, migration.version);
        record->BindText(2, migration.name);
        record->BindInt(3, now_us);
        return record->Run();
      });
}

}  // namespace

absl::Status ApplySqliteMigrations(SqliteConnection& db, const std::vector<Migration>& migrations,
                                   int64_t now_us) {
  if (absl::Status status = db.Exec("BEGIN IMMEDIATE"); !status.ok()) return status;
  absl::Status status = ApplyPending(db, migrations, now_us);
  if (status.ok()) status = db.Exec("COMMIT");
  if (!status.ok() && db.InTransaction()) db.Exec("ROLLBACK").IgnoreError();
  return status;
}

}  // namespace scoliomassage::storage
