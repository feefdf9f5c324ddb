// A Store over a PostgreSQL primary and a hot standby for analytics.
//
// Writes and the reads that must see the latest write (store.h's "primary
// reads") always go to the primary. The analytics reads go to the standby
// while it is reachable, still a standby, and no further behind than
// `max_lag`; otherwise, per `fallback`, to the primary or UNAVAILABLE with
// reason ANALYTICS_STANDBY_UNAVAILABLE or ANALYTICS_STANDBY_LAGGING. Writes
// are never affected by the standby.
//
// History streams never skip a record: a stream fixes its horizon on the
// primary (PostgresStore::SettleHistory) and is served by the standby only
// once the standby has replayed everything the primary had committed then,
// waiting at most `catch_up_wait`. Every page is cut at the horizon, so pages
// from the standby and pages from the primary (after a fallback mid-stream)
// agree, and resume tokens, which are positions, are valid on both.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "storage/postgres_store.h"
#include "storage/store.h"

namespace scoliomassage::storage {

inline constexpr char kReasonStandbyUnavailable[] = "ANALYTICS_STANDBY_UNAVAILABLE";
inline constexpr char kReasonStandbyLagging[] = "ANALYTICS_STANDBY_LAGGING";

enum class AnalyticsFallback { kPrimary, kUnavailable };

// "primary" or "unavailable".
bool ParseAnalyticsFallback(const std::string& text, AnalyticsFallback* fallback);

struct AnalyticsOptions {
  // The standby serves analytics while it is at most this far behind.
  absl::Duration max_lag = absl::Seconds(30);
  AnalyticsFallback fallback = AnalyticsFallback::kPrimary;
  // How long a starting stream waits for the standby to replay what the
  // primary had committed (also bounded by max_lag).
  absl::Duration catch_up_wait = absl::Seconds(5);
  // Lag is measured again at most this often (each measurement is a query on
  // each database).
  absl::Duration probe_interval = absl::Milliseconds(500);
};

// The standby's replication lag as last measured.
struct ReplicationStatus {
  bool reachable = false;    // the standby answered
  bool in_recovery = false;  // ...and is still a standby (not promoted)
  int64_t lag_bytes = -1;    // primary WAL position - standby replay position; -1 unknown
  // How far behind in time: 0 when it has replayed all of the primary's WAL,
  // else the time since it last had (or since its last replayed commit).
  absl::Duration lag = absl::InfiniteDuration();
  bool usable = false;  // reachable, in recovery, and lag <= max_lag
  std::string reason;   // why not usable (for logs and errors)
  std::string primary_lsn;
  std::string replay_lsn;
  absl::Time measured = absl::InfinitePast();
};

class AnalyticsStore final : public Store {
 public:
  AnalyticsStore(std::unique_ptr<PostgresStore> primary, std::unique_ptr<PostgresStore> standby,
                 const AnalyticsOptions& options);

  // Measures the lag (or returns the measurement from the last
  // probe_interval). For health logs and, later, a metrics gauge.
  ReplicationStatus ReplicationLag();
  const AnalyticsOptions& options() const { return options_; }

  // Writes and primary reads: the primary.
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
  // Without a horizon there is no no-skip promise from a standby, so a bare
  // ScanHistory reads the primary; streams use ScanHistoryWithin.
  absl::StatusOr<HistoryPage> ScanHistory(const std::string& clinic_id,
                                          const v1::HistoryFilter& filter, bool include_revisions,
                                          const std::string& resume_token, int limit) override;

  // Analytics reads: the standby when usable.
  absl::StatusOr<std::vector<v1::SummaryGroup>> Summarize(
      const std::string& clinic_id, const v1::HistoryFilter& filter,
      const std::vector<v1::GroupBy>& group_by) override;
  absl::StatusOr<AuditPage> ListAudit(const std::string& clinic_id,
                                      const v1::ListAuditRecordsRequest& request) override;
  absl::StatusOr<std::vector<StoredRecommendation>> FindRecommendations(
      const std::string& clinic_id, const std::string& id_prefix) override;
  absl::StatusOr<int> SaveCardFeedback(const std::string& clinic_id,
                                       const std::vector<CardFeedbackRow>& rows) override;
  absl::StatusOr<CardFeedbackSummary> SummarizeCardFeedback(const std::string& clinic_id,
                                                            const v1::HistoryFilter& filter) override;
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
  absl::StatusOr<v1::CurveMeasurement> RecordCurveMeasurement(
      const std::string& clinic_id, const std::string& request_id,
      const v1::CurveMeasurement& measurement) override;
  absl::StatusOr<v1::CurveMeasurement> AmendCurveMeasurement(
      const std::string& clinic_id, const std::string& request_id, const std::string& name,
      const v1::CurveMeasurement& corrected, const std::string& reason) override;
  absl::StatusOr<v1::CurveMeasurement> GetCurveMeasurement(const std::string& clinic_id,
                                                           const std::string& name,
                                                           int32_t revision) override;
  absl::StatusOr<CurveMeasurementPage> ListCurveMeasurements(const std::string& clinic_id,
                                                             const std::string& patient_id,
                                                             int page_size,
                                                             const std::string& page_token) override;
  absl::StatusOr<StoredRecommendation> GetRecommendation(
      const std::string& clinic_id, const std::string& recommendation_id) override;
  // Comparisons are an analytics read: the standby when usable.
  absl::StatusOr<ComparisonRows> ReadComparisonRows(const std::string& clinic_id,
                                                    const ComparisonCriteria& criteria) override;
  absl::StatusOr<v1::Episode> AssignEpisodeVariant(
      const std::string& clinic_id, const std::string& patient_id,
      const v1::VariantAssignment& assignment) override;
  absl::StatusOr<HistoryHorizon> SettleHistory() override;
  absl::StatusOr<HistoryPage> ScanHistoryWithin(const HistoryHorizon& horizon,
                                                const std::string& clinic_id,
                                                const v1::HistoryFilter& filter,
                                                bool include_revisions,
                                                const std::string& resume_token,
                                                int limit) override;
  // The stream over several kinds: ScanRecords reads the primary (as
  // ScanHistory); streams use ScanRecordsWithin, served as ScanHistoryWithin.
  absl::StatusOr<HistoryPage> ScanRecords(const std::string& clinic_id,
                                          const RecordScan& scan) override;
  absl::StatusOr<HistoryPage> ScanRecordsWithin(const HistoryHorizon& horizon,
                                                const std::string& clinic_id,
                                                const RecordScan& scan) override;

 private:
  ReplicationStatus Measure();
  // After a standby call failed: measure afresh next time.
  void ForgetMeasurement();
  // The error, or nothing, when the standby cannot serve: fallback decides.
  absl::Status Fallback(const std::string& reason, bool lagging) const;
  // Runs `read` on the standby when usable, else (or when it fails with
  // UNAVAILABLE) on the primary or not at all, per fallback.
  template <typename Result, typename Read>
  absl::StatusOr<Result> Route(Read read);

  const std::unique_ptr<PostgresStore> primary_;
  const std::unique_ptr<PostgresStore> standby_;
  const AnalyticsOptions options_;

  std::mutex mutex_;
  ReplicationStatus last_;
  absl::Time last_caught_up_ = absl::InfinitePast();
};

// OpenStore for a primary plus an analytics standby. The primary must be
// PostgreSQL (a SQLite file has no standby): FAILED_PRECONDITION otherwise.
absl::StatusOr<std::unique_ptr<AnalyticsStore>> OpenStoreWithAnalytics(
    const std::string& database_url, const std::string& analytics_url,
    const AnalyticsOptions& options);

}  // namespace scoliomassage::storage
