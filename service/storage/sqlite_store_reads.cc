// SqliteStore: the read path. Each call borrows a read connection, so reads
// run beside the writer (WAL) and never queue behind it.
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "core/outcome_validation.h"
#include "storage/outcome_ids.h"
#include "storage/outcome_queries.h"
#include "storage/page_tokens.h"
#include "storage/sqlite_outcome_rows.h"
#include "storage/sqlite_store.h"

namespace scoliomassage::storage {
namespace {

constexpr int kDefaultHistoryLimit = 100;
constexpr int kMaxHistoryLimit = 1000;
constexpr int kDefaultAuditPageSize = 100;
constexpr int kMaxAuditPageSize = 1000;
constexpr int kMaxOutcomePageSize = 100;

// Runs the body in one read transaction, so several statements see one
// snapshot of the database.
template <typename Body>
auto InReadSnapshot(SqliteConnection& db, Body body) -> decltype(body()) {
  if (absl::Status begin = db.Exec("BEGIN"); !begin.ok()) return begin;
  auto result = body();
  db.Exec("COMMIT").IgnoreError();
  return result;
}

}  // namespace

absl::StatusOr<v1::Outcome> SqliteStore::GetOutcome(const std::string& clinic_id,
                                                    const std::string& name, int32_t revision) {
  absl::StatusOr<std::string> outcome_id = core::ParseOutcomeName(name);
  if (!outcome_id.ok()) return outcome_id.status();
  if (revision < 0) {
    return core::InvalidField("revision", "must be 0 (latest) or a positive revision number");
  }
  absl::StatusOr<SqliteReaderPool::Lease> db = readers_.Borrow();
  if (!db.ok()) return db.status();
  return SelectOutcome(**db, clinic_id, *outcome_id, revision);
}

absl::StatusOr<PatientProgress> SqliteStore::GetPatientProgress(const std::string& clinic_id,
                                                                const std::string& patient_id) {
  absl::StatusOr<SqliteReaderPool::Lease> db = readers_.Borrow();
  if (!db.ok()) return db.status();
  return InReadSnapshot(**db, [&]() -> absl::StatusOr<PatientProgress> {
    PatientProgress progress;
    absl::StatusOr<SqliteStatement> count = (*db)->Prepare(
        "SELECT count(*) FROM latest_outcome_revisions WHERE clinic_id = ?1 AND patient_id = ?2");
    if (!count.ok()) return count.status();
    count->BindText(1, clinic_id);
    count->BindText(2, patient_id);
    if (absl::StatusOr<bool> row = count->Step(); !row.ok()) return row.status();
    progress.sessions_logged = count->ColumnInt(0);
    if (progress.sessions_logged == 0) return progress;

    absl::StatusOr<SqliteStatement> last = (*db)->Prepare(
        "SELECT outcome_proto FROM latest_outcome_revisions WHERE clinic_id = ?1 AND "
        "patient_id = ?2 ORDER BY performed_at_us DESC, first_create_time_us DESC, "
        "outcome_id DESC LIMIT 1");
    if (!last.ok()) return last.status();
    last->BindText(1, clinic_id);
    last->BindText(2, patient_id);
    absl::StatusOr<bool> row = last->Step();
    if (!row.ok()) return row.status();
    if (*row) {
      absl::StatusOr<v1::Outcome> outcome = ParseStoredOutcome(last->ColumnBlob(0));
      if (!outcome.ok()) return outcome.status();
      progress.last_outcome = *std::move(outcome);
    }
    return progress;
  });
}

absl::StatusOr<OutcomePage> SqliteStore::ListOutcomes(const std::string& clinic_id,
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
  SqlParams params;
  // One row more than the page tells whether another page follows.
  const std::string sql =
      OutcomeListSql(clinic_id, filter, after ? &*after : nullptr, page_size + 1, params);
  absl::StatusOr<SqliteReaderPool::Lease> db = readers_.Borrow();
  if (!db.ok()) return db.status();
  absl::StatusOr<SqliteStatement> select = PrepareWithParams(**db, sql, params);
  if (!select.ok()) return select.status();
  OutcomePage page;
  OutcomeListPosition last;
  for (;;) {
    absl::StatusOr<bool> row = select->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(page.outcomes.size()) == page_size) {
      page.next_page_token = EncodeOutcomeListToken(last);
      break;
    }
    absl::StatusOr<v1::Outcome> outcome = ParseStoredOutcome(select->ColumnBlob(0));
    if (!outcome.ok()) return outcome.status();
    page.outcomes.push_back(*std::move(outcome));
    last = OutcomeListPosition{select->ColumnInt(1), select->ColumnText(2)};
  }
  return page;
}

absl::StatusOr<HistoryPage> SqliteStore::ScanHistory(const std::string& clinic_id,
                                                     const v1::HistoryFilter& filter,
                                                     bool include_revisions,
                                                     const std::string& resume_token, int limit) {
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
  SqlParams params;
  const std::string sql = HistoryScanSql(clinic_id, filter, include_revisions,
                                         after ? &*after : nullptr, limit + 1, params);
  absl::StatusOr<SqliteReaderPool::Lease> db = readers_.Borrow();
  if (!db.ok()) return db.status();
  absl::StatusOr<SqliteStatement> select = PrepareWithParams(**db, sql, params);
  if (!select.ok()) return select.status();
  HistoryPage page;
  page.done = true;
  for (;;) {
    absl::StatusOr<bool> row = select->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(page.records.size()) == limit) {
      page.done = false;
      break;
    }
    v1::HistoryRecord record;
    absl::StatusOr<v1::Outcome> outcome = ParseStoredOutcome(select->ColumnBlob(0));
    if (!outcome.ok()) return outcome.status();
    *record.mutable_outcome() = *std::move(outcome);
    record.set_resume_token(EncodeHistoryToken(HistoryPosition{
        select->ColumnInt(1), select->ColumnText(2), static_cast<int32_t>(select->ColumnInt(3))}));
    page.records.push_back(std::move(record));
  }
  return page;
}

absl::StatusOr<std::vector<v1::SummaryGroup>> SqliteStore::Summarize(
    const std::string& clinic_id, const v1::HistoryFilter& filter,
    const std::vector<v1::GroupBy>& group_by) {
  if (absl::Status status = core::ValidateHistoryFilter(filter, "filter"); !status.ok()) {
    return status;
  }
  if (absl::Status status = ValidateGroupBy(group_by); !status.ok()) return status;
  SqlParams params;
  const std::string sql = SummarySql(clinic_id, filter, group_by, params);
  absl::StatusOr<SqliteReaderPool::Lease> db = readers_.Borrow();
  if (!db.ok()) return db.status();
  absl::StatusOr<SqliteStatement> select = PrepareWithParams(**db, sql, params);
  if (!select.ok()) return select.status();
  std::vector<v1::SummaryGroup> groups;
  const int dimensions = static_cast<int>(group_by.size());
  for (;;) {
    absl::StatusOr<bool> row = select->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    SummaryRow summary;
    for (int i = 0; i < dimensions; ++i) summary.dimension_values.push_back(select->ColumnText(i));
    summary.session_count = select->ColumnInt(dimensions);
    // An empty selection without GROUP BY still yields one row: skip it.
    if (summary.session_count == 0) continue;
    summary.mean_pain_before = select->ColumnDouble(dimensions + 1);
    summary.mean_pain_after = select->ColumnDouble(dimensions + 2);
    summary.mean_pain_relief = select->ColumnDouble(dimensions + 3);
    summary.meaningful_relief_rate = select->ColumnDouble(dimensions + 4);
    summary.adverse_event_rate = select->ColumnDouble(dimensions + 5);
    groups.push_back(MakeSummaryGroup(group_by, summary));
  }
  return groups;
}

absl::StatusOr<AuditPage> SqliteStore::ListAudit(const std::string& clinic_id,
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
  SqlParams params;
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

  absl::StatusOr<SqliteReaderPool::Lease> db = readers_.Borrow();
  if (!db.ok()) return db.status();
  absl::StatusOr<SqliteStatement> select = PrepareWithParams(**db, sql, params);
  if (!select.ok()) return select.status();
  AuditPage page;
  for (;;) {
    absl::StatusOr<bool> row = select->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(page.records.size()) == page_size) {
      const v1::AuditRecord& last = page.records.back();
      page.next_page_token = EncodeAuditToken({TimestampToMicros(last.time()), last.id()});
      break;
    }
    v1::AuditRecord record;
    *record.mutable_time() = MicrosToTimestamp(select->ColumnInt(0));
    record.set_id(select->ColumnInt(1));
    record.set_principal(select->ColumnText(2));
    record.set_role(select->ColumnText(3));
    record.set_method(select->ColumnText(4));
    record.set_subject(select->ColumnText(5));
    record.set_status_code(static_cast<int32_t>(select->ColumnInt(6)));
    record.set_clinic_id(clinic_id);
    page.records.push_back(std::move(record));
  }
  return page;
}

}  // namespace scoliomassage::storage
