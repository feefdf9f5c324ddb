#include "cli/csv.h"

#include "cli/history_format.h"
#include "gtest/gtest.h"

namespace scoliomassage::cli {
namespace {

TEST(CsvTest, PlainFieldsAreNotQuoted) {
  EXPECT_EQ(CsvField("lumbar-c-curve"), "lumbar-c-curve");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvRow({"a", "b", ""}), "a,b,\n");
}

TEST(CsvTest, QuotesCommasQuotesNewlinesAndEdgeSpaces) {
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
  EXPECT_EQ(CsvField(" padded"), "\" padded\"");
  EXPECT_EQ(CsvField("inner space"), "inner space");
}

TEST(HistoryCsvTest, RowMatchesHeaderAndEndsWithResumeToken) {
  v1::HistoryRecord record;
  auto* outcome = record.mutable_outcome();
  outcome->set_name("outcomes/abc");
  outcome->set_revision(2);
  outcome->set_patient_id("p, with comma");
  outcome->set_protocol_id("lumbar-c-curve");
  outcome->set_spine_region(v1::SPINE_REGION_LUMBAR);
  outcome->set_session_number(3);
  outcome->set_minutes(15);
  outcome->set_pain_before(6);
  outcome->set_pain_after(0);
  outcome->mutable_performed_at()->set_seconds(1772352000);
  outcome->add_adverse_events()->set_type(v1::ADVERSE_EVENT_TYPE_BRUISING);
  record.set_resume_token("tok-1");

  const auto header = HistoryCsvHeader();
  const auto row = HistoryCsvRow(record);
  ASSERT_EQ(header.size(), row.size());
  auto column = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return row[i];
    }
    ADD_FAILURE() << "no column " << name;
    return std::string();
  };
  EXPECT_EQ(header.back(), "resume_token");
  EXPECT_EQ(row.back(), "tok-1");
  EXPECT_EQ(column("name"), "outcomes/abc");
  EXPECT_EQ(column("revision"), "2");
  EXPECT_EQ(column("patient_id"), "p, with comma");
  EXPECT_EQ(column("spine_region"), "SPINE_REGION_LUMBAR");
  EXPECT_EQ(column("pain_before"), "6");
  // Zero is a real pain score, not "absent".
  EXPECT_EQ(column("pain_after"), "0");
  EXPECT_EQ(column("performed_at"), "2026-03-01T08:00:00Z");
  EXPECT_EQ(column("create_time"), "");
  EXPECT_EQ(column("adverse_event_count"), "1");
  EXPECT_NE(CsvRow(row).find("\"p, with comma\""), std::string::npos);
}

TEST(HistoryCsvTest, AbsentPainIsAnEmptyCell) {
  v1::HistoryRecord record;
  record.mutable_outcome()->set_name("outcomes/x");
  const auto header = HistoryCsvHeader();
  const auto row = HistoryCsvRow(record);
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "pain_before" || header[i] == "pain_after") {
      EXPECT_EQ(row[i], "");
    }
  }
}

}  // namespace
}  // namespace scoliomassage::cli
