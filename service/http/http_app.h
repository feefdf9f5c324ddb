// What the HTTP face's routes call: the same app/ objects the gRPC servicers
// use, and the same credentials. Each route file (cds_routes, and the FHIR,
// report and metrics routes beside it) takes this and nothing else from the
// server, so a route never reaches past app/.
#pragma once

#include <optional>

#include "app/assessments.h"
#include "app/audit_trail.h"
#include "app/cds_feedback.h"
#include "app/checkin.h"
#include "app/curves.h"
#include "app/comparisons.h"
#include "app/history.h"
#include "app/outcomes.h"
#include "app/report.h"
#include "auth/caller.h"
#include "auth/credentials_file.h"

namespace scoliomassage::http {

struct HttpApp {
  const app::CheckIn* checkin = nullptr;
  const app::Outcomes* outcomes = nullptr;
  const app::History* history = nullptr;
  // Where every route's audit record goes (the same trail as gRPC's).
  app::AuditTrail* audit = nullptr;
  // Bearer tokens for every route but CDS Hooks (which uses JWTs). Null in
  // dev mode, where every caller is `dev_caller`.
  const auth::Authenticator* authenticator = nullptr;
  std::optional<auth::Caller> dev_caller;
  const app::Reports* reports = nullptr;
  // CDS Hooks feedback (POST /cds-services/{id}/feedback).
  const app::CdsFeedback* cds_feedback = nullptr;
  // Curve measurements and questionnaire scores as FHIR Observations
  // (record_observations.h); null: the Observation search and export carry
  // session pain only.
  const app::Curves* curves = nullptr;
  const app::Assessments* assessments = nullptr;
  // GET /comparisons (comparison_routes.h).
  const app::Comparisons* comparisons = nullptr;
};

}  // namespace scoliomassage::http
