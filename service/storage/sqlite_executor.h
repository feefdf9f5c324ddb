// The SQL store's executor on SQLite: writes are units of work for the
// group-committing SqliteWriter, reads run on borrowed WAL read connections,
// so they never queue behind the writer.
#pragma once

#include <memory>

#include "storage/sql_executor.h"
#include "storage/sqlite_reader_pool.h"
#include "storage/sqlite_writer.h"

namespace scoliomassage::storage {

class SqliteExecutor final : public SqlExecutor {
 public:
  SqliteExecutor(std::unique_ptr<SqliteWriter> writer, SqliteConnection::Options read_options,
                 int max_idle_readers)
      : writer_(std::move(writer)), readers_(std::move(read_options), max_idle_readers) {}

  absl::Status Write(const WriteBody& body) override;
  absl::Status Read(const ReadBody& body) override;
  SqlDialect dialect() const override { return kSqliteDialect; }

  SqliteWriter& writer() { return *writer_; }

 private:
  std::unique_ptr<SqliteWriter> writer_;
  SqliteReaderPool readers_;
};

// The store's statements on `db`, outside the executor (opening a store).
std::unique_ptr<SqlSession> SqliteSessionOn(SqliteConnection& db);

}  // namespace scoliomassage::storage
