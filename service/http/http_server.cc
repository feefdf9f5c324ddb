#include "http/http_server.h"

#include <httplib.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/errors.h"
#include "http/bounded_task_queue.h"
#include "http/cds_hooks.h"
#include "http/cds_mapping.h"
#include "http/jwt.h"
#include "http/status_conversion.h"
#include "observability/log.h"

namespace scoliomassage::http {

using nlohmann::json;
using observability::Log;
using observability::LogLevel;

namespace {

// Per-request facts for the log line, set on the thread that serves it.
thread_local absl::Time request_start;
thread_local std::string request_route;
thread_local std::string request_principal;

constexpr char kJson[] = "application/json";

void SendError(const absl::Status& status, httplib::Response& res) {
  HttpError error = ToHttpError(status);
  res.status = error.status;
  res.set_content(error.body, kJson);
  if (error.status == 401) res.set_header("WWW-Authenticate", "Bearer");
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  return core::WithReason(std::move(status), reason);
}

// The reason for a status httplib produced itself (no route, body too big...).
absl::Status StatusForHttp(int code) {
  switch (code) {
    case 404: return WithReason(absl::NotFoundError("no such path"), "NOT_FOUND");
    case 405: return WithReason(absl::InvalidArgumentError("method not allowed on this path"), "METHOD_NOT_ALLOWED");
    case 413: return WithReason(absl::InvalidArgumentError("the request body is too large"), kReasonPayloadTooLarge);
    case 414: return WithReason(absl::InvalidArgumentError("the request URI is too long"), "URI_TOO_LONG");
    case 503: return WithReason(absl::UnavailableError("server overloaded; retry with backoff"), kReasonOverloaded);
    default:
      if (code >= 500) return absl::InternalError(absl::StrCat("HTTP ", code));
      return WithReason(absl::InvalidArgumentError(absl::StrCat("bad request (HTTP ", code, ")")), "INVALID_REQUEST");
  }
}

bool SplitHostPort(const std::string& listen, std::string* host, int* port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), port) || *port < 0 ||
      *port > 65535) {
    return false;
  }
  *host = listen.substr(0, colon);
  if (absl::StartsWith(*host, "[") && absl::EndsWith(*host, "]")) *host = host->substr(1, host->size() - 2);
  return !host->empty();
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  const app::CheckIn* checkin = nullptr;
  AuditSink audit;
  CdsMapping mapping;
  std::unique_ptr<JwtVerifier> verifier;  // null: no --cds_issuers_file
  bool dev_cds = false;                   // CDS calls as clinic dev (dev mode on loopback)
  std::string public_url;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;
  bool stopped = false;

  void Install();
  void CdsCall(const httplib::Request& req, httplib::Response& res);
  absl::StatusOr<auth::Caller> Authenticate(const httplib::Request& req, const std::string& audience);
};

absl::StatusOr<auth::Caller> HttpServer::Impl::Authenticate(const httplib::Request& req,
                                                           const std::string& audience) {
  if (!verifier) {
    if (dev_cds) return auth::Caller{"dev", auth::Role::kAdmin, "dev"};
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
  auto principal = verifier->Verify(header, audience, absl::Now());
  if (!principal.ok()) return principal.status();
  std::string name = "cds:" + principal->iss;
  if (!principal->sub.empty()) absl::StrAppend(&name, "#", principal->sub);
  return auth::Caller{name, auth::Role::kHost, principal->clinic_id};
}

void HttpServer::Impl::CdsCall(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  const CdsService* service = FindCdsService(id);
  request_route = "POST /cds-services/" + (service ? id : std::string("{unknown}"));
  if (!service) {
    SendError(WithReason(absl::NotFoundError(absl::StrCat("no CDS service '", id, "'")), "NOT_FOUND"), res);
    return;
  }
  const absl::Time start = absl::Now();
  auth::Caller caller;
  std::string subject;
  absl::Status status = [&]() -> absl::Status {
    auto authenticated = Authenticate(req, public_url + "/cds-services/" + service->id);
    if (!authenticated.ok()) return authenticated.status();
    caller = *std::move(authenticated);
    request_principal = caller.principal;
    if (!auth::IsAllowed(caller.role, auth::Method::kRecommendProtocol)) {
      return WithReason(absl::PermissionDeniedError("this caller may not ask for a protocol"), "ROLE_NOT_ALLOWED");
    }
    if (!absl::StartsWith(req.get_header_value("Content-Type"), kJson)) {
      return WithReason(absl::InvalidArgumentError("Content-Type must be application/json"),
                        kReasonUnsupportedMedia);
    }
    json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      return WithReason(core::InvalidField("body", "is not valid JSON"), "INVALID_JSON");
    }
    auto request = ParseHookRequest(*service, body, mapping, absl::Now());
    if (!request.ok()) return request.status();
    auto response = checkin->Recommend(caller, *request, &subject);
    if (!response.ok()) return response.status();
    res.status = 200;
    res.set_content(CardsResponse(*response).dump(), kJson);
    return absl::OkStatus();
  }();
  if (!status.ok()) SendError(status, res);
  // The same audit record as the gRPC face; a caller whose clinic is unknown
  // (refused token) has no clinic to file it under, as there.
  if (!caller.clinic_id.empty() && audit) {
    app::AuditEvent event;
    event.start = start;
    event.caller = caller;
    event.method = auth::Method::kRecommendProtocol;
    event.route = request_route;
    event.subject = subject;
    event.code = status.code();
    audit(std::move(event));
  }
}

void HttpServer::Impl::Install() {
  server->set_payload_max_length(options.max_body_bytes);
  server->set_read_timeout(5, 0);
  server->set_write_timeout(5, 0);
  server->set_keep_alive_timeout(2);
  server->set_keep_alive_max_count(100);
  const size_t threads = static_cast<size_t>(options.threads);
  const size_t queued = static_cast<size_t>(options.max_queued);
  server->new_task_queue = [threads, queued] { return new BoundedTaskQueue(threads, queued); };
  // CORS for browser-based CDS clients: bearer tokens, no cookies, so any origin.
  server->set_default_headers({{"Access-Control-Allow-Origin", "*"},
                               {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
                               {"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
                               {"Access-Control-Max-Age", "600"},
                               {"Cache-Control", "no-store"}});
  server->set_pre_routing_handler([](const httplib::Request&, httplib::Response& res) {
    request_start = absl::Now();
    request_route = "unmatched";
    request_principal.clear();
    if (BoundedTaskQueue::IsOverflowThread()) {
      SendError(StatusForHttp(503), res);
      res.set_header("Retry-After", "1");
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server->Options(R"(/.*)", [](const httplib::Request&, httplib::Response& res) {
    request_route = "OPTIONS";
    res.status = 204;
  });
  server->Get("/cds-services", [this](const httplib::Request&, httplib::Response& res) {
    // Discovery holds no patient data (like ListProtocols): no token needed,
    // which is what EHRs expect when they register a service.
    request_route = "GET /cds-services";
    res.set_content(DiscoveryDocument(mapping).dump(), kJson);
  });
  server->Post(R"(/cds-services/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) { CdsCall(req, res); });
  server->set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const int code = res.status;
    SendError(StatusForHttp(code), res);
    res.status = code;
    return httplib::Server::HandlerResponse::Handled;
  }));
  server->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    SendError(absl::InternalError("internal error"), res);
  });
  server->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    const double latency_ms = request_start == absl::Time() ? 0 : absl::ToDoubleMilliseconds(absl::Now() - request_start);
    // The route, never the raw path or query: those may carry patient ids.
    Log(res.status < 400 ? LogLevel::kInfo : LogLevel::kWarning, "http",
        {{"method", req.method},
         {"route", request_route},
         {"status", std::to_string(res.status)},
         {"latency_ms", absl::StrCat(latency_ms)},
         {"principal", request_principal}});
  });
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              const app::CheckIn& checkin, AuditSink audit) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->checkin = &checkin;
  impl->audit = std::move(audit);
  std::string host;
  int port = 0;
  if (!SplitHostPort(options.listen, &host, &port)) {
    return absl::InvalidArgumentError(absl::StrCat("--http_listen must be HOST:PORT, not '", options.listen, "'"));
  }
  const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
  if (tls && (options.tls_cert_file.empty() || options.tls_key_file.empty())) {
    return absl::InvalidArgumentError("TLS needs both --tls_cert and --tls_key");
  }
  if (!tls && !options.loopback) {
    if (!options.insecure) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to serve health data in plaintext on --http_listen=", options.listen,
          ": give --tls_cert and --tls_key, or --insecure if a proxy terminates TLS"));
    }
    Log(LogLevel::kWarning, "INSECURE: HTTP face in plaintext on a non-loopback address (--insecure)",
        {{"http_listen", options.listen}});
  }

  auto mapping = CdsMapping::Load(options.mapping_file.empty() ? DefaultCdsMappingPath() : options.mapping_file);
  if (!mapping.ok()) return mapping.status();
  impl->mapping = *std::move(mapping);
  if (!options.issuers_file.empty()) {
    auto issuers = LoadIssuers(options.issuers_file);
    if (!issuers.ok()) return issuers.status();
    impl->verifier = std::make_unique<JwtVerifier>(*std::move(issuers));
  } else if (options.dev_mode && options.loopback) {
    impl->dev_cds = true;
    Log(LogLevel::kWarning, "DEV MODE: no --cds_issuers_file; CDS Hooks calls are not authenticated and "
                            "run as clinic 'dev'");
  } else {
    Log(LogLevel::kWarning, "no --cds_issuers_file: CDS Hooks calls are refused (403)");
  }

  if (tls) {
    impl->server = std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(), options.tls_key_file.c_str());
    if (!impl->server->is_valid()) {
      return absl::FailedPreconditionError("the HTTP face cannot load --tls_cert/--tls_key");
    }
  } else {
    impl->server = std::make_unique<httplib::Server>();
  }
  impl->Install();
  impl->port = port == 0 ? impl->server->bind_to_any_port(host) : (impl->server->bind_to_port(host, port) ? port : -1);
  if (impl->port <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on --http_listen=", options.listen));
  impl->public_url = options.public_url.empty()
                         ? absl::StrCat(tls ? "https://" : "http://",
                                        host.find(':') != std::string::npos ? "[" + host + "]" : host, ":", impl->port)
                         : options.public_url;
  while (!impl->public_url.empty() && impl->public_url.back() == '/') impl->public_url.pop_back();
  httplib::Server* server = impl->server.get();
  impl->thread = std::thread([server] { server->listen_after_bind(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }

int HttpServer::port() const { return impl_->port; }
const std::string& HttpServer::public_url() const { return impl_->public_url; }

void HttpServer::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  // stop() is a no-op until the listen loop runs, so wait for it first
  // (a thread that already ended, e.g. on a failed listen, ends the wait).
  for (int i = 0; i < 5000 && !impl_->server->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->server->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace scoliomassage::http
