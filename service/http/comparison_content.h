// The protocol comparison as a page or a plot, for the HTTP face's
// comparison route (`?format=html` / `?format=svg`; JSON stays the route's
// default) and anything else that serves it. No sockets: the route parses
// the format, runs the comparison through app/, and sends what this returns.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "scoliomassage/v1/comparison.pb.h"

namespace scoliomassage::http {

enum class ComparisonFormat { kJson, kHtml, kSvg };

// The `format` query parameter: absent is JSON; "json", "html" or "svg";
// anything else is INVALID_ARGUMENT naming the field `format`.
absl::StatusOr<ComparisonFormat> ParseComparisonFormat(const std::optional<std::string>& format);

// As for the patient report: the page loads and runs nothing, and the
// browser is told so too.
inline constexpr char kComparisonPagePolicy[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'";

struct ComparisonContent {
  std::string content_type;
  std::string body;
};

// kHtml: the whole page (core::RenderComparisonPage); kSvg: the forest plot
// of the change in pre-session pain alone. kJson is the route's own
// (proto3 JSON), so it returns an empty body here.
ComparisonContent RenderComparisonContent(ComparisonFormat format,
                                          const v1::CompareProtocolsRequest& criteria,
                                          const v1::CompareProtocolsResponse& response);

}  // namespace scoliomassage::http
