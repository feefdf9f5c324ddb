#include "storage/migrations.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"

namespace scoliomassage::storage {
namespace {

absl::Status ApplyPending(SqlSession& db, const SqlDialect& dialect,
                          const std::vector<Migration>& migrations, int64_t now_us) {
  if (absl::Status status = db.RunScript(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
          "name TEXT NOT NULL, applied_at_us BIGINT NOT NULL)");
      !status.ok()) {
    return status;
  }
  // Versions are applied by set, not by "newer than the highest": features
  // developed side by side number their migrations independently (a
  // database may hold 1, 2, 4 before 3 arrives), so each one missing is
  // applied in version order. Each migration must therefore stand on its own.
  absl::StatusOr<std::unique_ptr<ResultRows>> versions =
      db.Query("SELECT version FROM schema_migrations ORDER BY version", SqlParams());
  if (!versions.ok()) return versions.status();
  std::set<int> applied;
  for (;;) {
    absl::StatusOr<bool> next = (*versions)->Next();
    if (!next.ok()) return next.status();
    if (!*next) break;
    applied.insert(static_cast<int>((*versions)->Int(0)));
  }
  versions->reset();
  std::set<int> known;
  for (const Migration& migration : migrations) known.insert(migration.version);
  for (int version : applied) {
    if (known.count(version) == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the database schema has migration ", version,
          ", which this build does not know; run a newer scoliomassaged"));
    }
  }
  for (const Migration& migration : migrations) {
    if (applied.count(migration.version) != 0) continue;
    if (absl::Status status = db.RunScript(std::string(migration.sql)); !status.ok()) {
      return absl::Status(status.code(), absl::StrCat("schema migration ", migration.version, " (",
                                                      migration.name, "): ", status.message()));
    }
    SqlParams p(dialect.placeholder_prefix);
    const std::string record = InsertSql("schema_migrations",
                                         {{"version", int64_t{migration.version}},
                                          {"name", std::string(migration.name)},
                                          {"applied_at_us", now_us}},
                                         p);
    if (absl::Status status = db.Run(record, p); !status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyMigrations(SqlSession& db, const SqlDialect& dialect,
                             const std::vector<Migration>& migrations, int64_t now_us) {
  if (absl::Status status = db.RunScript(dialect.migration_begin); !status.ok()) return status;
  absl::Status status = ApplyPending(db, dialect, migrations, now_us);
  if (status.ok()) status = db.RunScript("COMMIT");
  // Fails harmlessly where the database already rolled back (or is gone).
  if (!status.ok()) db.RunScript("ROLLBACK").IgnoreError();
  return status;
}

}  // namespace scoliomassage::storage
