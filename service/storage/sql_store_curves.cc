// SqlStore: curve measurements. The same guarantees as outcomes
// (sql_store.h): request ids claimed in the transaction that stores the
// revision, amendments numbered under the latest row's lock, acknowledged
// only after a durable COMMIT.
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/random_id.h"
#include "core/curve_validation.h"
#include "core/errors.h"
#include "storage/curve_rows.h"
#include "storage/outcome_fingerprint.h"
#include "storage/revision_write.h"
#include "storage/sql_store.h"
#include "storage/store_common.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {
namespace {

// A lost claim or a lost revision number each cost one more run; racing
// amendments of one measurement take turns through this loop.
constexpr int kClaimAttempts = 8;

struct NewCurveRevision {
  v1::CurveMeasurement stored;
  int64_t first_create_time_us = 0;
};

}  // namespace

absl::StatusOr<v1::CurveMeasurement> SqlStore::RecordCurveMeasurement(
    const std::string& clinic_id, const std::string& request_id,
    const v1::CurveMeasurement& measurement) {
  return WriteClaimedRevision<v1::CurveMeasurement, CurveRows>(
      *executor_, dialect_, clinic_id, request_id, kRecordCurveOperation,
      RecordCurveFingerprint(measurement), kClaimAttempts, /*audit=*/nullptr,
      [&](CurveRows&, int64_t now_us) -> absl::StatusOr<NewCurveRevision> {
        absl::StatusOr<std::string> id = base::RandomHexId();
        if (!id.ok()) return id.status();
        return NewCurveRevision{MakeStoredCurve(measurement, *id, 1, now_us, ""), now_us};
      });
}

absl::StatusOr<v1::CurveMeasurement> SqlStore::AmendCurveMeasurement(
    const std::string& clinic_id, const std::string& request_id, const std::string& name,
    const v1::CurveMeasurement& corrected, const std::string& reason) {
  absl::StatusOr<std::string> id = core::ParseCurveMeasurementName(name);
  if (!id.ok()) return id.status();
  return WriteClaimedRevision<v1::CurveMeasurement, CurveRows>(
      *executor_, dialect_, clinic_id, request_id, kAmendCurveOperation,
      AmendCurveFingerprint(name, corrected, reason), kClaimAttempts, /*audit=*/nullptr,
      [&](CurveRows& rows, int64_t now_us) -> absl::StatusOr<NewCurveRevision> {
        absl::StatusOr<CurveRows::Latest> latest = rows.LockLatest(clinic_id, *id);
        if (!latest.ok()) return latest.status();
        return NewCurveRevision{
            MakeStoredCurve(corrected, *id, latest->revision + 1, now_us, reason),
            latest->first_create_time_us};
      });
}

absl::StatusOr<v1::CurveMeasurement> SqlStore::GetCurveMeasurement(const std::string& clinic_id,
                                                                   const std::string& name,
                                                                   int32_t revision) {
  absl::StatusOr<std::string> id = core::ParseCurveMeasurementName(name);
  if (!id.ok()) return id.status();
  if (revision < 0) {
    return core::InvalidField("revision", "must be 0 (latest) or a positive revision number");
  }
  absl::StatusOr<v1::CurveMeasurement> result;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    result = CurveRows(db, dialect_).Select(clinic_id, *id, revision);
    return result.status();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<CurveMeasurementPage> SqlStore::ListCurveMeasurements(
    const std::string& clinic_id, const std::string& patient_id, int page_size,
    const std::string& page_token) {
  if (page_size < 1) return core::InvalidField("page_size", "must be 1 or more");
  std::optional<CurveListPosition> after;
  if (!page_token.empty()) {
    absl::StatusOr<CurveListPosition> position = DecodeCurveListToken(page_token);
    if (!position.ok()) return position.status();
    after = *std::move(position);
  }
  absl::StatusOr<CurveMeasurementPage> result;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    result = CurveRows(db, dialect_).List(clinic_id, patient_id, page_size, after);
    return result.status();
  });
  if (!status.ok()) return status;
  return result;
}

// Not a curve, but the same kind of primary read: what an outcome's
// recommendation_id names.
absl::StatusOr<StoredRecommendation> SqlStore::GetRecommendation(
    const std::string& clinic_id, const std::string& recommendation_id) {
  absl::StatusOr<StoredRecommendation> result;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    SqlParams p(dialect_.placeholder_prefix);
    absl::StatusOr<std::unique_ptr<ResultRows>> row = db.QueryRow(
        absl::StrCat("SELECT request_proto, response_proto FROM recommendations WHERE clinic_id = ",
                     p.Add(clinic_id), " AND recommendation_id = ", p.Add(recommendation_id)),
        p);
    if (!row.ok()) return row.status();
    if (*row == nullptr) {
      result = absl::NotFoundError(
          absl::StrCat("recommendation ", recommendation_id, " not found"));
      return absl::OkStatus();
    }
    StoredRecommendation stored;
    if (!stored.request.ParseFromString((*row)->Bytes(0)) ||
        !stored.response.ParseFromString((*row)->Bytes(1))) {
      result = core::WithReason(absl::DataLossError("a stored recommendation cannot be decoded"),
                                kReasonStoreCorrupt);
      return absl::OkStatus();
    }
    if (absl::StatusOr<bool> end = (*row)->Next(); !end.ok()) return end.status();
    result = std::move(stored);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

}  // namespace scoliomassage::storage
