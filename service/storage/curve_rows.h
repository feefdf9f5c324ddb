// The rows behind a curve measurement (migration 0003), written once for
// every backend: its stored form, its curve_revisions row, the request id
// that names it, and the patient's page. The same shape as outcome_rows.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "scoliomassage/v1/curve.pb.h"
#include "storage/request_claims.h"
#include "storage/sql_executor.h"
#include "storage/store.h"

namespace scoliomassage::storage {

inline constexpr char kRecordCurveOperation[] = "RecordCurveMeasurement";
inline constexpr char kAmendCurveOperation[] = "AmendCurveMeasurement";

// Output-only fields set; taken_at truncated to the microseconds the
// database keeps, so the blob and the columns agree.
v1::CurveMeasurement MakeStoredCurve(const v1::CurveMeasurement& input,
                                     const std::string& measurement_id, int32_t revision,
                                     int64_t create_time_us, const std::string& amend_reason);

// The patient's page order: taken_at descending, then id descending.
struct CurveListPosition {
  int64_t taken_at_us = 0;
  std::string measurement_id;
};
std::string EncodeCurveListToken(const CurveListPosition& position);
absl::StatusOr<CurveListPosition> DecodeCurveListToken(absl::string_view token,
                                                       absl::string_view field = "page_token");

class CurveRows {
 public:
  CurveRows(SqlSession& db, SqlDialect dialect) : db_(db), dialect_(dialect) {}

  // False when the revision number was taken meanwhile (an amendment of the
  // same measurement committed first, on PostgreSQL): the caller rolls back
  // and runs again, and then reads the new latest revision.
  absl::StatusOr<bool> InsertRevision(const std::string& clinic_id, const std::string& request_id,
                                      const v1::CurveMeasurement& stored,
                                      int64_t first_create_time_us);
  // One revision (0: the latest); NOT_FOUND otherwise, also for another
  // clinic's measurement.
  absl::StatusOr<v1::CurveMeasurement> Select(const std::string& clinic_id,
                                              const std::string& measurement_id,
                                              int32_t revision);
  struct Latest {
    int32_t revision = 0;
    int64_t first_create_time_us = 0;
  };
  // The latest revision, its row locked until COMMIT (PostgreSQL), so
  // amendments of one measurement take turns.
  absl::StatusOr<Latest> LockLatest(const std::string& clinic_id,
                                    const std::string& measurement_id);
  absl::StatusOr<std::optional<IdempotencyRecord>> FindRequest(const std::string& clinic_id,
                                                               const std::string& request_id);
  // False when another transaction holds the claim already.
  absl::StatusOr<bool> ClaimRequest(const std::string& clinic_id, const std::string& request_id,
                                    const std::string& operation, const std::string& fingerprint,
                                    const v1::CurveMeasurement& stored);
  absl::StatusOr<CurveMeasurementPage> List(const std::string& clinic_id,
                                            const std::string& patient_id, int page_size,
                                            const std::optional<CurveListPosition>& after);

 private:
  SqlParams Params() const { return SqlParams(dialect_.placeholder_prefix); }
  SqlSession& db_;
  const SqlDialect dialect_;
};

}  // namespace scoliomassage::storage
