// Versioned schema migrations, one runner for every backend.
//
// Each backend keeps its SQL in migrations/<backend>/NNNN_name.sql with the
// same version numbers, so the schemas stay in step. CMake embeds the files
// (see embed_migrations.cmake); the store applies the pending ones when it
// opens and records each in schema_migrations(version, name, applied_at_us).
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "storage/sql_executor.h"

namespace scoliomassage::storage {

struct Migration {
  int version;
  absl::string_view name;
  absl::string_view sql;
};

// Ascending by version. Generated from migrations/sqlite/*.sql and
// migrations/postgresql/*.sql.
const std::vector<Migration>& SqliteMigrations();
const std::vector<Migration>& PostgresMigrations();

// Applies every migration the database has not recorded, in version order,
// all in one transaction that other processes cannot run at the same time
// (dialect.migration_begin). Versions need not be contiguous. FAILED_
// PRECONDITION when the database records a migration this build does not
// know (a downgrade would misread the data); an error names the migration
// that failed.
absl::Status ApplyMigrations(SqlSession& db, const SqlDialect& dialect,
                             const std::vector<Migration>& migrations, int64_t now_us);

}  // namespace scoliomassage::storage
