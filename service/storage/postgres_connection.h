// A thin RAII layer over libpq: one connection, its prepared statements, and
// the single place where PostgreSQL errors become absl::Status.
//
// Why libpq rather than libpqxx: the store needs the SQLSTATE of every
// failure and the connection's health after it (to discard a broken
// connection and to answer UNAVAILABLE), per-parameter binary format for
// BYTEA, and no exceptions on the call path. libpq gives all of that in a
// few lines.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct pg_conn;
struct pg_result;

namespace scoliomassage::storage {

// One bind value. Text values let the server infer the type from context
// ("42" binds to a BIGINT column); bytes go in binary format for BYTEA.
struct PgParam {
  std::string value;
  bool binary = false;
  bool null = false;

  static PgParam Text(std::string text) { return {std::move(text), false}; }
  static PgParam Int(int64_t number) { return {std::to_string(number), false}; }
  static PgParam Bytes(std::string bytes) { return {std::move(bytes), true}; }
  static PgParam Null() { return {std::string(), false, true}; }
};

class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;
  ~PgResult();

  int rows() const;
  std::string Text(int row, int column) const;
  bool IsNull(int row, int column) const;
  int64_t Int(int row, int column) const;
  double Double(int row, int column) const;
  // A BYTEA column (text result format, hex-escaped by the server).
  std::string Bytes(int row, int column) const;

 private:
  pg_result* result_;
};

// Maps a failed result (or a failed connection when result is null) to the
// store's error vocabulary:
//  * connection lost, server shutting down or starting, too many
//    connections -> UNAVAILABLE STORE_UNAVAILABLE;
//  * serialization failure, deadlock, lock or statement timeout ->
//    UNAVAILABLE STORE_BUSY (safe to retry);
//  * disk full -> RESOURCE_EXHAUSTED STORE_DISK_FULL;
//  * anything else -> INTERNAL STORE_ERROR.
absl::Status PostgresStatus(absl::string_view sqlstate, absl::string_view message,
                            bool connection_broken, absl::string_view context);

class PgConnection {
 public:
  // Connects with libpq's conninfo (URL or key=value). A refused or timed out
  // connection is UNAVAILABLE STORE_UNAVAILABLE.
  static absl::StatusOr<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with parameters ($1..$n). Statements are prepared
  // once per connection and reused (up to a bounded number of distinct SQL
  // texts; beyond that they run unprepared).
  absl::StatusOr<PgResult> Exec(const std::string& sql, const std::vector<PgParam>& params = {});
  // Runs a script of one or more statements without parameters (BEGIN,
  // COMMIT, migrations).
  absl::Status ExecScript(const std::string& sql);

  // True once the server has gone away under this connection; the pool then
  // drops it instead of reusing it.
  bool broken() const;

 private:
  explicit PgConnection(pg_conn* connection) : connection_(connection) {}
  absl::Status ErrorFrom(pg_result* result, absl::string_view context);
  absl::StatusOr<std::string> PreparedName(const std::string& sql, int param_count);

  pg_conn* connection_;
  bool broken_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

}  // namespace scoliomassage::storage
