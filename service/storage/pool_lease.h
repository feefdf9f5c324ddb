// A connection borrowed from a pool (PgPool, SqliteReaderPool), handed back
// to it when the lease ends.
#pragma once

#include <memory>
#include <utility>

namespace scoliomassage::storage {

template <typename Pool, typename Connection>
class PoolLease {
 public:
  PoolLease(Pool* pool, std::unique_ptr<Connection> connection)
      : pool_(pool), connection_(std::move(connection)) {}
  PoolLease(PoolLease&& other) noexcept = default;
  PoolLease& operator=(PoolLease&&) = delete;
  ~PoolLease() {
    if (connection_) pool_->Return(std::move(connection_));
  }
  Connection& operator*() const { return *connection_; }
  Connection* operator->() const { return connection_.get(); }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace scoliomassage::storage
