// SqliteStore: the read path. Each call borrows a read connection, so reads
// run beside the writer (WAL) and never queue behind it. Checks, SQL and
// pages come from store_common.cc; this file runs the statements.
#include <utility>

#include "storage/sqlite_outcome_rows.h"
#include "storage/sqlite_store.h"
#include "storage/store_common.h"

namespace scoliomassage::storage {
namespace {

// Runs the body in one read transaction, so several statements see one
// snapshot of the database.
template <typename Body>
auto InReadSnapshot(SqliteConnection& db, Body body) -> decltype(body()) {
  if (absl::Status begin = db.Exec("BEGIN"); !begin.ok()) return begin;
  auto result = body();
  db.Exec("COMMIT").IgnoreError();
  return result;
}

// A stepped statement as the shared page readers see it.
class StatementRows final : public ResultRows {
 public:
  explicit StatementRows(SqliteStatement& statement) : statement_(statement) {}
  absl::StatusOr<bool> Next() override { return statement_.Step(); }
  int64_t Int(int column) override { return statement_.ColumnInt(column); }
  double Double(int column) override { return statement_.ColumnDouble(column); }
  std::string Text(int column) override { return statement_.ColumnText(column); }
  std::string Bytes(int column) override { return statement_.ColumnBlob(column); }

 private:
  SqliteStatement& statement_;
};

// Runs a planned read on a borrowed connection; `read_rows` turns its rows
// into the result.
template <typename ReadRows>
auto RunPlannedRead(SqliteReaderPool& readers, const PlannedRead& read, ReadRows read_rows)
    -> decltype(read_rows(std::declval<ResultRows&>())) {
  absl::StatusOr<SqliteReaderPool::Lease> db = readers.Borrow();
  if (!db.ok()) return db.status();
  absl::StatusOr<SqliteStatement> select = PrepareWithParams(**db, read.sql, read.params);
  if (!select.ok()) return select.status();
  StatementRows rows(*select);
  return read_rows(rows);
}

}  // namespace

absl::StatusOr<v1::Outcome> SqliteStore::GetOutcome(const std::string& clinic_id,
                                                    const std::string& name, int32_t revision) {
  absl::StatusOr<std::string> outcome_id = CheckGetOutcome(name, revision);
  if (!outcome_id.ok()) return outcome_id.status();
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
  absl::StatusOr<PlannedRead> read =
      PlanOutcomeList(clinic_id, filter, page_size, page_token, '?');
  if (!read.ok()) return read.status();
  return RunPlannedRead(readers_, *read, [&](ResultRows& rows) {
    return ReadOutcomePage(rows, read->page_size);
  });
}

absl::StatusOr<HistoryPage> SqliteStore::ScanHistory(const std::string& clinic_id,
                                                     const v1::HistoryFilter& filter,
                                                     bool include_revisions,
                                                     const std::string& resume_token, int limit) {
  absl::StatusOr<PlannedRead> read =
      PlanHistoryScan(clinic_id, filter, include_revisions, resume_token, limit, '?');
  if (!read.ok()) return read.status();
  return RunPlannedRead(readers_, *read, [&](ResultRows& rows) {
    return ReadHistoryPage(rows, read->page_size);
  });
}

absl::StatusOr<std::vector<v1::SummaryGroup>> SqliteStore::Summarize(
    const std::string& clinic_id, const v1::HistoryFilter& filter,
    const std::vector<v1::GroupBy>& group_by) {
  absl::StatusOr<PlannedRead> read = PlanSummary(clinic_id, filter, group_by, '?');
  if (!read.ok()) return read.status();
  return RunPlannedRead(readers_, *read, [&](ResultRows& rows) {
    return ReadSummaryGroups(rows, group_by);
  });
}

absl::StatusOr<AuditPage> SqliteStore::ListAudit(const std::string& clinic_id,
                                                 const v1::ListAuditRecordsRequest& request) {
  absl::StatusOr<PlannedRead> read = PlanAuditList(clinic_id, request, '?');
  if (!read.ok()) return read.status();
  return RunPlannedRead(readers_, *read, [&](ResultRows& rows) {
    return ReadAuditPage(rows, read->page_size, clinic_id);
  });
}

}  // namespace scoliomassage::storage
