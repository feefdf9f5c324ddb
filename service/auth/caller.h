// Who is calling: the principal, its role and its clinic, as established by
// authentication. The clinic always comes from here, never from a request.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace scoliomassage::auth {

enum class Role { kHost, kTherapist, kAnalytics, kAdmin };

struct Caller {
  std::string principal;
  Role role = Role::kHost;
  std::string clinic_id;
};

absl::string_view RoleName(Role role);
bool ParseRole(absl::string_view text, Role* role);

// The RPCs that carry a permission decision.
enum class Method {
  kRecommendProtocol,
  kListProtocols,
  kLogOutcome,
  kAmendOutcome,
  kGetOutcome,
  kListOutcomes,
  kQueryHistory,
  kSummarizeOutcomes,
  kListAuditRecords,
  kGetPatientReport,
  // The HTTP face's FHIR R4 read API (GET /fhir/{type}?...): every role
  // reads its clinic; a therapist only their own sessions; analytics only
  // pseudonyms (app::History's view).
  kFhirSearch,
  // FHIR Bulk Data $export (kick-off, status, files, cancel): a whole
  // clinic's record at once, so admins and analytics only.
  kFhirExport,
  // Not gRPC methods: the HTTP face's CDS Hooks feedback and GET /metrics.
  kSendCdsFeedback,
  kReadMetrics,
  kRecordAssessment,
  kListAssessments,
  kListInstruments,
  kOpenEpisode,
  kCloseEpisode,
  kListEpisodes,
  kGetEpisodeResult,
  kRecordCurveMeasurement,
  kListCurveMeasurements,
  kAmendCurveMeasurement,
  kGetCurveMeasurement,
  // HistoryService.CompareProtocols (and GET /comparisons): analytics with
  // small groups suppressed, and admins; not host software or therapists.
  kCompareProtocols,
};

// The full gRPC method path, e.g. "/scoliomassage.v1.OutcomeService/LogOutcome".
absl::string_view MethodPath(Method method);

// The role table of the README ("Roles"). Ownership rules (a therapist amends
// only their own outcomes) are checked where the data is known.
bool IsAllowed(Role role, Method method);

}  // namespace scoliomassage::auth
