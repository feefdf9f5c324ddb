#include "http/comparison_page_send.h"

namespace scoliomassage::http {

absl::StatusOr<ComparisonFormat> ComparisonFormatOf(const httplib::Request& req) {
  if (!req.has_param("format")) return ParseComparisonFormat(std::nullopt);
  return ParseComparisonFormat(req.get_param_value("format"));
}

bool SendComparisonPage(ComparisonFormat format, const v1::CompareProtocolsRequest& request,
                        const v1::CompareProtocolsResponse& response, httplib::Response& res) {
  if (format == ComparisonFormat::kJson) return false;
  ComparisonContent content = RenderComparisonContent(format, request, response);
  res.status = 200;
  res.set_header("Content-Security-Policy", kComparisonPagePolicy);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Cache-Control", "no-store");
  res.set_content(std::move(content.body), content.content_type);
  return true;
}

}  // namespace scoliomassage::http
