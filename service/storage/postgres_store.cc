// PostgresStore: connecting and migrating. Every Store method is SqlStore's.
#include "storage/postgres_store.h"

#include <utility>

#include "storage/migrations.h"
#include "storage/postgres_executor.h"

namespace scoliomassage::storage {

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(const PostgresOptions& options) {
  absl::StatusOr<std::unique_ptr<PgConnection>> db = PgConnection::Connect(options.conninfo);
  if (!db.ok()) return db.status();
  // Create times keep rising across restarts even if this clock is behind
  // the newest stored one: the history order and its tokens depend on it.
  absl::StatusOr<int64_t> last_time_us = MigrateAndReadNewestCreateTime(
      *PostgresSessionOn(**db), kPostgresDialect, PostgresMigrations());
  if (!last_time_us.ok()) return last_time_us.status();
  return std::unique_ptr<PostgresStore>(
      new PostgresStore(std::make_unique<PostgresExecutor>(options, *last_time_us)));
}

}  // namespace scoliomassage::storage
