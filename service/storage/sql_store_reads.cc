// SqlStore: the read path. Checks, SQL and pages come from store_common.cc;
// tokens come from page_tokens.cc, so a client's resume token survives a
// move between backends.
#include <optional>
#include <utility>

#include "core/errors.h"
#include "storage/assessment_summary.h"
#include "storage/curve_rows.h"
#include "storage/curve_summary.h"
#include "storage/sql_store.h"

namespace scoliomassage::storage {

template <typename ReadRows>
auto SqlStore::RunPlannedRead(const PlannedRead& read, ReadRows read_rows)
    -> decltype(read_rows(std::declval<ResultRows&>())) {
  decltype(read_rows(std::declval<ResultRows&>())) result;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    absl::StatusOr<std::unique_ptr<ResultRows>> rows = db.Query(read.sql, read.params);
    if (!rows.ok()) return rows.status();
    result = read_rows(**rows);
    return result.status();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<v1::Outcome> SqlStore::GetOutcome(const std::string& clinic_id,
                                                 const std::string& name, int32_t revision) {
  absl::StatusOr<std::string> outcome_id = CheckGetOutcome(name, revision);
  if (!outcome_id.ok()) return outcome_id.status();
  absl::StatusOr<v1::Outcome> result;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    result = OutcomeRows(db, dialect_).Select(clinic_id, *outcome_id, revision);
    return result.status();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<PatientProgress> SqlStore::GetPatientProgress(const std::string& clinic_id,
                                                             const std::string& patient_id) {
  absl::StatusOr<PatientProgress> result;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    result = OutcomeRows(db, dialect_).Progress(clinic_id, patient_id);
    return result.status();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<CheckInReads> SqlStore::ReadCheckIn(const std::string& clinic_id,
                                                   const std::string& patient_id, int films,
                                                   bool with_assessments) {
  if (films < 1) return core::InvalidField("films", "must be 1 or more");
  absl::StatusOr<CheckInReads> result;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    absl::StatusOr<PatientProgress> progress = OutcomeRows(db, dialect_).Progress(clinic_id, patient_id);
    if (!progress.ok()) return progress.status();
    absl::StatusOr<CurveMeasurementPage> newest =
        CurveRows(db, dialect_).List(clinic_id, patient_id, films, std::nullopt);
    if (!newest.ok()) return newest.status();
    CheckInReads reads{*std::move(progress), {}};
    reads.progress.curve_measurements = std::move(newest->measurements);
    if (with_assessments) {
      absl::StatusOr<std::vector<v1::Assessment>> pair =
          ReadLatestAssessmentPair(db, dialect_, clinic_id, patient_id);
      if (!pair.ok()) return pair.status();
      reads.assessment_pair = *std::move(pair);
    }
    result = std::move(reads);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<OutcomePage> SqlStore::ListOutcomes(const std::string& clinic_id,
                                                   const v1::HistoryFilter& filter, int page_size,
                                                   const std::string& page_token) {
  absl::StatusOr<PlannedRead> read =
      PlanOutcomeList(clinic_id, filter, page_size, page_token, dialect_.placeholder_prefix);
  if (!read.ok()) return read.status();
  return RunPlannedRead(*read,
                        [&](ResultRows& rows) { return ReadOutcomePage(rows, read->page_size); });
}

absl::StatusOr<HistoryPage> SqlStore::ScanHistory(const std::string& clinic_id,
                                                  const v1::HistoryFilter& filter,
                                                  bool include_revisions,
                                                  const std::string& resume_token, int limit) {
  absl::StatusOr<PlannedRead> read = PlanHistoryScan(
      clinic_id, filter, include_revisions, resume_token, limit, dialect_.placeholder_prefix);
  if (!read.ok()) return read.status();
  return RunPlannedRead(*read,
                        [&](ResultRows& rows) { return ReadHistoryPage(rows, read->page_size); });
}

absl::StatusOr<std::vector<v1::SummaryGroup>> SqlStore::Summarize(
    const std::string& clinic_id, const v1::HistoryFilter& filter,
    const std::vector<v1::GroupBy>& group_by) {
  if (IsCurveSummary(group_by)) {  // films: curve_summary.h
    absl::StatusOr<PlannedRead> read =
        PlanCurveSummary(clinic_id, filter, group_by, dialect_.placeholder_prefix);
    if (!read.ok()) return read.status();
    return RunPlannedRead(*read, [&](ResultRows& rows) { return ReadCurveSummary(rows); });
  }
  if (IsAssessmentSummary(group_by)) {  // questionnaires: assessment_summary.h
    absl::StatusOr<PlannedRead> read =
        PlanAssessmentSummary(clinic_id, filter, group_by, dialect_.placeholder_prefix);
    if (!read.ok()) return read.status();
    return RunPlannedRead(*read,
                          [&](ResultRows& rows) { return ReadAssessmentSummary(rows, group_by); });
  }
  absl::StatusOr<PlannedRead> read =
      PlanSummary(clinic_id, filter, group_by, dialect_.placeholder_prefix);
  if (!read.ok()) return read.status();
  return RunPlannedRead(*read, [&](ResultRows& rows) { return ReadSummaryGroups(rows, group_by); });
}

absl::StatusOr<AuditPage> SqlStore::ListAudit(const std::string& clinic_id,
                                              const v1::ListAuditRecordsRequest& request) {
  absl::StatusOr<PlannedRead> read = PlanAuditList(clinic_id, request, dialect_.placeholder_prefix);
  if (!read.ok()) return read.status();
  return RunPlannedRead(
      *read, [&](ResultRows& rows) { return ReadAuditPage(rows, read->page_size, clinic_id); });
}

}  // namespace scoliomassage::storage
