// Row-level helpers shared by the SQLite store's write and read paths.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "storage/outcome_queries.h"
#include "storage/sqlite_connection.h"

namespace scoliomassage::storage {

// Builds the stored form of a revision: output-only fields set, performed_at
// truncated to the microseconds the database keeps, so the blob and the
// structured columns agree.
v1::Outcome MakeStoredOutcome(const v1::Outcome& input, const std::string& outcome_id,
                              int32_t revision, int64_t create_time_us,
                              const std::string& amend_reason);

// Inserts one revision row (never updates).
absl::Status InsertOutcomeRevision(SqliteConnection& db, const std::string& clinic_id,
                                   const std::string& request_id, const v1::Outcome& stored,
                                   int64_t first_create_time_us);

// One revision (0: the latest) of an outcome in this clinic; NOT_FOUND
// otherwise, worded so another clinic's outcome looks like a missing one.
absl::StatusOr<v1::Outcome> SelectOutcome(SqliteConnection& db, const std::string& clinic_id,
                                          const std::string& outcome_id, int32_t revision);

absl::StatusOr<v1::Outcome> ParseStoredOutcome(const std::string& bytes);

// Prepares `sql` and binds `params` in order.
absl::StatusOr<SqliteStatement> PrepareWithParams(SqliteConnection& db, const std::string& sql,
                                                  const SqlParams& params);

}  // namespace scoliomassage::storage
