// PostgresStore: opening, the transaction runner, and the write path. Reads
// are in postgres_store_reads.cc.
#include "storage/postgres_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "storage/outcome_fingerprint.h"
#include "storage/outcome_ids.h"
#include "storage/postgres_migrations.h"
#include "storage/postgres_outcome_rows.h"
#include "storage/sqlite_connection.h"  // kReasonStoreBusy
#include "storage/sqlite_outcome_rows.h"  // MakeStoredOutcome: backend-neutral
#include "storage/store_common.h"

namespace scoliomassage::storage {
namespace {

// A request that loses the claim on its request_id replays the winner on the
// next attempt; a third loss in a row would mean something else is wrong.
constexpr int kClaimAttempts = 3;
// Audit ids are max + 1 per clinic; appenders on other replicas may take the
// same id first, and each collision costs one retry.
constexpr int kAuditAttempts = 32;

// A retry returns what the first request stored; a reused id with another
// body is refused and changes nothing.
absl::StatusOr<v1::Outcome> Replay(PgConnection& db, const std::string& clinic_id,
                                   const std::string& request_id, const IdempotencyRecord& first,
                                   const std::string& operation, const std::string& fingerprint) {
  if (absl::Status status = CheckRetry(first, request_id, operation, fingerprint); !status.ok()) {
    return status;
  }
  return SelectPostgresOutcome(db, clinic_id, first.outcome_id, first.revision);
}

absl::Status LostClaim() {
  return core::WithReason(
      absl::UnavailableError("another replica stored this request_id at the same moment; retry"),
      kReasonStoreBusy);
}

}  // namespace

PostgresStore::PostgresStore(const PostgresOptions& options, int64_t last_time_us)
    : pool_(options.conninfo, options.pool_size, options.pool_wait), last_time_us_(last_time_us) {}

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(const PostgresOptions& options) {
  absl::StatusOr<std::unique_ptr<PgConnection>> db = PgConnection::Connect(options.conninfo);
  if (!db.ok()) return db.status();
  if (absl::Status status = ApplyPostgresMigrations(**db, PostgresMigrations(), NowMicros());
      !status.ok()) {
    return status;
  }
  // Create times keep rising across restarts even if this clock is behind
  // the newest stored one: the history order and its tokens depend on it.
  absl::StatusOr<PgResult> newest =
      (*db)->Exec("SELECT coalesce(max(create_time_us), 0) FROM outcome_revisions");
  if (!newest.ok()) return newest.status();
  return std::unique_ptr<PostgresStore>(new PostgresStore(options, newest->Int(0, 0)));
}

int64_t PostgresStore::NextCreateTime() {
  int64_t last = last_time_us_.load();
  for (;;) {
    const int64_t next = std::max(NowMicros(), last + 1);
    if (last_time_us_.compare_exchange_weak(last, next)) return next;
  }
}

absl::Status PostgresStore::Run(const char* begin, const Body& body) {
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<PgPool::Lease> lease = pool_.Borrow();
    if (!lease.ok()) return lease.status();
    PgConnection& db = **lease;
    const bool reused = db.uses > 1;
    bool commit_sent = false;
    absl::Status status = begin != nullptr ? db.ExecScript(begin) : absl::OkStatus();
    if (status.ok()) status = body(db);
    if (begin != nullptr) {
      if (status.ok()) {
        commit_sent = true;
        status = db.ExecScript("COMMIT");
      } else if (!db.broken()) {
        db.ExecScript("ROLLBACK").IgnoreError();
      }
    }
    if (!status.ok() && db.broken() && reused && !commit_sent && attempt == 1) continue;
    return status;
  }
}

absl::StatusOr<v1::Outcome> PostgresStore::WriteRevision(const std::string& clinic_id,
                                                         const std::string& request_id,
                                                         const std::string& operation,
                                                         const std::string& fingerprint,
                                                         const MakeRevision& make) {
  for (int attempt = 0; attempt < kClaimAttempts; ++attempt) {
    v1::Outcome result;
    bool lost_claim = false;
    absl::Status status = Run("BEGIN", [&](PgConnection& db) -> absl::Status {
      absl::StatusOr<std::optional<IdempotencyRecord>> first =
          FindPostgresRequest(db, clinic_id, request_id);
      if (!first.ok()) return first.status();
      if (first->has_value()) {
        absl::StatusOr<v1::Outcome> replay =
            Replay(db, clinic_id, request_id, **first, operation, fingerprint);
        if (!replay.ok()) return replay.status();
        result = *std::move(replay);
        return absl::OkStatus();
      }
      absl::StatusOr<NewRevision> revision = make(db);
      if (!revision.ok()) return revision.status();
      const v1::Outcome& stored = revision->stored;
      if (absl::Status insert = InsertPostgresRevision(db, clinic_id, request_id, stored,
                                                       revision->first_create_time_us);
          !insert.ok()) {
        return insert;
      }
      absl::StatusOr<bool> claimed = ClaimPostgresRequest(
          db, clinic_id, request_id, operation, fingerprint, revision->outcome_id,
          stored.revision(), TimestampToMicros(stored.create_time()));
      if (!claimed.ok()) return claimed.status();
      if (!*claimed) {
        lost_claim = true;
        return LostClaim();  // rolls back our revision row
      }
      result = std::move(revision->stored);
      return absl::OkStatus();
    });
    if (lost_claim) continue;
    if (!status.ok()) return status;
    return result;
  }
  return LostClaim();
}

absl::StatusOr<v1::Outcome> PostgresStore::LogOutcome(const std::string& clinic_id,
                                                      const std::string& request_id,
                                                      const v1::Outcome& outcome) {
  if (absl::Status status = RequireRequestId(request_id); !status.ok()) return status;
  return WriteRevision(clinic_id, request_id, kLogOperation, LogOutcomeFingerprint(outcome),
                       [&](PgConnection&) -> absl::StatusOr<NewRevision> {
                         return FirstRevision(outcome, NextCreateTime());
                       });
}

absl::StatusOr<v1::Outcome> PostgresStore::AmendOutcome(const std::string& clinic_id,
                                                        const std::string& request_id,
                                                        const std::string& name,
                                                        const v1::Outcome& corrected,
                                                        const std::string& reason) {
  absl::StatusOr<std::string> outcome_id = CheckAmendOutcome(request_id, name);
  if (!outcome_id.ok()) return outcome_id.status();
  return WriteRevision(
      clinic_id, request_id, kAmendOperation, AmendOutcomeFingerprint(name, corrected, reason),
      [&](PgConnection& db) -> absl::StatusOr<NewRevision> {
        // Amendments of one outcome take turns on its first row; the next
        // revision number is read only once the lock is held.
        absl::StatusOr<PgResult> first_revision = db.Exec(
            "SELECT create_time_us FROM outcome_revisions WHERE clinic_id = $1 AND "
            "outcome_id = $2 AND revision = 1 FOR UPDATE",
            {PgParam::Text(clinic_id), PgParam::Text(*outcome_id)});
        if (!first_revision.ok()) return first_revision.status();
        if (first_revision->rows() == 0) return OutcomeNotFound(*outcome_id, 0);
        absl::StatusOr<PgResult> latest = db.Exec(
            "SELECT max(revision) FROM outcome_revisions WHERE clinic_id = $1 AND outcome_id = $2",
            {PgParam::Text(clinic_id), PgParam::Text(*outcome_id)});
        if (!latest.ok()) return latest.status();
        const int32_t revision = static_cast<int32_t>(latest->Int(0, 0)) + 1;
        const int64_t now_us = NextCreateTime();
        return NewRevision{MakeStoredOutcome(corrected, *outcome_id, revision, now_us, reason),
                           *outcome_id, first_revision->Int(0, 0)};
      });
}

absl::Status PostgresStore::SaveRecommendation(const std::string& clinic_id,
                                               const v1::RecommendProtocolRequest& request,
                                               const v1::RecommendProtocolResponse& response) {
  absl::StatusOr<RecommendationBlobs> blobs = SerializeRecommendation(request, response);
  if (!blobs.ok()) return blobs.status();
  const int64_t create_time_us =
      response.has_create_time() ? TimestampToMicros(response.create_time()) : NowMicros();
  return Run(nullptr, [&](PgConnection& db) -> absl::Status {
    absl::StatusOr<PgResult> inserted = db.Exec(
        "INSERT INTO recommendations (clinic_id, recommendation_id, patient_id, create_time_us, "
        "decision, protocol_id, request_proto, response_proto) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (clinic_id, recommendation_id) DO NOTHING RETURNING 1",
        {PgParam::Text(clinic_id), PgParam::Text(response.recommendation_id()),
         PgParam::Text(request.patient_id()), PgParam::Int(create_time_us),
         PgParam::Int(response.decision()), PgParam::Text(response.protocol().protocol_id()),
         PgParam::Bytes(blobs->request), PgParam::Bytes(blobs->response)});
    if (!inserted.ok()) return inserted.status();
    if (inserted->rows() == 1) return absl::OkStatus();
    absl::StatusOr<PgResult> existing = db.Exec(
        "SELECT response_proto FROM recommendations WHERE clinic_id = $1 AND recommendation_id = $2",
        {PgParam::Text(clinic_id), PgParam::Text(response.recommendation_id())});
    if (!existing.ok()) return existing.status();
    // Saving the same recommendation again (a retry) is harmless.
    if (existing->rows() == 1 && existing->Bytes(0, 0) == blobs->response) return absl::OkStatus();
    return RecommendationConflict(response.recommendation_id());
  });
}

absl::Status PostgresStore::AppendAudit(const AuditEntry& entry) {
  const int64_t time_us = entry.time_us != 0 ? entry.time_us : NowMicros();
  return Run(nullptr, [&](PgConnection& db) -> absl::Status {
    for (int attempt = 0; attempt < kAuditAttempts; ++attempt) {
      // Ids increase within a clinic, as in SQLite. Racing appenders pick
      // the same max + 1; ON CONFLICT lets the loser simply try the next id.
      absl::StatusOr<PgResult> inserted = db.Exec(
          "INSERT INTO audit_records (clinic_id, id, time_us, principal, role, method, subject, "
          "status_code) SELECT $1::text, coalesce(max(id), 0) + 1, $2::bigint, $3::text, "
          "$4::text, $5::text, $6::text, $7::integer FROM audit_records WHERE clinic_id = $1 "
          "ON CONFLICT (clinic_id, id) DO NOTHING RETURNING id",
          {PgParam::Text(entry.clinic_id), PgParam::Int(time_us), PgParam::Text(entry.principal),
           PgParam::Text(entry.role), PgParam::Text(entry.method), PgParam::Text(entry.subject),
           PgParam::Int(entry.status_code)});
      if (!inserted.ok()) return inserted.status();
      if (inserted->rows() == 1) return absl::OkStatus();
    }
    return core::WithReason(
        absl::UnavailableError("too many concurrent audit appends for this clinic; retry"),
        kReasonStoreBusy);
  });
}

}  // namespace scoliomassage::storage
