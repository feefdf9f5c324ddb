// One idempotent revision write for every revisioned record (outcomes, curve
// measurements): the request_id is claimed in the transaction that stores the
// revision, so a retry replays what the first request stored, a reused id
// with another body is refused, and a lost race runs the transaction again
// (and then replays the winner or reads the new latest revision). The
// call's audit record may ride in the same transaction (WriteAudit).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/errors.h"
#include "storage/audit_rows.h"
#include "storage/sql_executor.h"
#include "storage/store_common.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {

inline absl::Status LostClaim() {
  return core::WithReason(
      absl::UnavailableError("another instance stored this request_id at the same moment; retry"),
      kReasonStoreBusy);
}

namespace revision_write_internal {
// Rows::InsertRevision either cannot lose (Status) or may find its revision
// number taken by a racing amendment (false).
inline absl::StatusOr<bool> Inserted(absl::Status status) {
  if (!status.ok()) return status;
  return true;
}
inline absl::StatusOr<bool> Inserted(absl::StatusOr<bool> inserted) { return inserted; }
}  // namespace revision_write_internal

// One run of the write's transaction body: replays a retry, or stores the
// new revision and claims the request_id. `lost_claim` when a racing write
// took the request_id first.
template <typename Record, typename Rows, typename Make>
absl::Status WriteRevisionOnce(SqlSession& db, SqlDialect dialect, const std::string& clinic_id,
                               const std::string& request_id, const std::string& operation,
                               const std::string& fingerprint, int64_t now_us, const Make& make,
                               Record* result, bool* lost_claim) {
  Rows rows(db, dialect);
  absl::StatusOr<std::optional<IdempotencyRecord>> first = rows.FindRequest(clinic_id, request_id);
  if (!first.ok()) return first.status();
  if (first->has_value()) {
    if (absl::Status retry = CheckRetry(**first, request_id, operation, fingerprint);
        !retry.ok()) {
      return retry;
    }
    absl::StatusOr<Record> replay = rows.Select(clinic_id, (*first)->outcome_id, (*first)->revision);
    if (!replay.ok()) return replay.status();
    *result = *std::move(replay);
    return absl::OkStatus();
  }
  auto revision = make(rows, now_us);
  if (!revision.ok()) return revision.status();
  absl::StatusOr<bool> inserted = revision_write_internal::Inserted(rows.InsertRevision(
      clinic_id, request_id, revision->stored, revision->first_create_time_us));
  if (!inserted.ok()) return inserted.status();
  if (*inserted) {
    absl::StatusOr<bool> claimed =
        rows.ClaimRequest(clinic_id, request_id, operation, fingerprint, revision->stored);
    if (!claimed.ok()) return claimed.status();
    inserted = *claimed;
  }
  if (!*inserted) {
    *lost_claim = true;
    return LostClaim();  // rolls back our revision row; run again
  }
  *result = std::move(revision->stored);
  return absl::OkStatus();
}

// Rows: OutcomeRows or CurveRows. Make: (Rows&, now_us) -> StatusOr<Revision>,
// where Revision has `stored` (the Record) and `first_create_time_us`.
// `audit` may be null. Where the dialect has one writer (see WriteAudit) it
// is appended last in the same transaction, so a write that fails leaves no
// record of success and an acknowledged one cannot lose its record.
template <typename Record, typename Rows, typename Make>
absl::StatusOr<Record> WriteClaimedRevision(SqlExecutor& executor, SqlDialect dialect,
                                            const std::string& clinic_id,
                                            const std::string& request_id,
                                            const std::string& operation,
                                            const std::string& fingerprint, int attempts,
                                            WriteAudit* audit, const Make& make) {
  if (absl::Status status = RequireRequestId(request_id); !status.ok()) return status;
  const bool audit_here = audit != nullptr && dialect.one_writer;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    Record result;
    bool lost_claim = false;
    absl::Status status = executor.Write([&](SqlSession& db, int64_t now_us) -> absl::Status {
      lost_claim = false;
      absl::Status written = WriteRevisionOnce<Record, Rows>(
          db, dialect, clinic_id, request_id, operation, fingerprint, now_us, make, &result,
          &lost_claim);
      if (!written.ok() || !audit_here) return written;
      AuditEntry entry = audit->entry;
      if (entry.subject.empty()) entry.subject = result.name();
      return AppendAuditRow(db, dialect, entry, now_us);
    });
    if (lost_claim) continue;
    if (!status.ok()) return status;
    if (audit_here) audit->stored = true;
    return result;
  }
  return LostClaim();
}

}  // namespace scoliomassage::storage
