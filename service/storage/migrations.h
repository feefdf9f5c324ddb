// Versioned schema migrations, shared in shape by every backend.
//
// Each backend keeps its SQL in migrations/<backend>/NNNN_name.sql with the
// same version numbers, so the schemas stay in step. CMake embeds the files
// (see embed_migrations.cmake); the backend applies the pending ones at start
// and records each in schema_migrations(version, name, applied_at_us).
#pragma once

#include <functional>
#include <vector>

#include "absl/status/status.h"

#include "absl/strings/string_view.h"

namespace scoliomassage::storage {

struct Migration {
  int version;
  absl::string_view name;
  absl::string_view sql;
};

// Ascending by version. Generated from migrations/sqlite/*.sql.
const std::vector<Migration>& SqliteMigrations();

// The backend-neutral part of applying migrations, inside the backend's
// transaction: FAILED_PRECONDITION when the database (at version `current`)
// is newer than this build knows; otherwise each newer migration in order
// through `run` (its SQL; an error names the migration) and then `record`
// (its row in schema_migrations).
absl::Status ApplyNewerMigrations(const std::vector<Migration>& migrations, int current,
                                  const std::function<absl::Status(const Migration&)>& run,
                                  const std::function<absl::Status(const Migration&)>& record);

}  // namespace scoliomassage::storage
