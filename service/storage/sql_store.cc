// SqlStore: the write path. Reads are in sql_store_reads.cc.
#include "storage/sql_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "storage/audit_rows.h"
#include "storage/metered_executor.h"
#include "storage/episode_rows.h"
#include "storage/outcome_fingerprint.h"
#include "storage/outcome_ids.h"
#include "storage/revision_write.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {
namespace {

// A request that loses the claim on its request_id replays the winner on the
// next attempt; a third loss in a row would mean something else is wrong.
constexpr int kOutcomeClaimAttempts = 3;

}  // namespace

absl::StatusOr<int64_t> MigrateAndReadNewestCreateTime(SqlSession& db, const SqlDialect& dialect,
                                                       const std::vector<Migration>& migrations) {
  if (absl::Status status = ApplyMigrations(db, dialect, migrations, NowMicros()); !status.ok()) {
    return status;
  }
  absl::StatusOr<std::unique_ptr<ResultRows>> newest =
      db.QueryRow("SELECT coalesce(max(create_time_us), 0) FROM outcome_revisions", SqlParams());
  if (!newest.ok()) return newest.status();
  return (*newest)->Int(0);
}

SqlStore::SqlStore(std::unique_ptr<SqlExecutor> executor)
    : backend_(executor.get()),
      executor_(WithErrorMetrics(std::move(executor))),
      dialect_(executor_->dialect()) {}

absl::StatusOr<v1::Outcome> SqlStore::LogOutcome(const std::string& clinic_id,
                                                 const std::string& request_id,
                                                 const v1::Outcome& outcome,
                                                 WriteAudit* audit) {
  return WriteClaimedRevision<v1::Outcome, OutcomeRows>(
      *executor_, dialect_, clinic_id, request_id, kLogOperation, LogOutcomeFingerprint(outcome),
      kOutcomeClaimAttempts, audit, [&](OutcomeRows& rows, int64_t now_us) -> absl::StatusOr<NewRevision> {
                         absl::StatusOr<NewRevision> first = FirstRevision(outcome, now_us);
                         if (!first.ok()) return first;
                         // The session joins the patient's open episode, or
                         // opens one, in the same transaction.
                         absl::StatusOr<std::string> episode =
                             EpisodeRows(rows.session(), dialect_)
                                 .OpenOrFind(clinic_id, outcome.patient_id(),
                                             TimestampToMicros(first->stored.performed_at()),
                                             now_us);
                         if (!episode.ok()) return episode.status();
                         first->stored.set_episode(*episode);
                         return first;
                       });
}

absl::StatusOr<v1::Outcome> SqlStore::AmendOutcome(const std::string& clinic_id,
                                                   const std::string& request_id,
                                                   const std::string& name,
                                                   const v1::Outcome& corrected,
                                                   const std::string& reason,
                                                   WriteAudit* audit) {
  absl::StatusOr<std::string> outcome_id = CheckAmendOutcome(request_id, name);
  if (!outcome_id.ok()) return outcome_id.status();
  return WriteClaimedRevision<v1::Outcome, OutcomeRows>(
      *executor_, dialect_, clinic_id, request_id, kAmendOperation,
      AmendOutcomeFingerprint(name, corrected, reason), kOutcomeClaimAttempts, audit,
      [&](OutcomeRows& rows, int64_t now_us) -> absl::StatusOr<NewRevision> {
        // The next revision number is read only once the lock is held.
        absl::StatusOr<OutcomeRows::Latest> latest = rows.LockLatest(clinic_id, *outcome_id);
        if (!latest.ok()) return latest.status();
        NewRevision next{
            MakeStoredOutcome(corrected, *outcome_id, latest->revision + 1, now_us, reason),
            *outcome_id, latest->first_create_time_us};
        // A correction stays in its session's episode; one that moves the
        // session to another patient moves it to that patient's episode.
        absl::StatusOr<v1::Outcome> previous = rows.Select(clinic_id, *outcome_id, latest->revision);
        if (!previous.ok()) return previous.status();
        if (previous->patient_id() == corrected.patient_id()) {
          next.stored.set_episode(previous->episode());
        } else {
          absl::StatusOr<std::string> episode =
              EpisodeRows(rows.session(), dialect_)
                  .OpenOrFind(clinic_id, corrected.patient_id(),
                              TimestampToMicros(next.stored.performed_at()), now_us);
          if (!episode.ok()) return episode.status();
          next.stored.set_episode(*episode);
        }
        return next;
      });
}

absl::Status SqlStore::SaveRecommendation(const std::string& clinic_id,
                                          const v1::RecommendProtocolRequest& request,
                                          const v1::RecommendProtocolResponse& response) {
  absl::StatusOr<RecommendationRecord> record = MakeRecommendationRecord(request, response);
  if (!record.ok()) return record.status();
  return SaveRecommendationRecord(clinic_id, *record);
}

absl::Status SqlStore::SaveRecommendationRecord(const std::string& clinic_id,
                                                const RecommendationRecord& record) {
  if (record.recommendation_id.empty()) {
    return core::InvalidField("recommendation_id", "is required to store a recommendation");
  }
  return executor_->Write([&](SqlSession& db, int64_t now_us) -> absl::Status {
    SqlParams p(dialect_.placeholder_prefix);
    const int64_t create_time_us = record.create_time_us != 0 ? record.create_time_us : now_us;
    const std::string insert = absl::StrCat(
        InsertSql("recommendations",
                  {{"clinic_id", clinic_id}, {"recommendation_id", record.recommendation_id},
                   {"patient_id", record.patient_id}, {"create_time_us", create_time_us},
                   {"decision", record.decision}, {"protocol_id", record.protocol_id},
                   {"request_proto", SqlBytes{record.request_proto}},
                   {"response_proto", SqlBytes{record.response_proto}}},
                  p),
        " ON CONFLICT (clinic_id, recommendation_id) DO NOTHING RETURNING 1");
    if (absl::Status inserted = InsertIfAbsent(db, insert, p); !absl::IsAlreadyExists(inserted)) {
      return inserted;
    }
    SqlParams key(dialect_.placeholder_prefix);
    absl::StatusOr<std::unique_ptr<ResultRows>> existing = db.QueryRow(
        absl::StrCat(
            "SELECT response_proto FROM recommendations WHERE clinic_id = ", key.Add(clinic_id),
            " AND recommendation_id = ", key.Add(record.recommendation_id)),
        key);
    if (!existing.ok()) return existing.status();
    // Saving the same recommendation again (a retry) is harmless.
    if (*existing != nullptr && (*existing)->Bytes(0) == record.response_proto) {
      return absl::OkStatus();
    }
    return RecommendationConflict(record.recommendation_id);
  });
}

absl::Status SqlStore::AppendAudit(const AuditEntry& entry) {
  return executor_->Write([&](SqlSession& db, int64_t now_us) {
    return AppendAuditRow(db, dialect_, entry, now_us);
  });
}

}  // namespace scoliomassage::storage
