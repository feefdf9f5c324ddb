// Row-level helpers of the PostgreSQL store, shared by its write path, its
// read path and the SQLite import.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "storage/outcome_queries.h"
#include "storage/postgres_connection.h"
#include "storage/store_common.h"  // IdempotencyRecord

namespace scoliomassage::storage {

// The stored record of (clinic_id, request_id), if any.
absl::StatusOr<std::optional<IdempotencyRecord>> FindPostgresRequest(PgConnection& db,
                                                                     const std::string& clinic_id,
                                                                     const std::string& request_id);

// Claims (clinic_id, request_id) for `stored`. False when another
// transaction holds the claim already (it committed first, or we waited for
// it to commit): the caller rolls back and replays the winner.
absl::StatusOr<bool> ClaimPostgresRequest(PgConnection& db, const std::string& clinic_id,
                                          const std::string& request_id,
                                          const std::string& operation,
                                          const std::string& fingerprint,
                                          const std::string& outcome_id, int32_t revision,
                                          int64_t create_time_us);

// Inserts one revision row (never updates).
absl::Status InsertPostgresRevision(PgConnection& db, const std::string& clinic_id,
                                    const std::string& request_id, const v1::Outcome& stored,
                                    int64_t first_create_time_us);

// One revision (0: the latest) in this clinic; NOT_FOUND otherwise.
absl::StatusOr<v1::Outcome> SelectPostgresOutcome(PgConnection& db, const std::string& clinic_id,
                                                  const std::string& outcome_id, int32_t revision);

// The shared query builder's bind values as libpq parameters.
std::vector<PgParam> ToPgParams(const SqlParams& params);

}  // namespace scoliomassage::storage
