#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "storage/migrations.h"
#include "storage/sqlite_connection.h"

namespace scoliomassage::storage {

// Applies the migrations newer than the database's schema version, all in
// one BEGIN IMMEDIATE transaction so two processes starting together cannot
// both apply them. FAILED_PRECONDITION when the database is newer than this
// binary (a downgrade would misread the data).
absl::Status ApplySqliteMigrations(SqliteConnection& db, const std::vector<Migration>& migrations,
                                   int64_t now_us);

}  // namespace scoliomassage::storage
