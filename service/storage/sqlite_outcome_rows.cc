#include "storage/sqlite_outcome_rows.h"

#include "core/errors.h"
#include "core/outcome_validation.h"
#include "storage/outcome_ids.h"
#include "storage/store_common.h"

namespace scoliomassage::storage {

v1::Outcome MakeStoredOutcome(const v1::Outcome& input, const std::string& outcome_id,
                              int32_t revision, int64_t create_time_us,
                              const std::string& amend_reason) {
  v1::Outcome stored = input;
  core::ClearOutputOnlyFields(&stored);
  stored.set_name(OutcomeName(outcome_id));
  stored.set_revision(revision);
  *stored.mutable_create_time() = MicrosToTimestamp(create_time_us);
  if (revision > 1) stored.set_amend_reason(amend_reason);
  *stored.mutable_performed_at() = MicrosToTimestamp(TimestampToMicros(input.performed_at()));
  return stored;
}

absl::Status InsertOutcomeRevision(SqliteConnection& db, const std::string& clinic_id,
                                   const std::string& request_id, const v1::Outcome& stored,
                                   int64_t first_create_time_us) {
  absl::StatusOr<SqliteStatement> insert = db.Prepare(
      "INSERT INTO outcome_revisions (clinic_id, outcome_id, revision, first_create_time_us, "
      "create_time_us, request_id, patient_id, therapist_id, protocol_id, protocol_version, "
      "spine_region, session_number, minutes, pain_before, pain_after, adverse_event_count, "
      "performed_at_us, performed_month, amend_reason, outcome_proto) VALUES "
      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)");
  if (!insert.ok()) return insert.status();
  const std::string outcome_id = stored.name().substr(sizeof("outcomes/") - 1);
  const int64_t performed_at_us = TimestampToMicros(stored.performed_at());
  std::string bytes;
  if (!stored.SerializeToString(&bytes)) return absl::InternalError("cannot serialize the outcome");
  insert->BindText(1, clinic_id);
  insert->BindText(2, outcome_id);
  insert->BindInt(3, stored.revision());
  insert->BindInt(4, first_create_time_us);
  insert->BindInt(5, TimestampToMicros(stored.create_time()));
  insert->BindText(6, request_id);
  insert->BindText(7, stored.patient_id());
  insert->BindText(8, stored.therapist_id());
  insert->BindText(9, stored.protocol_id());
  insert->BindInt(10, stored.protocol_version());
  insert->BindInt(11, stored.spine_region());
  insert->BindInt(12, stored.session_number());
  insert->BindInt(13, stored.minutes());
  insert->BindInt(14, stored.pain_before());
  insert->BindInt(15, stored.pain_after());
  insert->BindInt(16, stored.adverse_events_size());
  insert->BindInt(17, performed_at_us);
  insert->BindText(18, UtcMonth(performed_at_us));
  insert->BindText(19, stored.amend_reason());
  insert->BindBlob(20, bytes);
  return insert->Run();
}

absl::StatusOr<v1::Outcome> ParseStoredOutcome(const std::string& bytes) {
  v1::Outcome outcome;
  if (!outcome.ParseFromString(bytes)) {
    return core::WithReason(absl::DataLossError("a stored outcome cannot be decoded"),
                            kReasonStoreCorrupt);
  }
  return outcome;
}

absl::StatusOr<v1::Outcome> SelectOutcome(SqliteConnection& db, const std::string& clinic_id,
                                          const std::string& outcome_id, int32_t revision) {
  absl::StatusOr<SqliteStatement> select = db.Prepare(
      revision == 0 ? "SELECT outcome_proto FROM outcome_revisions WHERE clinic_id = ?1 AND "
                      "outcome_id = ?2 ORDER BY revision DESC LIMIT 1"
                    : "SELECT outcome_proto FROM outcome_revisions WHERE clinic_id = ?1 AND "
                      "outcome_id = ?2 AND revision = ?3");
  if (!select.ok()) return select.status();
  select->BindText(1, clinic_id);
  select->BindText(2, outcome_id);
  if (revision != 0) select->BindInt(3, revision);
  absl::StatusOr<bool> row = select->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return OutcomeNotFound(outcome_id, revision);
  }
  return ParseStoredOutcome(select->ColumnBlob(0));
}

absl::StatusOr<SqliteStatement> PrepareWithParams(SqliteConnection& db, const std::string& sql,
                                                  const SqlParams& params) {
  absl::StatusOr<SqliteStatement> statement = db.Prepare(sql);
  if (!statement.ok()) return statement.status();
  int index = 1;
  for (const SqlParams::Value& value : params.values()) {
    if (const auto* number = std::get_if<int64_t>(&value)) {
      statement->BindInt(index++, *number);
    } else {
      statement->BindText(index++, std::get<std::string>(value));
    }
  }
  return statement;
}

}  // namespace scoliomassage::storage
