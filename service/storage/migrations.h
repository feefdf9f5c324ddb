// Versioned schema migrations, shared in shape by every backend.
//
// Each backend keeps its SQL in migrations/<backend>/NNNN_name.sql with the
// same version numbers, so the schemas stay in step. CMake embeds the files
// (see embed_migrations.cmake); the backend applies the pending ones at start
// and records each in schema_migrations(version, name, applied_at_us).
#pragma once

#include <vector>

#include "absl/strings/string_view.h"

namespace scoliomassage::storage {

struct Migration {
  int version;
  absl::string_view name;
  absl::string_view sql;
};

// Ascending by version. Generated from migrations/sqlite/*.sql.
const std::vector<Migration>& SqliteMigrations();

}  // namespace scoliomassage::storage
