#include "storage/analytics_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/errors.h"
#include "storage/database_url.h"
#include "storage/postgres_options.h"

namespace scoliomassage::storage {

bool ParseAnalyticsFallback(const std::string& text, AnalyticsFallback* fallback) {
  if (text == "primary") {
    *fallback = AnalyticsFallback::kPrimary;
  } else if (text == "unavailable") {
    *fallback = AnalyticsFallback::kUnavailable;
  } else {
    return false;
  }
  return true;
}

AnalyticsStore::AnalyticsStore(std::unique_ptr<PostgresStore> primary,
                               std::unique_ptr<PostgresStore> standby,
                               const AnalyticsOptions& options)
    : primary_(std::move(primary)), standby_(std::move(standby)), options_(options) {}

ReplicationStatus AnalyticsStore::Measure() {
  ReplicationStatus status;
  status.measured = absl::Now();
  // The primary first: a standby that has replayed past this position was
  // caught up when it was read.
  absl::StatusOr<std::string> primary_lsn = primary_->CurrentWalLsn();
  absl::StatusOr<ReplayState> replay = standby_->ReadReplayState();
  if (!replay.ok()) {
    status.reason = absl::StrCat("the analytics standby is unreachable: ", replay.status().message());
    return status;
  }
  status.reachable = true;
  status.in_recovery = replay->in_recovery;
  status.replay_lsn = replay->replay_lsn;
  if (!replay->in_recovery) {
    status.reason = "the analytics database is not a standby (promoted, or never one)";
    return status;
  }
  if (primary_lsn.ok()) {
    status.primary_lsn = *primary_lsn;
    const int64_t primary = ParseLsn(*primary_lsn);
    const int64_t replayed = ParseLsn(replay->replay_lsn);
    if (primary >= 0 && replayed >= 0) status.lag_bytes = std::max<int64_t>(0, primary - replayed);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (status.lag_bytes == 0) {
    last_caught_up_ = status.measured;
    status.lag = absl::ZeroDuration();
  } else {
    // An idle primary makes the last replayed commit look old, so the time
    // since the standby was last seen caught up bounds it too.
    absl::Duration lag = status.measured - last_caught_up_;
    if (replay->last_replay_age_us >= 0) {
      lag = std::min(lag, absl::Microseconds(replay->last_replay_age_us));
    }
    status.lag = lag;
  }
  status.usable = status.lag <= options_.max_lag;
  if (!status.usable) {
    status.reason = absl::StrCat("the analytics standby is ", absl::FormatDuration(status.lag),
                                 " behind the primary (bound ", absl::FormatDuration(options_.max_lag),
                                 ")");
  }
  return status;
}

ReplicationStatus AnalyticsStore::ReplicationLag() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (absl::Now() - last_.measured < options_.probe_interval) return last_;
  }
  ReplicationStatus status = Measure();
  std::lock_guard<std::mutex> lock(mutex_);
  last_ = status;
  return status;
}

void AnalyticsStore::ForgetMeasurement() {
  std::lock_guard<std::mutex> lock(mutex_);
  last_.measured = absl::InfinitePast();
}

absl::Status AnalyticsStore::Fallback(const std::string& reason, bool lagging) const {
  if (options_.fallback == AnalyticsFallback::kPrimary) return absl::OkStatus();
  return core::WithReason(
      absl::UnavailableError(absl::StrCat(reason, "; analytics reads are configured not to fall "
                                                  "back to the primary; retry later")),
      lagging ? kReasonStandbyLagging : kReasonStandbyUnavailable);
}

template <typename Result, typename Read>
absl::StatusOr<Result> AnalyticsStore::Route(Read read) {
  ReplicationStatus status = ReplicationLag();
  bool lagging = status.reachable && status.in_recovery;
  std::string reason = status.reason;
  if (status.usable) {
    absl::StatusOr<Result> result = read(*standby_);
    // Bad input and the like are the caller's answer; only a standby that
    // cannot serve (down, or a query cancelled by replay) falls back.
    if (result.ok() || !absl::IsUnavailable(result.status())) return result;
    ForgetMeasurement();
    lagging = false;
    reason = absl::StrCat("the analytics standby failed: ", result.status().message());
  }
  if (absl::Status refused = Fallback(reason, lagging); !refused.ok()) return refused;
  return read(*primary_);
}

absl::StatusOr<std::vector<v1::SummaryGroup>> AnalyticsStore::Summarize(
    const std::string& clinic_id, const v1::HistoryFilter& filter,
    const std::vector<v1::GroupBy>& group_by) {
  return Route<std::vector<v1::SummaryGroup>>(
      [&](Store& store) { return store.Summarize(clinic_id, filter, group_by); });
}

absl::StatusOr<AuditPage> AnalyticsStore::ListAudit(const std::string& clinic_id,
                                                    const v1::ListAuditRecordsRequest& request) {
  return Route<AuditPage>([&](Store& store) { return store.ListAudit(clinic_id, request); });
}

absl::StatusOr<std::vector<StoredRecommendation>> AnalyticsStore::FindRecommendations(
    const std::string& clinic_id, const std::string& id_prefix) {
  return primary_->FindRecommendations(clinic_id, id_prefix);
}

absl::StatusOr<int> AnalyticsStore::SaveCardFeedback(const std::string& clinic_id,
                                                     const std::vector<CardFeedbackRow>& rows) {
  return primary_->SaveCardFeedback(clinic_id, rows);
}

absl::StatusOr<CardFeedbackSummary> AnalyticsStore::SummarizeCardFeedback(
    const std::string& clinic_id, const v1::HistoryFilter& filter) {
  return Route<CardFeedbackSummary>(
      [&](Store& store) { return store.SummarizeCardFeedback(clinic_id, filter); });
}

// Questionnaires and episodes are clinical reads and writes: the primary.
absl::StatusOr<v1::Assessment> AnalyticsStore::RecordAssessment(const std::string& clinic_id,
                                                                const std::string& request_id,
                                                                const v1::Assessment& scored) {
  return primary_->RecordAssessment(clinic_id, request_id, scored);
}

absl::StatusOr<AssessmentPage> AnalyticsStore::ListAssessments(
    const std::string& clinic_id, const v1::ListAssessmentsRequest& request, int page_size) {
  return primary_->ListAssessments(clinic_id, request, page_size);
}

absl::StatusOr<std::vector<v1::Assessment>> AnalyticsStore::LatestAssessmentPair(
    const std::string& clinic_id, const std::string& patient_id) {
  return primary_->LatestAssessmentPair(clinic_id, patient_id);
}

absl::StatusOr<v1::Episode> AnalyticsStore::OpenEpisode(const std::string& clinic_id,
                                                        const std::string& request_id,
                                                        const std::string& patient_id,
                                                        int64_t opened_at_us) {
  return primary_->OpenEpisode(clinic_id, request_id, patient_id, opened_at_us);
}

absl::StatusOr<v1::Episode> AnalyticsStore::CloseEpisode(const std::string& clinic_id,
                                                         const std::string& episode_id,
                                                         int64_t closed_at_us) {
  return primary_->CloseEpisode(clinic_id, episode_id, closed_at_us);
}

absl::StatusOr<std::vector<v1::Episode>> AnalyticsStore::ListEpisodes(
    const std::string& clinic_id, const std::string& patient_id) {
  return primary_->ListEpisodes(clinic_id, patient_id);
}

absl::StatusOr<EpisodeRecord> AnalyticsStore::GetEpisodeRecord(const std::string& clinic_id,
                                                               const std::string& episode_id) {
  return primary_->GetEpisodeRecord(clinic_id, episode_id);
}

// Curve measurements and the recommendation an outcome names: the primary.
absl::StatusOr<v1::CurveMeasurement> AnalyticsStore::RecordCurveMeasurement(
    const std::string& clinic_id, const std::string& request_id,
    const v1::CurveMeasurement& measurement) {
  return primary_->RecordCurveMeasurement(clinic_id, request_id, measurement);
}

absl::StatusOr<v1::CurveMeasurement> AnalyticsStore::AmendCurveMeasurement(
    const std::string& clinic_id, const std::string& request_id, const std::string& name,
    const v1::CurveMeasurement& corrected, const std::string& reason) {
  return primary_->AmendCurveMeasurement(clinic_id, request_id, name, corrected, reason);
}

absl::StatusOr<v1::CurveMeasurement> AnalyticsStore::GetCurveMeasurement(
    const std::string& clinic_id, const std::string& name, int32_t revision) {
  return primary_->GetCurveMeasurement(clinic_id, name, revision);
}

absl::StatusOr<CurveMeasurementPage> AnalyticsStore::ListCurveMeasurements(
    const std::string& clinic_id, const std::string& patient_id, int page_size,
    const std::string& page_token) {
  return primary_->ListCurveMeasurements(clinic_id, patient_id, page_size, page_token);
}

absl::StatusOr<StoredRecommendation> AnalyticsStore::GetRecommendation(
    const std::string& clinic_id, const std::string& recommendation_id) {
  return primary_->GetRecommendation(clinic_id, recommendation_id);
}

absl::StatusOr<ComparisonRows> AnalyticsStore::ReadComparisonRows(
    const std::string& clinic_id, const ComparisonCriteria& criteria) {
  return Route<ComparisonRows>(
      [&](Store& store) { return store.ReadComparisonRows(clinic_id, criteria); });
}

absl::StatusOr<v1::Episode> AnalyticsStore::AssignEpisodeVariant(
    const std::string& clinic_id, const std::string& patient_id,
    const v1::VariantAssignment& assignment) {
  return primary_->AssignEpisodeVariant(clinic_id, patient_id, assignment);
}

absl::StatusOr<HistoryHorizon> AnalyticsStore::SettleHistory() {
  absl::StatusOr<HistoryHorizon> horizon = primary_->SettleHistory();
  if (!horizon.ok()) return horizon;
  ReplicationStatus status = ReplicationLag();
  bool lagging = status.reachable && status.in_recovery;
  std::string reason = status.reason;
  if (status.usable) {
    const absl::Time deadline =
        absl::Now() + std::min(options_.catch_up_wait, options_.max_lag);
    absl::Duration pause = absl::Milliseconds(2);
    for (;;) {
      absl::StatusOr<bool> replayed = standby_->HasReplayedPast(*horizon);
      if (!replayed.ok()) {
        ForgetMeasurement();
        lagging = false;
        reason = absl::StrCat("the analytics standby failed: ", replayed.status().message());
        break;
      }
      if (*replayed) {
        horizon->from_replica = true;
        return horizon;
      }
      if (absl::Now() + pause > deadline) {
        lagging = true;
        reason = absl::StrCat("the analytics standby had not replayed the primary's commits from "
                              "when the stream started within ",
                              absl::FormatDuration(std::min(options_.catch_up_wait,
                                                            options_.max_lag)));
        break;
      }
      absl::SleepFor(pause);
      pause = std::min(pause * 2, absl::Milliseconds(50));
    }
  }
  if (absl::Status refused = Fallback(reason, lagging); !refused.ok()) return refused;
  horizon->from_replica = false;
  return horizon;
}

absl::StatusOr<HistoryPage> AnalyticsStore::ScanHistoryWithin(
    const HistoryHorizon& horizon, const std::string& clinic_id, const v1::HistoryFilter& filter,
    bool include_revisions, const std::string& resume_token, int limit) {
  if (horizon.from_replica) {
    // The standby only moves forward, so once it had replayed up to the
    // horizon's WAL position every later page it serves holds those records.
    absl::StatusOr<HistoryPage> page = standby_->ScanHistoryWithin(
        horizon, clinic_id, filter, include_revisions, resume_token, limit);
    if (page.ok() || !absl::IsUnavailable(page.status())) return page;
    ForgetMeasurement();
    if (absl::Status refused = Fallback(
            absl::StrCat("the analytics standby failed mid-stream: ", page.status().message()),
            false);
        !refused.ok()) {
      return refused;
    }
  }
  return primary_->ScanHistoryWithin(horizon, clinic_id, filter, include_revisions, resume_token,
                                     limit);
}

absl::StatusOr<HistoryPage> AnalyticsStore::ScanRecordsWithin(const HistoryHorizon& horizon,
                                                              const std::string& clinic_id,
                                                              const RecordScan& scan) {
  if (horizon.from_replica) {
    // As ScanHistoryWithin: the standby once it had replayed to the horizon.
    absl::StatusOr<HistoryPage> page = standby_->ScanRecordsWithin(horizon, clinic_id, scan);
    if (page.ok() || !absl::IsUnavailable(page.status())) return page;
    ForgetMeasurement();
    if (absl::Status refused = Fallback(
            absl::StrCat("the analytics standby failed mid-stream: ", page.status().message()),
            false);
        !refused.ok()) {
      return refused;
    }
  }
  return primary_->ScanRecordsWithin(horizon, clinic_id, scan);
}

absl::StatusOr<HistoryPage> AnalyticsStore::ScanRecords(const std::string& clinic_id,
                                                        const RecordScan& scan) {
  return primary_->ScanRecords(clinic_id, scan);
}

// --- the primary ---------------------------------------------------------------

absl::StatusOr<v1::Outcome> AnalyticsStore::LogOutcome(const std::string& clinic_id,
                                                       const std::string& request_id,
                                                       const v1::Outcome& outcome,
                                                       WriteAudit* audit) {
  return primary_->LogOutcome(clinic_id, request_id, outcome, audit);
}

absl::StatusOr<v1::Outcome> AnalyticsStore::AmendOutcome(const std::string& clinic_id,
                                                         const std::string& request_id,
                                                         const std::string& name,
                                                         const v1::Outcome& corrected,
                                                         const std::string& reason,
                                                         WriteAudit* audit) {
  return primary_->AmendOutcome(clinic_id, request_id, name, corrected, reason, audit);
}

absl::Status AnalyticsStore::SaveRecommendation(const std::string& clinic_id,
                                                const v1::RecommendProtocolRequest& request,
                                                const v1::RecommendProtocolResponse& response) {
  return primary_->SaveRecommendation(clinic_id, request, response);
}

absl::Status AnalyticsStore::SaveRecommendationRecord(const std::string& clinic_id,
                                                      const RecommendationRecord& record) {
  return primary_->SaveRecommendationRecord(clinic_id, record);
}

absl::Status AnalyticsStore::AppendAudit(const AuditEntry& entry) {
  return primary_->AppendAudit(entry);
}

absl::StatusOr<v1::Outcome> AnalyticsStore::GetOutcome(const std::string& clinic_id,
                                                       const std::string& name, int32_t revision) {
  return primary_->GetOutcome(clinic_id, name, revision);
}

absl::StatusOr<PatientProgress> AnalyticsStore::GetPatientProgress(const std::string& clinic_id,
                                                                   const std::string& patient_id) {
  return primary_->GetPatientProgress(clinic_id, patient_id);
}

absl::StatusOr<CheckInReads> AnalyticsStore::ReadCheckIn(const std::string& clinic_id,
                                                         const std::string& patient_id, int films,
                                                         bool with_assessments) {
  return primary_->ReadCheckIn(clinic_id, patient_id, films, with_assessments);
}

absl::StatusOr<OutcomePage> AnalyticsStore::ListOutcomes(const std::string& clinic_id,
                                                         const v1::HistoryFilter& filter,
                                                         int page_size,
                                                         const std::string& page_token) {
  return primary_->ListOutcomes(clinic_id, filter, page_size, page_token);
}

absl::StatusOr<HistoryPage> AnalyticsStore::ScanHistory(const std::string& clinic_id,
                                                        const v1::HistoryFilter& filter,
                                                        bool include_revisions,
                                                        const std::string& resume_token,
                                                        int limit) {
  return primary_->ScanHistory(clinic_id, filter, include_revisions, resume_token, limit);
}

absl::StatusOr<std::unique_ptr<AnalyticsStore>> OpenStoreWithAnalytics(
    const std::string& database_url, const std::string& analytics_url,
    const AnalyticsOptions& options) {
  absl::StatusOr<DatabaseUrl> primary_url = ParseDatabaseUrl(database_url);
  if (!primary_url.ok()) return primary_url.status();
  absl::StatusOr<DatabaseUrl> standby_url = ParseDatabaseUrl(analytics_url);
  if (!standby_url.ok()) return standby_url.status();
  if (primary_url->backend != DatabaseUrl::Backend::kPostgres ||
      standby_url->backend != DatabaseUrl::Backend::kPostgres) {
    return absl::FailedPreconditionError(
        "--analytics_database needs PostgreSQL on both sides: a postgresql:// --database (the "
        "primary) and a postgresql:// hot standby of it");
  }
  absl::StatusOr<PostgresOptions> primary_options = ParsePostgresUrl(primary_url->postgres_url);
  if (!primary_options.ok()) return primary_options.status();
  absl::StatusOr<PostgresOptions> standby_options = ParsePostgresUrl(standby_url->postgres_url);
  if (!standby_options.ok()) return standby_options.status();
  absl::StatusOr<std::unique_ptr<PostgresStore>> primary = PostgresStore::Open(*primary_options);
  if (!primary.ok()) return primary.status();
  return std::make_unique<AnalyticsStore>(*std::move(primary),
                                          PostgresStore::OpenReplica(*standby_options), options);
}

}  // namespace scoliomassage::storage
