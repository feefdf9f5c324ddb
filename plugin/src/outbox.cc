#include "outbox.h"

#include <sqlite3.h>

#include <algorithm>
#include <string>

namespace scoliomassage::plugin {
namespace {

constexpr int kBusyTimeoutMs = 2000;

grpc::Status SqliteError(sqlite3* db, const std::string& what) {
  return grpc::Status(grpc::StatusCode::INTERNAL,
                      "outbox: " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// Finalizes on every return path.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK; }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return ok_; }
  sqlite3_stmt* get() const { return stmt_; }
  void BindText(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void BindBlob(int index, const std::string& blob) {
    sqlite3_bind_blob(stmt_, index, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  }
  std::string ColumnBytes(int column) const {
    const void* data = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    return data ? std::string(static_cast<const char*>(data), static_cast<std::size_t>(size)) : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool ok_ = false;
};

// MarkRejected and MarkAttempt: counts one more delivery attempt of
// request_id with its code and error; `update_sql` binds ?1 request_id,
// ?2 code, ?3 error.
grpc::Status RecordAttempt(sqlite3* db, const char* update_sql, const std::string& request_id,
                           int code, const std::string& error) {
  Statement update(db, update_sql);
  if (!update.ok()) return SqliteError(db, "prepare update");
  update.BindText(1, request_id);
  sqlite3_bind_int(update.get(), 2, code);
  update.BindText(3, error);
  if (sqlite3_step(update.get()) != SQLITE_DONE) return SqliteError(db, "update");
  return grpc::Status::OK;
}

}  // namespace

grpc::Status Outbox::Open(const std::string& path, std::unique_ptr<Outbox>* out) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    grpc::Status status = SqliteError(db, "cannot open '" + path + "'");
    sqlite3_close(db);
    return status;
  }
  std::unique_ptr<Outbox> outbox(new Outbox(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // WAL + FULL: a committed row survives a power cut, not only a crash.
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                          "CREATE TABLE IF NOT EXISTS outbox ("
                          "  request_id TEXT PRIMARY KEY,"
                          "  method TEXT NOT NULL,"
                          "  payload BLOB NOT NULL,"
                          "  queued_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
                          "  state TEXT NOT NULL DEFAULT 'pending'"
                          "    CHECK (state IN ('pending','rejected')),"
                          "  attempts INTEGER NOT NULL DEFAULT 0,"
                          "  last_code INTEGER,"
                          "  last_error TEXT)"}) {
    if (auto status = outbox->Execute(sql); !status.ok()) {
      return grpc::Status(status.error_code(),
                          status.error_message() + " (outbox file '" + path + "')");
    }
  }
  long pending = 0;
  std::vector<RejectedRequest> rejected;
  if (auto status = outbox->Counts(&pending, &rejected); !status.ok()) return status;
  *out = std::move(outbox);
  return grpc::Status::OK;
}

void Outbox::AdjustPending(long delta) {
  long now = pending_.load(std::memory_order_relaxed);
  while (!pending_.compare_exchange_weak(now, std::max(0L, now + delta),
                                         std::memory_order_relaxed)) {
  }
}

Outbox::~Outbox() { sqlite3_close(db_); }

grpc::Status Outbox::Execute(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    grpc::Status status(grpc::StatusCode::INTERNAL,
                        std::string("outbox: ") + (message ? message : "error"));
    sqlite3_free(message);
    return status;
  }
  return grpc::Status::OK;
}

grpc::Status Outbox::Enqueue(const std::string& request_id, const std::string& payload) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement insert(db_,
                   "INSERT OR IGNORE INTO outbox (request_id, method, payload) "
                   "VALUES (?1, 'scoliomassage.v1.OutcomeService/LogOutcome', ?2)");
  if (!insert.ok()) return SqliteError(db_, "prepare insert");
  insert.BindText(1, request_id);
  insert.BindBlob(2, payload);
  if (sqlite3_step(insert.get()) != SQLITE_DONE) return SqliteError(db_, "insert");
  AdjustPending(sqlite3_changes(db_));
  return grpc::Status::OK;
}

grpc::Status Outbox::Pending(long long after_sequence, int limit,
                             std::vector<QueuedRequest>* out) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement select(db_,
                   "SELECT rowid, request_id, payload FROM outbox "
                   "WHERE state = 'pending' AND rowid > ?1 ORDER BY rowid LIMIT ?2");
  if (!select.ok()) return SqliteError(db_, "prepare select");
  sqlite3_bind_int64(select.get(), 1, after_sequence);
  sqlite3_bind_int(select.get(), 2, limit);
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    out->push_back({sqlite3_column_int64(select.get(), 0), select.ColumnBytes(1),
                    select.ColumnBytes(2)});
  }
  if (step != SQLITE_DONE) return SqliteError(db_, "select");
  return grpc::Status::OK;
}

grpc::Status Outbox::MarkDelivered(const std::string& request_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement remove(db_, "DELETE FROM outbox WHERE request_id = ?1");
  if (!remove.ok()) return SqliteError(db_, "prepare delete");
  remove.BindText(1, request_id);
  if (sqlite3_step(remove.get()) != SQLITE_DONE) return SqliteError(db_, "delete");
  AdjustPending(-sqlite3_changes(db_));
  return grpc::Status::OK;
}

grpc::Status Outbox::MarkRejected(const std::string& request_id, int code,
                                  const std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  grpc::Status status = RecordAttempt(db_,
                                      "UPDATE outbox SET state = 'rejected', attempts = attempts + 1, "
                                      "last_code = ?2, last_error = ?3 "
                                      "WHERE request_id = ?1 AND state = 'pending'",
                                      request_id, code, error);
  if (status.ok()) AdjustPending(-sqlite3_changes(db_));
  return status;
}

grpc::Status Outbox::MarkAttempt(const std::string& request_id, int code,
                                 const std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  return RecordAttempt(db_,
                       "UPDATE outbox SET attempts = attempts + 1, last_code = ?2, last_error = ?3 "
                       "WHERE request_id = ?1",
                       request_id, code, error);
}

grpc::Status Outbox::Counts(long* pending, std::vector<RejectedRequest>* rejected) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement count(db_, "SELECT count(*) FROM outbox WHERE state = 'pending'");
  if (!count.ok() || sqlite3_step(count.get()) != SQLITE_ROW) return SqliteError(db_, "count");
  *pending = static_cast<long>(sqlite3_column_int64(count.get(), 0));
  pending_.store(*pending, std::memory_order_relaxed);

  Statement select(db_,
                   "SELECT request_id, last_code, last_error FROM outbox "
                   "WHERE state = 'rejected' ORDER BY rowid");
  if (!select.ok()) return SqliteError(db_, "prepare select rejected");
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    rejected->push_back({select.ColumnBytes(0), sqlite3_column_int(select.get(), 1),
                         select.ColumnBytes(2)});
  }
  if (step != SQLITE_DONE) return SqliteError(db_, "select rejected");
  return grpc::Status::OK;
}

}  // namespace scoliomassage::plugin
