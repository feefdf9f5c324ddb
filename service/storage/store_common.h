// The checks, plans and page readers of SqlStore (sql_store.h): a call is
// checked and planned here before it touches a database, the planned SQL
// runs on the executor, and its rows come back here to become a page.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scoliomassage/v1/audit.pb.h"
#include "scoliomassage/v1/history.pb.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "scoliomassage/v1/protocol.pb.h"
#include "storage/outcome_queries.h"
#include "storage/outcome_rows.h"  // IdempotencyRecord
#include "storage/sql_executor.h"
#include "storage/store.h"

namespace scoliomassage::storage {

// --- writes ---------------------------------------------------------------

// The operation names stored with an idempotency key.
inline constexpr char kLogOperation[] = "LogOutcome";
inline constexpr char kAmendOperation[] = "AmendOutcome";

// A revision LogOutcome or AmendOutcome is about to store: the outcome in its
// stored form (MakeStoredOutcome), its id, and the create time of its
// revision 1.
struct NewRevision {
  v1::Outcome stored;
  std::string outcome_id;
  int64_t first_create_time_us = 0;
};

// Runs an INSERT ... ON CONFLICT DO NOTHING RETURNING: OK when it inserted,
// ALREADY_EXISTS when the key was taken.
absl::Status InsertIfAbsent(SqlSession& db, const std::string& insert, const SqlParams& params);

// INVALID_ARGUMENT when a write has no request_id.
absl::Status RequireRequestId(const std::string& request_id);

// AmendOutcome's checks: a request_id, and the outcome id `name` names.
absl::StatusOr<std::string> CheckAmendOutcome(const std::string& request_id,
                                              const std::string& name);

// LogOutcome's revision: revision 1 of a new outcome id, created at
// create_time_us (which is also its first create time).
// UNAVAILABLE when the OS has no randomness for the id (never a throw: this
// runs on the writer thread).
absl::StatusOr<NewRevision> FirstRevision(const v1::Outcome& outcome, int64_t create_time_us);

// The decision for a request_id seen before: a retry (same operation, same
// fingerprint) is OK and gets the revision `first` names back; a reused id
// with another body is ALREADY_EXISTS. Nothing is stored either way.
absl::Status CheckRetry(const IdempotencyRecord& first, const std::string& request_id,
                        const std::string& operation, const std::string& fingerprint);

// ALREADY_EXISTS: the recommendation id is stored with other content.
absl::Status RecommendationConflict(const std::string& recommendation_id);

// NOT_FOUND for a missing outcome (revision 0) or a missing revision of it,
// worded so another clinic's outcome looks like a missing one.
absl::Status OutcomeNotFound(const std::string& outcome_id, int32_t revision);

// --- reads ----------------------------------------------------------------

// GetOutcome's checks: the outcome id named by `name`.
absl::StatusOr<std::string> CheckGetOutcome(const std::string& name, int32_t revision);

// A read checked and planned before it touches a database: the page size
// after clamping, and SQL that asks for one row more than the page (that row
// only tells whether another page follows). `placeholder_prefix` is '?' for
// SQLite and '$' for PostgreSQL.
struct PlannedRead {
  int page_size = 0;
  std::string sql;
  SqlParams params;
};
// Columns as OutcomeListSql.
absl::StatusOr<PlannedRead> PlanOutcomeList(const std::string& clinic_id,
                                            const v1::HistoryFilter& filter, int page_size,
                                            const std::string& page_token,
                                            char placeholder_prefix);
// Columns as HistoryScanSql; page_size is the clamped limit.
absl::StatusOr<PlannedRead> PlanHistoryScan(const std::string& clinic_id,
                                            const v1::HistoryFilter& filter,
                                            bool include_revisions,
                                            const std::string& resume_token, int limit,
                                            char placeholder_prefix);
// Columns as SummarySql; no paging (page_size 0).
absl::StatusOr<PlannedRead> PlanSummary(const std::string& clinic_id,
                                        const v1::HistoryFilter& filter,
                                        const std::vector<v1::GroupBy>& group_by,
                                        char placeholder_prefix);
// Columns: time_us, id, principal, role, method, subject, status_code.
absl::StatusOr<PlannedRead> PlanAuditList(const std::string& clinic_id,
                                          const v1::ListAuditRecordsRequest& request,
                                          char placeholder_prefix);

// The rows of a planned read as a page; a row beyond page_size sets the next
// page token (or clears done) and is not returned.
// The patient's latest assessment and the one before it of the same
// instrument, in `db`'s snapshot (Store::LatestAssessmentPair).
absl::StatusOr<std::vector<v1::Assessment>> ReadLatestAssessmentPair(
    SqlSession& db, const SqlDialect& dialect, const std::string& clinic_id,
    const std::string& patient_id);

absl::StatusOr<OutcomePage> ReadOutcomePage(ResultRows& rows, int page_size);
absl::StatusOr<HistoryPage> ReadHistoryPage(ResultRows& rows, int limit);
absl::StatusOr<std::vector<v1::SummaryGroup>> ReadSummaryGroups(
    ResultRows& rows, const std::vector<v1::GroupBy>& group_by);
absl::StatusOr<AuditPage> ReadAuditPage(ResultRows& rows, int page_size,
                                        const std::string& clinic_id);

}  // namespace scoliomassage::storage
