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
  // The versions applied, not only the highest: features are numbered when
  // they are written and may land in another order (a database may have 5
  // before 3 and 4 exist), so every known migration not yet recorded runs.
  std::set<int64_t> applied;
  {
    absl::StatusOr<std::unique_ptr<ResultRows>> rows =
        db.Query("SELECT version FROM schema_migrations", SqlParams());
    if (!rows.ok()) return rows.status();
    while (true) {
      absl::StatusOr<bool> more = (*rows)->Next();
      if (!more.ok()) return more.status();
      if (!*more) break;
      applied.insert((*rows)->Int(0));
    }
  }
  const int64_t current = applied.empty() ? 0 : *applied.rbegin();
  const int newest_known = migrations.empty() ? 0 : migrations.back().version;
  if (current > newest_known) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database schema is at version ", current, " but this build knows only up to ",
        newest_known, "; run a newer scoliomassaged"));
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
