#include "http/http_server.h"

#include <httplib.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/errors.h"
#include "http/bounded_task_queue.h"
#include "http/cds_routes.h"
#include "http/comparison_routes.h"
#include "http/report_routes.h"
#include "http/fhir_routes.h"
#include "http/metrics_routes.h"
#include "http/request_support.h"
#include "http/status_conversion.h"
#include "observability/log.h"
#include "observability/metrics.h"

namespace scoliomassage::http {

using observability::Log;
using observability::LogLevel;

namespace {

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
  HttpApp app;
  std::unique_ptr<CdsRoutes> cds;
  std::unique_ptr<FhirRoutes> fhir;
  std::string public_url;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;
  bool stopped = false;

  void Install();
};

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
                               {"Access-Control-Allow-Headers", "Authorization, Content-Type, Prefer"},
                               {"Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS"},
                               {"Access-Control-Expose-Headers", "Content-Location, X-Progress, Retry-After"},
                               {"Access-Control-Max-Age", "600"},
                               {"Cache-Control", "no-store"}});
  server->set_pre_routing_handler([](const httplib::Request&, httplib::Response& res) {
    BeginRequest();
    if (BoundedTaskQueue::IsOverflowThread()) {
      SendError(StatusForHttp(503), res);
      res.set_header("Retry-After", "1");
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server->Options(R"(/.*)", [](const httplib::Request&, httplib::Response& res) {
    SetRoute("OPTIONS");
    res.status = 204;
  });
  cds->Install(*server, public_url);
  InstallReportRoutes(*server, app);
  fhir->Install(*server, public_url);
  InstallMetricsRoutes(*server, app);
  InstallComparisonRoutes(*server, app);
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
    const absl::Time start = RequestStart();
    const double latency_ms = start == absl::Time() ? 0 : absl::ToDoubleMilliseconds(absl::Now() - start);
    observability::RecordHttpRequest(CurrentRoute(), res.status, latency_ms / 1000);
    // The route, never the raw path or query: those may carry patient ids.
    Log(res.status < 400 ? LogLevel::kInfo : LogLevel::kWarning, "http",
        {{"method", req.method},
         {"route", CurrentRoute()},
         {"status", std::to_string(res.status)},
         {"latency_ms", absl::StrCat(latency_ms)},
         {"principal", CurrentPrincipal()}});
  });
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              HttpApp app) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->app = std::move(app);
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

  CdsRoutesOptions cds_options;
  cds_options.issuers_file = options.issuers_file;
  cds_options.mapping_file = options.mapping_file;
  cds_options.dev_mode = options.dev_mode;
  cds_options.loopback = options.loopback;
  auto cds = CdsRoutes::Load(cds_options, impl->app);
  if (!cds.ok()) return cds.status();
  impl->cds = *std::move(cds);
  FhirRoutesOptions fhir_options{options.export_dir, options.export_expiry, options.max_export_jobs};
  auto fhir = FhirRoutes::Create(fhir_options, impl->app);
  if (!fhir.ok()) return fhir.status();
  impl->fhir = *std::move(fhir);

  if (tls) {
    impl->server = std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(), options.tls_key_file.c_str());
    if (!impl->server->is_valid()) {
      return absl::FailedPreconditionError("the HTTP face cannot load --tls_cert/--tls_key");
    }
  } else {
    impl->server = std::make_unique<httplib::Server>();
  }
  // cpp-httplib writes a response's headers and body separately; with Nagle
  // on, the body waits for the client's delayed ACK of the headers: 40 ms on
  // every response after the first on a keep-alive connection (the bench's
  // CDS Hooks figure). Set before binding: accepted sockets inherit it from
  // the listening one.
  impl->server->set_tcp_nodelay(true);
  impl->port = port == 0 ? impl->server->bind_to_any_port(host) : (impl->server->bind_to_port(host, port) ? port : -1);
  if (impl->port <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on --http_listen=", options.listen));
  impl->public_url = options.public_url.empty()
                         ? absl::StrCat(tls ? "https://" : "http://",
                                        host.find(':') != std::string::npos ? "[" + host + "]" : host, ":", impl->port)
                         : options.public_url;
  while (!impl->public_url.empty() && impl->public_url.back() == '/') impl->public_url.pop_back();
  impl->Install();
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
