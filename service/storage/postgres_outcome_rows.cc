#include "storage/postgres_outcome_rows.h"

#include <variant>

#include "storage/outcome_ids.h"
#include "storage/sqlite_outcome_rows.h"  // ParseStoredOutcome: backend-neutral
#include "storage/store_common.h"

namespace scoliomassage::storage {

absl::StatusOr<std::optional<IdempotencyRecord>> FindPostgresRequest(
    PgConnection& db, const std::string& clinic_id, const std::string& request_id) {
  absl::StatusOr<PgResult> rows = db.Exec(
      "SELECT operation, fingerprint, outcome_id, revision FROM idempotency_keys "
      "WHERE clinic_id = $1 AND request_id = $2",
      {PgParam::Text(clinic_id), PgParam::Text(request_id)});
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) return std::optional<IdempotencyRecord>();
  return std::optional<IdempotencyRecord>(IdempotencyRecord{
      rows->Text(0, 0), rows->Text(0, 1), rows->Text(0, 2), static_cast<int32_t>(rows->Int(0, 3))});
}

absl::StatusOr<bool> ClaimPostgresRequest(PgConnection& db, const std::string& clinic_id,
                                          const std::string& request_id,
                                          const std::string& operation,
                                          const std::string& fingerprint,
                                          const std::string& outcome_id, int32_t revision,
                                          int64_t create_time_us) {
  absl::StatusOr<PgResult> claimed = db.Exec(
      "INSERT INTO idempotency_keys (clinic_id, request_id, operation, fingerprint, outcome_id, "
      "revision, create_time_us) VALUES ($1, $2, $3, $4, $5, $6, $7) "
      "ON CONFLICT (clinic_id, request_id) DO NOTHING RETURNING 1",
      {PgParam::Text(clinic_id), PgParam::Text(request_id), PgParam::Text(operation),
       PgParam::Text(fingerprint), PgParam::Text(outcome_id), PgParam::Int(revision),
       PgParam::Int(create_time_us)});
  if (!claimed.ok()) return claimed.status();
  return claimed->rows() == 1;
}

absl::Status InsertPostgresRevision(PgConnection& db, const std::string& clinic_id,
                                    const std::string& request_id, const v1::Outcome& stored,
                                    int64_t first_create_time_us) {
  std::string bytes;
  if (!stored.SerializeToString(&bytes)) return absl::InternalError("cannot serialize the outcome");
  const int64_t performed_at_us = TimestampToMicros(stored.performed_at());
  absl::StatusOr<PgResult> inserted = db.Exec(
      "INSERT INTO outcome_revisions (clinic_id, outcome_id, revision, first_create_time_us, "
      "create_time_us, request_id, patient_id, therapist_id, protocol_id, protocol_version, "
      "spine_region, session_number, minutes, pain_before, pain_after, adverse_event_count, "
      "performed_at_us, performed_month, amend_reason, outcome_proto) VALUES "
      "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
      {PgParam::Text(clinic_id), PgParam::Text(stored.name().substr(sizeof("outcomes/") - 1)),
       PgParam::Int(stored.revision()), PgParam::Int(first_create_time_us),
       PgParam::Int(TimestampToMicros(stored.create_time())), PgParam::Text(request_id),
       PgParam::Text(stored.patient_id()), PgParam::Text(stored.therapist_id()),
       PgParam::Text(stored.protocol_id()), PgParam::Int(stored.protocol_version()),
       PgParam::Int(stored.spine_region()), PgParam::Int(stored.session_number()),
       PgParam::Int(stored.minutes()), PgParam::Int(stored.pain_before()),
       PgParam::Int(stored.pain_after()), PgParam::Int(stored.adverse_events_size()),
       PgParam::Int(performed_at_us), PgParam::Text(UtcMonth(performed_at_us)),
       PgParam::Text(stored.amend_reason()), PgParam::Bytes(std::move(bytes))});
  return inserted.status();
}

absl::StatusOr<v1::Outcome> SelectPostgresOutcome(PgConnection& db, const std::string& clinic_id,
                                                  const std::string& outcome_id, int32_t revision) {
  absl::StatusOr<PgResult> rows =
      revision == 0
          ? db.Exec("SELECT outcome_proto FROM outcome_revisions WHERE clinic_id = $1 AND "
                    "outcome_id = $2 ORDER BY revision DESC LIMIT 1",
                    {PgParam::Text(clinic_id), PgParam::Text(outcome_id)})
          : db.Exec("SELECT outcome_proto FROM outcome_revisions WHERE clinic_id = $1 AND "
                    "outcome_id = $2 AND revision = $3",
                    {PgParam::Text(clinic_id), PgParam::Text(outcome_id), PgParam::Int(revision)});
  if (!rows.ok()) return rows.status();
  if (rows->rows() == 0) {
    return OutcomeNotFound(outcome_id, revision);
  }
  return ParseStoredOutcome(rows->Bytes(0, 0));
}

std::vector<PgParam> ToPgParams(const SqlParams& params) {
  std::vector<PgParam> converted;
  for (const SqlParams::Value& value : params.values()) {
    if (const auto* number = std::get_if<int64_t>(&value)) {
      converted.push_back(PgParam::Int(*number));
    } else {
      converted.push_back(PgParam::Text(std::get<std::string>(value)));
    }
  }
  return converted;
}

}  // namespace scoliomassage::storage
