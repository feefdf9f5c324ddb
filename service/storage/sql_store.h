// The one SQL Store: every Store method written once, over an executor
// (sql_executor.h) that runs it on SQLite or PostgreSQL. SqliteStore and
// PostgresStore only open their database and hand an executor in.
//
// Guarantees, the same on both backends:
//  * request_id idempotency: the key is claimed with INSERT ... ON CONFLICT
//    DO NOTHING in the transaction that stores the revision, so of two racing
//    retries exactly one commits and the other reads the winner back (and
//    compares fingerprints). On SQLite the single writer serializes them
//    anyway; on PostgreSQL they may come from several instances;
//  * append-only revisions: an amendment locks its outcome's latest row
//    (the dialect's lock clause), so amendments of one outcome take turns and
//    each gets the next number;
//  * acknowledged only after a durable COMMIT.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "storage/migrations.h"
#include "storage/outcome_rows.h"
#include "storage/sql_executor.h"
#include "storage/store.h"
#include "storage/store_common.h"

namespace scoliomassage::storage {

// What opening any SQL store starts with: pending migrations applied, then
// the newest create time already stored (create times keep rising from it).
absl::StatusOr<int64_t> MigrateAndReadNewestCreateTime(SqlSession& db, const SqlDialect& dialect,
                                                       const std::vector<Migration>& migrations);

class SqlStore : public Store {
 public:
  explicit SqlStore(std::unique_ptr<SqlExecutor> executor);

  using Store::AmendOutcome;
  using Store::LogOutcome;
  absl::StatusOr<v1::Outcome> LogOutcome(const std::string& clinic_id,
                                         const std::string& request_id,
                                         const v1::Outcome& outcome, WriteAudit* audit) override;
  absl::StatusOr<v1::Outcome> AmendOutcome(const std::string& clinic_id,
                                           const std::string& request_id, const std::string& name,
                                           const v1::Outcome& corrected, const std::string& reason,
                                           WriteAudit* audit) override;
  absl::Status SaveRecommendation(const std::string& clinic_id,
                                  const v1::RecommendProtocolRequest& request,
                                  const v1::RecommendProtocolResponse& response) override;
  absl::Status SaveRecommendationRecord(const std::string& clinic_id,
                                        const RecommendationRecord& record) override;
  absl::Status AppendAudit(const AuditEntry& entry) override;

  absl::StatusOr<v1::Outcome> GetOutcome(const std::string& clinic_id, const std::string& name,
                                         int32_t revision) override;
  absl::StatusOr<PatientProgress> GetPatientProgress(const std::string& clinic_id,
                                                     const std::string& patient_id) override;
  absl::StatusOr<CheckInReads> ReadCheckIn(const std::string& clinic_id,
                                           const std::string& patient_id, int films,
                                           bool with_assessments) override;
  absl::StatusOr<OutcomePage> ListOutcomes(const std::string& clinic_id,
                                           const v1::HistoryFilter& filter, int page_size,
                                           const std::string& page_token) override;
  absl::StatusOr<StoredRecommendation> GetRecommendation(
      const std::string& clinic_id, const std::string& recommendation_id) override;
  absl::StatusOr<v1::Episode> AssignEpisodeVariant(
      const std::string& clinic_id, const std::string& patient_id,
      const v1::VariantAssignment& assignment) override;  // sql_store_evaluations.cc
  absl::StatusOr<HistoryPage> ScanHistory(const std::string& clinic_id,
                                          const v1::HistoryFilter& filter, bool include_revisions,
                                          const std::string& resume_token, int limit) override;
  absl::StatusOr<std::vector<v1::SummaryGroup>> Summarize(
      const std::string& clinic_id, const v1::HistoryFilter& filter,
      const std::vector<v1::GroupBy>& group_by) override;
  absl::StatusOr<AuditPage> ListAudit(const std::string& clinic_id,
                                      const v1::ListAuditRecordsRequest& request) override;
  // CDS Hooks feedback: sql_store_feedback.cc.
  absl::StatusOr<std::vector<StoredRecommendation>> FindRecommendations(
      const std::string& clinic_id, const std::string& id_prefix) override;
  absl::StatusOr<int> SaveCardFeedback(const std::string& clinic_id,
                                       const std::vector<CardFeedbackRow>& rows) override;
  absl::StatusOr<CardFeedbackSummary> SummarizeCardFeedback(
      const std::string& clinic_id, const v1::HistoryFilter& filter) override;

  // Assessments and episodes: sql_store_assessments.cc.
  absl::StatusOr<v1::Assessment> RecordAssessment(const std::string& clinic_id,
                                                  const std::string& request_id,
                                                  const v1::Assessment& scored) override;
  absl::StatusOr<AssessmentPage> ListAssessments(const std::string& clinic_id,
                                                 const v1::ListAssessmentsRequest& request,
                                                 int page_size) override;
  absl::StatusOr<std::vector<v1::Assessment>> LatestAssessmentPair(
      const std::string& clinic_id, const std::string& patient_id) override;
  absl::StatusOr<v1::Episode> OpenEpisode(const std::string& clinic_id,
                                          const std::string& request_id,
                                          const std::string& patient_id,
                                          int64_t opened_at_us) override;
  absl::StatusOr<v1::Episode> CloseEpisode(const std::string& clinic_id,
                                           const std::string& episode_id,
                                           int64_t closed_at_us) override;
  absl::StatusOr<std::vector<v1::Episode>> ListEpisodes(const std::string& clinic_id,
                                                        const std::string& patient_id) override;
  absl::StatusOr<EpisodeRecord> GetEpisodeRecord(const std::string& clinic_id,
                                                 const std::string& episode_id) override;

  // Curve measurements: sql_store_curves.cc.
  absl::StatusOr<v1::CurveMeasurement> RecordCurveMeasurement(
      const std::string& clinic_id, const std::string& request_id,
      const v1::CurveMeasurement& measurement) override;
  absl::StatusOr<v1::CurveMeasurement> AmendCurveMeasurement(
      const std::string& clinic_id, const std::string& request_id, const std::string& name,
      const v1::CurveMeasurement& corrected, const std::string& reason) override;
  absl::StatusOr<v1::CurveMeasurement> GetCurveMeasurement(const std::string& clinic_id,
                                                           const std::string& name,
                                                           int32_t revision) override;
  absl::StatusOr<CurveMeasurementPage> ListCurveMeasurements(
      const std::string& clinic_id, const std::string& patient_id, int page_size,
      const std::string& page_token) override;

  // The history stream over several kinds: sql_store_records.cc.
  absl::StatusOr<HistoryPage> ScanRecords(const std::string& clinic_id,
                                          const RecordScan& scan) override;
  // Comparisons: sql_store_comparison.cc.
  absl::StatusOr<ComparisonRows> ReadComparisonRows(const std::string& clinic_id,
                                                    const ComparisonCriteria& criteria) override;

 protected:
  // The backend's own executor (SqliteStore reaches its writer through it).
  SqlExecutor& executor() { return *backend_; }

 private:
  // Runs a planned read (store_common.h) in a read snapshot; `read_rows`
  // turns its rows into the result, afresh when the read runs again.
  template <typename ReadRows>
  auto RunPlannedRead(const PlannedRead& read, ReadRows read_rows)
      -> decltype(read_rows(std::declval<ResultRows&>()));

  SqlExecutor* const backend_;
  // backend_ behind the store-error metrics (metered_executor.h).
  const std::unique_ptr<SqlExecutor> executor_;
  const SqlDialect dialect_;
};

}  // namespace scoliomassage::storage
