// The embedded SQLite Store: one file, WAL, one group-committing writer
// thread, a pool of read connections (sqlite_executor.h). Every Store method
// is SqlStore's; this class opens the file and keeps the test hooks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/sql_store.h"
#include "storage/sqlite_executor.h"

namespace scoliomassage::storage {

struct SqliteStoreOptions {
  std::string path;
  // "FULL" (default) or "NORMAL"; see open_store.cc for the trade-off.
  std::string synchronous = "FULL";
  int busy_timeout_ms = 5000;
  // Read connections kept open between calls. As many as the server's
  // worker threads (16 by default) can read at once; a connection opened
  // beyond this is closed after one call, and opening one (schema parse,
  // pragmas) plus re-preparing its statements cost more than the read
  // itself (tests/bench/RESULTS.md). Each idle connection holds at most
  // SQLite's default page cache (2 MiB).
  int max_idle_readers = 16;
  // Most units of work committed together in one transaction.
  int max_batch = 256;
  // Test hook: when > 0, caps the database at about this many pages so tests
  // can provoke SQLITE_FULL ("disk full") without filling a real disk.
  int64_t max_page_count = 0;
};

class SqliteStore final : public SqlStore {
 public:
  // Creates the file when missing and applies pending migrations.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options);

  // Test hook: caps the file at about `pages` pages (SQLite never goes below
  // the current size); 0 lifts the cap. Later writes that need more space
  // fail with RESOURCE_EXHAUSTED, as on a full disk.
  absl::Status SetMaxPageCountForTesting(int64_t pages);
  WriterStats writer_stats() const { return writer_.stats(); }

 private:
  SqliteStore(std::unique_ptr<SqliteExecutor> executor, int64_t default_max_page_count);

  SqliteWriter& writer_;
  const int64_t default_max_page_count_;
};

}  // namespace scoliomassage::storage
