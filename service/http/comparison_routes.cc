#include "http/comparison_routes.h"

#include <google/protobuf/util/json_util.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/time.h"
#include "core/errors.h"
#include "http/comparison_page_send.h"
#include "http/request_support.h"

namespace scoliomassage::http {
namespace {

const std::set<std::string>& KnownParameters() {
  static const std::set<std::string> known = {"spine_region", "curve_pattern", "protocol_id",
                                              "start_time",   "end_time",      "compare_by",
                                              "format"};
  return known;
}

}  // namespace

absl::StatusOr<v1::CompareProtocolsRequest> ParseComparisonQuery(const httplib::Request& req) {
  core::FieldViolations violations;
  for (const auto& [name, value] : req.params) {
    if (KnownParameters().count(name) == 0) {
      violations.Add(name, "unknown query parameter (spine_region, curve_pattern, protocol_id, "
                           "start_time, end_time, compare_by, format)");
    }
  }
  v1::CompareProtocolsRequest request;
  if (req.has_param("spine_region")) {
    v1::SpineRegion region;
    if (v1::SpineRegion_Parse(req.get_param_value("spine_region"), &region)) {
      request.set_spine_region(region);
    } else {
      violations.Add("spine_region", "must be a SpineRegion name, e.g. SPINE_REGION_THORACIC");
    }
  }
  if (req.has_param("curve_pattern")) {
    v1::CurvePattern pattern;
    if (v1::CurvePattern_Parse(req.get_param_value("curve_pattern"), &pattern)) {
      request.set_curve_pattern(pattern);
    } else {
      violations.Add("curve_pattern", "must be a CurvePattern name, e.g. CURVE_PATTERN_C_CURVE");
    }
  }
  if (req.has_param("compare_by")) {
    v1::CompareBy by;
    if (v1::CompareBy_Parse(req.get_param_value("compare_by"), &by)) {
      request.set_compare_by(by);
    } else {
      violations.Add("compare_by",
                     "must be COMPARE_BY_PROTOCOL, COMPARE_BY_PROTOCOL_VERSION or "
                     "COMPARE_BY_ASSIGNED_VARIANT");
    }
  }
  const size_t protocols = req.get_param_value_count("protocol_id");
  for (size_t i = 0; i < protocols; ++i) {
    request.add_protocol_ids(req.get_param_value("protocol_id", i));
  }
  for (const char* name : {"start_time", "end_time"}) {
    if (!req.has_param(name)) continue;
    absl::Time time;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, req.get_param_value(name), &time, &error)) {
      violations.Add(name, "must be an RFC 3339 time, e.g. 2026-01-01T00:00:00Z");
      continue;
    }
    *(std::string(name) == "start_time" ? request.mutable_start_time()
                                        : request.mutable_end_time()) =
        base::TimeToTimestamp(time);
  }
  if (!violations.empty()) return violations.ToStatus();
  return request;
}

namespace {

void Compare(const HttpApp& app, const httplib::Request& req, httplib::Response& res) {
  SetRoute("GET /comparisons");
  const absl::Time start = absl::Now();
  auth::Caller caller;
  absl::Status status = [&]() -> absl::Status {
    auto authenticated = AuthenticateBearer(req, app);
    if (!authenticated.ok()) return authenticated.status();
    caller = *std::move(authenticated);
    if (absl::Status role = CheckRole(caller, auth::Method::kCompareProtocols); !role.ok()) {
      return role;
    }
    auto request = ParseComparisonQuery(req);
    if (!request.ok()) return request.status();
    auto format = ComparisonFormatOf(req);
    if (!format.ok()) return format.status();
    if (app.comparisons == nullptr) {
      return absl::UnimplementedError("comparisons are not served here");
    }
    auto response = app.comparisons->Compare(caller, *request);
    if (!response.ok()) return response.status();
    if (SendComparisonPage(*format, *request, *response, res)) return absl::OkStatus();
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    if (auto printed = google::protobuf::util::MessageToJsonString(*response, &json, options);
        !printed.ok()) {
      return absl::InternalError(std::string(printed.message()));
    }
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    res.set_content(json, kJsonContentType);
    return absl::OkStatus();
  }();
  if (!status.ok()) SendError(status, res);
  RecordAudit(app, caller, auth::Method::kCompareProtocols, "comparison", status, start);
}

}  // namespace

void InstallComparisonRoutes(httplib::Server& server, const HttpApp& app) {
  server.Get("/comparisons", [&app](const httplib::Request& req, httplib::Response& res) {
    Compare(app, req, res);
  });
}

}  // namespace scoliomassage::http
