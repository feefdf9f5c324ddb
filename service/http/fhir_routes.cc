#include "http/fhir_routes.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "app/page_size.h"
#include "core/errors.h"
#include "base/time.h"
#include "http/bulk_export.h"
#include "http/fhir_record_resources.h"
#include "http/fhir_resources.h"
#include "http/fhir_search.h"
#include "http/record_observations.h"
#include "http/request_support.h"

namespace scoliomassage::http {

using nlohmann::json;

namespace {

// Outcomes read per store query for a clinical search: ListOutcomes' maximum,
// so one query usually fills a page.
constexpr int kClinicalBatch = app::kOutcomePageSize.max_size;

// A page cursor's token once the sessions are done and the record's
// Observations are paged (its skip counts them). Store tokens never hold '~'.
constexpr char kRecordCursorToken[] = "~record";

// The search's date range as a filter on a record's effective time.
KeepRecord InFilterRange(const v1::HistoryFilter& filter) {
  const bool has_start = filter.has_start_time(), has_end = filter.has_end_time();
  const absl::Time start = base::TimestampToTime(filter.start_time());
  const absl::Time end = base::TimestampToTime(filter.end_time());
  return [=](absl::Time effective, absl::Time) {
    return (!has_start || effective >= start) && (!has_end || effective < end);
  };
}

void SendFhir(const json& body, int status, httplib::Response& res) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), kFhirJsonContentType);
}

}  // namespace

absl::StatusOr<std::unique_ptr<FhirRoutes>> FhirRoutes::Create(const FhirRoutesOptions& options,
                                                               const HttpApp& app) {
  std::unique_ptr<FhirRoutes> routes(new FhirRoutes(app));
  auto exporter = BulkExporter::Create(options, app);
  if (!exporter.ok()) return exporter.status();
  routes->exporter_ = *std::move(exporter);
  return routes;
}

FhirRoutes::FhirRoutes(const HttpApp& app) : app_(app) {}
FhirRoutes::~FhirRoutes() = default;

void FhirRoutes::Install(httplib::Server& server, std::string public_url) {
  public_url_ = std::move(public_url);
  exporter_->SetPublicUrl(public_url_);
  server.Get("/fhir/metadata", [this](const httplib::Request&, httplib::Response& res) {
    // Like CDS discovery: no patient data, so no token (clients read it
    // before they have one).
    SetRoute("GET /fhir/metadata");
    SendFhir(CapabilityStatement(public_url_, absl::Now()), 200, res);
  });
  server.Get(R"(/fhir/(Procedure|Observation|AdverseEvent))",
             [this](const httplib::Request& req, httplib::Response& res) {
               Search(req.matches[1], req, res);
             });
  server.Get(R"(/fhir/(Procedure|Observation|AdverseEvent)/([A-Za-z0-9.-]{1,64}))",
             [this](const httplib::Request& req, httplib::Response& res) {
               Read(req.matches[1], req.matches[2], req, res);
             });
  server.Get(R"(/fhir/\$export)", [this](const httplib::Request& req, httplib::Response& res) {
    KickOff(false, req, res);
  });
  server.Get(R"(/fhir/Patient/\$export)", [this](const httplib::Request& req, httplib::Response& res) {
    KickOff(true, req, res);
  });
  server.Get(R"(/fhir/\$export-status/([0-9a-f]{32}))",
             [this](const httplib::Request& req, httplib::Response& res) { Status(req.matches[1], req, res); });
  server.Delete(R"(/fhir/\$export-status/([0-9a-f]{32}))",
                [this](const httplib::Request& req, httplib::Response& res) { Cancel(req.matches[1], req, res); });
  server.Get(R"(/fhir/\$export-files/([0-9a-f]{32})/([A-Za-z]+\.ndjson))",
             [this](const httplib::Request& req, httplib::Response& res) {
               File(req.matches[1], req.matches[2], req, res);
             });
  // Anything else under /fhir is a FHIR 404 (an OperationOutcome), not the
  // face's generic JSON error.
  server.Get(R"(/fhir/.*)", [](const httplib::Request&, httplib::Response& res) {
    SetRoute("GET /fhir/{unknown}");
    SendFhirError(WithReason(absl::NotFoundError("this FHIR server has no such path (see /fhir/metadata)"),
                             "NOT_FOUND"),
                  res);
  });
}

void FhirRoutes::Search(const std::string& type, const httplib::Request& req,
                        httplib::Response& res) const {
  SetRoute("GET /fhir/" + type);
  const absl::Time start = absl::Now();
  auth::Caller caller;
  std::string subject = "fhir/" + type;
  absl::Status status = [&]() -> absl::Status {
    auto authenticated = AuthenticateBearer(req, app_);
    if (!authenticated.ok()) return authenticated.status();
    caller = *std::move(authenticated);
    if (absl::Status allowed = CheckRole(caller, auth::Method::kFhirSearch); !allowed.ok()) return allowed;
    const bool analytics = caller.role == auth::Role::kAnalytics;
    auto search =
        ParseFhirSearch(req.params, /*patient_required=*/!analytics, /*patient_allowed=*/!analytics, type);
    if (!search.ok()) return search.status();
    const FhirView view = analytics ? FhirView::kAnalytics : FhirView::kClinical;
    std::function<bool(const json&)> match;
    if (HasTokenFilter(*search)) match = [&](const json& resource) { return MatchesTokens(*search, resource); };

    SearchPage page;
    int64_t sessions = 0;
    int64_t record_total = 0;  // curve and questionnaire Observations
    if (!search->empty_range && analytics) {
      // Analytics reads History's stream: pseudonyms, as on QueryHistory.
      v1::QueryHistoryRequest query;
      *query.mutable_filter() = search->filter;
      if (absl::Status valid = app_.history->ValidateQuery(query); !valid.ok()) return valid;
      auto read = [&](const std::string& token) -> absl::StatusOr<OutcomeBatch> {
        auto scanned = app_.history->NextPage(caller, query, token);
        if (!scanned.ok()) return scanned.status();
        OutcomeBatch batch;
        for (auto& record : scanned->records) batch.outcomes.push_back(std::move(*record.mutable_outcome()));
        batch.done = scanned->done || scanned->records.empty();
        if (!scanned->records.empty()) batch.next_token = scanned->records.back().resume_token();
        return batch;
      };
      auto collected = CollectPage(read, type, view, search->cursor, search->count, 64, match);
      if (!collected.ok()) return collected.status();
      page = *std::move(collected);
      v1::SummarizeOutcomesRequest summary;
      *summary.mutable_filter() = search->filter;
      auto groups = app_.history->Summarize(caller, summary);
      if (!groups.ok()) return groups.status();
      for (const auto& group : groups->groups()) sessions += group.session_count();
    } else if (!search->empty_range) {
      // Clinical callers read the primary (their latest write is there).
      auto read = [&](const std::string& token) -> absl::StatusOr<OutcomeBatch> {
        v1::ListOutcomesRequest list;
        *list.mutable_filter() = search->filter;
        list.set_page_size(kClinicalBatch);
        list.set_page_token(token);
        auto listed = app_.outcomes->List(caller, list, &subject);
        if (!listed.ok()) return listed.status();
        OutcomeBatch batch;
        for (auto& outcome : *listed->mutable_outcomes()) batch.outcomes.push_back(std::move(outcome));
        batch.next_token = listed->next_page_token();
        batch.done = batch.next_token.empty();
        return batch;
      };
      // Observations also carry the patient's curve measurements and
      // questionnaire scores; they follow the sessions' pain, from a cursor
      // of their own once the sessions are done.
      std::vector<json> record;
      if (type == "Observation") {
        auto listed = RecordObservations(app_, caller, search->filter.patient_id(), view,
                                         InFilterRange(search->filter));
        if (!listed.ok()) return listed.status();
        for (json& observation : *listed) {
          if (MatchesTokens(*search, observation)) record.push_back(std::move(observation));
        }
        record_total = static_cast<int64_t>(record.size());
      }
      size_t from = 0;
      if (search->cursor.token == kRecordCursorToken) {
        from = static_cast<size_t>(search->cursor.skip);
      } else {
        auto collected = CollectPage(read, type, view, search->cursor, search->count, 64, match);
        if (!collected.ok()) return collected.status();
        page = *std::move(collected);
      }
      if (!page.next) {
        size_t at = from;
        while (at < record.size() && static_cast<int>(page.resources.size()) < search->count) {
          page.resources.push_back(std::move(record[at++]));
        }
        if (at < record.size()) page.next = SearchCursor{kRecordCursorToken, static_cast<int>(at)};
      }
      auto count = app_.outcomes->Count(caller, search->filter);
      if (!count.ok()) return count.status();
      sessions = *count;
    }

    const std::string base = public_url_ + "/fhir/" + type;
    json bundle{{"resourceType", "Bundle"},
                {"meta", {{"lastUpdated", FhirDateTime(absl::Now())}}},
                {"type", "searchset"}};
    // Every session is one Procedure and two pain Observations (both pains
    // are required). The store counts sessions, not adverse events, so an
    // AdverseEvent Bundle has no total (FHIR makes it optional).
    // A code or category filter makes the session count no measure of the
    // matches: no total then.
    if (type == "Procedure") bundle["total"] = sessions;
    if (type == "Observation" && !HasTokenFilter(*search)) bundle["total"] = 2 * sessions + record_total;
    json links = json::array();
    const std::string query = BuildQuery(req.params, "");
    links.push_back({{"relation", "self"}, {"url", query.empty() ? base : base + "?" + query}});
    if (page.next) {
      std::string next = BuildQuery(req.params, "_page_token");
      absl::StrAppend(&next, next.empty() ? "" : "&", "_page_token=", UrlEncode(EncodeCursor(*page.next)));
      links.push_back({{"relation", "next"}, {"url", base + "?" + next}});
    }
    bundle["link"] = std::move(links);
    json entries = json::array();
    for (auto& resource : page.resources) {
      const std::string id = resource["id"].get<std::string>();
      entries.push_back({{"fullUrl", base + "/" + id},
                         {"resource", std::move(resource)},
                         {"search", {{"mode", "match"}}}});
    }
    if (!entries.empty()) bundle["entry"] = std::move(entries);
    SendFhir(bundle, 200, res);
    return absl::OkStatus();
  }();
  if (!status.ok()) SendFhirError(status, res);
  RecordAudit(app_, caller, auth::Method::kFhirSearch, std::move(subject), status, start);
}

void FhirRoutes::Read(const std::string& type, const std::string& id, const httplib::Request& req,
                      httplib::Response& res) const {
  SetRoute("GET /fhir/" + type + "/{id}");
  const absl::Time start = absl::Now();
  auth::Caller caller;
  std::string subject = "fhir/" + type;
  absl::Status status = [&]() -> absl::Status {
    auto authenticated = AuthenticateBearer(req, app_);
    if (!authenticated.ok()) return authenticated.status();
    caller = *std::move(authenticated);
    if (absl::Status allowed = CheckRole(caller, auth::Method::kFhirSearch); !allowed.ok()) return allowed;
    if (caller.role == auth::Role::kAnalytics) {
      // GetOutcome is not an analytics read (it has no pseudonymous view).
      return WithReason(absl::PermissionDeniedError("analytics callers read through search or $export, "
                                                    "which carry pseudonyms"),
                        "ROLE_NOT_ALLOWED");
    }
    const absl::Status not_found =
        WithReason(absl::NotFoundError(absl::StrCat("no ", type, "/", id)), "NOT_FOUND");
    if (const std::string curve = CurveNameOfObservation(id); type == "Observation" && !curve.empty()) {
      if (app_.curves == nullptr) return not_found;
      v1::GetCurveMeasurementRequest get;
      get.set_name(curve);
      auto measurement = app_.curves->Get(caller, get, &subject);
      if (!measurement.ok()) return measurement.status();
      json resource = ObservationFromCurve(*measurement);
      res.set_header("ETag", absl::StrCat("W/\"", resource["meta"]["versionId"].get<std::string>(), "\""));
      SendFhir(resource, 200, res);
      return absl::OkStatus();
    }
    const std::string outcome_id = OutcomeIdOfResource(type, id);
    if (outcome_id.empty()) return not_found;
    v1::GetOutcomeRequest get;
    get.set_name("outcomes/" + outcome_id);
    auto outcome = app_.outcomes->Get(caller, get, &subject);
    if (!outcome.ok()) return outcome.status();
    std::vector<json> resources;
    ResourcesOfType(type, *outcome, FhirView::kClinical, &resources);
    for (json& resource : resources) {
      if (resource["id"] != id) continue;
      res.set_header("ETag", absl::StrCat("W/\"", resource["meta"]["versionId"].get<std::string>(), "\""));
      SendFhir(resource, 200, res);
      return absl::OkStatus();
    }
    return not_found;
  }();
  if (!status.ok()) SendFhirError(status, res);
  RecordAudit(app_, caller, auth::Method::kFhirSearch, std::move(subject), status, start);
}

// --- Bulk Data export (FHIR Bulk Data Access IG 2.0) -----------------------

namespace {

// The IG's 429 and 202 both tell the client when to come back.
constexpr char kExportRetryAfterSeconds[] = "2";

absl::Status AuthorizeExport(const httplib::Request& req, const HttpApp& app, auth::Caller* caller) {
  auto authenticated = AuthenticateBearer(req, app);
  if (!authenticated.ok()) return authenticated.status();
  *caller = *std::move(authenticated);
  return CheckRole(*caller, auth::Method::kFhirExport);
}

}  // namespace

void FhirRoutes::KickOff(bool patient_level, const httplib::Request& req, httplib::Response& res) {
  SetRoute(patient_level ? "GET /fhir/Patient/$export" : "GET /fhir/$export");
  const absl::Time start = absl::Now();
  auth::Caller caller;
  std::string subject = "export";
  absl::Status status = [&]() -> absl::Status {
    if (absl::Status allowed = AuthorizeExport(req, app_, &caller); !allowed.ok()) return allowed;
    // The IG: kick-off requires Prefer: respond-async (there is no
    // synchronous export).
    const std::string prefer = absl::AsciiStrToLower(req.get_header_value("Prefer"));
    if (!absl::StrContains(prefer, "respond-async")) {
      return WithReason(core::InvalidField("Prefer", "must be 'respond-async' (the export is asynchronous)"),
                        "RESPOND_ASYNC_REQUIRED");
    }
    auto params = ParseExportParams(req.params);
    if (!params.ok()) return params.status();
    const std::string query = BuildQuery(req.params, "");
    const std::string request_url =
        public_url_ + (patient_level ? "/fhir/Patient/$export" : "/fhir/$export") + (query.empty() ? "" : "?" + query);
    auto id = exporter_->Start(caller, *params, request_url);
    if (!id.ok()) return id.status();
    subject = "export/" + *id;
    res.status = 202;
    res.set_header("Content-Location", public_url_ + "/fhir/$export-status/" + *id);
    res.set_content(json{{"resourceType", "OperationOutcome"},
                         {"issue", json::array({{{"severity", "information"},
                                                 {"code", "informational"},
                                                 {"diagnostics", "export started; poll Content-Location"}}})}}
                        .dump(),
                    kFhirJsonContentType);
    return absl::OkStatus();
  }();
  if (!status.ok()) {
    SendFhirError(status, res);
    if (res.status == 429) res.set_header("Retry-After", kExportRetryAfterSeconds);
  }
  RecordAudit(app_, caller, auth::Method::kFhirExport, std::move(subject), status, start);
}

void FhirRoutes::Status(const std::string& job_id, const httplib::Request& req, httplib::Response& res) {
  SetRoute("GET /fhir/$export-status/{job}");
  const absl::Time start = absl::Now();
  auth::Caller caller;
  absl::Status status = [&]() -> absl::Status {
    if (absl::Status allowed = AuthorizeExport(req, app_, &caller); !allowed.ok()) return allowed;
    auto job = exporter_->Get(caller, job_id);
    if (!job.ok()) return job.status();
    if (!job->done) {
      res.status = 202;
      res.set_header("X-Progress", job->progress);
      res.set_header("Retry-After", kExportRetryAfterSeconds);
      return absl::OkStatus();
    }
    res.status = 200;
    res.set_content(job->manifest.dump(), kJsonContentType);
    return absl::OkStatus();
  }();
  if (!status.ok()) SendFhirError(status, res);
  RecordAudit(app_, caller, auth::Method::kFhirExport, "export/" + job_id, status, start);
}

void FhirRoutes::Cancel(const std::string& job_id, const httplib::Request& req, httplib::Response& res) {
  SetRoute("DELETE /fhir/$export-status/{job}");
  const absl::Time start = absl::Now();
  auth::Caller caller;
  absl::Status status = [&]() -> absl::Status {
    if (absl::Status allowed = AuthorizeExport(req, app_, &caller); !allowed.ok()) return allowed;
    if (absl::Status cancelled = exporter_->Cancel(caller, job_id); !cancelled.ok()) return cancelled;
    res.status = 202;  // the IG: 202 Accepted on a successful cancel
    res.set_content(json{{"resourceType", "OperationOutcome"},
                         {"issue", json::array({{{"severity", "information"},
                                                 {"code", "informational"},
                                                 {"diagnostics", "export cancelled; its files are deleted"}}})}}
                        .dump(),
                    kFhirJsonContentType);
    return absl::OkStatus();
  }();
  if (!status.ok()) SendFhirError(status, res);
  RecordAudit(app_, caller, auth::Method::kFhirExport, "export/" + job_id, status, start);
}

void FhirRoutes::File(const std::string& job_id, const std::string& file, const httplib::Request& req,
                      httplib::Response& res) {
  SetRoute("GET /fhir/$export-files/{job}/{file}");
  const absl::Time start = absl::Now();
  auth::Caller caller;
  absl::Status status = [&]() -> absl::Status {
    if (absl::Status allowed = AuthorizeExport(req, app_, &caller); !allowed.ok()) return allowed;
    auto path = exporter_->FilePath(caller, job_id, file);
    if (!path.ok()) return path.status();
    // Opened now, streamed in chunks: the file may be large, and an expiry
    // that deletes it meanwhile does not cut a download that has begun.
    auto stream = std::make_shared<std::ifstream>(*path, std::ios::binary);
    if (!*stream) return WithReason(absl::NotFoundError("this export file is gone (expired?)"), "NOT_FOUND");
    res.status = 200;
    res.set_chunked_content_provider(
        "application/fhir+ndjson", [stream](size_t, httplib::DataSink& sink) {
          char buffer[64 * 1024];
          stream->read(buffer, sizeof buffer);
          const std::streamsize got = stream->gcount();
          if (got > 0 && !sink.write(buffer, static_cast<size_t>(got))) return false;
          if (!*stream) sink.done();
          return true;
        });
    return absl::OkStatus();
  }();
  if (!status.ok()) SendFhirError(status, res);
  RecordAudit(app_, caller, auth::Method::kFhirExport, "export/" + job_id, status, start);
}

}  // namespace scoliomassage::http
