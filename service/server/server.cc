#include "server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <mutex>
#include <condition_variable>

#include "absl/strings/str_cat.h"
#include "api/assessment_servicer.h"
#include "api/call_runner.h"
#include "api/episode_servicer.h"
#include "api/curve_servicer.h"
#include "api/history_servicer.h"
#include "api/outcome_servicer.h"
#include "api/protocol_servicer.h"
#include "api/report_servicer.h"
#include "app/assessments.h"
#include "app/background_records.h"
#include "app/cds_feedback.h"
#include "app/checkin.h"
#include "app/episodes.h"
#include "app/curves.h"
#include "app/comparisons.h"
#include "app/history.h"
#include "app/outcomes.h"
#include "app/report.h"
#include "base/read_file.h"
#include "base/work_queue.h"
#include "catalog/evaluations.h"
#include "catalog/instrument_loader.h"
#include "catalog/loader.h"
#include "http/http_server.h"
#include "observability/log.h"
#include "server/analytics_monitor.h"
#include "server/transport.h"
#include "storage/analytics_store.h"
#include "storage/store.h"

namespace scoliomassage::server {

using observability::Log;
using observability::LogLevel;

namespace {

// The shortest pseudonym secret accepted: 256 bits.
constexpr size_t kMinPseudonymSecretBytes = 32;

constexpr const char* kServiceNames[] = {
    "scoliomassage.v1.ProtocolService", "scoliomassage.v1.OutcomeService",
    "scoliomassage.v1.HistoryService", "scoliomassage.v1.AuditService",
    "scoliomassage.v1.ReportService",     "scoliomassage.v1.AssessmentService",
    "scoliomassage.v1.EpisodeService",   "scoliomassage.v1.CurveService"};

// Their health follows the analytics standby when analytics may not fall
// back to the primary.
constexpr const char* kAnalyticsServiceNames[] = {"scoliomassage.v1.HistoryService",
                                                  "scoliomassage.v1.AuditService"};

absl::StatusOr<std::unique_ptr<storage::AnalyticsStore>> OpenAnalyticsStore(const Options& options) {
  storage::AnalyticsOptions analytics;
  if (!storage::ParseAnalyticsFallback(options.analytics_fallback, &analytics.fallback)) {
    return absl::InvalidArgumentError("--analytics_fallback must be primary or unavailable");
  }
  if (options.analytics_max_lag <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--analytics_max_lag must be positive, e.g. 30s");
  }
  analytics.max_lag = options.analytics_max_lag;
  auto store = storage::OpenStoreWithAnalytics(options.database, options.analytics_database, analytics);
  if (!store.ok()) return store.status();
  Log(LogLevel::kInfo, "analytics reads go to a hot standby",
      {{"max_lag", absl::FormatDuration(analytics.max_lag)}, {"fallback", options.analytics_fallback}});
  return store;
}

// Audit and recommendation records may queue this deep before new ones are
// dropped (and counted); see app/background_records.h.
constexpr size_t kMaxBackgroundRecords = 100000;

}  // namespace

// Members are destroyed in reverse order of declaration: the gRPC server
// first, then the call queue (which runs what it holds), then the servicers
// and the app layer, then the background records (which flush), and the
// store last.
struct Server::Parts {
  std::unique_ptr<storage::Store> store;
  std::shared_ptr<const catalog::Catalog> catalog;
  std::shared_ptr<const catalog::Instruments> instruments;
  std::shared_ptr<const catalog::Evaluations> evaluations;  // null: off
  std::unique_ptr<core::ProtocolEngine> engine;
  std::unique_ptr<app::Pseudonymizer> pseudonyms;
  std::unique_ptr<auth::Authenticator> authenticator;
  std::unique_ptr<app::BackgroundRecords> background;
  std::unique_ptr<app::CheckIn> checkin;
  std::unique_ptr<app::Outcomes> outcomes;
  std::unique_ptr<app::History> history;
  std::unique_ptr<app::Comparisons> comparisons;
  std::unique_ptr<app::Reports> reports;
  std::unique_ptr<app::CdsFeedback> cds_feedback;
  std::unique_ptr<app::Assessments> assessments;
  std::unique_ptr<app::Episodes> episodes;
  std::unique_ptr<api::CallRunner> runner;
  std::unique_ptr<api::ProtocolServicer> protocol_servicer;
  std::unique_ptr<api::OutcomeServicer> outcome_servicer;
  std::unique_ptr<api::HistoryServicer> history_servicer;
  std::unique_ptr<api::AuditServicer> audit_servicer;
  std::unique_ptr<api::ReportServicer> report_servicer;
  std::unique_ptr<api::AssessmentServicer> assessment_servicer;
  std::unique_ptr<api::EpisodeServicer> episode_servicer;
  std::unique_ptr<app::Curves> curves;
  std::unique_ptr<api::CurveServicer> curve_servicer;
  // Queued calls use the runner, the servicers' app objects and the
  // background records, so the queue is joined before any of them goes.
  std::unique_ptr<base::WorkQueue> calls;
  std::unique_ptr<grpc::Server> grpc_server;
  // Serves from its own threads with checkin and background: stopped first.
  std::unique_ptr<http::HttpServer> http_server;
  // With --analytics_database: the store's router (its ReplicationLag() is
  // what a metrics gauge reads), and the monitor that logs the lag and sets
  // the analytics services' health.
  storage::AnalyticsStore* analytics = nullptr;
  std::unique_ptr<AnalyticsMonitor> analytics_monitor;
  int port = 0;

  std::mutex mutex;
  std::condition_variable stopped_changed;
  bool stopped = false;
};

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const Options& options) {
  auto parts = std::make_unique<Parts>();

  auto credentials = BuildServerCredentials(options);
  if (!credentials.ok()) return credentials.status();

  auto catalog = catalog::LoadCatalog(options.catalog);
  if (!catalog.ok()) return catalog.status();
  parts->catalog = *std::move(catalog);

  // Questionnaire definitions, checked like the catalog: a broken file stops
  // the start with its file and line.
  auto instruments = catalog::LoadInstruments(
      options.instruments.empty() ? catalog::DefaultInstrumentsPath() : options.instruments);
  if (!instruments.ok()) return instruments.status();
  parts->instruments = *std::move(instruments);

  // Protocol evaluations, checked against the loaded catalog: a broken file
  // stops the start with its file, line and reason.
  if (!options.evaluations_file.empty()) {
    auto evaluations = catalog::LoadEvaluations(options.evaluations_file, *parts->catalog);
    if (!evaluations.ok()) return evaluations.status();
    parts->evaluations = *std::move(evaluations);
  }

  storage::AnalyticsStore* analytics = nullptr;
  if (options.analytics_database.empty()) {
    auto store = storage::OpenStore(options.database);
    if (!store.ok()) return store.status();
    parts->store = *std::move(store);
  } else {
    auto store = OpenAnalyticsStore(options);
    if (!store.ok()) return store.status();
    analytics = store->get();
    parts->analytics = analytics;
    parts->store = *std::move(store);
  }

  // Pseudonyms are an HMAC over low-entropy patient ids: with a known key
  // they can be reversed by trying every id. So a real deployment (one with
  // credentials) must bring its own long secret; only dev mode may use the
  // built-in one, and says so.
  std::string secret = "scoliomassage-dev-pseudonym-secret";
  if (!options.pseudonym_secret_file.empty()) {
    auto file_secret = base::ReadFileToString(options.pseudonym_secret_file, "pseudonym secret");
    if (!file_secret.ok()) return file_secret.status();
    secret = *std::move(file_secret);
    if (secret.size() < kMinPseudonymSecretBytes) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--pseudonym_secret_file ", options.pseudonym_secret_file, " holds ", secret.size(),
          " bytes; a pseudonym secret needs at least ", kMinPseudonymSecretBytes,
          " (e.g. head -c 48 /dev/urandom | base64 > FILE)"));
    }
  } else if (!options.tokens_file.empty()) {
    return absl::FailedPreconditionError(
        "--tokens_file is set but --pseudonym_secret_file is not: outside dev mode the server "
        "needs a secret of at least 32 bytes for analytics pseudonyms (e.g. head -c 48 "
        "/dev/urandom | base64 > FILE); the built-in development secret is public");
  } else {
    Log(LogLevel::kWarning,
        "dev mode: analytics pseudonyms use the built-in development secret (public)");
  }

  std::optional<auth::Caller> dev_caller;
  if (!options.tokens_file.empty()) {
    auto authenticator = auth::Authenticator::Load(options.tokens_file);
    if (!authenticator.ok()) return authenticator.status();
    parts->authenticator = *std::move(authenticator);
  } else {
    if (!IsLoopbackAddress(options.listen)) {
      return absl::FailedPreconditionError(
          "no --tokens_file: dev mode (no authentication) is allowed on loopback only");
    }
    dev_caller = auth::Caller{"dev", auth::Role::kAdmin, "dev"};
    Log(LogLevel::kWarning,
        "DEV MODE: no --tokens_file, so there is no authentication; every caller is admin of "
        "clinic 'dev'. Never use this with real patient data.");
  }

  parts->engine = std::make_unique<core::ProtocolEngine>(parts->catalog);
  parts->pseudonyms = std::make_unique<app::Pseudonymizer>(secret);
  parts->background =
      std::make_unique<app::BackgroundRecords>(*parts->store, kMaxBackgroundRecords);
  parts->checkin = std::make_unique<app::CheckIn>(*parts->store, *parts->engine,
                                                  *parts->pseudonyms, parts->background.get());
  parts->outcomes = std::make_unique<app::Outcomes>(*parts->store, *parts->engine,
                                                    *parts->pseudonyms, parts->background.get());
  parts->history = std::make_unique<app::History>(*parts->store, *parts->pseudonyms,
                                                  options.analytics_free_text_clinics);
  parts->reports = std::make_unique<app::Reports>(*parts->store, *parts->pseudonyms);
  parts->cds_feedback = std::make_unique<app::CdsFeedback>(*parts->store, *parts->pseudonyms,
                                                           parts->background.get());
  parts->checkin->set_instruments(parts->instruments.get());
  parts->checkin->set_evaluations(parts->evaluations.get());
  parts->assessments = std::make_unique<app::Assessments>(*parts->store, *parts->instruments,
                                                          *parts->pseudonyms);
  parts->episodes = std::make_unique<app::Episodes>(*parts->store, *parts->instruments,
                                                    *parts->pseudonyms);
  parts->calls = std::make_unique<base::WorkQueue>(options.worker_threads, options.max_queued_calls);
  parts->runner = std::make_unique<api::CallRunner>(*parts->calls, *parts->background,
                                                    parts->authenticator.get(), dev_caller);
  parts->protocol_servicer = std::make_unique<api::ProtocolServicer>(*parts->runner, *parts->checkin);
  parts->outcome_servicer = std::make_unique<api::OutcomeServicer>(*parts->runner, *parts->outcomes);
  parts->history_servicer = std::make_unique<api::HistoryServicer>(*parts->runner, *parts->history);
  parts->comparisons = std::make_unique<app::Comparisons>(*parts->store, *parts->catalog,
                                                          *parts->instruments);
  parts->comparisons->set_evaluations(parts->evaluations.get());
  parts->history_servicer->set_comparisons(parts->comparisons.get());
  parts->audit_servicer = std::make_unique<api::AuditServicer>(*parts->runner, *parts->history);
  parts->report_servicer = std::make_unique<api::ReportServicer>(*parts->runner, *parts->reports);
  parts->assessment_servicer =
      std::make_unique<api::AssessmentServicer>(*parts->runner, *parts->assessments);
  parts->episode_servicer = std::make_unique<api::EpisodeServicer>(*parts->runner, *parts->episodes);
  parts->curves = std::make_unique<app::Curves>(*parts->store, *parts->pseudonyms);
  parts->curve_servicer = std::make_unique<api::CurveServicer>(*parts->runner, *parts->curves);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, *credentials, &parts->port);
  builder.RegisterService(parts->protocol_servicer.get());
  builder.RegisterService(parts->outcome_servicer.get());
  builder.RegisterService(parts->history_servicer.get());
  builder.RegisterService(parts->audit_servicer.get());
  builder.RegisterService(parts->report_servicer.get());
  builder.RegisterService(parts->assessment_servicer.get());
  builder.RegisterService(parts->episode_servicer.get());
  builder.RegisterService(parts->curve_servicer.get());
  // Requests are small JSON-sized messages; a bigger one is a mistake or abuse.
  builder.SetMaxReceiveMessageSize(1 << 20);
  parts->grpc_server = builder.BuildAndStart();
  if (!parts->grpc_server || parts->port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  auto* health = parts->grpc_server->GetHealthCheckService();
  health->SetServingStatus(true);
  for (const char* name : kServiceNames) health->SetServingStatus(name, true);
  if (analytics != nullptr) {
    parts->analytics_monitor = std::make_unique<AnalyticsMonitor>(*analytics, [health](bool serving) {
      for (const char* name : kAnalyticsServiceNames) health->SetServingStatus(name, serving);
    });
  }
  if (!options.http_listen.empty()) {
    http::HttpServerOptions http_options;
    http_options.listen = options.http_listen;
    http_options.public_url = options.http_public_url;
    http_options.issuers_file = options.cds_issuers_file;
    http_options.tls_cert_file = options.tls_cert_file;
    http_options.tls_key_file = options.tls_key_file;
    http_options.insecure = options.insecure;
    http_options.loopback = IsLoopbackAddress(options.http_listen);
    http_options.dev_mode = options.tokens_file.empty();
    http_options.threads = options.worker_threads;
    http_options.max_queued = options.max_queued_calls;
    http_options.export_dir = options.export_dir;
    http_options.export_expiry = options.export_expiry;
    http_options.max_export_jobs = options.max_export_jobs;
    http::HttpApp http_app;
    http_app.checkin = parts->checkin.get();
    http_app.outcomes = parts->outcomes.get();
    http_app.history = parts->history.get();
    http_app.reports = parts->reports.get();
    http_app.audit = parts->background.get();
    http_app.authenticator = parts->authenticator.get();
    http_app.dev_caller = dev_caller;
    http_app.cds_feedback = parts->cds_feedback.get();
    http_app.curves = parts->curves.get();
    http_app.assessments = parts->assessments.get();
    http_app.comparisons = parts->comparisons.get();
    auto http_server = http::HttpServer::Start(http_options, std::move(http_app));
    if (!http_server.ok()) return http_server.status();
    parts->http_server = *std::move(http_server);
  }
  return std::unique_ptr<Server>(new Server(std::move(parts)));
}

Server::Server(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Server::~Server() {
  Shutdown(absl::ZeroDuration());
}

int Server::port() const { return parts_->port; }
int Server::http_port() const { return parts_->http_server ? parts_->http_server->port() : 0; }

absl::Status Server::ReloadCredentials() {
  if (!parts_->authenticator) return absl::OkStatus();  // dev mode: nothing to reload
  return parts_->authenticator->Reload();
}

void Server::Shutdown(absl::Duration grace) {
  {
    std::lock_guard<std::mutex> lock(parts_->mutex);
    if (parts_->stopped) return;
    parts_->stopped = true;
  }
  if (parts_->analytics_monitor) parts_->analytics_monitor->Stop();
  parts_->grpc_server->GetHealthCheckService()->Shutdown();  // every service NOT_SERVING
  if (parts_->http_server) parts_->http_server->Stop();  // lets running requests finish
  parts_->grpc_server->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  parts_->background->Flush();
  parts_->stopped_changed.notify_all();
}

void Server::Wait() {
  std::unique_lock<std::mutex> lock(parts_->mutex);
  parts_->stopped_changed.wait(lock, [this] { return parts_->stopped; });
  lock.unlock();
  parts_->grpc_server->Wait();
}

}  // namespace scoliomassage::server
