// The comparison route's page and plot: the format parameter (a bad one names
// the field and changes nothing) and what each format sends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/errors.h"
#include "http/comparison_content.h"

namespace scoliomassage::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(ComparisonContentTest, TheFormatIsJsonHtmlOrSvg) {
  EXPECT_EQ(*ParseComparisonFormat(std::nullopt), ComparisonFormat::kJson);
  EXPECT_EQ(*ParseComparisonFormat("json"), ComparisonFormat::kJson);
  EXPECT_EQ(*ParseComparisonFormat("html"), ComparisonFormat::kHtml);
  EXPECT_EQ(*ParseComparisonFormat("svg"), ComparisonFormat::kSvg);
  for (const char* bad : {"", "HTML", "pdf", "html "}) {
    const auto format = ParseComparisonFormat(std::string(bad));
    ASSERT_FALSE(format.ok()) << bad;
    EXPECT_EQ(format.status().code(), absl::StatusCode::kInvalidArgument);
    ASSERT_EQ(core::FieldViolationsOf(format.status()).size(), 1u);
    EXPECT_EQ(core::FieldViolationsOf(format.status())[0].first, "format");
  }
}

TEST(ComparisonContentTest, HtmlIsThePageAndSvgThePlotAlone) {
  v1::CompareProtocolsRequest criteria;
  criteria.add_protocol_ids("lumbar-c-curve");
  v1::CompareProtocolsResponse response;
  auto* group = response.add_groups();
  group->set_group("lumbar-c-curve");
  group->set_visibility(v1::GROUP_VISIBILITY_NOT_ENOUGH_DATA);
  group->set_episode_count(3);
  response.add_caveats("Observational comparison: not a causal effect.");

  const ComparisonContent html = RenderComparisonContent(ComparisonFormat::kHtml, criteria, response);
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(html.body, StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(html.body, HasSubstr("Observational comparison, not a causal effect"));
  EXPECT_THAT(html.body, HasSubstr("<dd>lumbar-c-curve</dd>"));  // the criteria are on the page

  const ComparisonContent svg = RenderComparisonContent(ComparisonFormat::kSvg, criteria, response);
  EXPECT_EQ(svg.content_type, "image/svg+xml; charset=utf-8");
  EXPECT_THAT(svg.body, StartsWith("<?xml"));
  EXPECT_THAT(svg.body, HasSubstr("Not enough data: 3 episodes"));
  EXPECT_THAT(svg.body, Not(HasSubstr("<html")));

  EXPECT_TRUE(RenderComparisonContent(ComparisonFormat::kJson, criteria, response).body.empty());
  EXPECT_THAT(std::string(kComparisonPagePolicy), HasSubstr("default-src 'none'"));
}

}  // namespace
}  // namespace scoliomassage::http
