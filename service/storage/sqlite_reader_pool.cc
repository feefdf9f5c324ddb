#include "storage/sqlite_reader_pool.h"

#include <utility>

namespace scoliomassage::storage {

SqliteReaderPool::SqliteReaderPool(SqliteConnection::Options options, int max_idle)
    : options_([&] {
        options.read_only = true;
        return options;
      }()),
      max_idle_(static_cast<size_t>(max_idle < 1 ? 1 : max_idle)) {}

absl::StatusOr<SqliteReaderPool::Lease> SqliteReaderPool::Borrow() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<SqliteConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
  }
  absl::StatusOr<std::unique_ptr<SqliteConnection>> connection = SqliteConnection::Open(options_);
  if (!connection.ok()) return connection.status();
  return Lease(this, std::move(*connection));
}

void SqliteReaderPool::Return(std::unique_ptr<SqliteConnection> connection) {
  // A reader must not keep a read transaction open: it would pin old WAL
  // frames and stop checkpoints.
  if (connection->InTransaction()) connection->Exec("ROLLBACK").IgnoreError();
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(connection));
}

}  // namespace scoliomassage::storage
