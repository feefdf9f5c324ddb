// A thin RAII layer over the SQLite C API: one connection, its prepared
// statements, and the single place where SQLite result codes become
// absl::Status (busy/IO -> UNAVAILABLE, full -> RESOURCE_EXHAUSTED).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/store_errors.h"

struct sqlite3;
struct sqlite3_stmt;

namespace scoliomassage::storage {

// Maps a SQLite result code to the store's error vocabulary. `context` says
// what was being done; SQLite's own message is appended.
absl::Status SqliteStatus(int result_code, sqlite3* db, absl::string_view context);

class SqliteConnection;

class SqliteStatement {
 public:
  // Finalized when destroyed.
  SqliteStatement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  // Reset and handed back to `owner`'s statement cache when destroyed (into
  // `slot`, its cache entry, when that is empty; else finalized); the
  // statement must not outlive its connection.
  SqliteStatement(SqliteConnection* owner, sqlite3* db, sqlite3_stmt* statement,
                  sqlite3_stmt** slot)
      : owner_(owner), db_(db), statement_(statement), slot_(slot) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameters are 1-based, as in SQLite.
  void BindInt(int index, int64_t value);
  void BindText(int index, absl::string_view value);
  void BindBlob(int index, absl::string_view value);
  void BindNull(int index);

  // True when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Runs a statement that returns no rows.
  absl::Status Run();

  // The value's own type: SQLite types values, not columns.
  enum class Kind { kNull, kInt, kDouble, kText, kBytes };
  Kind ColumnKind(int column) const;
  int64_t ColumnInt(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  std::string ColumnBlob(int column) const;

 private:
  friend class SqliteConnection;
  SqliteConnection* owner_ = nullptr;
  sqlite3* db_;
  sqlite3_stmt* statement_;
  sqlite3_stmt** slot_ = nullptr;
};

class SqliteConnection {
 public:
  struct Options {
    std::string path;
    // "FULL" (default: an acknowledged commit survives power loss) or
    // "NORMAL" (WAL: survives a process crash, may lose the last commits on
    // power loss or an OS crash). See open_store.cc.
    std::string synchronous = "FULL";
    int busy_timeout_ms = 5000;
    bool read_only = false;
  };

  static absl::StatusOr<std::unique_ptr<SqliteConnection>> Open(const Options& options);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs one or more statements that return no rows.
  absl::Status Exec(absl::string_view sql);
  // Statements are cached per connection by their SQL text: preparing was a
  // third of the server's instructions (tests/bench/RESULTS.md), and the
  // same few statements run on every call. A statement taken from the cache
  // is reset with its bindings cleared.
  absl::StatusOr<SqliteStatement> Prepare(absl::string_view sql);
  // True while a transaction is open. SQLite may roll a transaction back by
  // itself after SQLITE_FULL, SQLITE_IOERR or SQLITE_BUSY; callers check this.
  bool InTransaction() const;

 private:
  friend class SqliteStatement;
  // Most idle statements kept; beyond it (ad-hoc SQL) they are finalized.
  static constexpr size_t kMaxCachedStatements = 64;

  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  // Takes back a statement whose SqliteStatement is destroyed.
  static void Recycle(sqlite3_stmt* statement, sqlite3_stmt** slot);

  sqlite3* db_;
  // Prepared statements by SQL text, one per text: the statement while it
  // is idle, null while it is in use (a text in use twice at once gets a
  // second, uncached statement). Entries are never erased, so a statement
  // in use keeps a stable pointer to its slot (node_hash_map) and taking
  // and returning one neither allocates nor hashes its text twice.
  absl::node_hash_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace scoliomassage::storage
