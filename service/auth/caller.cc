#include "auth/caller.h"

namespace scoliomassage::auth {

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kHost: return "host";
    case Role::kTherapist: return "therapist";
    case Role::kAnalytics: return "analytics";
    case Role::kAdmin: return "admin";
  }
  return "host";
}

bool ParseRole(absl::string_view text, Role* role) {
  for (Role candidate : {Role::kHost, Role::kTherapist, Role::kAnalytics, Role::kAdmin}) {
    if (text == RoleName(candidate)) {
      *role = candidate;
      return true;
    }
  }
  return false;
}

absl::string_view MethodPath(Method method) {
  switch (method) {
    case Method::kRecommendProtocol: return "/scoliomassage.v1.ProtocolService/RecommendProtocol";
    case Method::kListProtocols: return "/scoliomassage.v1.ProtocolService/ListProtocols";
    case Method::kLogOutcome: return "/scoliomassage.v1.OutcomeService/LogOutcome";
    case Method::kAmendOutcome: return "/scoliomassage.v1.OutcomeService/AmendOutcome";
    case Method::kGetOutcome: return "/scoliomassage.v1.OutcomeService/GetOutcome";
    case Method::kListOutcomes: return "/scoliomassage.v1.OutcomeService/ListOutcomes";
    case Method::kQueryHistory: return "/scoliomassage.v1.HistoryService/QueryHistory";
    case Method::kSummarizeOutcomes: return "/scoliomassage.v1.HistoryService/SummarizeOutcomes";
    case Method::kListAuditRecords: return "/scoliomassage.v1.AuditService/ListAuditRecords";
    case Method::kGetPatientReport: return "/scoliomassage.v1.ReportService/GetPatientReport";
    case Method::kFhirSearch: return "GET /fhir/{type}";
    case Method::kFhirExport: return "GET /fhir/$export";
    case Method::kSendCdsFeedback: return "POST /cds-services/{id}/feedback";
    case Method::kReadMetrics: return "GET /metrics";
    case Method::kRecordAssessment: return "/scoliomassage.v1.AssessmentService/RecordAssessment";
    case Method::kListAssessments: return "/scoliomassage.v1.AssessmentService/ListAssessments";
    case Method::kListInstruments: return "/scoliomassage.v1.AssessmentService/ListInstruments";
    case Method::kOpenEpisode: return "/scoliomassage.v1.EpisodeService/OpenEpisode";
    case Method::kCloseEpisode: return "/scoliomassage.v1.EpisodeService/CloseEpisode";
    case Method::kListEpisodes: return "/scoliomassage.v1.EpisodeService/ListEpisodes";
    case Method::kGetEpisodeResult: return "/scoliomassage.v1.EpisodeService/GetEpisodeResult";
    case Method::kRecordCurveMeasurement:
      return "/scoliomassage.v1.CurveService/RecordCurveMeasurement";
    case Method::kListCurveMeasurements:
      return "/scoliomassage.v1.CurveService/ListCurveMeasurements";
    case Method::kAmendCurveMeasurement:
      return "/scoliomassage.v1.CurveService/AmendCurveMeasurement";
    case Method::kGetCurveMeasurement: return "/scoliomassage.v1.CurveService/GetCurveMeasurement";
    case Method::kCompareProtocols: return "/scoliomassage.v1.HistoryService/CompareProtocols";
  }
  return "";
}

bool IsAllowed(Role role, Method method) {
  // The catalog and the instrument definitions hold no patient data, so
  // every role may read them.
  if (method == Method::kListProtocols || method == Method::kListInstruments) return true;
  // Questionnaires and episodes: the clinic's own software and its
  // therapists (analytics see them only through history and summaries).
  const bool clinical_record =
      method == Method::kRecordAssessment || method == Method::kListAssessments ||
      method == Method::kOpenEpisode || method == Method::kCloseEpisode ||
      method == Method::kListEpisodes || method == Method::kGetEpisodeResult;
  if (clinical_record) return role != Role::kAnalytics;
  // Curve measurements: the clinic's clinical staff and software read and
  // write them; analytics sees films only through the history stream and
  // the summaries, pseudonymised and without free text (app/history.cc).
  if (method == Method::kRecordCurveMeasurement || method == Method::kListCurveMeasurements ||
      method == Method::kAmendCurveMeasurement || method == Method::kGetCurveMeasurement) {
    return role != Role::kAnalytics;
  }
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kHost:
      return method == Method::kRecommendProtocol || method == Method::kLogOutcome ||
             method == Method::kGetOutcome || method == Method::kListOutcomes ||
             method == Method::kGetPatientReport || method == Method::kFhirSearch ||
             method == Method::kSendCdsFeedback;
    case Role::kTherapist:
      // The report shows a therapist only the sessions they logged (app/report.cc).
      return method == Method::kLogOutcome || method == Method::kAmendOutcome ||
             method == Method::kGetOutcome || method == Method::kGetPatientReport ||
             method == Method::kFhirSearch;
    case Role::kAnalytics:
      // Comparisons: small groups suppressed for this role (app/comparisons.h).
      return method == Method::kQueryHistory || method == Method::kSummarizeOutcomes ||
             method == Method::kFhirSearch || method == Method::kFhirExport ||
             method == Method::kCompareProtocols;
  }
  return false;
}

}  // namespace scoliomassage::auth
