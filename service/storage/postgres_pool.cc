#include "storage/postgres_pool.h"

#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {

PgPool::PgPool(std::string conninfo, int max_size, absl::Duration wait)
    : conninfo_(std::move(conninfo)), max_size_(max_size), wait_(wait) {}

absl::StatusOr<PgPool::Lease> PgPool::Borrow() {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(wait_);
  for (;;) {
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> connection = std::move(idle_.front());
      idle_.pop_front();
      if (connection->broken()) {
        --open_;
        continue;
      }
      ++connection->uses;
      return Lease(this, std::move(connection));
    }
    if (open_ < max_size_) break;
    if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= max_size_) {
      return core::WithReason(
          absl::UnavailableError(absl::StrCat("all ", max_size_,
                                              " database connections are busy; retry later")),
          kReasonStoreBusy);
    }
  }
  ++open_;
  lock.unlock();
  // Connect outside the lock: a slow connect must not block other callers.
  absl::StatusOr<std::unique_ptr<PgConnection>> connection = PgConnection::Connect(conninfo_);
  if (!connection.ok()) {
    lock.lock();
    --open_;
    available_.notify_one();
    return connection.status();
  }
  ++(*connection)->uses;
  return Lease(this, std::move(*connection));
}

void PgPool::Return(std::unique_ptr<PgConnection> connection) {
  std::vector<std::unique_ptr<PgConnection>> to_close;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (connection->broken()) {
      to_close.push_back(std::move(connection));
      for (auto& idle : idle_) to_close.push_back(std::move(idle));
      open_ -= static_cast<int>(to_close.size());
      idle_.clear();
      available_.notify_all();
    } else {
      idle_.push_back(std::move(connection));
      available_.notify_one();
    }
  }
  // to_close's connections are closed here, outside the lock.
}

}  // namespace scoliomassage::storage
