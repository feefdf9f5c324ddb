// Schema migrations for PostgreSQL: the same versions as SQLite's, applied
// in one transaction under an advisory lock, so instances that start together
// apply each migration exactly once and the others wait, then see it done.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/migrations.h"
#include "storage/postgres_connection.h"

namespace scoliomassage::storage {

// Ascending by version. Generated from migrations/postgresql/*.sql.
const std::vector<Migration>& PostgresMigrations();

absl::Status ApplyPostgresMigrations(PgConnection& db, const std::vector<Migration>& migrations,
                                     int64_t now_us);

}  // namespace scoliomassage::storage
