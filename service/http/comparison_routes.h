// GET /comparisons: HistoryService.CompareProtocols as JSON (the proto3 JSON
// of CompareProtocolsResponse). Query parameters mirror the request:
// spine_region and curve_pattern (enum names, e.g. SPINE_REGION_THORACIC),
// protocol_id (repeatable), start_time and end_time (RFC 3339), compare_by.
// Bearer tokens and roles as on gRPC; bad input is 400 with the JSON error
// body naming the parameter.
#pragma once

#include <httplib.h>

#include "absl/status/statusor.h"
#include "http/http_app.h"
#include "scoliomassage/v1/comparison.pb.h"

namespace scoliomassage::http {

// The request a query string asks for (exposed for pages built on the same
// comparison, and for tests). INVALID_ARGUMENT naming the parameter.
absl::StatusOr<v1::CompareProtocolsRequest> ParseComparisonQuery(const httplib::Request& req);

// `app` must outlive the server.
void InstallComparisonRoutes(httplib::Server& server, const HttpApp& app);

}  // namespace scoliomassage::http
