// PostgresStore: the read path. Checks, SQL and pages come from
// store_common.cc, the same as SQLite's, with $N placeholders; tokens come
// from page_tokens.cc, so a client's resume token survives a move between
// backends. This file runs the statements.
#include <optional>
#include <utility>

#include "storage/postgres_outcome_rows.h"
#include "storage/postgres_store.h"
#include "storage/sqlite_outcome_rows.h"  // ParseStoredOutcome: backend-neutral
#include "storage/store_common.h"

namespace scoliomassage::storage {
namespace {

// Several statements that must agree see one snapshot.
constexpr char kReadSnapshot[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

// A fetched result as the shared page readers see it.
class PgResultRows final : public ResultRows {
 public:
  explicit PgResultRows(const PgResult& result) : result_(result) {}
  absl::StatusOr<bool> Next() override { return ++row_ < result_.rows(); }
  int64_t Int(int column) override { return result_.Int(row_, column); }
  double Double(int column) override { return result_.Double(row_, column); }
  std::string Text(int column) override { return result_.Text(row_, column); }
  std::string Bytes(int column) override { return result_.Bytes(row_, column); }

 private:
  const PgResult& result_;
  int row_ = -1;
};

}  // namespace

template <typename ReadRows>
auto PostgresStore::RunPlannedRead(const PlannedRead& read, ReadRows read_rows)
    -> decltype(read_rows(std::declval<ResultRows&>())) {
  decltype(read_rows(std::declval<ResultRows&>())) result;
  absl::Status status = Run(nullptr, [&](PgConnection& db) -> absl::Status {
    absl::StatusOr<PgResult> rows = db.Exec(read.sql, ToPgParams(read.params));
    if (!rows.ok()) return rows.status();
    PgResultRows cursor(*rows);
    result = read_rows(cursor);
    return result.status();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<v1::Outcome> PostgresStore::GetOutcome(const std::string& clinic_id,
                                                      const std::string& name, int32_t revision) {
  absl::StatusOr<std::string> outcome_id = CheckGetOutcome(name, revision);
  if (!outcome_id.ok()) return outcome_id.status();
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
  absl::StatusOr<PlannedRead> read =
      PlanOutcomeList(clinic_id, filter, page_size, page_token, '$');
  if (!read.ok()) return read.status();
  return RunPlannedRead(*read, [&](ResultRows& rows) {
    return ReadOutcomePage(rows, read->page_size);
  });
}

absl::StatusOr<HistoryPage> PostgresStore::ScanHistory(const std::string& clinic_id,
                                                       const v1::HistoryFilter& filter,
                                                       bool include_revisions,
                                                       const std::string& resume_token,
                                                       int limit) {
  absl::StatusOr<PlannedRead> read =
      PlanHistoryScan(clinic_id, filter, include_revisions, resume_token, limit, '$');
  if (!read.ok()) return read.status();
  return RunPlannedRead(*read, [&](ResultRows& rows) {
    return ReadHistoryPage(rows, read->page_size);
  });
}

absl::StatusOr<std::vector<v1::SummaryGroup>> PostgresStore::Summarize(
    const std::string& clinic_id, const v1::HistoryFilter& filter,
    const std::vector<v1::GroupBy>& group_by) {
  absl::StatusOr<PlannedRead> read = PlanSummary(clinic_id, filter, group_by, '$');
  if (!read.ok()) return read.status();
  return RunPlannedRead(*read,
                        [&](ResultRows& rows) { return ReadSummaryGroups(rows, group_by); });
}

absl::StatusOr<AuditPage> PostgresStore::ListAudit(const std::string& clinic_id,
                                                   const v1::ListAuditRecordsRequest& request) {
  absl::StatusOr<PlannedRead> read = PlanAuditList(clinic_id, request, '$');
  if (!read.ok()) return read.status();
  return RunPlannedRead(*read, [&](ResultRows& rows) {
    return ReadAuditPage(rows, read->page_size, clinic_id);
  });
}

}  // namespace scoliomassage::storage
