// SqliteStore: opening, and the write path. Every write is a unit of work
// for the group-committing SqliteWriter; reads are in sqlite_store_reads.cc.
#include "storage/sqlite_store.h"

#include <functional>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/migrations.h"
#include "storage/outcome_fingerprint.h"
#include "storage/outcome_ids.h"
#include "storage/sqlite_migrations.h"
#include "storage/sqlite_outcome_rows.h"
#include "storage/store_common.h"

namespace scoliomassage::storage {
namespace {

// Looks up (clinic_id, request_id) inside the writer's transaction.
absl::StatusOr<std::optional<IdempotencyRecord>> FindRequest(SqliteConnection& db,
                                                             const std::string& clinic_id,
                                                             const std::string& request_id) {
  absl::StatusOr<SqliteStatement> select = db.Prepare(
      "SELECT operation, fingerprint, outcome_id, revision FROM idempotency_keys "
      "WHERE clinic_id = ?1 AND request_id = ?2");
  if (!select.ok()) return select.status();
  select->BindText(1, clinic_id);
  select->BindText(2, request_id);
  absl::StatusOr<bool> row = select->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<IdempotencyRecord>();
  return std::optional<IdempotencyRecord>(IdempotencyRecord{
      select->ColumnText(0), select->ColumnText(1), select->ColumnText(2),
      static_cast<int32_t>(select->ColumnInt(3))});
}

// A retry returns what the first request stored; a reused id with another
// body is refused and changes nothing.
absl::StatusOr<v1::Outcome> ReplayRequest(SqliteConnection& db, const std::string& clinic_id,
                                          const std::string& request_id,
                                          const IdempotencyRecord& first,
                                          const std::string& operation,
                                          const std::string& fingerprint) {
  if (absl::Status status = CheckRetry(first, request_id, operation, fingerprint); !status.ok()) {
    return status;
  }
  return SelectOutcome(db, clinic_id, first.outcome_id, first.revision);
}

absl::Status RememberRequest(SqliteConnection& db, const std::string& clinic_id,
                             const std::string& request_id, const std::string& operation,
                             const std::string& fingerprint, const v1::Outcome& stored) {
  absl::StatusOr<SqliteStatement> insert = db.Prepare(
      "INSERT INTO idempotency_keys (clinic_id, request_id, operation, fingerprint, outcome_id, "
      "revision, create_time_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!insert.ok()) return insert.status();
  insert->BindText(1, clinic_id);
  insert->BindText(2, request_id);
  insert->BindText(3, operation);
  insert->BindText(4, fingerprint);
  insert->BindText(5, stored.name().substr(sizeof("outcomes/") - 1));
  insert->BindInt(6, stored.revision());
  insert->BindInt(7, TimestampToMicros(stored.create_time()));
  return insert->Run();
}

// The idempotent write LogOutcome and AmendOutcome share, in one unit of
// work: a request_id seen before is replayed; otherwise `make` builds the
// revision, which is stored and remembered under the request_id.
absl::StatusOr<v1::Outcome> WriteRevision(
    SqliteWriter& writer, const std::string& clinic_id, const std::string& request_id,
    const std::string& operation, const std::string& fingerprint,
    const std::function<absl::StatusOr<NewRevision>(SqliteConnection& db, int64_t now_us)>& make) {
  v1::Outcome result;
  absl::Status status = writer.Write([&](SqliteConnection& db, int64_t now_us) -> absl::Status {
    absl::StatusOr<std::optional<IdempotencyRecord>> first = FindRequest(db, clinic_id, request_id);
    if (!first.ok()) return first.status();
    if (first->has_value()) {
      absl::StatusOr<v1::Outcome> replay =
          ReplayRequest(db, clinic_id, request_id, **first, operation, fingerprint);
      if (!replay.ok()) return replay.status();
      result = *std::move(replay);
      return absl::OkStatus();
    }
    absl::StatusOr<NewRevision> revision = make(db, now_us);
    if (!revision.ok()) return revision.status();
    if (absl::Status insert = InsertOutcomeRevision(db, clinic_id, request_id, revision->stored,
                                                    revision->first_create_time_us);
        !insert.ok()) {
      return insert;
    }
    if (absl::Status remember =
            RememberRequest(db, clinic_id, request_id, operation, fingerprint, revision->stored);
        !remember.ok()) {
      return remember;
    }
    result = std::move(revision->stored);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<SqliteWriter> writer,
                         SqliteConnection::Options read_options, int max_idle_readers,
                         int64_t default_max_page_count)
    : writer_(std::move(writer)),
      readers_(std::move(read_options), max_idle_readers),
      default_max_page_count_(default_max_page_count) {}

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  if (options.synchronous != "FULL" && options.synchronous != "NORMAL" &&
      options.synchronous != "EXTRA") {
    return absl::InvalidArgumentError(
        absl::StrCat("synchronous must be FULL, EXTRA or NORMAL, got \"", options.synchronous, "\""));
  }
  SqliteConnection::Options connection_options;
  connection_options.path = options.path;
  connection_options.synchronous = options.synchronous;
  connection_options.busy_timeout_ms = options.busy_timeout_ms;
  absl::StatusOr<std::unique_ptr<SqliteConnection>> db = SqliteConnection::Open(connection_options);
  if (!db.ok()) return db.status();
  if (absl::Status status = ApplySqliteMigrations(**db, SqliteMigrations(), NowMicros());
      !status.ok()) {
    return status;
  }

  // Create times must keep increasing across restarts: the history order and
  // its resume tokens depend on it.
  int64_t last_time_us = 0;
  int64_t default_max_page_count = 0;
  {
    absl::StatusOr<SqliteStatement> newest =
        (*db)->Prepare("SELECT coalesce(max(create_time_us), 0) FROM outcome_revisions");
    if (!newest.ok()) return newest.status();
    if (absl::StatusOr<bool> row = newest->Step(); !row.ok()) return row.status();
    last_time_us = newest->ColumnInt(0);
    absl::StatusOr<SqliteStatement> pages = (*db)->Prepare("PRAGMA max_page_count");
    if (!pages.ok()) return pages.status();
    if (absl::StatusOr<bool> row = pages->Step(); !row.ok()) return row.status();
    default_max_page_count = pages->ColumnInt(0);
  }
  if (options.max_page_count > 0) {
    if (absl::Status status =
            (*db)->Exec(absl::StrCat("PRAGMA max_page_count=", options.max_page_count));
        !status.ok()) {
      return status;
    }
  }
  auto writer = std::make_unique<SqliteWriter>(std::move(*db), last_time_us, options.max_batch);
  return std::unique_ptr<SqliteStore>(new SqliteStore(
      std::move(writer), connection_options, options.max_idle_readers, default_max_page_count));
}

absl::Status SqliteStore::SetMaxPageCountForTesting(int64_t pages) {
  const int64_t limit = pages > 0 ? pages : default_max_page_count_;
  return writer_->Control([limit](SqliteConnection& db) {
    return db.Exec(absl::StrCat("PRAGMA max_page_count=", limit));
  });
}

absl::StatusOr<v1::Outcome> SqliteStore::LogOutcome(const std::string& clinic_id,
                                                    const std::string& request_id,
                                                    const v1::Outcome& outcome) {
  if (absl::Status status = RequireRequestId(request_id); !status.ok()) return status;
  return WriteRevision(*writer_, clinic_id, request_id, kLogOperation,
                       LogOutcomeFingerprint(outcome),
                       [&](SqliteConnection&, int64_t now_us) -> absl::StatusOr<NewRevision> {
                         return FirstRevision(outcome, now_us);
                       });
}

absl::StatusOr<v1::Outcome> SqliteStore::AmendOutcome(const std::string& clinic_id,
                                                      const std::string& request_id,
                                                      const std::string& name,
                                                      const v1::Outcome& corrected,
                                                      const std::string& reason) {
  absl::StatusOr<std::string> outcome_id = CheckAmendOutcome(request_id, name);
  if (!outcome_id.ok()) return outcome_id.status();
  return WriteRevision(
      *writer_, clinic_id, request_id, kAmendOperation,
      AmendOutcomeFingerprint(name, corrected, reason),
      [&](SqliteConnection& db, int64_t now_us) -> absl::StatusOr<NewRevision> {
        absl::StatusOr<v1::Outcome> latest = SelectOutcome(db, clinic_id, *outcome_id, 0);
        if (!latest.ok()) return latest.status();
        absl::StatusOr<v1::Outcome> first_revision = SelectOutcome(db, clinic_id, *outcome_id, 1);
        if (!first_revision.ok()) return first_revision.status();
        return NewRevision{
            MakeStoredOutcome(corrected, *outcome_id, latest->revision() + 1, now_us, reason),
            *outcome_id, TimestampToMicros(first_revision->create_time())};
      });
}

absl::Status SqliteStore::SaveRecommendation(const std::string& clinic_id,
                                             const v1::RecommendProtocolRequest& request,
                                             const v1::RecommendProtocolResponse& response) {
  absl::StatusOr<RecommendationBlobs> blobs = SerializeRecommendation(request, response);
  if (!blobs.ok()) return blobs.status();
  return writer_->Write([&](SqliteConnection& db, int64_t now_us) -> absl::Status {
    absl::StatusOr<SqliteStatement> existing = db.Prepare(
        "SELECT response_proto FROM recommendations WHERE clinic_id = ?1 AND recommendation_id = ?2");
    if (!existing.ok()) return existing.status();
    existing->BindText(1, clinic_id);
    existing->BindText(2, response.recommendation_id());
    absl::StatusOr<bool> row = existing->Step();
    if (!row.ok()) return row.status();
    if (*row) {
      // Saving the same recommendation again (a retry) is harmless.
      if (existing->ColumnBlob(0) == blobs->response) return absl::OkStatus();
      return RecommendationConflict(response.recommendation_id());
    }
    absl::StatusOr<SqliteStatement> insert = db.Prepare(
        "INSERT INTO recommendations (clinic_id, recommendation_id, patient_id, create_time_us, "
        "decision, protocol_id, request_proto, response_proto) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!insert.ok()) return insert.status();
    insert->BindText(1, clinic_id);
    insert->BindText(2, response.recommendation_id());
    insert->BindText(3, request.patient_id());
    insert->BindInt(4, response.has_create_time() ? TimestampToMicros(response.create_time()) : now_us);
    insert->BindInt(5, response.decision());
    insert->BindText(6, response.protocol().protocol_id());
    insert->BindBlob(7, blobs->request);
    insert->BindBlob(8, blobs->response);
    return insert->Run();
  });
}

absl::Status SqliteStore::AppendAudit(const AuditEntry& entry) {
  return writer_->Write([&](SqliteConnection& db, int64_t now_us) -> absl::Status {
    // Ids increase within a clinic; the writer serializes appends, so
    // max + 1 cannot collide.
    absl::StatusOr<SqliteStatement> insert = db.Prepare(
        "INSERT INTO audit_records (clinic_id, id, time_us, principal, role, method, subject, "
        "status_code) VALUES (?1, (SELECT coalesce(max(id), 0) + 1 FROM audit_records "
        "WHERE clinic_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!insert.ok()) return insert.status();
    insert->BindText(1, entry.clinic_id);
    insert->BindInt(2, entry.time_us != 0 ? entry.time_us : now_us);
    insert->BindText(3, entry.principal);
    insert->BindText(4, entry.role);
    insert->BindText(5, entry.method);
    insert->BindText(6, entry.subject);
    insert->BindInt(7, entry.status_code);
    return insert->Run();
  });
}

}  // namespace scoliomassage::storage
