// The pieces every HTTP route shares, so that each handler stays a thin
// adapter: name the route for the log line, authenticate a bearer token,
// answer an error in the one JSON shape (status_conversion.h), and file the
// same audit record the gRPC face writes.
#pragma once

#include <httplib.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "auth/caller.h"
#include "http/http_app.h"

namespace scoliomassage::http {

inline constexpr char kJsonContentType[] = "application/json";

// The route template of the request being served on this thread (e.g.
// "GET /fhir/Procedure"): the log line and the audit record carry it, never
// the raw path or query, which may hold patient ids.
void SetRoute(std::string route);
const std::string& CurrentRoute();
void SetPrincipal(std::string principal);
const std::string& CurrentPrincipal();
// Called once per request before routing (http_server.cc).
void BeginRequest();
absl::Time RequestStart();

// `Authorization: Bearer <token>` against the tokens file, as on gRPC; in dev
// mode the dev caller. UNAUTHENTICATED (401) with the reason otherwise. Also
// records the principal for the log line.
absl::StatusOr<auth::Caller> AuthenticateBearer(const httplib::Request& req, const HttpApp& app);

// UNAUTHENTICATED/PERMISSION_DENIED unless the caller's role may call `method`
// (the README's role table, the same one gRPC uses).
absl::Status CheckRole(const auth::Caller& caller, auth::Method method);

// Writes the JSON error body for `status` (and WWW-Authenticate on 401).
void SendError(const absl::Status& status, httplib::Response& res);

// The same for the FHIR routes: an OperationOutcome as application/fhir+json.
void SendFhirError(const absl::Status& status, httplib::Response& res);

// Files an audit record for a call on this route. Callers whose clinic is
// unknown (a refused credential) have nothing to file it under, as on gRPC.
void RecordAudit(const HttpApp& app, const auth::Caller& caller, auth::Method method,
                 std::string subject, const absl::Status& status, absl::Time start);

// An INVALID_ARGUMENT naming the query parameter or body field and why.
absl::Status WithReason(absl::Status status, absl::string_view reason);

}  // namespace scoliomassage::http
