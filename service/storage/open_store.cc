// OpenStore: from a --database URL to a Store.
//
// SQLite durability (sqlite://PATH?synchronous=...):
//  * FULL (default): every acknowledged outcome is fsynced to the WAL before
//    the caller hears OK, so it survives a process kill, an OS crash and a
//    power loss. Group commit keeps the cost at one fsync per batch.
//  * NORMAL: in WAL mode SQLite then fsyncs only at checkpoints. A killed
//    process still loses nothing, but an OS crash or power loss can drop the
//    last acknowledged transactions (never corrupts the file). Use it only
//    where the host can replay recent writes, e.g. a throwaway test database.
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "storage/database_url.h"
#include "storage/postgres_options.h"
#include "storage/postgres_store.h"
#include "storage/sqlite_store.h"
#include "storage/store.h"

namespace scoliomassage::storage {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& database_url) {
  absl::StatusOr<DatabaseUrl> url = ParseDatabaseUrl(database_url);
  if (!url.ok()) return url.status();

  if (url->backend == DatabaseUrl::Backend::kPostgres) {
    absl::StatusOr<PostgresOptions> options = ParsePostgresUrl(url->postgres_url);
    if (!options.ok()) return options.status();
    absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(*options);
    if (!store.ok()) return store.status();
    return std::unique_ptr<Store>(std::move(*store));
  }

  const std::filesystem::path parent = std::filesystem::path(url->sqlite_path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return absl::UnavailableError(absl::StrCat("cannot create the database folder ",
                                                 parent.string(), ": ", error.message()));
    }
  }
  SqliteStoreOptions options;
  options.path = url->sqlite_path;
  options.synchronous = url->sqlite_synchronous;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace scoliomassage::storage
