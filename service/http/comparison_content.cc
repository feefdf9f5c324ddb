#include "http/comparison_content.h"

#include "core/comparison_page.h"
#include "core/errors.h"

namespace scoliomassage::http {

absl::StatusOr<ComparisonFormat> ParseComparisonFormat(const std::optional<std::string>& format) {
  if (!format.has_value() || *format == "json") return ComparisonFormat::kJson;
  if (*format == "html") return ComparisonFormat::kHtml;
  if (*format == "svg") return ComparisonFormat::kSvg;
  return core::InvalidField("format", "must be json, html or svg");
}

ComparisonContent RenderComparisonContent(ComparisonFormat format,
                                          const v1::CompareProtocolsRequest& criteria,
                                          const v1::CompareProtocolsResponse& response) {
  switch (format) {
    case ComparisonFormat::kHtml:
      return {"text/html; charset=utf-8", core::RenderComparisonPage(response, criteria)};
    case ComparisonFormat::kSvg:
      return {"image/svg+xml; charset=utf-8", core::RenderComparisonSvg(response)};
    case ComparisonFormat::kJson:
      break;
  }
  return {"application/json", ""};
}

}  // namespace scoliomassage::http
