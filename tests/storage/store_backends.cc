#include "store_backends.h"

#include <cstdlib>
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
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

// PostgreSQL hook (issue 6). The test script starts a throwaway server and
// exports SCOLIOMASSAGE_TEST_POSTGRES_URL. To wire the backend:
//  1. return an environment that creates a fresh database (or schema) per
//     test on that server and drops it in its destructor;
//  2. have Open() call OpenStore(url_of_that_database);
//  3. SimulateDiskFull may stay UNIMPLEMENTED (the test skips).
absl::StatusOr<std::unique_ptr<BackendEnvironment>> CreatePostgresEnvironment() {
  const char* url = std::getenv("SCOLIOMASSAGE_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') {
    return absl::FailedPreconditionError(
        "SCOLIOMASSAGE_TEST_POSTGRES_URL is not set: PostgreSQL conformance tests skipped");
  }
  return absl::FailedPreconditionError(
      "the PostgreSQL test environment is not written yet (tests/storage/store_backends.cc)");
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
