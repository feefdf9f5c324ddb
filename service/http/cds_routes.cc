#include "http/cds_routes.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/errors.h"
#include "http/cds_feedback.h"
#include "http/cds_hooks.h"
#include "http/request_support.h"
#include "http/status_conversion.h"
#include "observability/log.h"

namespace scoliomassage::http {

using nlohmann::json;
using observability::Log;
using observability::LogLevel;

absl::StatusOr<std::unique_ptr<CdsRoutes>> CdsRoutes::Load(const CdsRoutesOptions& options,
                                                           const HttpApp& app) {
  std::unique_ptr<CdsRoutes> routes(new CdsRoutes(app));
  auto mapping = CdsMapping::Load(options.mapping_file.empty() ? DefaultCdsMappingPath()
                                                               : options.mapping_file);
  if (!mapping.ok()) return mapping.status();
  routes->mapping_ = *std::move(mapping);
  if (!options.issuers_file.empty()) {
    auto issuers = LoadIssuers(options.issuers_file);
    if (!issuers.ok()) return issuers.status();
    routes->verifier_ = std::make_unique<JwtVerifier>(*std::move(issuers));
  } else if (options.dev_mode && options.loopback) {
    routes->dev_cds_ = true;
    Log(LogLevel::kWarning, "DEV MODE: no --cds_issuers_file; CDS Hooks calls are not authenticated and "
                            "run as clinic 'dev'");
  } else {
    Log(LogLevel::kWarning, "no --cds_issuers_file: CDS Hooks calls are refused (403)");
  }
  return routes;
}

void CdsRoutes::Install(httplib::Server& server, std::string public_url) {
  public_url_ = std::move(public_url);
  server.Get("/cds-services", [this](const httplib::Request&, httplib::Response& res) {
    // Discovery holds no patient data (like ListProtocols): no token needed,
    // which is what EHRs expect when they register a service.
    SetRoute("GET /cds-services");
    res.set_content(DiscoveryDocument(mapping_).dump(), kJsonContentType);
  });
  server.Post(R"(/cds-services/([^/]+))",
              [this](const httplib::Request& req, httplib::Response& res) { Call(req, res); });
  server.Post(R"(/cds-services/([^/]+)/feedback)",
              [this](const httplib::Request& req, httplib::Response& res) { Feedback(req, res); });
}

absl::StatusOr<auth::Caller> CdsRoutes::Authenticate(const httplib::Request& req,
                                                     const std::vector<std::string>& audiences,
                                                     PrefetchFetchPolicy* fetch_policy) const {
  if (!verifier_) {
    if (dev_cds_) {
      // Dev mode listens on loopback only; it may fetch from loopback only.
      if (fetch_policy) fetch_policy->allow_loopback = true;
      return auth::Caller{"dev", auth::Role::kAdmin, "dev"};
    }
    return WithReason(absl::PermissionDeniedError(
                          "CDS Hooks is not enabled on this server: it needs --cds_issuers_file"),
                      "CDS_NOT_CONFIGURED");
  }
  const std::string value = req.get_header_value("Authorization");  // by value in httplib
  absl::string_view header = value;
  if (!absl::ConsumePrefix(&header, "Bearer ") && !absl::ConsumePrefix(&header, "bearer ")) {
    return WithReason(absl::UnauthenticatedError("CDS Hooks calls need 'Authorization: Bearer <JWT>'"),
                      "TOKEN_MISSING");
  }
  auto principal = verifier_->Verify(header, audiences, absl::Now());
  if (!principal.ok()) return principal.status();
  std::string name = "cds:" + principal->iss;
  if (!principal->sub.empty()) absl::StrAppend(&name, "#", principal->sub);
  if (fetch_policy) fetch_policy->allowed_servers = principal->fhir_servers;
  return auth::Caller{name, auth::Role::kHost, principal->clinic_id};
}

void CdsRoutes::Call(const httplib::Request& req, httplib::Response& res) const {
  const std::string id = req.matches[1];
  const CdsService* service = FindCdsService(id);
  SetRoute("POST /cds-services/" + (service ? id : std::string("{unknown}")));
  if (!service) {
    SendError(WithReason(absl::NotFoundError(absl::StrCat("no CDS service '", id, "'")), "NOT_FOUND"), res);
    return;
  }
  const absl::Time start = absl::Now();
  auth::Caller caller;
  std::string subject;
  absl::Status status = [&]() -> absl::Status {
    PrefetchFetchPolicy fetch_policy;
    auto authenticated = Authenticate(req, {public_url_ + "/cds-services/" + service->id}, &fetch_policy);
    if (!authenticated.ok()) return authenticated.status();
    caller = *std::move(authenticated);
    SetPrincipal(caller.principal);
    if (!auth::IsAllowed(caller.role, auth::Method::kRecommendProtocol)) {
      return WithReason(absl::PermissionDeniedError("this caller may not ask for a protocol"), "ROLE_NOT_ALLOWED");
    }
    if (!absl::StartsWith(req.get_header_value("Content-Type"), kJsonContentType)) {
      return WithReason(absl::InvalidArgumentError("Content-Type must be application/json"),
                        kReasonUnsupportedMedia);
    }
    json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      return WithReason(core::InvalidField("body", "is not valid JSON"), "INVALID_JSON");
    }
    // CDS Hooks 2.0: prefetch the EHR did not send is fetched from its
    // fhirServer (only once the request checked out, and only from a server
    // the issuer allowlisted).
    const json templates = mapping_.PrefetchTemplates();
    auto fill = [&](json* prefetch) {
      return FetchMissingPrefetch(templates, body, CdsMapping::RequiredPrefetchKeys(), fetch_policy, prefetch);
    };
    auto request = ParseHookRequest(*service, body, mapping_, absl::Now(), fill);
    if (!request.ok()) return request.status();
    auto response = app_.checkin->Recommend(caller, *request, &subject);
    if (!response.ok()) return response.status();
    res.status = 200;
    res.set_content(CardsResponse(*response).dump(), kJsonContentType);
    return absl::OkStatus();
  }();
  if (!status.ok()) SendError(status, res);
  RecordAudit(app_, caller, auth::Method::kRecommendProtocol, std::move(subject), status, start);
}

void CdsRoutes::Feedback(const httplib::Request& req, httplib::Response& res) const {
  const std::string id = req.matches[1];
  const CdsService* service = FindCdsService(id);
  SetRoute("POST /cds-services/" + (service ? id : std::string("{unknown}")) + "/feedback");
  if (!service) {
    SendError(WithReason(absl::NotFoundError(absl::StrCat("no CDS service '", id, "'")), "NOT_FOUND"), res);
    return;
  }
  const absl::Time start = absl::Now();
  auth::Caller caller;
  std::string subject;
  absl::Status status = [&]() -> absl::Status {
    // CDS Hooks 2.0: aud is "the CDS Service endpoint that is being called",
    // here the feedback URL; EHRs that sign feedback with the service's own
    // URL (the one the hook call used) are accepted too.
    const std::string service_url = public_url_ + "/cds-services/" + service->id;
    auto authenticated = Authenticate(req, {service_url + "/feedback", service_url});
    if (!authenticated.ok()) return authenticated.status();
    caller = *std::move(authenticated);
    SetPrincipal(caller.principal);
    if (absl::Status allowed = CheckRole(caller, auth::Method::kSendCdsFeedback); !allowed.ok()) {
      return allowed;
    }
    if (app_.cds_feedback == nullptr) {
      return WithReason(absl::UnimplementedError("CDS feedback is not served here"), "NOT_CONFIGURED");
    }
    if (!absl::StartsWith(req.get_header_value("Content-Type"), kJsonContentType)) {
      return WithReason(absl::InvalidArgumentError("Content-Type must be application/json"),
                        kReasonUnsupportedMedia);
    }
    json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      return WithReason(core::InvalidField("body", "is not valid JSON"), "INVALID_JSON");
    }
    auto entries = ParseFeedback(body);
    if (!entries.ok()) return entries.status();
    auto stored = app_.cds_feedback->Record(caller, service->id, *entries, &subject);
    if (!stored.ok()) return stored.status();
    res.status = 200;
    res.set_content(json{{"received", entries->size()}, {"stored", *stored}}.dump(), kJsonContentType);
    return absl::OkStatus();
  }();
  if (!status.ok()) SendError(status, res);
  RecordAudit(app_, caller, auth::Method::kSendCdsFeedback, std::move(subject), status, start);
}

}  // namespace scoliomassage::http
