// PostgresStore: the read path. The SQL comes from outcome_queries.cc, the
// same text SQLite runs, with $N placeholders; tokens come from
// page_tokens.cc, so a client's resume token survives a move between
// backends.
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "core/outcome_validation.h"
#include "storage/outcome_ids.h"
#include "storage/outcome_queries.h"
#include "storage/page_tokens.h"
#include "storage/postgres_outcome_rows.h"
#include "storage/postgres_store.h"
#include "storage/sqlite_outcome_rows.h"  // ParseStoredOutcome: backend-neutral

namespace scoliomassage::storage {
namespace {

// The same limits as the SQLite store (sqlite_store_reads.cc).
constexpr int kDefaultHistoryLimit = 100;
constexpr int kMaxHistoryLimit = 1000;
constexpr int kDefaultAuditPageSize = 100;
constexpr int kMaxAuditPageSize = 1000;
constexpr int kMaxOutcomePageSize = 100;

// Several statements that must agree see one snapshot.
constexpr char kReadSnapshot[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

}  // namespace

absl::StatusOr<v1::Outcome> PostgresStore::GetOutcome(const std::string& clinic_id,
                                                      const std::string& name, int32_t revision) {
  absl::StatusOr<std::string> outcome_id = core::ParseOutcomeName(name);
  if (!outcome_id.ok()) return outcome_id.status();
  if (revision < 0) {
    return core::InvalidField("revision", "must be 0 (latest) or a positive revision number");
  }
  v1::Outcome result;
  absl::Status status = Run(nullptr, [&](PgConnection& db) -> absl::Status {
    absl::StatusOr<v1::Outcome> outcome = SelectPostgresOutcome(db, clinic_id, *outcome_id, revision);
    if (!outcome.ok()) return outcome.status();
    result = *std::move(outcome);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<PatientProgress> PostgresStore::GetPatientProgress(const std::string& clinic_id,
                                                                  const std::string& patient_id) {
  PatientProgress progress;
  absl::Status status = Run(kReadSnapshot, [&](PgConnection& db) -> absl::Status {
    progress = PatientProgress();
    absl::StatusOr<PgResult> count = db.Exec(
        "SELECT count(*) FROM latest_outcome_revisions WHERE clinic_id = $1 AND patient_id = $2",
        {PgParam::Text(clinic_id), PgParam::Text(patient_id)});
    if (!count.ok()) return count.status();
    progress.sessions_logged = count->Int(0, 0);
    if (progress.sessions_logged == 0) return absl::OkStatus();
    absl::StatusOr<PgResult> last = db.Exec(
        "SELECT outcome_proto FROM latest_outcome_revisions WHERE clinic_id = $1 AND "
        "patient_id = $2 ORDER BY performed_at_us DESC, first_create_time_us DESC, "
        "outcome_id DESC LIMIT 1",
        {PgParam::Text(clinic_id), PgParam::Text(patient_id)});
    if (!last.ok()) return last.status();
    if (last->rows() == 1) {
      absl::StatusOr<v1::Outcome> outcome = ParseStoredOutcome(last->Bytes(0, 0));
      if (!outcome.ok()) return outcome.status();
      progress.last_outcome = *std::move(outcome);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return progress;
}

absl::StatusOr<OutcomePage> PostgresStore::ListOutcomes(const std::string& clinic_id,
                                                        const v1::HistoryFilter& filter,
                                                        int page_size,
                                                        const std::string& page_token) {
  if (absl::Status status = core::ValidateHistoryFilter(filter, "filter"); !status.ok()) {
    return status;
  }
  if (page_size <= 0) page_size = 20;
  if (page_size > kMaxOutcomePageSize) page_size = kMaxOutcomePageSize;
  std::optional<OutcomeListPosition> after;
  if (!page_token.empty()) {
    absl::StatusOr<OutcomeListPosition> position = DecodeOutcomeListToken(page_token);
    if (!position.ok()) return position.status();
    after = *std::move(position);
  }
  SqlParams params('$');
  // One row more than the page tells whether another page follows.
  const std::string sql =
      OutcomeListSql(clinic_id, filter, after ? &*after : nullptr, page_size + 1, params);
  OutcomePage page;
  absl::Status status = Run(nullptr, [&](PgConnection& db) -> absl::Status {
    page = OutcomePage();
    absl::StatusOr<PgResult> rows = db.Exec(sql, ToPgParams(params));
    if (!rows.ok()) return rows.status();
    for (int row = 0; row < rows->rows(); ++row) {
      if (row == page_size) {
        page.next_page_token = EncodeOutcomeListToken(
            OutcomeListPosition{rows->Int(row - 1, 1), rows->Text(row - 1, 2)});
        break;
      }
      absl::StatusOr<v1::Outcome> outcome = ParseStoredOutcome(rows->Bytes(row, 0));
      if (!outcome.ok()) return outcome.status();
      page.outcomes.push_back(*std::move(outcome));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<HistoryPage> PostgresStore::ScanHistory(const std::string& clinic_id,
                                                       const v1::HistoryFilter& filter,
                                                       bool include_revisions,
                                                       const std::string& resume_token,
                                                       int limit) {
  if (absl::Status status = core::ValidateHistoryFilter(filter, "filter"); !status.ok()) {
    return status;
  }
  if (limit <= 0) limit = kDefaultHistoryLimit;
  if (limit > kMaxHistoryLimit) limit = kMaxHistoryLimit;
  std::optional<HistoryPosition> after;
  if (!resume_token.empty()) {
    absl::StatusOr<HistoryPosition> position = DecodeHistoryToken(resume_token);
    if (!position.ok()) return position.status();
    after = *std::move(position);
  }
  SqlParams params('$');
  const std::string sql = HistoryScanSql(clinic_id, filter, include_revisions,
                                         after ? &*after : nullptr, limit + 1, params);
  HistoryPage page;
  absl::Status status = Run(nullptr, [&](PgConnection& db) -> absl::Status {
    page = HistoryPage();
    page.done = true;
    absl::StatusOr<PgResult> rows = db.Exec(sql, ToPgParams(params));
    if (!rows.ok()) return rows.status();
    for (int row = 0; row < rows->rows(); ++row) {
      if (row == limit) {
        page.done = false;
        break;
      }
      v1::HistoryRecord record;
      absl::StatusOr<v1::Outcome> outcome = ParseStoredOutcome(rows->Bytes(row, 0));
      if (!outcome.ok()) return outcome.status();
      *record.mutable_outcome() = *std::move(outcome);
      record.set_resume_token(EncodeHistoryToken(HistoryPosition{
          rows->Int(row, 1), rows->Text(row, 2), static_cast<int32_t>(rows->Int(row, 3))}));
      page.records.push_back(std::move(record));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<std::vector<v1::SummaryGroup>> PostgresStore::Summarize(
    const std::string& clinic_id, const v1::HistoryFilter& filter,
    const std::vector<v1::GroupBy>& group_by) {
  if (absl::Status status = core::ValidateHistoryFilter(filter, "filter"); !status.ok()) {
    return status;
  }
  if (absl::Status status = ValidateGroupBy(group_by); !status.ok()) return status;
  SqlParams params('$');
  const std::string sql = SummarySql(clinic_id, filter, group_by, params);
  std::vector<v1::SummaryGroup> groups;
  absl::Status status = Run(nullptr, [&](PgConnection& db) -> absl::Status {
    groups.clear();
    absl::StatusOr<PgResult> rows = db.Exec(sql, ToPgParams(params));
    if (!rows.ok()) return rows.status();
    const int dimensions = static_cast<int>(group_by.size());
    for (int row = 0; row < rows->rows(); ++row) {
      SummaryRow summary;
      for (int i = 0; i < dimensions; ++i) summary.dimension_values.push_back(rows->Text(row, i));
      summary.session_count = rows->Int(row, dimensions);
      // An empty selection without GROUP BY still yields one row: skip it.
      if (summary.session_count == 0) continue;
      summary.mean_pain_before = rows->Double(row, dimensions + 1);
      summary.mean_pain_after = rows->Double(row, dimensions + 2);
      summary.mean_pain_relief = rows->Double(row, dimensions + 3);
      summary.meaningful_relief_rate = rows->Double(row, dimensions + 4);
      summary.adverse_event_rate = rows->Double(row, dimensions + 5);
      groups.push_back(MakeSummaryGroup(group_by, summary));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return groups;
}

absl::StatusOr<AuditPage> PostgresStore::ListAudit(const std::string& clinic_id,
                                                   const v1::ListAuditRecordsRequest& request) {
  int page_size = request.page_size();
  if (page_size < 0) return core::InvalidField("page_size", "must be 0 (default 100) to 1000");
  if (page_size == 0) page_size = kDefaultAuditPageSize;
  if (page_size > kMaxAuditPageSize) page_size = kMaxAuditPageSize;
  std::optional<AuditPosition> after;
  if (!request.page_token().empty()) {
    absl::StatusOr<AuditPosition> position = DecodeAuditToken(request.page_token());
    if (!position.ok()) return position.status();
    after = *position;
  }
  SqlParams params('$');
  std::string sql = absl::StrCat(
      "SELECT time_us, id, principal, role, method, subject, status_code FROM audit_records "
      "WHERE clinic_id = ", params.Add(clinic_id));
  if (request.has_start_time()) {
    absl::StrAppend(&sql, " AND time_us >= ", params.Add(TimestampToMicros(request.start_time())));
  }
  if (request.has_end_time()) {
    absl::StrAppend(&sql, " AND time_us < ", params.Add(TimestampToMicros(request.end_time())));
  }
  if (after) {
    const std::string time = params.Add(after->time_us);
    absl::StrAppend(&sql, " AND (time_us, id) > (", time, ", ", params.Add(after->id), ")");
  }
  absl::StrAppend(&sql, " ORDER BY time_us, id LIMIT ", params.Add(int64_t{page_size} + 1));

  AuditPage page;
  absl::Status status = Run(nullptr, [&](PgConnection& db) -> absl::Status {
    page = AuditPage();
    absl::StatusOr<PgResult> rows = db.Exec(sql, ToPgParams(params));
    if (!rows.ok()) return rows.status();
    for (int row = 0; row < rows->rows(); ++row) {
      if (row == page_size) {
        const v1::AuditRecord& last = page.records.back();
        page.next_page_token = EncodeAuditToken({TimestampToMicros(last.time()), last.id()});
        break;
      }
      v1::AuditRecord record;
      *record.mutable_time() = MicrosToTimestamp(rows->Int(row, 0));
      record.set_id(rows->Int(row, 1));
      record.set_principal(rows->Text(row, 2));
      record.set_role(rows->Text(row, 3));
      record.set_method(rows->Text(row, 4));
      record.set_subject(rows->Text(row, 5));
      record.set_status_code(static_cast<int32_t>(rows->Int(row, 6)));
      record.set_clinic_id(clinic_id);
      page.records.push_back(std::move(record));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

}  // namespace scoliomassage::storage
