// History horizons (store.h: SettleHistory, ScanHistoryWithin) on every
// backend: a stream sees everything committed before it started, stops at
// its horizon, and a stream resumed from its last token picks up the rest.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "outcome_samples.h"
#include "storage/page_tokens.h"
#include "store_backend_test.h"

namespace scoliomassage::storage::testing {
namespace {

constexpr char kClinic[] = "clinic-horizon";

class HistoryHorizonTest : public StoreBackendTest {
 protected:
  void Log(int count) {
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE(store_->LogOutcome(kClinic, NewRequestId(), SampleOutcome()).ok());
    }
  }

  // Every record within `horizon` after `token`, paging by 2.
  std::vector<v1::HistoryRecord> ScanWithin(const HistoryHorizon& horizon, std::string token = "") {
    std::vector<v1::HistoryRecord> all;
    for (int pages = 0; pages < 1000; ++pages) {
      auto page = store_->ScanHistoryWithin(horizon, kClinic, {}, false, token, 2);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (auto& record : page->records) all.push_back(record);
      if (page->done || page->records.empty()) break;
      token = page->records.back().resume_token();
    }
    return all;
  }
};

TEST_P(HistoryHorizonTest, AStreamSeesEverythingCommittedBeforeItStarted) {
  Log(5);
  auto horizon = store_->SettleHistory();
  ASSERT_TRUE(horizon.ok()) << horizon.status();
  EXPECT_EQ(ScanWithin(*horizon).size(), 5u);
}

TEST_P(HistoryHorizonTest, ResumingWithANewHorizonPicksUpWhatCameAfter) {
  Log(5);
  auto first = store_->SettleHistory();
  ASSERT_TRUE(first.ok());
  Log(3);
  std::vector<v1::HistoryRecord> seen = ScanWithin(*first);
  // SQLite's single writer commits create times in order, so it has no
  // bound; PostgreSQL's horizon is the stream's start.
  if (first->settled_before_us != INT64_MAX) {
    EXPECT_EQ(seen.size(), 5u);
  }
  auto second = store_->SettleHistory();
  ASSERT_TRUE(second.ok());
  for (auto& record : ScanWithin(*second, seen.back().resume_token())) seen.push_back(record);
  ASSERT_EQ(seen.size(), 8u);
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_NE(seen[i].outcome().name(), seen[i - 1].outcome().name()) << "a record twice";
  }
}

TEST_P(HistoryHorizonTest, APageStopsAtTheHorizon) {
  Log(6);
  auto all = ScanWithin(HistoryHorizon{});
  ASSERT_EQ(all.size(), 6u);
  auto fourth = DecodeHistoryToken(all[3].resume_token());
  ASSERT_TRUE(fourth.ok());
  HistoryHorizon horizon;
  horizon.settled_before_us = fourth->first_create_time_us;
  auto page = store_->ScanHistoryWithin(horizon, kClinic, {}, false, "", 100);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_TRUE(page->done);
  ASSERT_EQ(page->records.size(), 3u);
  EXPECT_EQ(page->records[2].outcome().name(), all[2].outcome().name());
}

INSTANTIATE_TEST_SUITE_P(Backends, HistoryHorizonTest, ::testing::ValuesIn(AllStoreBackends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace scoliomassage::storage::testing
