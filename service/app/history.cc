#include "app/history.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "app/page_size.h"
#include "base/time.h"
#include "core/errors.h"
#include "core/outcome_validation.h"
#include "app/summary_privacy.h"
#include "storage/record_history.h"

namespace scoliomassage::app {

History::History(storage::Store& store, const Pseudonymizer& pseudonyms,
                 std::set<std::string> free_text_clinics)
    : store_(store), pseudonyms_(pseudonyms), free_text_clinics_(std::move(free_text_clinics)) {}

namespace {

storage::RecordScan MakeRecordScan(const v1::QueryHistoryRequest& request,
                                   const std::string& resume_token) {
  storage::RecordScan scan;
  scan.filter = request.filter();
  for (int kind : request.include()) scan.kinds.push_back(static_cast<v1::HistoryRecordKind>(kind));
  scan.include_revisions = request.include_revisions();
  scan.resume_token = resume_token;
  scan.limit = kHistoryScanPageSize;
  return scan;
}

bool GroupsBy(const std::vector<v1::GroupBy>& group_by, v1::GroupBy dimension) {
  return std::find(group_by.begin(), group_by.end(), dimension) != group_by.end();
}

}  // namespace

absl::Status History::ValidateQuery(const v1::QueryHistoryRequest& request) const {
  if (absl::Status valid = core::ValidateHistoryFilter(request.filter(), "filter"); !valid.ok()) {
    return valid;
  }
  if (request.include_size() == 0) return absl::OkStatus();
  return storage::ValidateRecordScan(MakeRecordScan(request, ""));
}

void History::MinimizeForAnalytics(const auth::Caller& caller, v1::Outcome* outcome) const {
  if (caller.role != auth::Role::kAnalytics) return;
  outcome->set_patient_pseudonym(pseudonyms_.Pseudonym(caller.clinic_id, outcome->patient_id()));
  outcome->clear_patient_id();
  outcome->clear_encounter_id();
  if (free_text_clinics_.count(caller.clinic_id) == 0) {
    outcome->clear_relaxation_notes();
    for (auto& event : *outcome->mutable_adverse_events()) event.clear_description();
    outcome->clear_adherence_reason();
    for (auto& change : *outcome->mutable_step_changes()) change.clear_reason();
  }
}

void History::MinimizeForAnalytics(const auth::Caller& caller,
                                   v1::CurveMeasurement* measurement) const {
  if (caller.role != auth::Role::kAnalytics) return;
  measurement->set_patient_pseudonym(
      pseudonyms_.Pseudonym(caller.clinic_id, measurement->patient_id()));
  measurement->clear_patient_id();
  if (free_text_clinics_.count(caller.clinic_id) == 0) {
    // Who read the film and where it is name people and a study; the notes
    // and the reason are free text.
    measurement->clear_measured_by();
    measurement->clear_imaging_ref();
    measurement->clear_notes();
    measurement->clear_amend_reason();
  }
}

void History::MinimizeForAnalytics(const auth::Caller& caller, v1::Assessment* assessment) const {
  if (caller.role != auth::Role::kAnalytics) return;
  assessment->set_patient_pseudonym(
      pseudonyms_.Pseudonym(caller.clinic_id, assessment->patient_id()));
  assessment->clear_patient_id();
}

void History::MinimizeForAnalytics(const auth::Caller& caller, v1::HistoryRecord* record) const {
  if (record->has_outcome()) MinimizeForAnalytics(caller, record->mutable_outcome());
  if (record->has_curve_measurement()) {
    MinimizeForAnalytics(caller, record->mutable_curve_measurement());
  }
  if (record->has_assessment()) MinimizeForAnalytics(caller, record->mutable_assessment());
}

absl::StatusOr<HistoryPage> History::NextPage(const auth::Caller& caller,
                                              const v1::QueryHistoryRequest& request,
                                              const std::string& resume_token) const {
  return NextPage(caller, request, resume_token, storage::HistoryHorizon{});
}

absl::StatusOr<storage::HistoryHorizon> History::StartStream() const {
  return store_.SettleHistory();
}

absl::StatusOr<HistoryPage> History::NextPage(const auth::Caller& caller,
                                              const v1::QueryHistoryRequest& request,
                                              const std::string& resume_token,
                                              const storage::HistoryHorizon& horizon) const {
  // Outcome-only streams (no include) keep their own scan, unchanged.
  auto scanned = request.include_size() == 0
                     ? store_.ScanHistoryWithin(horizon, caller.clinic_id, request.filter(),
                                                request.include_revisions(), resume_token,
                                                kHistoryScanPageSize)
                     : store_.ScanRecordsWithin(horizon, caller.clinic_id,
                                                MakeRecordScan(request, resume_token));
  if (!scanned.ok()) return scanned.status();
  HistoryPage page;
  page.records = std::move(scanned->records);
  page.done = scanned->done;
  for (auto& record : page.records) {
    if (record.kind() == v1::HISTORY_RECORD_KIND_UNSPECIFIED) {
      record.set_kind(v1::HISTORY_RECORD_KIND_OUTCOME);
    }
    MinimizeForAnalytics(caller, &record);
  }
  return page;
}

absl::StatusOr<v1::SummarizeOutcomesResponse> History::Summarize(
    const auth::Caller& caller, const v1::SummarizeOutcomesRequest& request) const {
  core::FieldViolations violations;
  std::vector<v1::GroupBy> group_by;
  for (int i = 0; i < request.group_by_size(); ++i) {
    const int value = request.group_by(i);
    if (value == v1::GROUP_BY_UNSPECIFIED || !v1::GroupBy_IsValid(value)) {
      violations.Add("group_by[" + std::to_string(i) + "]", "must be a known GroupBy value");
      continue;
    }
    if (std::find(group_by.begin(), group_by.end(), value) != group_by.end()) {
      violations.Add("group_by[" + std::to_string(i) + "]", "listed twice");
      continue;
    }
    group_by.push_back(static_cast<v1::GroupBy>(value));
  }
  if (!violations.empty()) return violations.ToStatus();
  if (absl::Status valid = core::ValidateHistoryFilter(request.filter(), "filter");
      !valid.ok()) {
    return valid;
  }
  auto groups = store_.Summarize(caller.clinic_id, request.filter(), group_by);
  if (!groups.ok()) return groups.status();
  // Feedback on CDS cards: counts by rule and reason, no free text.
  auto feedback = store_.SummarizeCardFeedback(caller.clinic_id, request.filter());
  if (!feedback.ok()) return feedback.status();
  v1::SummarizeOutcomesResponse response;
  for (auto& group : *groups) *response.add_groups() = std::move(group);
  // The groups' total, for session summaries (questionnaire and curve
  // groups have none: no request sums instruments or regions).
  if (!group_by.empty() && !GroupsBy(group_by, v1::GROUP_BY_INSTRUMENT) &&
      !GroupsBy(group_by, v1::GROUP_BY_CURVE_REGION)) {
    auto overall = store_.Summarize(caller.clinic_id, request.filter(), {});
    if (!overall.ok()) return overall.status();
    if (!overall->empty()) *response.mutable_total() = std::move(overall->front());
  }
  for (const auto& rule : feedback->by_rule) *response.add_feedback_by_rule() = rule;
  for (const auto& reason : feedback->by_reason) *response.add_overrides_by_reason() = reason;
  // Small groups are hidden from analytics (summary_privacy.h).
  if (caller.role == auth::Role::kAnalytics) SuppressSmallGroups(group_by, *feedback, response);
  *response.mutable_compute_time() = base::TimeToTimestamp(absl::Now());
  return response;
}

absl::StatusOr<v1::ListAuditRecordsResponse> History::ListAudit(
    const auth::Caller& caller, const v1::ListAuditRecordsRequest& request) const {
  auto page_size = ResolvePageSize(request.page_size(), kAuditPageSize, "page_size");
  if (!page_size.ok()) return page_size.status();
  v1::ListAuditRecordsRequest resolved = request;
  resolved.set_page_size(*page_size);
  auto page = store_.ListAudit(caller.clinic_id, resolved);
  if (!page.ok()) return page.status();
  v1::ListAuditRecordsResponse response;
  for (auto& record : page->records) *response.add_records() = std::move(record);
  response.set_next_page_token(page->next_page_token);
  return response;
}

}  // namespace scoliomassage::app
