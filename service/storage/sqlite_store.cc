// SqliteStore: opening the file. Every Store method is SqlStore's.
#include "storage/sqlite_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/migrations.h"

namespace scoliomassage::storage {

SqliteStore::SqliteStore(std::unique_ptr<SqliteExecutor> executor, int64_t default_max_page_count)
    : SqlStore(std::move(executor)),
      writer_(static_cast<SqliteExecutor&>(this->executor()).writer()),
      default_max_page_count_(default_max_page_count) {}

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  if (options.synchronous != "FULL" && options.synchronous != "NORMAL" &&
      options.synchronous != "EXTRA") {
    return absl::InvalidArgumentError(absl::StrCat(
        "synchronous must be FULL, EXTRA or NORMAL, got \"", options.synchronous, "\""));
  }
  SqliteConnection::Options connection_options;
  connection_options.path = options.path;
  connection_options.synchronous = options.synchronous;
  connection_options.busy_timeout_ms = options.busy_timeout_ms;
  absl::StatusOr<std::unique_ptr<SqliteConnection>> db = SqliteConnection::Open(connection_options);
  if (!db.ok()) return db.status();
  // Create times must keep increasing across restarts: the history order and
  // its resume tokens depend on it.
  absl::StatusOr<int64_t> last_time_us = MigrateAndReadNewestCreateTime(
      *SqliteSessionOn(**db), kSqliteDialect, SqliteMigrations());
  if (!last_time_us.ok()) return last_time_us.status();
  int64_t default_max_page_count = 0;
  {
    absl::StatusOr<SqliteStatement> pages = (*db)->Prepare("PRAGMA max_page_count");
    if (!pages.ok()) return pages.status();
    if (absl::StatusOr<bool> row = pages->Step(); !row.ok()) return row.status();
    default_max_page_count = pages->ColumnInt(0);
  }
  if (options.max_page_count > 0) {
    if (absl::Status status =
            (*db)->Exec(absl::StrCat("PRAGMA max_page_count=", options.max_page_count));
        !status.ok()) {
      return status;
    }
  }
  auto writer = std::make_unique<SqliteWriter>(std::move(*db), *last_time_us, options.max_batch);
  auto executor = std::make_unique<SqliteExecutor>(std::move(writer), connection_options,
                                                   options.max_idle_readers);
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(executor), default_max_page_count));
}

absl::Status SqliteStore::SetMaxPageCountForTesting(int64_t pages) {
  const int64_t limit = pages > 0 ? pages : default_max_page_count_;
  return writer_.Control([limit](SqliteConnection& db) {
    return db.Exec(absl::StrCat("PRAGMA max_page_count=", limit));
  });
}

}  // namespace scoliomassage::storage
