// The comparison route's page and plot: `GET /comparisons?format=html` is the
// whole page, `?format=svg` the forest plot alone, and no format (or
// `format=json`) the route's JSON. The route parses the format before it runs
// the comparison (a bad one is 400 naming `format` and changes nothing), and
// after it hands the answer here; what is drawn is comparison_content.h's.
#pragma once

#include <httplib.h>

#include "absl/status/statusor.h"
#include "http/comparison_content.h"
#include "scoliomassage/v1/comparison.pb.h"

namespace scoliomassage::http {

// The `format` query parameter of `req`.
absl::StatusOr<ComparisonFormat> ComparisonFormatOf(const httplib::Request& req);

// Sends the page or the plot with a Content-Security-Policy that loads and
// runs nothing; returns false, sending nothing, for kJson.
bool SendComparisonPage(ComparisonFormat format, const v1::CompareProtocolsRequest& request,
                        const v1::CompareProtocolsResponse& response, httplib::Response& res);

}  // namespace scoliomassage::http
