#include "storage/migrations.h"

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
  absl::StatusOr<std::unique_ptr<ResultRows>> version =
      db.QueryRow("SELECT coalesce(max(version), 0) FROM schema_migrations", SqlParams());
  if (!version.ok()) return version.status();
  if (*version == nullptr) return absl::InternalError("schema_migrations returned no row");
  const int current = static_cast<int>((*version)->Int(0));
  version->reset();
  const int newest_known = migrations.empty() ? 0 : migrations.back().version;
  if (current > newest_known) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database schema is at version ", current, " but this build knows only up to ",
        newest_known, "; run a newer scoliomassaged"));
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= current) continue;
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
