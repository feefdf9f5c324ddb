#include "app/report.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "app/page_size.h"
#include "base/error_reasons.h"
#include "base/time.h"
#include "core/adverse_events.h"
#include "core/episode_review.h"
#include "core/errors.h"
#include "core/explanation.h"
#include "core/outcome_validation.h"
#include "core/report_page.h"

namespace scoliomassage::app {
namespace {

absl::Status Validate(const v1::GetPatientReportRequest& request) {
  if (request.patient_id().empty()) return core::InvalidField("patient_id", "is required");
  if (request.patient_id().size() > static_cast<size_t>(core::kMaxIdBytes)) {
    return core::InvalidField("patient_id",
                              absl::StrCat("must be at most ", core::kMaxIdBytes, " bytes"));
  }
  if (!v1::ReportFormat_IsValid(request.format())) {
    return core::InvalidField("format", "must be REPORT_FORMAT_HTML or REPORT_FORMAT_SVG");
  }
  return absl::OkStatus();
}

// What the dose rules and the record's own warnings say about the next
// session: the parts of the check-in that depend on the logged sessions
// alone. No request, so no clearance counts: a serious event shows as refer.
core::PlannedNextSession PlanNext(const core::PatientProgress& progress) {
  core::PlannedNextSession next;
  next.session_number = static_cast<int>(std::min<int64_t>(progress.sessions_logged + 1, 1000000));
  core::Explanation explanation;
  const core::AdverseEventGate gate =
      core::CheckLastSessionEvents(v1::RecommendProtocolRequest(), progress, explanation);
  next.refer = gate.refer;
  next.dose = core::PlanDose(next.session_number, progress.last_outcome);
  core::CheckEpisodeProgress(progress, explanation);
  for (const v1::Card& card : explanation.cards()) next.warnings.push_back(card);
  return next;
}

}  // namespace

Reports::Reports(storage::Store& store, const Pseudonymizer& pseudonyms)
    : store_(store), pseudonyms_(pseudonyms) {}

absl::StatusOr<core::ReportInput> Reports::Gather(const auth::Caller& caller,
                                                  const v1::GetPatientReportRequest& request,
                                                  std::string* audit_subject) const {
  if (absl::Status valid = Validate(request); !valid.ok()) return valid;
  *audit_subject = pseudonyms_.Pseudonym(caller.clinic_id, request.patient_id());
  // The face checks the role table first; checked again here so no other
  // caller of app/ can hand a named patient's page to analytics.
  if (!auth::IsAllowed(caller.role, auth::Method::kGetPatientReport)) {
    return core::WithReason(
        absl::PermissionDeniedError("this role may not read patient reports (they name the patient)"),
        base::kReasonRoleNotAllowed);
  }
  auto progress = store_.GetPatientProgress(caller.clinic_id, request.patient_id());
  if (!progress.ok()) return progress.status();
  if (progress->sessions_logged == 0) {
    return core::WithReason(
        absl::NotFoundError("no sessions are recorded for this patient in this clinic"),
        base::kReasonNotFound);
  }

  core::ReportInput input;
  input.patient_id = request.patient_id();
  input.generated_at_us = base::NowMicros();
  v1::HistoryFilter filter;
  filter.set_patient_id(request.patient_id());
  const bool therapist = caller.role == auth::Role::kTherapist;
  if (therapist) filter.set_therapist_id(caller.principal);
  std::string token;
  bool truncated = false;
  do {
    auto page = store_.ListOutcomes(caller.clinic_id, filter, kOutcomePageSize.max_size, token);
    if (!page.ok()) return page.status();
    for (auto& outcome : page->outcomes) {
      if (input.sessions.size() == static_cast<size_t>(kMaxReportSessions)) {
        truncated = true;
        break;
      }
      input.sessions.push_back(std::move(outcome));
    }
    token = truncated ? "" : page->next_page_token;
  } while (!token.empty());
  if (therapist && input.sessions.empty()) {
    return core::WithReason(
        absl::PermissionDeniedError("a therapist may only see reports of sessions they logged"),
        base::kReasonNotOwner);
  }
  std::sort(input.sessions.begin(), input.sessions.end(),
            [](const v1::Outcome& a, const v1::Outcome& b) {
              if (a.session_number() != b.session_number()) {
                return a.session_number() < b.session_number();
              }
              return base::TimestampToMicros(a.performed_at()) <
                     base::TimestampToMicros(b.performed_at());
            });
  if (therapist) {
    const int64_t others = progress->sessions_logged - static_cast<int64_t>(input.sessions.size());
    input.scope_note = absl::StrCat(
        "Sessions logged by ", caller.principal, " only",
        others > 0 ? absl::StrCat(": ", others, " more of this patient's sessions were logged by "
                                  "other therapists and are not shown, so the summary covers part "
                                  "of the episode.")
                   : ".");
  }
  if (truncated) {
    absl::StrAppend(&input.scope_note, input.scope_note.empty() ? "" : " ", "The ",
                    kMaxReportSessions, " most recent sessions are shown.");
  }
  // The next session follows from the patient's latest session, whoever
  // logged it; a therapist sees it only when that session is theirs.
  if (!therapist || (progress->last_outcome.has_value() &&
                     progress->last_outcome->therapist_id() == caller.principal)) {
    input.next_session = PlanNext(*progress);
  } else {
    input.next_session_note =
        "Not shown: the patient's latest session was logged by another therapist. The check-in "
        "recommendation gives the next session.";
  }
  if (absl::Status films = GatherFilms(caller, request.patient_id(), &input.films); !films.ok()) {
    return films;
  }
  if (absl::Status scores = GatherScores(caller, request.patient_id(), &input.scores);
      !scores.ok()) {
    return scores;
  }
  return input;
}

// Every film of the patient (a film is the clinic's, not a therapist's),
// oldest first, up to kMaxReportSessions.
absl::Status Reports::GatherFilms(const auth::Caller& caller, const std::string& patient_id,
                                  std::vector<core::ReportFilm>* films) const {
  std::string token;
  do {
    auto page = store_.ListCurveMeasurements(caller.clinic_id, patient_id, 100, token);
    if (!page.ok()) return page.status();
    for (const v1::CurveMeasurement& film : page->measurements) {
      if (films->size() == static_cast<size_t>(kMaxReportSessions)) return absl::OkStatus();
      std::string region = absl::AsciiStrToLower(
          absl::StripPrefix(v1::SpineRegion_Name(film.spine_region()), "SPINE_REGION_"));
      films->push_back({base::TimestampToMicros(film.taken_at()), std::move(region),
                        film.cobb_angle_degrees()});
    }
    token = page->next_page_token;
  } while (!token.empty());
  std::reverse(films->begin(), films->end());  // the store lists newest first
  return absl::OkStatus();
}

// Each scoreable domain of each assessment, oldest first; a therapist sees
// the assessments they administered, as ListAssessments shows them.
absl::Status Reports::GatherScores(const auth::Caller& caller, const std::string& patient_id,
                                   std::vector<core::ReportScore>* scores) const {
  v1::ListAssessmentsRequest request;
  request.set_patient_id(patient_id);
  const bool therapist = caller.role == auth::Role::kTherapist;
  do {
    auto page = store_.ListAssessments(caller.clinic_id, request, 100);
    if (!page.ok()) return page.status();
    for (const v1::Assessment& assessment : page->assessments) {
      if (therapist && assessment.therapist_id() != caller.principal) continue;
      for (const v1::AssessmentScore& score : assessment.scores()) {
        if (!score.scoreable()) continue;  // never drawn as a value
        if (scores->size() == static_cast<size_t>(kMaxReportSessions)) return absl::OkStatus();
        scores->push_back({base::TimestampToMicros(assessment.performed_at()),
                           absl::AsciiStrToUpper(assessment.instrument_id()), score.domain(),
                           score.value()});
      }
    }
    request.set_page_token(page->next_page_token);
  } while (!request.page_token().empty());
  std::reverse(scores->begin(), scores->end());  // the store lists newest first
  return absl::OkStatus();
}

absl::StatusOr<v1::PatientReport> Reports::Get(const auth::Caller& caller,
                                               const v1::GetPatientReportRequest& request,
                                               std::string* audit_subject) const {
  auto input = Gather(caller, request, audit_subject);
  if (!input.ok()) return input.status();
  v1::PatientReport report;
  report.set_patient_id(request.patient_id());
  const bool svg = request.format() == v1::REPORT_FORMAT_SVG;
  report.set_format(svg ? v1::REPORT_FORMAT_SVG : v1::REPORT_FORMAT_HTML);
  report.set_content_type(svg ? "image/svg+xml; charset=utf-8" : "text/html; charset=utf-8");
  report.set_content(svg ? core::RenderReportSvg(*input) : core::RenderReportHtml(*input));
  *report.mutable_generate_time() = base::MicrosToTimestamp(input->generated_at_us);
  report.set_session_count(static_cast<int32_t>(input->sessions.size()));
  return report;
}

}  // namespace scoliomassage::app
