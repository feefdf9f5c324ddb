// What the one SQL store (sql_store.h) needs from a database: statements
// with bind values, a write transaction that may be run again, a read
// snapshot, and a dialect value for the few words the two databases spell
// differently. SQLite and PostgreSQL each implement the executor once
// (sqlite_executor.h, postgres_executor.h); every query lives in the store.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace scoliomassage::storage {

// What really differs between the dialects the store speaks. Error mapping
// is each driver's own (SqliteStatus, PostgresStatus); DDL types live in the
// migration files.
struct SqlDialect {
  // "?1" for SQLite, "$1" for PostgreSQL.
  char placeholder_prefix;
  // Appended to a SELECT that must hold its row until COMMIT. Empty where
  // one writer serializes every write anyway (SQLite).
  const char* lock_clause;
  // Starts a read in which every statement sees the same committed state.
  const char* snapshot_begin;
  // Starts the schema migration: a transaction no other process can run at
  // the same time (processes that start together apply each migration once;
  // the others wait, then see it done).
  const char* migration_begin;
  // True where one writer serializes every write (SQLite): a write can then
  // append its own audit record without making other writers wait.
  bool one_writer;
};
inline constexpr SqlDialect kSqliteDialect{'?', "", "BEGIN", "BEGIN IMMEDIATE", true};
// The advisory lock is released by COMMIT or ROLLBACK, and when the
// connection dies; its key spells "scolio" in ASCII, easy to spot in pg_locks.
inline constexpr SqlDialect kPostgresDialect{
    '$', " FOR UPDATE", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    "BEGIN; SELECT pg_advisory_xact_lock(126896296306543)", false};

// A bind value that is bytes (a serialized proto), not text.
struct SqlBytes {
  std::string bytes;
  bool operator==(const SqlBytes& other) const { return bytes == other.bytes; }
};

// Collects bind values and hands out numbered placeholders. std::monostate
// binds NULL.
class SqlParams {
 public:
  using Value = std::variant<int64_t, std::string, SqlBytes, std::monostate>;
  explicit SqlParams(char placeholder_prefix = '?') : prefix_(placeholder_prefix) {}
  std::string Add(Value value);
  const std::vector<Value>& values() const { return values_; }

 private:
  char prefix_;
  std::vector<Value> values_;
};

// "INSERT INTO table (a, b, ...) VALUES (?1, ?2, ...)", each column's value
// added to `params`: a row layout written once, as a list of columns.
struct SqlColumn {
  const char* name;
  SqlParams::Value value;
};
std::string InsertSql(const char* table, std::initializer_list<SqlColumn> columns,
                      SqlParams& params);

// A query result: one backend's cursor, read front to back. Column
// accessors read the current row.
class ResultRows {
 public:
  virtual ~ResultRows() = default;
  // Moves to the next row; false after the last one (then not called again).
  virtual absl::StatusOr<bool> Next() = 0;
  virtual int64_t Int(int column) = 0;
  virtual double Double(int column) = 0;
  virtual std::string Text(int column) = 0;
  virtual std::string Bytes(int column) = 0;
};

// One connection inside a transaction or snapshot.
class SqlSession {
 public:
  virtual ~SqlSession() = default;
  // Runs `sql`; the rows are valid until the next call on this session.
  virtual absl::StatusOr<std::unique_ptr<ResultRows>> Query(const std::string& sql,
                                                            const SqlParams& params) = 0;
  // Runs `sql` and moves to its first row: null when there is none.
  absl::StatusOr<std::unique_ptr<ResultRows>> QueryRow(const std::string& sql,
                                                       const SqlParams& params);
  // Runs a statement that returns no rows (or whose rows do not matter).
  absl::Status Run(const std::string& sql, const SqlParams& params);
  // Runs one or more statements without bind values (BEGIN, migrations).
  virtual absl::Status RunScript(const std::string& sql) = 0;
};

class SqlExecutor {
 public:
  // `now_us` is a UTC create time unique to this run of the body and rising
  // across runs, also across restarts.
  using WriteBody = std::function<absl::Status(SqlSession& db, int64_t now_us)>;
  using ReadBody = std::function<absl::Status(SqlSession& db)>;

  virtual ~SqlExecutor() = default;
  // Runs `body` in one write transaction, committed durably before OK; rolled
  // back when the body fails. The body may run more than once (a retry
  // after a dead pooled connection, or a batch replayed after SQLite rolled
  // it back), so it must only touch the database and its own results.
  virtual absl::Status Write(const WriteBody& body) = 0;
  // Runs `body` on a read connection in one snapshot: every statement sees
  // the same committed state. May also run more than once.
  virtual absl::Status Read(const ReadBody& body) = 0;
  virtual SqlDialect dialect() const = 0;
};

}  // namespace scoliomassage::storage
