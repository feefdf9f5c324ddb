// Read connections for a SQLite store. In WAL mode a reader sees the last
// committed state and never waits for the writer, so reads get their own
// connections, borrowed per call and returned afterwards.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/pool_lease.h"
#include "storage/sqlite_connection.h"

namespace scoliomassage::storage {

class SqliteReaderPool {
 public:
  using Lease = PoolLease<SqliteReaderPool, SqliteConnection>;

  // Keeps at most `max_idle` idle connections; more are opened under load
  // and closed when returned.
  SqliteReaderPool(SqliteConnection::Options options, int max_idle);

  absl::StatusOr<Lease> Borrow();

 private:
  friend Lease;
  void Return(std::unique_ptr<SqliteConnection> connection);

  const SqliteConnection::Options options_;
  const size_t max_idle_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;
};

}  // namespace scoliomassage::storage
