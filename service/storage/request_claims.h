// The request-id claim tables (idempotency_keys for outcomes,
// curve_request_ids for curve measurements): one row per (clinic_id,
// request_id) naming what the first request stored. Read and claimed the
// same way for every record kind; only the table and its id column differ.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "storage/sql_executor.h"

namespace scoliomassage::storage {

// What the first request with a request_id stored.
struct IdempotencyRecord {
  std::string operation;
  std::string fingerprint;
  std::string outcome_id;  // the record's id (an outcome or a measurement)
  int32_t revision = 0;
};

struct ClaimTable {
  const char* table;
  const char* id_column;
};
inline constexpr ClaimTable kOutcomeClaims{"idempotency_keys", "outcome_id"};
inline constexpr ClaimTable kCurveClaims{"curve_request_ids", "measurement_id"};

absl::StatusOr<std::optional<IdempotencyRecord>> FindClaim(SqlSession& db, const SqlDialect& dialect,
                                                           const ClaimTable& table,
                                                           const std::string& clinic_id,
                                                           const std::string& request_id);

// False when another transaction holds the claim already (it committed
// first, or we waited for it to commit): the caller rolls back and replays.
absl::StatusOr<bool> InsertClaim(SqlSession& db, const SqlDialect& dialect, const ClaimTable& table,
                                 const std::string& clinic_id, const std::string& request_id,
                                 const std::string& operation, const std::string& fingerprint,
                                 const std::string& record_id, int32_t revision,
                                 int64_t create_time_us);

}  // namespace scoliomassage::storage
