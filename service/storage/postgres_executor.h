// The SQL store's executor on PostgreSQL: a bounded connection pool, one
// transaction per call, and one more run of the body on a fresh connection
// when a pooled connection turns out to be dead (the server restarted while
// it sat idle); never after COMMIT was sent, since its outcome is then
// unknown. PostgreSQL's WAL does the group commit itself, so there is no
// writer thread here.
#pragma once

#include <atomic>
#include <cstdint>

#include "storage/connection_pool.h"
#include "storage/postgres_connection.h"
#include "storage/postgres_options.h"
#include "storage/sql_executor.h"

namespace scoliomassage::storage {

// Every write transaction holds this advisory lock (shared, so writers never
// wait on one another) from BEGIN, before it takes its create time. A history
// stream finds the writers still in flight by it (PostgresStore::
// SettleHistory). The key spells "sclwrite" in ASCII; pg_locks shows it as
// classid kWriterLockClassId, objid kWriterLockObjId, objsubid 1.
inline constexpr int64_t kWriterLockKey = 8314608597332489317;
inline constexpr int64_t kWriterLockClassId = kWriterLockKey >> 32;
inline constexpr int64_t kWriterLockObjId = kWriterLockKey & 0xffffffff;

class PostgresExecutor final : public SqlExecutor {
 public:
  // `last_time_us`: the newest create time already stored.
  PostgresExecutor(const PostgresOptions& options, int64_t last_time_us);

  absl::Status Write(const WriteBody& body) override;
  absl::Status Read(const ReadBody& body) override;
  SqlDialect dialect() const override { return kPostgresDialect; }

 private:
  absl::Status Run(const char* begin, const std::function<absl::Status(SqlSession&)>& body);
  // Create times rise strictly within this process, so outcomes logged one
  // after another scan in that order; across instances ties are broken by id.
  int64_t NextCreateTime();

  ConnectionPool<PgConnection> pool_;
  std::atomic<int64_t> last_time_us_;
};

// The store's statements on `db`, outside the executor (opening a store).
std::unique_ptr<SqlSession> PostgresSessionOn(PgConnection& db);

}  // namespace scoliomassage::storage
