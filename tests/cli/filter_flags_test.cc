#include "cli/filter_flags.h"

#include "cli/enum_names.h"
#include "gtest/gtest.h"

namespace scoliomassage::cli {
namespace {

TEST(ParseSpineRegionTest, AcceptsShortAndFullNamesInAnyCase) {
  struct Case {
    const char* text;
    v1::SpineRegion want;
  } cases[] = {
      {"lumbar", v1::SPINE_REGION_LUMBAR},
      {"LUMBAR", v1::SPINE_REGION_LUMBAR},
      {"SPINE_REGION_LUMBAR", v1::SPINE_REGION_LUMBAR},
      {"spine_region_thoracic", v1::SPINE_REGION_THORACIC},
      {" cervicothoracic ", v1::SPINE_REGION_CERVICOTHORACIC},
      {"thoracolumbar", v1::SPINE_REGION_THORACOLUMBAR},
      {"cervical", v1::SPINE_REGION_CERVICAL},
      {"lumbosacral", v1::SPINE_REGION_LUMBOSACRAL},
      {"sacral", v1::SPINE_REGION_LUMBOSACRAL},
  };
  for (const auto& c : cases) {
    auto region = ParseSpineRegion(c.text);
    ASSERT_TRUE(region.ok()) << c.text << ": " << region.status();
    EXPECT_EQ(*region, c.want) << c.text;
  }
}

TEST(ParseSpineRegionTest, RejectsUnknownAndUnspecified) {
  for (const char* text : {"", "lumb", "unspecified", "SPINE_REGION_UNSPECIFIED", "neck"}) {
    auto region = ParseSpineRegion(text);
    EXPECT_FALSE(region.ok()) << text;
  }
  auto bad = ParseSpineRegion("neck");
  EXPECT_NE(bad.status().message().find("lumbar"), absl::string_view::npos)
      << "the error lists the valid names: " << bad.status();
}

TEST(ShortEnumNameTest, StripsTheEnumPrefix) {
  EXPECT_EQ(ShortName(v1::SPINE_REGION_LUMBAR), "LUMBAR");
  EXPECT_EQ(ShortName(v1::BODY_AREA_LEGS), "LEGS");
  EXPECT_EQ(ShortName(v1::POSITION_SIDE_LYING), "SIDE_LYING");
  EXPECT_EQ(ShortName(v1::DECISION_PROCEED_MODIFIED), "PROCEED_MODIFIED");
  EXPECT_EQ(ShortName(v1::CURVE_PATTERN_C_CURVE), "C_CURVE");
  EXPECT_EQ(ShortName(static_cast<v1::Side>(99)), "99");
}

TEST(ParseTimestampTest, ReadsRfc3339WithOffsetsAndFractions) {
  auto utc = ParseTimestamp("2026-03-01T08:00:00Z");
  ASSERT_TRUE(utc.ok()) << utc.status();
  EXPECT_EQ(utc->seconds(), 1772352000);
  EXPECT_EQ(utc->nanos(), 0);

  auto offset = ParseTimestamp("2026-03-01T10:00:00+02:00");
  ASSERT_TRUE(offset.ok()) << offset.status();
  EXPECT_EQ(offset->seconds(), utc->seconds());

  auto fraction = ParseTimestamp("2026-03-01T08:00:00.25Z");
  ASSERT_TRUE(fraction.ok()) << fraction.status();
  EXPECT_EQ(fraction->seconds(), utc->seconds());
  EXPECT_EQ(fraction->nanos(), 250000000);

  auto before_epoch = ParseTimestamp("1969-12-31T23:59:59.5Z");
  ASSERT_TRUE(before_epoch.ok()) << before_epoch.status();
  EXPECT_EQ(before_epoch->seconds(), -1);
  EXPECT_EQ(before_epoch->nanos(), 500000000);
}

TEST(ParseTimestampTest, ABareDateIsMidnightUtc) {
  auto date = ParseTimestamp("2026-03-01");
  ASSERT_TRUE(date.ok()) << date.status();
  EXPECT_EQ(date->seconds(), 1772323200);
}

TEST(ParseTimestampTest, RejectsWhatIsNotATime) {
  for (const char* text : {"", "yesterday", "2026-13-01", "2026-03-01T08:00:00", "03/01/2026"}) {
    EXPECT_FALSE(ParseTimestamp(text).ok()) << text;
  }
}

TEST(BuildHistoryFilterTest, EmptyFlagsFilterNothing) {
  auto filter = BuildHistoryFilter(FilterFlags{});
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(filter->ByteSizeLong(), 0u);
}

TEST(BuildHistoryFilterTest, FillsEveryField) {
  FilterFlags flags;
  flags.patient = "p-1";
  flags.therapist = "t-2";
  flags.protocol = "lumbar-c-curve";
  flags.region = "lumbar";
  flags.since = "2026-01-01";
  flags.until = "2026-02-01T00:00:00Z";
  auto filter = BuildHistoryFilter(flags);
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->patient_id(), "p-1");
  EXPECT_EQ(filter->therapist_id(), "t-2");
  EXPECT_EQ(filter->protocol_id(), "lumbar-c-curve");
  EXPECT_EQ(filter->spine_region(), v1::SPINE_REGION_LUMBAR);
  EXPECT_EQ(filter->start_time().seconds(), 1767225600);
  EXPECT_EQ(filter->end_time().seconds(), 1767225600 + 31 * 86400);
}

TEST(BuildHistoryFilterTest, ErrorsNameTheFlag) {
  FilterFlags bad_region;
  bad_region.region = "neck";
  auto region = BuildHistoryFilter(bad_region);
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.status().message().rfind("--region", 0), 0u) << region.status();

  FilterFlags bad_since;
  bad_since.since = "last week";
  auto since = BuildHistoryFilter(bad_since);
  ASSERT_FALSE(since.ok());
  EXPECT_EQ(since.status().message().rfind("--since", 0), 0u) << since.status();

  FilterFlags bad_until;
  bad_until.until = "soon";
  auto until = BuildHistoryFilter(bad_until);
  ASSERT_FALSE(until.ok());
  EXPECT_EQ(until.status().message().rfind("--until", 0), 0u) << until.status();
}

TEST(BuildHistoryFilterTest, SinceMustBeBeforeUntil) {
  FilterFlags flags;
  flags.since = "2026-02-01";
  flags.until = "2026-02-01";
  EXPECT_FALSE(BuildHistoryFilter(flags).ok());
  flags.until = "2026-01-31";
  EXPECT_FALSE(BuildHistoryFilter(flags).ok());
  flags.until = "2026-02-01T00:00:00.000001Z";
  EXPECT_TRUE(BuildHistoryFilter(flags).ok());
}

TEST(ParseGroupByTest, ShortNamesInOrder) {
  auto group_by = ParseGroupBy("protocol,region,session,therapist,month");
  ASSERT_TRUE(group_by.ok()) << group_by.status();
  EXPECT_EQ(*group_by, (std::vector<v1::GroupBy>{
                           v1::GROUP_BY_PROTOCOL, v1::GROUP_BY_SPINE_REGION,
                           v1::GROUP_BY_SESSION_NUMBER, v1::GROUP_BY_THERAPIST,
                           v1::GROUP_BY_MONTH}));
}

TEST(ParseGroupByTest, FullNamesSpacesAndEmpty) {
  auto full = ParseGroupBy(" GROUP_BY_MONTH , spine_region");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(*full, (std::vector<v1::GroupBy>{v1::GROUP_BY_MONTH, v1::GROUP_BY_SPINE_REGION}));
  auto empty = ParseGroupBy("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(ParseGroupByTest, RejectsUnknownAndRepeated) {
  EXPECT_FALSE(ParseGroupBy("patient").ok());
  EXPECT_FALSE(ParseGroupBy("protocol,protocol").ok());
  EXPECT_FALSE(ParseGroupBy("region,spine_region").ok());
}

TEST(KeyPartNameTest, MatchesTheServersKeyParts) {
  EXPECT_EQ(KeyPartName(v1::GROUP_BY_PROTOCOL), "protocol");
  EXPECT_EQ(KeyPartName(v1::GROUP_BY_SPINE_REGION), "spine_region");
  EXPECT_EQ(KeyPartName(v1::GROUP_BY_SESSION_NUMBER), "session_number");
  EXPECT_EQ(KeyPartName(v1::GROUP_BY_THERAPIST), "therapist");
  EXPECT_EQ(KeyPartName(v1::GROUP_BY_MONTH), "month");
}

}  // namespace
}  // namespace scoliomassage::cli
