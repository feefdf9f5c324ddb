// Backends the Store conformance suite runs against.
//
// HOW TO ADD A BACKEND (e.g. PostgreSQL): write a BackendEnvironment whose
// Open() returns a Store over a fresh, empty database that belongs to this
// one test, and register a factory in AllStoreBackends() (store_backends.cc).
// The PostgreSQL hook is already there: fill CreatePostgresEnvironment().
#pragma once

#include <functional>
#include <ostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/store.h"

namespace scoliomassage::storage::testing {

// One test's private database.
class BackendEnvironment {
 public:
  virtual ~BackendEnvironment() = default;
  // A Store over this environment's database. Called again after the
  // previous Store was destroyed, to check that acknowledged data survives.
  virtual absl::StatusOr<std::unique_ptr<Store>> Open() = 0;
  // full=true: later writes that need space fail as on a full disk;
  // full=false: space is back.
  virtual absl::Status SimulateDiskFull(Store& store, bool full) = 0;
};

struct StoreBackend {
  std::string name;  // a gtest name: letters and digits only
  // FAILED_PRECONDITION means "not available here" and skips the tests
  // (e.g. no PostgreSQL URL in the environment); other errors fail them.
  std::function<absl::StatusOr<std::unique_ptr<BackendEnvironment>>()> create;
};

std::vector<StoreBackend> AllStoreBackends();

// So gtest prints "Sqlite" rather than the struct's bytes.
inline void PrintTo(const StoreBackend& backend, std::ostream* out) { *out << backend.name; }

}  // namespace scoliomassage::storage::testing
