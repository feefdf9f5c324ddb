#include "storage/postgres_migrations.h"

#include "absl/strings/str_cat.h"

namespace scoliomassage::storage {
namespace {

// Any fixed number works; this one spells "scolio" in ASCII so it is easy to
// recognize in pg_locks.
constexpr char kMigrationLockKey[] = "126896296306543";

// The highest applied version, 0 for an empty database.
absl::StatusOr<int> PostgresSchemaVersion(PgConnection& db) {
  absl::StatusOr<PgResult> query =
      db.Exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!query.ok()) return query.status();
  return static_cast<int>(query->Int(0, 0));
}

absl::Status ApplyPending(PgConnection& db, const std::vector<Migration>& migrations,
                          int64_t now_us) {
  // The transaction-scoped lock is released by COMMIT or ROLLBACK, and also
  // when the connection dies, so a crashed instance never leaves it held.
  if (absl::StatusOr<PgResult> lock =
          db.Exec(absl::StrCat("SELECT pg_advisory_xact_lock(", kMigrationLockKey, ")"));
      !lock.ok()) {
    return lock.status();
  }
  if (absl::Status status = db.ExecScript(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          "  version INTEGER PRIMARY KEY,"
          "  name TEXT NOT NULL,"
          "  applied_at_us BIGINT NOT NULL)");
      !status.ok()) {
    return status;
  }
  absl::StatusOr<int> current = PostgresSchemaVersion(db);
  if (!current.ok()) return current.status();
  return ApplyNewerMigrations(
      migrations, *current,
      [&](const Migration& migration) { return db.ExecScript(std::string(migration.sql)); },
      [&](const Migration& migration) {
        return db.Exec("INSERT INTO schema_migrations (version, name, applied_at_us) "
                       "VALUES ($1, $2, $3)",
                       {PgParam::Int(migration.version), PgParam::Text(std::string(migration.name)),
                        PgParam::Int(now_us)})
            .status();
      });
}

}  // namespace

absl::Status ApplyPostgresMigrations(PgConnection& db, const std::vector<Migration>& migrations,
                                     int64_t now_us) {
  if (absl::Status status = db.ExecScript("BEGIN"); !status.ok()) return status;
  absl::Status status = ApplyPending(db, migrations, now_us);
  if (status.ok()) status = db.ExecScript("COMMIT");
  if (!status.ok() && !db.broken()) db.ExecScript("ROLLBACK").IgnoreError();
  return status;
}

}  // namespace scoliomassage::storage
