// PostgresStore: connecting and migrating. Every Store method is SqlStore's.
#include "storage/postgres_store.h"

#include <utility>

#include "storage/outcome_ids.h"
#include "storage/postgres_executor.h"
#include "storage/postgres_migrations.h"

namespace scoliomassage::storage {

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(const PostgresOptions& options) {
  absl::StatusOr<std::unique_ptr<PgConnection>> db = PgConnection::Connect(options.conninfo);
  if (!db.ok()) return db.status();
  if (absl::Status status = ApplyPostgresMigrations(**db, PostgresMigrations(), NowMicros());
      !status.ok()) {
    return status;
  }
  // Create times keep rising across restarts even if this clock is behind
  // the newest stored one: the history order and its tokens depend on it.
  absl::StatusOr<PgResult> newest =
      (*db)->Exec("SELECT coalesce(max(create_time_us), 0) FROM outcome_revisions");
  if (!newest.ok()) return newest.status();
  return std::unique_ptr<PostgresStore>(
      new PostgresStore(std::make_unique<PostgresExecutor>(options, newest->Int(0, 0))));
}

}  // namespace scoliomassage::storage
