#include "store_backends.h"

#include <cstdlib>
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "postgres_test_database.h"
#include "storage/postgres_connection.h"
#include "storage/sqlite_store.h"

namespace scoliomassage::storage::testing {
namespace {

// A real SQLite file in a temp folder, removed at the end of the test.
class SqliteEnvironment final : public BackendEnvironment {
 public:
  SqliteEnvironment() {
    std::random_device random;
    folder_ = std::filesystem::temp_directory_path() /
              absl::StrCat("scoliomassage-store-test-", random(), random());
    std::filesystem::create_directories(folder_);
  }
  ~SqliteEnvironment() override {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }

  absl::StatusOr<std::unique_ptr<Store>> Open() override {
    SqliteStoreOptions options;
    options.path = (folder_ / "outcomes.db").string();
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
    if (!store.ok()) return store.status();
    return std::unique_ptr<Store>(std::move(*store));
  }

  absl::Status SimulateDiskFull(Store& store, bool full) override {
    // max_page_count cannot go below the current size, so 1 means "no more
    // pages than now".
    return static_cast<SqliteStore&>(store).SetMaxPageCountForTesting(full ? 1 : 0);
  }

 private:
  std::filesystem::path folder_;
};

// A fresh database per test on the throwaway server that tests/run.sh starts
// (SCOLIOMASSAGE_TEST_POSTGRES_URL), dropped at the end. A whole database
// rather than a schema, so migrations, schema_migrations and advisory locks
// are exercised exactly as in production.
class PostgresEnvironment final : public BackendEnvironment {
 public:
  static absl::StatusOr<std::unique_ptr<BackendEnvironment>> Create(const std::string& admin_url) {
    absl::StatusOr<std::unique_ptr<PgConnection>> admin = PgConnection::Connect(admin_url);
    if (!admin.ok()) return admin.status();
    std::random_device random;
    const std::string database = absl::StrFormat("scoliomassage_store_%08x%08x", random(), random());
    if (absl::Status created = (*admin)->ExecScript(absl::StrCat("CREATE DATABASE ", database));
        !created.ok()) {
      return created;
    }
    return std::unique_ptr<BackendEnvironment>(
        new PostgresEnvironment(std::move(*admin), database, PostgresUrlWithDatabase(admin_url, database)));
  }

  ~PostgresEnvironment() override {
    // FORCE ends connections a failed test may have left open.
    admin_->ExecScript(absl::StrCat("DROP DATABASE IF EXISTS ", database_, " WITH (FORCE)"))
        .IgnoreError();
  }

  absl::StatusOr<std::unique_ptr<Store>> Open() override { return OpenStore(url_); }

  // PostgreSQL answers a write that cannot extend a file with SQLSTATE 53100
  // (disk_full) and rolls the transaction back. A trigger raises exactly that
  // on every new outcome row, so the store's mapping and its rollback are
  // what is tested; filling a real disk would need a mount and root.
  absl::Status SimulateDiskFull(Store& /*store*/, bool full) override {
    absl::StatusOr<std::unique_ptr<PgConnection>> connection = PgConnection::Connect(url_);
    if (!connection.ok()) return connection.status();
    if (!full) {
      return (*connection)->ExecScript(
          "DROP TRIGGER IF EXISTS simulated_disk_full ON outcome_revisions;"
          "DROP FUNCTION IF EXISTS simulated_disk_full();");
    }
    return (*connection)->ExecScript(
        "CREATE FUNCTION simulated_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'could not extend file: No space left on device' "
        "USING ERRCODE = 'disk_full'; END $$;"
        "CREATE TRIGGER simulated_disk_full BEFORE INSERT ON outcome_revisions "
        "FOR EACH ROW EXECUTE FUNCTION simulated_disk_full();");
  }

 private:
  PostgresEnvironment(std::unique_ptr<PgConnection> admin, std::string database, std::string url)
      : admin_(std::move(admin)), database_(std::move(database)), url_(std::move(url)) {}

  std::unique_ptr<PgConnection> admin_;
  const std::string database_;
  const std::string url_;
};

absl::StatusOr<std::unique_ptr<BackendEnvironment>> CreatePostgresEnvironment() {
  const char* url = std::getenv("SCOLIOMASSAGE_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') {
    return absl::FailedPreconditionError(
        "SCOLIOMASSAGE_TEST_POSTGRES_URL is not set: PostgreSQL conformance tests skipped");
  }
  return PostgresEnvironment::Create(url);
}

}  // namespace

std::vector<StoreBackend> AllStoreBackends() {
  return {
      {"Sqlite", [] { return absl::StatusOr<std::unique_ptr<BackendEnvironment>>(
                          std::make_unique<SqliteEnvironment>()); }},
      {"Postgres", CreatePostgresEnvironment},
  };
}

}  // namespace scoliomassage::storage::testing
