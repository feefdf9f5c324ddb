#include "storage/outcome_rows.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "core/outcome_validation.h"
#include "storage/outcome_ids.h"
#include "storage/store_common.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {
namespace {

std::string OutcomeIdOf(const v1::Outcome& stored) {
  return stored.name().substr(sizeof("outcomes/") - 1);
}

// "" for sessions stored before episodes existed (migration 0004).
std::string EpisodeIdOf(const v1::Outcome& stored) {
  constexpr size_t kPrefix = sizeof("episodes/") - 1;
  return stored.episode().size() > kPrefix ? stored.episode().substr(kPrefix) : std::string();
}

SqlParams::Value PainBefore(const v1::Outcome& stored) {
  if (!stored.has_pain_before()) return std::monostate();
  return int64_t{stored.pain_before()};
}

}  // namespace

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

absl::StatusOr<v1::Outcome> ParseStoredOutcome(const std::string& bytes) {
  v1::Outcome outcome;
  if (!outcome.ParseFromString(bytes)) {
    return core::WithReason(absl::DataLossError("a stored outcome cannot be decoded"),
                            kReasonStoreCorrupt);
  }
  return outcome;
}

absl::Status OutcomeRows::InsertRevision(const std::string& clinic_id,
                                         const std::string& request_id, const v1::Outcome& stored,
                                         int64_t first_create_time_us) {
  std::string bytes;
  if (!stored.SerializeToString(&bytes)) return absl::InternalError("cannot serialize the outcome");
  const std::string outcome_id = OutcomeIdOf(stored);
  const int64_t performed_at_us = TimestampToMicros(stored.performed_at());
  // The outcome_revisions row layout, written once.
  SqlParams p = Params();
  const std::string insert = InsertSql(
      "outcome_revisions",
      {{"clinic_id", clinic_id}, {"outcome_id", outcome_id},
       {"revision", int64_t{stored.revision()}}, {"first_create_time_us", first_create_time_us},
       {"create_time_us", TimestampToMicros(stored.create_time())}, {"request_id", request_id},
       {"patient_id", stored.patient_id()}, {"therapist_id", stored.therapist_id()},
       {"protocol_id", stored.protocol_id()},
       {"protocol_version", int64_t{stored.protocol_version()}},
       {"spine_region", int64_t{stored.spine_region()}},
       {"session_number", int64_t{stored.session_number()}},
       {"minutes", int64_t{stored.minutes()}}, {"pain_before", int64_t{stored.pain_before()}},
       {"pain_after", int64_t{stored.pain_after()}},
       {"adverse_event_count", int64_t{stored.adverse_events_size()}},
       {"performed_at_us", performed_at_us}, {"performed_month", UtcMonth(performed_at_us)},
       {"amend_reason", stored.amend_reason()}, {"outcome_proto", SqlBytes{std::move(bytes)}},
       {"episode_id", EpisodeIdOf(stored)}},
      p);
  if (absl::Status status = db_.Run(insert, p); !status.ok()) return status;

  if (stored.revision() == 1) {
    SqlParams q = Params();
    const std::string latest = InsertSql(
        "outcome_latest",
        {{"clinic_id", clinic_id}, {"outcome_id", outcome_id}, {"revision", int64_t{1}},
         {"first_create_time_us", first_create_time_us}, {"patient_id", stored.patient_id()},
         {"performed_at_us", performed_at_us}, {"pain_before", PainBefore(stored)},
         {"episode_id", EpisodeIdOf(stored)}},
        q);
    if (absl::Status status = db_.Run(latest, q); !status.ok()) return status;
    return CountSession(clinic_id, stored.patient_id(), +1);
  }
  // An amendment may move the session in time, change its pain or even its
  // patient: the read model follows the latest revision.
  SqlParams q = Params();
  const std::string where = absl::StrCat(" WHERE clinic_id = ", q.Add(clinic_id),
                                         " AND outcome_id = ", q.Add(outcome_id));
  std::string previous_patient;
  {
    absl::StatusOr<std::unique_ptr<ResultRows>> before =
        db_.QueryRow(absl::StrCat("SELECT patient_id FROM outcome_latest", where), q);
    if (!before.ok()) return before.status();
    if (*before == nullptr) {
      return absl::InternalError("an amended outcome has no latest revision row");
    }
    previous_patient = (*before)->Text(0);
  }  // the SELECT is finished before the UPDATE of its table
  const std::string update = absl::StrCat(
      "UPDATE outcome_latest SET revision = ", q.Add(int64_t{stored.revision()}),
      ", patient_id = ", q.Add(stored.patient_id()), ", performed_at_us = ", q.Add(performed_at_us),
      ", pain_before = ", q.Add(PainBefore(stored)), ", episode_id = ", q.Add(EpisodeIdOf(stored)),
      where);
  if (absl::Status status = db_.Run(update, q); !status.ok()) return status;
  if (previous_patient == stored.patient_id()) return absl::OkStatus();
  if (absl::Status status = CountSession(clinic_id, previous_patient, -1); !status.ok()) {
    return status;
  }
  return CountSession(clinic_id, stored.patient_id(), +1);
}

absl::Status OutcomeRows::CountSession(const std::string& clinic_id, const std::string& patient_id,
                                       int64_t change) {
  SqlParams p = Params();
  const std::string upsert = absl::StrCat(
      InsertSql("patient_progress",
                {{"clinic_id", clinic_id}, {"patient_id", patient_id}, {"sessions_logged", change}},
                p),
      " ON CONFLICT (clinic_id, patient_id) DO UPDATE SET sessions_logged = "
      "patient_progress.sessions_logged + excluded.sessions_logged");
  return db_.Run(upsert, p);
}

absl::StatusOr<v1::Outcome> OutcomeRows::Select(const std::string& clinic_id,
                                                const std::string& outcome_id, int32_t revision) {
  SqlParams p = Params();
  std::string sql = absl::StrCat("SELECT outcome_proto FROM outcome_revisions WHERE clinic_id = ",
                                 p.Add(clinic_id), " AND outcome_id = ", p.Add(outcome_id));
  absl::StrAppend(&sql, revision == 0 ? " ORDER BY revision DESC LIMIT 1"
                                      : absl::StrCat(" AND revision = ", p.Add(int64_t{revision})));
  absl::StatusOr<std::unique_ptr<ResultRows>> rows = db_.QueryRow(sql, p);
  if (!rows.ok()) return rows.status();
  if (*rows == nullptr) return OutcomeNotFound(outcome_id, revision);
  return ParseStoredOutcome((*rows)->Bytes(0));
}

absl::StatusOr<OutcomeRows::Latest> OutcomeRows::LockLatest(const std::string& clinic_id,
                                                            const std::string& outcome_id) {
  SqlParams p = Params();
  const std::string sql =
      absl::StrCat("SELECT revision, first_create_time_us FROM outcome_latest WHERE clinic_id = ",
                   p.Add(clinic_id), " AND outcome_id = ", p.Add(outcome_id), dialect_.lock_clause);
  absl::StatusOr<std::unique_ptr<ResultRows>> rows = db_.QueryRow(sql, p);
  if (!rows.ok()) return rows.status();
  if (*rows == nullptr) return OutcomeNotFound(outcome_id, 0);
  return Latest{static_cast<int32_t>((*rows)->Int(0)), (*rows)->Int(1)};
}

absl::StatusOr<std::optional<IdempotencyRecord>> OutcomeRows::FindRequest(
    const std::string& clinic_id, const std::string& request_id) {
  return FindClaim(db_, dialect_, kOutcomeClaims, clinic_id, request_id);
}

absl::StatusOr<bool> OutcomeRows::ClaimRequest(const std::string& clinic_id,
                                               const std::string& request_id,
                                               const std::string& operation,
                                               const std::string& fingerprint,
                                               const v1::Outcome& stored) {
  return InsertClaim(db_, dialect_, kOutcomeClaims, clinic_id, request_id, operation, fingerprint,
                     OutcomeIdOf(stored), stored.revision(),
                     TimestampToMicros(stored.create_time()));
}

absl::StatusOr<core::PatientProgress> OutcomeRows::Progress(const std::string& clinic_id,
                                                            const std::string& patient_id) {
  core::PatientProgress progress;
  SqlParams p = Params();
  const std::string patient =
      absl::StrCat("clinic_id = ", p.Add(clinic_id), " AND patient_id = ", p.Add(patient_id));
  absl::StatusOr<std::unique_ptr<ResultRows>> count =
      db_.QueryRow(absl::StrCat("SELECT sessions_logged FROM patient_progress WHERE ", patient), p);
  if (!count.ok()) return count.status();
  progress.sessions_logged = *count != nullptr ? (*count)->Int(0) : 0;
  if (progress.sessions_logged == 0) return progress;

  // Both walk outcome_latest_patient from one end and stop at the first row;
  // the last session's blob then comes by primary key. (Two statements
  // rather than a join, so no planner is tempted to sort instead.)
  absl::StatusOr<std::unique_ptr<ResultRows>> last = db_.QueryRow(
      absl::StrCat("SELECT outcome_id, revision FROM outcome_latest WHERE ", patient,
                   " ORDER BY performed_at_us DESC, first_create_time_us DESC, outcome_id DESC "
                   "LIMIT 1"),
      p);
  if (!last.ok()) return last.status();
  if (*last != nullptr) {
    const std::string outcome_id = (*last)->Text(0);
    const int32_t revision = static_cast<int32_t>((*last)->Int(1));
    last->reset();
    absl::StatusOr<v1::Outcome> outcome = Select(clinic_id, outcome_id, revision);
    if (!outcome.ok()) return outcome.status();
    progress.last_outcome = *std::move(outcome);
  }
  // pain_before is NULL only where a revision recorded none (validation
  // requires it today), so the walk stops at once in practice.
  absl::StatusOr<std::unique_ptr<ResultRows>> first = db_.QueryRow(
      absl::StrCat("SELECT pain_before FROM outcome_latest WHERE ", patient,
                   " AND pain_before IS NOT NULL ORDER BY performed_at_us, first_create_time_us, "
                   "outcome_id LIMIT 1"),
      p);
  if (!first.ok()) return first.status();
  if (*first != nullptr) progress.first_pain_before = static_cast<int32_t>((*first)->Int(0));
  return progress;
}

}  // namespace scoliomassage::storage
