// A pool of database connections, for both executors: PostgreSQL's
// connections and SQLite's read connections.
//
// At most `max_open` connections are open (0: no limit); a caller that finds
// them all busy waits up to `wait` and then gets UNAVAILABLE STORE_BUSY, so a
// slow database pushes back instead of piling up connections. Connections
// are opened lazily, so the service starts (and answers health checks) while
// the database is down. At most `max_idle` are kept between calls. A
// connection that `keep` refuses on its return is closed, and with it every
// idle one: when one connection sees the server gone, the idle ones are stale
// too, and the next caller gets a fresh connection once the server is back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/errors.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {

template <typename Connection>
class ConnectionPool {
 public:
  struct Options {
    int max_open = 0;
    size_t max_idle = 16;
    absl::Duration wait = absl::Seconds(5);
    std::function<absl::StatusOr<std::unique_ptr<Connection>>()> open;
    // Whether a connection may be lent (again): on its return and before a
    // caller gets an idle one.
    std::function<bool(Connection&)> keep = [](Connection&) { return true; };
  };

  // A borrowed connection, handed back when the lease ends.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection, bool reused)
        : pool_(pool), connection_(std::move(connection)), reused_(reused) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (connection_) pool_->Return(std::move(connection_));
    }
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }
    // True when it sat idle in the pool before: a failure may just mean the
    // server restarted meanwhile.
    bool reused() const { return reused_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
    bool reused_;
  };

  explicit ConnectionPool(Options options) : options_(std::move(options)) {}

  absl::StatusOr<Lease> Borrow() {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(options_.wait);
    for (;;) {
      if (!idle_.empty()) {
        std::unique_ptr<Connection> connection = std::move(idle_.front());
        idle_.pop_front();
        if (!options_.keep(*connection)) {
          --open_;
          continue;
        }
        return Lease(this, std::move(connection), true);
      }
      if (options_.max_open == 0 || open_ < options_.max_open) break;
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= options_.max_open) {
        return core::WithReason(
            absl::UnavailableError(absl::StrCat("all ", options_.max_open,
                                                " database connections are busy; retry later")),
            kReasonStoreBusy);
      }
    }
    ++open_;
    lock.unlock();
    // Connect outside the lock: a slow connect must not block other callers.
    absl::StatusOr<std::unique_ptr<Connection>> connection = options_.open();
    if (!connection.ok()) {
      lock.lock();
      --open_;
      available_.notify_one();
      return connection.status();
    }
    return Lease(this, std::move(*connection), false);
  }

 private:
  void Return(std::unique_ptr<Connection> connection) {
    std::vector<std::unique_ptr<Connection>> to_close;
    const bool keep = options_.keep(*connection);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!keep) {
        to_close.push_back(std::move(connection));
        for (auto& idle : idle_) to_close.push_back(std::move(idle));
        idle_.clear();
      } else if (idle_.size() >= options_.max_idle) {
        to_close.push_back(std::move(connection));
      } else {
        idle_.push_back(std::move(connection));
      }
      open_ -= static_cast<int>(to_close.size());
      available_.notify_all();
    }
    // to_close's connections are closed here, outside the lock.
  }

  const Options options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::deque<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // idle + lent out + being opened
};

}  // namespace scoliomassage::storage
