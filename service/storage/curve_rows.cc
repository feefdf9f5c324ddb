#include "storage/curve_rows.h"

#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/curve_validation.h"
#include "core/errors.h"
#include "core/outcome_validation.h"
#include "storage/outcome_ids.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {
namespace {

std::string IdOf(const v1::CurveMeasurement& stored) {
  return stored.name().substr(sizeof("curveMeasurements/") - 1);
}

absl::Status NotFound(const std::string& measurement_id, int32_t revision) {
  const std::string name = core::CurveMeasurementName(measurement_id);
  return absl::NotFoundError(revision == 0
                                 ? absl::StrCat("curve measurement ", name, " not found")
                                 : absl::StrCat("curve measurement ", name, " revision ", revision,
                                                " not found"));
}

absl::StatusOr<v1::CurveMeasurement> Parse(const std::string& bytes) {
  v1::CurveMeasurement measurement;
  if (!measurement.ParseFromString(bytes)) {
    return core::WithReason(absl::DataLossError("a stored curve measurement cannot be decoded"),
                            kReasonStoreCorrupt);
  }
  return measurement;
}

bool IsHexId(absl::string_view id) {
  if (id.size() != static_cast<size_t>(core::kOutcomeIdHexLength)) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

v1::CurveMeasurement MakeStoredCurve(const v1::CurveMeasurement& input,
                                     const std::string& measurement_id, int32_t revision,
                                     int64_t create_time_us, const std::string& amend_reason) {
  v1::CurveMeasurement stored = input;
  core::ClearOutputOnlyFields(&stored);
  stored.set_name(core::CurveMeasurementName(measurement_id));
  stored.set_revision(revision);
  *stored.mutable_create_time() = MicrosToTimestamp(create_time_us);
  if (revision > 1) stored.set_amend_reason(amend_reason);
  *stored.mutable_taken_at() = MicrosToTimestamp(TimestampToMicros(input.taken_at()));
  return stored;
}

std::string EncodeCurveListToken(const CurveListPosition& position) {
  return absl::WebSafeBase64Escape(
      absl::StrCat("c1|", position.taken_at_us, "|", position.measurement_id));
}

absl::StatusOr<CurveListPosition> DecodeCurveListToken(absl::string_view token,
                                                       absl::string_view field) {
  std::string text;
  std::vector<std::string> parts;
  CurveListPosition position;
  if (token.size() <= 512 && absl::WebSafeBase64Unescape(token, &text)) {
    parts = absl::StrSplit(text, '|');
  }
  if (parts.size() != 3 || parts[0] != "c1" || !absl::SimpleAtoi(parts[1], &position.taken_at_us) ||
      !IsHexId(parts[2])) {
    return core::InvalidField(std::string(field),
                              "is not a token this service issued; send back a token exactly as "
                              "received, or none to start from the beginning");
  }
  position.measurement_id = parts[2];
  return position;
}

absl::StatusOr<bool> CurveRows::InsertRevision(const std::string& clinic_id,
                                               const std::string& request_id,
                                               const v1::CurveMeasurement& stored,
                                               int64_t first_create_time_us) {
  std::string bytes;
  if (!stored.SerializeToString(&bytes)) {
    return absl::InternalError("cannot serialize the curve measurement");
  }
  SqlParams p = Params();
  const std::string insert = InsertSql(
      "curve_revisions",
      {{"clinic_id", clinic_id}, {"measurement_id", IdOf(stored)},
       {"revision", int64_t{stored.revision()}}, {"first_create_time_us", first_create_time_us},
       {"create_time_us", TimestampToMicros(stored.create_time())}, {"request_id", request_id},
       {"patient_id", stored.patient_id()}, {"taken_at_us", TimestampToMicros(stored.taken_at())},
       {"spine_region", int64_t{stored.spine_region()}}, {"amend_reason", stored.amend_reason()},
       {"measurement_proto", SqlBytes{std::move(bytes)}}},
      p);
  absl::StatusOr<std::unique_ptr<ResultRows>> rows = db_.QueryRow(
      absl::StrCat(insert, " ON CONFLICT (clinic_id, measurement_id, revision) DO NOTHING RETURNING 1"),
      p);
  if (!rows.ok()) return rows.status();
  if (*rows == nullptr) return false;
  if (absl::StatusOr<bool> end = (*rows)->Next(); !end.ok()) return end.status();
  return true;
}

absl::StatusOr<v1::CurveMeasurement> CurveRows::Select(const std::string& clinic_id,
                                                       const std::string& measurement_id,
                                                       int32_t revision) {
  SqlParams p = Params();
  std::string sql =
      absl::StrCat("SELECT measurement_proto FROM curve_revisions WHERE clinic_id = ",
                   p.Add(clinic_id), " AND measurement_id = ", p.Add(measurement_id));
  absl::StrAppend(&sql, revision == 0 ? " ORDER BY revision DESC LIMIT 1"
                                      : absl::StrCat(" AND revision = ", p.Add(int64_t{revision})));
  absl::StatusOr<std::unique_ptr<ResultRows>> rows = db_.QueryRow(sql, p);
  if (!rows.ok()) return rows.status();
  if (*rows == nullptr) return NotFound(measurement_id, revision);
  return Parse((*rows)->Bytes(0));
}

absl::StatusOr<CurveRows::Latest> CurveRows::LockLatest(const std::string& clinic_id,
                                                        const std::string& measurement_id) {
  SqlParams p = Params();
  const std::string sql = absl::StrCat(
      "SELECT revision, first_create_time_us FROM curve_revisions WHERE clinic_id = ",
      p.Add(clinic_id), " AND measurement_id = ", p.Add(measurement_id),
      " ORDER BY revision DESC LIMIT 1", dialect_.lock_clause);
  absl::StatusOr<std::unique_ptr<ResultRows>> rows = db_.QueryRow(sql, p);
  if (!rows.ok()) return rows.status();
  if (*rows == nullptr) return NotFound(measurement_id, 0);
  Latest latest{static_cast<int32_t>((*rows)->Int(0)), (*rows)->Int(1)};
  if (absl::StatusOr<bool> end = (*rows)->Next(); !end.ok()) return end.status();
  return latest;
}

absl::StatusOr<std::optional<IdempotencyRecord>> CurveRows::FindRequest(
    const std::string& clinic_id, const std::string& request_id) {
  return FindClaim(db_, dialect_, kCurveClaims, clinic_id, request_id);
}

absl::StatusOr<bool> CurveRows::ClaimRequest(const std::string& clinic_id,
                                             const std::string& request_id,
                                             const std::string& operation,
                                             const std::string& fingerprint,
                                             const v1::CurveMeasurement& stored) {
  return InsertClaim(db_, dialect_, kCurveClaims, clinic_id, request_id, operation, fingerprint,
                     IdOf(stored), stored.revision(), TimestampToMicros(stored.create_time()));
}

absl::StatusOr<CurveMeasurementPage> CurveRows::List(
    const std::string& clinic_id, const std::string& patient_id, int page_size,
    const std::optional<CurveListPosition>& after) {
  SqlParams p = Params();
  // One range of curve_revisions_patient; superseded revisions drop out
  // through the primary key (a measurement has a handful of revisions).
  std::string sql = absl::StrCat(
      "SELECT r.measurement_proto, r.taken_at_us, r.measurement_id FROM curve_revisions r "
      "WHERE r.clinic_id = ",
      p.Add(clinic_id), " AND r.patient_id = ", p.Add(patient_id));
  if (after.has_value()) {
    absl::StrAppend(&sql, " AND (r.taken_at_us < ", p.Add(after->taken_at_us),
                    " OR (r.taken_at_us = ", p.Add(after->taken_at_us),
                    " AND r.measurement_id < ", p.Add(after->measurement_id), "))");
  }
  absl::StrAppend(&sql,
                  " AND NOT EXISTS (SELECT 1 FROM curve_revisions newer WHERE newer.clinic_id = "
                  "r.clinic_id AND newer.measurement_id = r.measurement_id AND newer.revision > "
                  "r.revision) ORDER BY r.taken_at_us DESC, r.measurement_id DESC LIMIT ",
                  p.Add(int64_t{page_size} + 1));
  absl::StatusOr<std::unique_ptr<ResultRows>> rows = db_.Query(sql, p);
  if (!rows.ok()) return rows.status();
  CurveMeasurementPage page;
  CurveListPosition last;
  for (;;) {
    absl::StatusOr<bool> more = (*rows)->Next();
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (static_cast<int>(page.measurements.size()) == page_size) {
      page.next_page_token = EncodeCurveListToken(last);
      // Read to the end so SQLite finishes the statement.
      continue;
    }
    absl::StatusOr<v1::CurveMeasurement> measurement = Parse((*rows)->Bytes(0));
    if (!measurement.ok()) return measurement.status();
    last = CurveListPosition{(*rows)->Int(1), (*rows)->Text(2)};
    page.measurements.push_back(*std::move(measurement));
  }
  return page;
}

}  // namespace scoliomassage::storage
