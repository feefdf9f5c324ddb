// The rows behind an outcome, written once for every backend: the stored
// form of a revision, its outcome_revisions row, the idempotency key that
// names it, and the per-patient read model the check-in reads
// (outcome_latest, patient_progress: migration 0002).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/progress.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "storage/request_claims.h"
#include "storage/sql_executor.h"

namespace scoliomassage::storage {

// Builds the stored form of a revision: output-only fields set, performed_at
// truncated to the microseconds the database keeps, so the blob and the
// structured columns agree.
v1::Outcome MakeStoredOutcome(const v1::Outcome& input, const std::string& outcome_id,
                              int32_t revision, int64_t create_time_us,
                              const std::string& amend_reason);

absl::StatusOr<v1::Outcome> ParseStoredOutcome(const std::string& bytes);

// Derives the read model (outcome_latest, patient_progress) afresh from
// outcome_revisions, as migration 0002's backfill does: for copies that write
// revisions behind the store's back (the SQLite import, the bench's seed).
// Run it inside a transaction.
inline constexpr char kRebuildReadModelSql[] =
    "DELETE FROM outcome_latest; DELETE FROM patient_progress; "
    "INSERT INTO outcome_latest (clinic_id, outcome_id, revision, first_create_time_us, "
    "patient_id, performed_at_us, pain_before, episode_id) SELECT clinic_id, outcome_id, "
    "revision, first_create_time_us, patient_id, performed_at_us, pain_before, episode_id "
    "FROM latest_outcome_revisions; "
    "INSERT INTO patient_progress (clinic_id, patient_id, sessions_logged) SELECT clinic_id, "
    "patient_id, count(*) FROM outcome_latest GROUP BY clinic_id, patient_id;";

// Row access inside one transaction or snapshot of `db`.
class OutcomeRows {
 public:
  OutcomeRows(SqlSession& db, SqlDialect dialect) : db_(db), dialect_(dialect) {}

  // Inserts one revision row (never updates) and keeps the read model in
  // step: revision 1 adds the outcome to its patient, a later revision
  // replaces the latest one (and moves the outcome when the patient changed).
  absl::Status InsertRevision(const std::string& clinic_id, const std::string& request_id,
                              const v1::Outcome& stored, int64_t first_create_time_us);

  // One revision (0: the latest) of an outcome in this clinic; NOT_FOUND
  // otherwise, worded so another clinic's outcome looks like a missing one.
  absl::StatusOr<v1::Outcome> Select(const std::string& clinic_id, const std::string& outcome_id,
                                     int32_t revision);

  // The latest revision of an outcome, locked until COMMIT, so amendments of
  // one outcome take turns and each gets the next number. NOT_FOUND when the
  // clinic has no such outcome.
  struct Latest {
    int32_t revision = 0;
    int64_t first_create_time_us = 0;
  };
  absl::StatusOr<Latest> LockLatest(const std::string& clinic_id, const std::string& outcome_id);

  // The stored record of (clinic_id, request_id), if any.
  absl::StatusOr<std::optional<IdempotencyRecord>> FindRequest(const std::string& clinic_id,
                                                               const std::string& request_id);
  // Claims (clinic_id, request_id) for `stored`. False when another
  // transaction holds the claim already (it committed first, or we waited
  // for it to commit): the caller rolls back and replays the winner.
  absl::StatusOr<bool> ClaimRequest(const std::string& clinic_id, const std::string& request_id,
                                    const std::string& operation, const std::string& fingerprint,
                                    const v1::Outcome& stored);

  // Sessions, the latest session and the baseline pain, from index-bounded
  // reads of the read model: the cost does not grow with the history.
  absl::StatusOr<core::PatientProgress> Progress(const std::string& clinic_id,
                                                 const std::string& patient_id);

  // The transaction's session, for the episode rows written with a revision.
  SqlSession& session() { return db_; }

 private:
  SqlParams Params() const { return SqlParams(dialect_.placeholder_prefix); }
  absl::Status CountSession(const std::string& clinic_id, const std::string& patient_id,
                            int64_t change);

  SqlSession& db_;
  const SqlDialect dialect_;
};

}  // namespace scoliomassage::storage
