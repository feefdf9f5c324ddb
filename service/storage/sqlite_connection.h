// A thin RAII layer over the SQLite C API: one connection, its prepared
// statements, and the single place where SQLite result codes become
// absl::Status (busy/IO -> UNAVAILABLE, full -> RESOURCE_EXHAUSTED).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3;
struct sqlite3_stmt;

namespace scoliomassage::storage {

// Machine-readable reasons (ErrorInfo.reason) for store failures.
inline constexpr char kReasonStoreUnavailable[] = "STORE_UNAVAILABLE";
inline constexpr char kReasonStoreBusy[] = "STORE_BUSY";
inline constexpr char kReasonDiskFull[] = "STORE_DISK_FULL";
inline constexpr char kReasonStoreCorrupt[] = "STORE_CORRUPT";
inline constexpr char kReasonStoreError[] = "STORE_ERROR";

// Maps a SQLite result code to the store's error vocabulary. `context` says
// what was being done; SQLite's own message is appended.
absl::Status SqliteStatus(int result_code, sqlite3* db, absl::string_view context);

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameters are 1-based, as in SQLite.
  void BindInt(int index, int64_t value);
  void BindDouble(int index, double value);
  void BindText(int index, absl::string_view value);
  void BindBlob(int index, absl::string_view value);
  void BindNull(int index);

  // True when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Runs a statement that returns no rows.
  absl::Status Run();

  int64_t ColumnInt(int column) const;
  double ColumnDouble(int column) const;
  bool ColumnIsNull(int column) const;
  std::string ColumnText(int column) const;
  std::string ColumnBlob(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_;
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
  absl::StatusOr<SqliteStatement> Prepare(absl::string_view sql);
  // True while a transaction is open. SQLite may roll a transaction back by
  // itself after SQLITE_FULL, SQLITE_IOERR or SQLITE_BUSY; callers check this.
  bool InTransaction() const;

  sqlite3* raw() const { return db_; }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace scoliomassage::storage
