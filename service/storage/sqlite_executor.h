// The SQL store's executor on SQLite: writes are units of work for the
// group-committing SqliteWriter, reads run on borrowed WAL read connections,
// so they never queue behind the writer.
#pragma once

#include <memory>

#include "storage/connection_pool.h"
#include "storage/sql_executor.h"
#include "storage/sqlite_writer.h"

namespace scoliomassage::storage {

class SqliteExecutor final : public SqlExecutor {
 public:
  // Read connections are opened with `read_options` as needed (query_only);
  // at most `max_idle_readers` are kept between calls.
  SqliteExecutor(std::unique_ptr<SqliteWriter> writer, SqliteConnection::Options read_options,
                 int max_idle_readers);

  absl::Status Write(const WriteBody& body) override;
  absl::Status Read(const ReadBody& body) override;
  SqlDialect dialect() const override { return kSqliteDialect; }

  SqliteWriter& writer() { return *writer_; }

 private:
  std::unique_ptr<SqliteWriter> writer_;
  ConnectionPool<SqliteConnection> readers_;
};

// The store's statements on `db`, outside the executor (opening a store).
std::unique_ptr<SqlSession> SqliteSessionOn(SqliteConnection& db);

}  // namespace scoliomassage::storage
