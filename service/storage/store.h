// The Store: where outcomes, recommendations and audit records live.
//
// Every call is scoped by clinic_id, which the caller takes from the
// authenticated credentials, never from a request field. Outcomes are append
// only: an amendment is a new revision row and the latest revision is derived.
//
// Reads are split in two: "primary" reads must see the caller's latest write
// (GetOutcome, PatientProgress, ListOutcomes); "analytics" reads (ScanHistory,
// Summarize, ListAudit) may be served by a read replica.
//
// Errors: INVALID_ARGUMENT (bad token or name), NOT_FOUND, ALREADY_EXISTS
// (request_id reused with another body), UNAVAILABLE (database down, retry),
// RESOURCE_EXHAUSTED (disk full), INTERNAL.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/comparison.h"
#include "core/episode_result.h"
#include "core/progress.h"
#include "scoliomassage/v1/assessment.pb.h"
#include "scoliomassage/v1/audit.pb.h"
#include "scoliomassage/v1/episode.pb.h"
#include "scoliomassage/v1/curve.pb.h"
#include "scoliomassage/v1/history.pb.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::storage {

using core::PatientProgress;

struct HistoryPage {
  // Each record's resume_token is filled in.
  std::vector<v1::HistoryRecord> records;
  // True when the scan reached the end of the selection.
  bool done = false;
};

struct OutcomePage {
  std::vector<v1::Outcome> outcomes;
  std::string next_page_token;  // empty on the last page
};

struct AuditEntry {
  int64_t time_us = 0;  // 0: now
  std::string principal;
  std::string role;
  std::string clinic_id;
  std::string method;
  std::string subject;
  int status_code = 0;
};

// The audit record of one write, handed to the write itself. A store whose
// writes are serialized anyway (SQLite's one writer) appends it in the
// write's own transaction, so the record of an acknowledged write is exactly
// as durable as the write and costs no commit of its own. Elsewhere
// (PostgreSQL) `stored` stays false and the caller records it as any other
// call: a clinic's audit ids are max + 1, so appending inside concurrent
// write transactions would make them wait on each other until commit.
struct WriteAudit {
  AuditEntry entry;  // an empty subject means the written record's name
  bool stored = false;  // set when `entry` was committed with the write
};

struct AuditPage {
  std::vector<v1::AuditRecord> records;
  std::string next_page_token;
};

// A recommendation as SaveRecommendation stored it (the request names the
// patient).
struct StoredRecommendation {
  v1::RecommendProtocolRequest request;
  v1::RecommendProtocolResponse response;
};

// What SaveRecommendation stores, already serialized: the row's columns and
// the two messages' bytes (MakeRecommendationRecord builds it).
struct RecommendationRecord {
  std::string recommendation_id;
  std::string patient_id;
  int64_t create_time_us = 0;  // 0: the store's commit time
  int64_t decision = 0;        // v1.Decision number
  std::string protocol_id;
  std::string request_proto;   // v1.RecommendProtocolRequest
  std::string response_proto;  // v1.RecommendProtocolResponse
};

// One CDS Hooks feedback entry, resolved to the recommendation and rule of
// its card (core/cds_cards.h).
struct CardFeedbackRow {
  std::string card_uuid;
  std::string outcome;  // "accepted" or "overridden"
  std::string service_id;
  std::string recommendation_id;
  std::string rule_id;
  std::string patient_id;
  std::string protocol_id;
  int32_t spine_region = 0;
  std::string reason_system;  // empty: no override reason
  std::string reason_code;
  std::string user_comment;  // free text; no analytics read returns it
  int64_t accepted_suggestions = 0;
  int64_t outcome_time_us = 0;
  std::string principal;
};

// Counts of CDS Hooks feedback (SummarizeOutcomesResponse's feedback fields).
struct CardFeedbackSummary {
  std::vector<v1::RuleFeedback> by_rule;              // by rule_id
  std::vector<v1::OverrideReasonFeedback> by_reason;  // most frequent first
  // Distinct patients of all the feedback and of the overrides: the totals
  // of the two tables, for small-group suppression.
  int64_t feedback_patients = 0;
  int64_t override_patients = 0;
};

// Where a history stream stops, fixed once when the stream starts
// (Store::SettleHistory) and used for each of its pages. Records whose first
// create time is at or after `settled_before_us` are left to the next stream
// (resume from the last token): a write still in flight when the stream
// started may commit with a create time below records already streamed, and
// a stream that had passed them would never return it.
struct HistoryHorizon {
  int64_t settled_before_us = INT64_MAX;  // INT64_MAX: every committed record
  // The primary's WAL position ("X/Y") just after the horizon was taken: a
  // read replica may serve the stream once it has replayed up to it (every
  // write that had finished by then committed before it).
  std::string primary_lsn;
  // True when the pages are to be read from the analytics replica.
  bool from_replica = false;
};

struct AssessmentPage {
  std::vector<v1::Assessment> assessments;
  std::string next_page_token;  // empty on the last page
};

using core::EpisodeRecord;  // what an episode result is computed from

// A history stream over several kinds of record (record_history.h).
struct RecordScan {
  v1::HistoryFilter filter;
  std::vector<v1::HistoryRecordKind> kinds;  // as the request listed them
  bool include_revisions = false;
  std::string resume_token;  // empty: from the start
  int limit = 0;             // clamped as ScanHistory's
};

struct CurveMeasurementPage {
  std::vector<v1::CurveMeasurement> measurements;
  std::string next_page_token;  // empty on the last page
};

// What CompareProtocols reads (Store::ReadComparisonRows). A curve pattern
// is resolved to protocol ids by the caller (the catalog knows each
// protocol's pattern).
struct ComparisonCriteria {
  v1::SpineRegion spine_region = v1::SPINE_REGION_UNSPECIFIED;  // of the session
  std::vector<std::string> protocol_ids;                         // empty: every protocol
  // Episodes opened in [start_us, end_us); CDS feedback sent in it.
  std::optional<int64_t> start_us;
  std::optional<int64_t> end_us;
  bool by_version = false;  // a group per protocol version ("id@version")
  // Intention to treat (CompareBy COMPARE_BY_ASSIGNED_VARIANT): a row in a
  // protocol evaluation is all its episode's sessions of the evaluated
  // protocol, in the group "id@version" of the variant assigned. Rows in
  // no evaluation keep their version (core leaves them out).
  bool by_assigned_variant = false;
  // The catalog version of each (evaluation name, variant), from the loaded
  // evaluations; the store adds what its episodes show for the rest.
  std::map<std::pair<std::string, v1::EvaluationVariant>, uint32_t> variant_versions;
};

struct ComparisonRows {
  // One row per episode and protocol (and version), from the latest revision
  // of each matching session: an episode that changed protocol is a row in
  // each. Ordered by group, then episode id.
  std::vector<core::EpisodeRow> episodes;
  // CDS Hooks feedback counted per protocol, outcome and override reason.
  std::vector<core::FeedbackCountRow> feedback;
};

// What ReadCheckIn reads.
struct CheckInReads {
  PatientProgress progress;
  std::vector<v1::Assessment> assessment_pair;  // newest first; 0, 1 or 2
};

class Store {
 public:
  virtual ~Store() = default;

  // --- writes -------------------------------------------------------------
  // Stores revision 1 of a new outcome and returns it with name, revision and
  // create_time set. Acknowledged only after a durable commit. Idempotent on
  // (clinic_id, request_id): the same request_id with the same outcome returns
  // the first stored outcome and stores nothing; with a different outcome it is
  // ALREADY_EXISTS. `outcome` has been validated by the caller. `audit`
  // (may be null): the call's audit record, see WriteAudit; a replayed
  // retry is a call too and is audited as well.
  virtual absl::StatusOr<v1::Outcome> LogOutcome(const std::string& clinic_id,
                                                 const std::string& request_id,
                                                 const v1::Outcome& outcome,
                                                 WriteAudit* audit) = 0;
  absl::StatusOr<v1::Outcome> LogOutcome(const std::string& clinic_id,
                                         const std::string& request_id,
                                         const v1::Outcome& outcome) {
    return LogOutcome(clinic_id, request_id, outcome, nullptr);
  }

  // Appends the next revision of `name` ("outcomes/{id}") with `reason`.
  // Idempotent on request_id like LogOutcome. NOT_FOUND when the outcome is
  // not in this clinic. `audit` as for LogOutcome.
  virtual absl::StatusOr<v1::Outcome> AmendOutcome(const std::string& clinic_id,
                                                   const std::string& request_id,
                                                   const std::string& name,
                                                   const v1::Outcome& corrected,
                                                   const std::string& reason,
                                                   WriteAudit* audit) = 0;
  absl::StatusOr<v1::Outcome> AmendOutcome(const std::string& clinic_id,
                                           const std::string& request_id,
                                           const std::string& name,
                                           const v1::Outcome& corrected,
                                           const std::string& reason) {
    return AmendOutcome(clinic_id, request_id, name, corrected, reason, nullptr);
  }

  // Records what was recommended, so an outcome can refer to it.
  virtual absl::Status SaveRecommendation(const std::string& clinic_id,
                                          const v1::RecommendProtocolRequest& request,
                                          const v1::RecommendProtocolResponse& response) = 0;

  // Appends one audit record. Audit records are never changed or deleted.
  virtual absl::Status AppendAudit(const AuditEntry& entry) = 0;

  // --- primary reads ------------------------------------------------------
  // revision 0 means the latest.
  virtual absl::StatusOr<v1::Outcome> GetOutcome(const std::string& clinic_id,
                                                 const std::string& name,
                                                 int32_t revision) = 0;

  virtual absl::StatusOr<PatientProgress> GetPatientProgress(const std::string& clinic_id,
                                                             const std::string& patient_id) = 0;
  // Everything a check-in reads about a patient, in one snapshot (so the
  // films and the sessions are of the same moment, and one read
  // transaction instead of three): the progress, its curve_measurements
  // filled with the newest `films` films, and, when `with_assessments`,
  // the latest questionnaire pair (as LatestAssessmentPair).
  virtual absl::StatusOr<CheckInReads> ReadCheckIn(const std::string& clinic_id,
                                                   const std::string& patient_id, int films,
                                                   bool with_assessments) = 0;

  // Latest revisions, newest performed_at first. page_size already clamped.
  virtual absl::StatusOr<OutcomePage> ListOutcomes(const std::string& clinic_id,
                                                   const v1::HistoryFilter& filter,
                                                   int page_size,
                                                   const std::string& page_token) = 0;

  // --- analytics reads (may go to a read replica) -------------------------
  // Up to `limit` records after `resume_token` (empty: from the start), in
  // the stable history order. Callers page through with the last record's
  // token, so memory stays bounded by `limit`.
  virtual absl::StatusOr<HistoryPage> ScanHistory(const std::string& clinic_id,
                                                  const v1::HistoryFilter& filter,
                                                  bool include_revisions,
                                                  const std::string& resume_token,
                                                  int limit) = 0;

  // Aggregates over the latest revisions, computed in the database.
  virtual absl::StatusOr<std::vector<v1::SummaryGroup>> Summarize(
      const std::string& clinic_id, const v1::HistoryFilter& filter,
      const std::vector<v1::GroupBy>& group_by) = 0;

  virtual absl::StatusOr<AuditPage> ListAudit(const std::string& clinic_id,
                                              const v1::ListAuditRecordsRequest& request) = 0;

  // --- CDS Hooks feedback -------------------------------------------------
  // Primary read: the stored recommendations whose id starts with
  // `id_prefix` (a card uuid names a prefix, core::RecommendationIdPrefix).
  virtual absl::StatusOr<std::vector<StoredRecommendation>> FindRecommendations(
      const std::string& clinic_id, const std::string& id_prefix) = 0;

  // Stores the entries in one transaction, durably. Idempotent on
  // (clinic_id, card_uuid, outcome): an entry stored before is skipped and
  // keeps its first content. Returns how many entries were new.
  virtual absl::StatusOr<int> SaveCardFeedback(const std::string& clinic_id,
                                               const std::vector<CardFeedbackRow>& rows) = 0;

  // Analytics read: feedback counts by rule and by override reason, over the
  // filter's patient_id, protocol_id, spine_region and time window (on the
  // outcome time). Empty with a therapist_id filter (feedback has none).
  virtual absl::StatusOr<CardFeedbackSummary> SummarizeCardFeedback(
      const std::string& clinic_id, const v1::HistoryFilter& filter) = 0;

  // --- history streams (analytics) -----------------------------------------
  // The horizon for a stream starting now. Default: no bound, right where one
  // writer commits create times in order (SQLite). Defined in
  // history_horizon.cc.
  virtual absl::StatusOr<HistoryHorizon> SettleHistory();
  // ScanHistory, cut at `horizon` (the page is done at the first record past
  // it), from the source the horizon chose.
  virtual absl::StatusOr<HistoryPage> ScanHistoryWithin(const HistoryHorizon& horizon,
                                                        const std::string& clinic_id,
                                                        const v1::HistoryFilter& filter,
                                                        bool include_revisions,
                                                        const std::string& resume_token,
                                                        int limit);

  // --- assessments and episodes (migration 0004) --------------------------
  // Stores a scored assessment (scores and instrument_version set by the
  // caller) in the patient's open episode, opening one at performed_at when
  // none is open. Idempotent on (clinic_id, request_id) like LogOutcome.
  virtual absl::StatusOr<v1::Assessment> RecordAssessment(const std::string& clinic_id,
                                                          const std::string& request_id,
                                                          const v1::Assessment& scored) = 0;
  // Newest performed_at first; page_size already clamped. Primary read.
  virtual absl::StatusOr<AssessmentPage> ListAssessments(
      const std::string& clinic_id, const v1::ListAssessmentsRequest& request, int page_size) = 0;
  // The patient's latest assessment and the one before it of the same
  // instrument (for the check-in), from two index-bounded reads.
  virtual absl::StatusOr<std::vector<v1::Assessment>> LatestAssessmentPair(
      const std::string& clinic_id, const std::string& patient_id) = 0;
  // Opens an episode; idempotent on request_id. FAILED_PRECONDITION (reason
  // EPISODE_ALREADY_OPEN) when the patient has an open one.
  virtual absl::StatusOr<v1::Episode> OpenEpisode(const std::string& clinic_id,
                                                  const std::string& request_id,
                                                  const std::string& patient_id,
                                                  int64_t opened_at_us) = 0;
  // Closes an episode (closing a closed one returns it unchanged).
  // INVALID_ARGUMENT when closed_at is before opened_at; NOT_FOUND when the
  // clinic has no such episode.
  virtual absl::StatusOr<v1::Episode> CloseEpisode(const std::string& clinic_id,
                                                   const std::string& episode_id,
                                                   int64_t closed_at_us) = 0;
  virtual absl::StatusOr<std::vector<v1::Episode>> ListEpisodes(const std::string& clinic_id,
                                                                const std::string& patient_id) = 0;
  virtual absl::StatusOr<EpisodeRecord> GetEpisodeRecord(const std::string& clinic_id,
                                                         const std::string& episode_id) = 0;

  // --- curve measurements (append-only like outcomes) ---------------------
  // Revision 1 of a new measurement, "curveMeasurements/{id}". Idempotent on
  // (clinic_id, request_id) as LogOutcome is. `measurement` is validated.
  virtual absl::StatusOr<v1::CurveMeasurement> RecordCurveMeasurement(
      const std::string& clinic_id, const std::string& request_id,
      const v1::CurveMeasurement& measurement) = 0;
  // The next revision of `name` with `reason`; idempotent on request_id;
  // NOT_FOUND when the measurement is not in this clinic.
  virtual absl::StatusOr<v1::CurveMeasurement> AmendCurveMeasurement(
      const std::string& clinic_id, const std::string& request_id, const std::string& name,
      const v1::CurveMeasurement& corrected, const std::string& reason) = 0;
  // A primary read; revision 0 means the latest.
  virtual absl::StatusOr<v1::CurveMeasurement> GetCurveMeasurement(const std::string& clinic_id,
                                                                   const std::string& name,
                                                                   int32_t revision) = 0;
  // A primary read: the latest revision of each of the patient's
  // measurements, taken_at descending (then id descending), from one range of
  // an index. page_size already resolved (1 or more).
  virtual absl::StatusOr<CurveMeasurementPage> ListCurveMeasurements(
      const std::string& clinic_id, const std::string& patient_id, int page_size,
      const std::string& page_token) = 0;

  // A primary read of what SaveRecommendation stored; NOT_FOUND when this
  // clinic has no such recommendation.
  virtual absl::StatusOr<StoredRecommendation> GetRecommendation(
      const std::string& clinic_id, const std::string& recommendation_id) = 0;

  // --- the history stream over several kinds (analytics) -----------------
  // ScanHistory over the kinds `scan` lists, interleaved in one stable
  // order (record_history.h); every record's kind and resume_token set.
  // INVALID_ARGUMENT for a bad kind, token, or a filter a kind lacks.
  virtual absl::StatusOr<HistoryPage> ScanRecords(const std::string& clinic_id,
                                                  const RecordScan& scan) = 0;
  // ScanRecords cut at `horizon`, from the source the horizon chose, as
  // ScanHistoryWithin. Defined in history_horizon.cc.
  virtual absl::StatusOr<HistoryPage> ScanRecordsWithin(const HistoryHorizon& horizon,
                                                        const std::string& clinic_id,
                                                        const RecordScan& scan);

  // --- comparisons (analytics; may go to a read replica) -------------------
  // The per-episode rows of CompareProtocols, summarised in SQL in one read
  // snapshot: sessions, adverse events, first and latest pre-session pain,
  // questionnaire first and latest per domain, the baseline age and Cobb
  // (the recommendation profile and the film nearest the episode's start),
  // and the CDS feedback counts.
  virtual absl::StatusOr<ComparisonRows> ReadComparisonRows(const std::string& clinic_id,
                                                            const ComparisonCriteria& criteria) = 0;

  // --- protocol evaluations (migration 0006) ------------------------------
  // Puts the patient's open episode in a protocol evaluation, opening one
  // now when none is open (the check-in that starts care under an
  // evaluation). Writes `assignment` when the episode has none or when it is
  // an override; otherwise the episode keeps what it has (a concurrent
  // check-in's, which the same hash made equal). Returns the episode as
  // stored, in one write transaction.
  virtual absl::StatusOr<v1::Episode> AssignEpisodeVariant(
      const std::string& clinic_id, const std::string& patient_id,
      const v1::VariantAssignment& assignment) = 0;

  // SaveRecommendation from bytes serialized by the caller: a caller that
  // hands the write to another thread moves these strings there instead of
  // copying both messages (a full protocol each time).
  virtual absl::Status SaveRecommendationRecord(const std::string& clinic_id,
                                                const RecommendationRecord& record) = 0;
};

// The record SaveRecommendation stores for `request` and `response`;
// INVALID_ARGUMENT without a recommendation_id.
absl::StatusOr<RecommendationRecord> MakeRecommendationRecord(
    const v1::RecommendProtocolRequest& request, const v1::RecommendProtocolResponse& response);

// Opens the store named by a database URL: "sqlite://PATH", a bare path, or
// "postgresql://...". Creates the SQLite file and its folder when missing and
// applies pending schema migrations.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& database_url);

}  // namespace scoliomassage::storage
