#include "storage/sqlite_executor.h"

#include <algorithm>
#include <utility>
#include <variant>

namespace scoliomassage::storage {
namespace {

// A stepped statement as the store reads it.
class StatementRows final : public ResultRows {
 public:
  explicit StatementRows(SqliteStatement statement) : statement_(std::move(statement)) {}
  absl::StatusOr<bool> Next() override { return statement_.Step(); }
  int64_t Int(int column) override { return statement_.ColumnInt(column); }
  double Double(int column) override { return statement_.ColumnDouble(column); }
  std::string Text(int column) override { return statement_.ColumnText(column); }
  std::string Bytes(int column) override { return statement_.ColumnBlob(column); }

 private:
  SqliteStatement statement_;
};

// The store's statements on one SQLite connection.
class SqliteSession final : public SqlSession {
 public:
  explicit SqliteSession(SqliteConnection& db) : db_(db) {}
  absl::StatusOr<std::unique_ptr<ResultRows>> Query(const std::string& sql,
                                                    const SqlParams& params) override;
  absl::Status RunScript(const std::string& sql) override { return db_.Exec(sql); }

 private:
  SqliteConnection& db_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ResultRows>> SqliteSession::Query(const std::string& sql,
                                                                 const SqlParams& params) {
  absl::StatusOr<SqliteStatement> statement = db_.Prepare(sql);
  if (!statement.ok()) return statement.status();
  int index = 1;
  for (const SqlParams::Value& value : params.values()) {
    if (const auto* number = std::get_if<int64_t>(&value)) {
      statement->BindInt(index++, *number);
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      statement->BindText(index++, *text);
    } else if (const auto* bytes = std::get_if<SqlBytes>(&value)) {
      statement->BindBlob(index++, bytes->bytes);
    } else {
      statement->BindNull(index++);
    }
  }
  return std::unique_ptr<ResultRows>(new StatementRows(*std::move(statement)));
}

SqliteExecutor::SqliteExecutor(std::unique_ptr<SqliteWriter> writer,
                               SqliteConnection::Options read_options, int max_idle_readers)
    : writer_(std::move(writer)), readers_([&] {
        read_options.read_only = true;
        ConnectionPool<SqliteConnection>::Options pool;
        pool.max_idle = static_cast<size_t>(std::max(1, max_idle_readers));
        pool.open = [read_options] { return SqliteConnection::Open(read_options); };
        // In WAL mode a reader sees the last commit and never waits for the
        // writer; but one must not keep a read transaction open: it would pin
        // old WAL frames and stop checkpoints.
        pool.keep = [](SqliteConnection& db) {
          if (db.InTransaction()) db.Exec("ROLLBACK").IgnoreError();
          return true;
        };
        return pool;
      }()) {}

absl::Status SqliteExecutor::Write(const WriteBody& body) {
  return writer_->Write([&body](SqliteConnection& db, int64_t now_us) {
    SqliteSession session(db);
    return body(session, now_us);
  });
}

absl::Status SqliteExecutor::Read(const ReadBody& body) {
  absl::StatusOr<ConnectionPool<SqliteConnection>::Lease> db = readers_.Borrow();
  if (!db.ok()) return db.status();
  // One read transaction: several statements see one snapshot. The pool
  // rolls back whatever a failed body left open.
  if (absl::Status begin = (*db)->Exec(kSqliteDialect.snapshot_begin); !begin.ok()) return begin;
  SqliteSession session(**db);
  absl::Status status = body(session);
  (*db)->Exec("COMMIT").IgnoreError();
  return status;
}

std::unique_ptr<SqlSession> SqliteSessionOn(SqliteConnection& db) { return std::make_unique<SqliteSession>(db); }

}  // namespace scoliomassage::storage
