// A bounded pool of PostgreSQL connections.
//
// At most `max_size` connections are open; a caller that finds them all busy
// waits up to `wait` and then gets UNAVAILABLE, so a slow database pushes
// back instead of piling up connections. Connections are opened lazily, so
// the service starts (and keeps answering health checks) while the database
// is down. A connection that broke is dropped, and with it every idle one:
// when one connection sees the server gone, the idle ones are stale too, and
// the next caller gets a fresh connection as soon as the server is back.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/pool_lease.h"
#include "storage/postgres_connection.h"

namespace scoliomassage::storage {

class PgPool {
 public:
  using Lease = PoolLease<PgPool, PgConnection>;

  PgPool(std::string conninfo, int max_size, absl::Duration wait);

  absl::StatusOr<Lease> Borrow();

 private:
  friend Lease;
  void Return(std::unique_ptr<PgConnection> connection);

  const std::string conninfo_;
  const int max_size_;
  const absl::Duration wait_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::deque<std::unique_ptr<PgConnection>> idle_;
  int open_ = 0;  // idle + lent out + being opened
};

}  // namespace scoliomassage::storage
