// The single writer of a SQLite store, with group commit.
//
// Callers hand it units of work and block until their work is durable.
// The writer thread takes everything queued, runs it in ONE
// BEGIN IMMEDIATE transaction (one commit, one fsync for the whole batch),
// then wakes each caller with its own result. Each unit runs inside its own
// SAVEPOINT, so one failing unit (a constraint, ALREADY_EXISTS) is rolled
// back alone and the rest of the batch still commits.
//
// Because all writes pass through this one thread, checks such as "was this
// request_id used before?" run inside the transaction that inserts it, and
// racing retries are serialized: no two can both insert.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "storage/sqlite_connection.h"

namespace scoliomassage::storage {

struct WriterStats {
  int64_t units = 0;    // units of work that ran (retries included)
  int64_t commits = 0;  // transactions committed
};

class SqliteWriter {
 public:
  // A unit of work. It may run more than once (when SQLite aborts a batch
  // transaction, the survivors are replayed), so it must only touch the
  // database and its own result slot. `now_us` is a UTC time unique to this
  // run and increasing across runs: use it as the create time.
  using Work = std::function<absl::Status(SqliteConnection& db, int64_t now_us)>;

  // `last_time_us`: the newest create time already stored, so create times
  // keep increasing across restarts even if the clock steps back.
  SqliteWriter(std::unique_ptr<SqliteConnection> db, int64_t last_time_us, int max_batch = 256);
  // Finishes every queued unit, then stops.
  ~SqliteWriter();
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;

  // Runs `work` in the next batch and returns its status once the batch has
  // committed (or failed). OK means durable.
  absl::Status Write(Work work);

  // Runs `work` alone, outside any transaction, on the writer connection
  // (e.g. a PRAGMA that only this connection sees).
  absl::Status Control(std::function<absl::Status(SqliteConnection& db)> work);

  WriterStats stats() const;

 private:
  struct Unit {
    Work work;
    std::function<absl::Status(SqliteConnection&)> control;
    std::promise<absl::Status> done;
    absl::Status result;
  };

  void Loop();
  absl::Status Enqueue(std::unique_ptr<Unit> unit);
  // Runs `batch` in one transaction and fills each unit's result.
  void RunBatch(const std::vector<Unit*>& batch);
  absl::Status RunUnit(Unit& unit);
  int64_t NextTime();

  std::unique_ptr<SqliteConnection> db_;
  const int max_batch_;
  int64_t last_time_us_;  // writer thread only

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Unit>> queue_;
  bool stopping_ = false;
  WriterStats stats_;
  std::thread thread_;
};

}  // namespace scoliomassage::storage
