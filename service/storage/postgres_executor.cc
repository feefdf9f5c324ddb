#include "storage/postgres_executor.h"

#include <algorithm>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "storage/outcome_ids.h"

namespace scoliomassage::storage {
namespace {

// A fetched result as the store reads it.
class PgResultRows final : public ResultRows {
 public:
  explicit PgResultRows(PgResult result) : result_(std::move(result)) {}
  absl::StatusOr<bool> Next() override { return ++row_ < result_.rows(); }
  int64_t Int(int column) override { return result_.Int(row_, column); }
  double Double(int column) override { return result_.Double(row_, column); }
  std::string Text(int column) override { return result_.Text(row_, column); }
  std::string Bytes(int column) override { return result_.Bytes(row_, column); }

 private:
  PgResult result_;
  int row_ = -1;
};

// The store's statements on one PostgreSQL connection.
class PostgresSession final : public SqlSession {
 public:
  explicit PostgresSession(PgConnection& db) : db_(db) {}
  absl::StatusOr<std::unique_ptr<ResultRows>> Query(const std::string& sql,
                                                    const SqlParams& params) override;
  absl::Status RunScript(const std::string& sql) override { return db_.ExecScript(sql); }

 private:
  PgConnection& db_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ResultRows>> PostgresSession::Query(const std::string& sql,
                                                                   const SqlParams& params) {
  std::vector<PgParam> converted;
  for (const SqlParams::Value& value : params.values()) {
    if (const auto* number = std::get_if<int64_t>(&value)) {
      converted.push_back(PgParam::Int(*number));
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      converted.push_back(PgParam::Text(*text));
    } else if (const auto* bytes = std::get_if<SqlBytes>(&value)) {
      converted.push_back(PgParam::Bytes(bytes->bytes));
    } else {
      converted.push_back(PgParam::Null());
    }
  }
  absl::StatusOr<PgResult> result = db_.Exec(sql, converted);
  if (!result.ok()) return result.status();
  return std::unique_ptr<ResultRows>(new PgResultRows(*std::move(result)));
}

PostgresExecutor::PostgresExecutor(const PostgresOptions& options, int64_t last_time_us)
    : pool_([&] {
        ConnectionPool<PgConnection>::Options pool;
        pool.max_open = options.pool_size;
        pool.max_idle = static_cast<size_t>(options.pool_size);
        pool.wait = options.pool_wait;
        pool.open = [conninfo = options.conninfo] { return PgConnection::Connect(conninfo); };
        pool.keep = [](PgConnection& db) { return !db.broken(); };
        return pool;
      }()),
      last_time_us_(last_time_us) {}

int64_t PostgresExecutor::NextCreateTime() {
  int64_t last = last_time_us_.load();
  for (;;) {
    const int64_t next = std::max(NowMicros(), last + 1);
    if (last_time_us_.compare_exchange_weak(last, next)) return next;
  }
}

absl::Status PostgresExecutor::Write(const WriteBody& body) {
  // The lock is taken before the create time (see kWriterLockKey).
  static const std::string begin =
      "BEGIN; SELECT pg_advisory_xact_lock_shared(" + std::to_string(kWriterLockKey) + ")";
  return Run(begin.c_str(), [&](SqlSession& db) { return body(db, NextCreateTime()); });
}

absl::Status PostgresExecutor::Read(const ReadBody& body) { return Run(kPostgresDialect.snapshot_begin, body); }

absl::Status PostgresExecutor::Run(const char* begin,
                                   const std::function<absl::Status(SqlSession&)>& body) {
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<ConnectionPool<PgConnection>::Lease> lease = pool_.Borrow();
    if (!lease.ok()) return lease.status();
    PgConnection& db = **lease;
    const bool reused = lease->reused();
    bool commit_sent = false;
    absl::Status status = db.ExecScript(begin);
    if (status.ok()) {
      PostgresSession session(db);
      status = body(session);
    }
    if (status.ok()) {
      commit_sent = true;
      status = db.ExecScript("COMMIT");
    } else if (!db.broken()) {
      db.ExecScript("ROLLBACK").IgnoreError();
    }
    if (!status.ok() && db.broken() && reused && !commit_sent && attempt == 1) continue;
    return status;
  }
}

std::unique_ptr<SqlSession> PostgresSessionOn(PgConnection& db) { return std::make_unique<PostgresSession>(db); }

}  // namespace scoliomassage::storage
