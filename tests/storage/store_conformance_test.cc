// The Store conformance suite: every backend must pass it unchanged.
// Backends are listed in store_backends.cc (SQLite on a real temp file;
// PostgreSQL when SCOLIOMASSAGE_TEST_POSTGRES_URL is set).
#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "core/errors.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "outcome_samples.h"
#include "scoliomassage/v1/common.pb.h"
#include "store_backend_test.h"

namespace scoliomassage::storage::testing {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::Pair;

constexpr char kClinicA[] = "clinic-a";
constexpr char kClinicB[] = "clinic-b";

int64_t Micros(const google::protobuf::Timestamp& time) {
  return time.seconds() * 1000000 + time.nanos() / 1000;
}

google::protobuf::Timestamp TimeAt(int64_t micros) {
  google::protobuf::Timestamp time;
  time.set_seconds(micros / 1000000);
  time.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return time;
}

v1::Outcome WithoutOutputFields(v1::Outcome outcome) {
  outcome.clear_name();
  outcome.clear_revision();
  outcome.clear_create_time();
  outcome.clear_amend_reason();
  outcome.clear_episode();  // output only: the episode the store assigned
  return outcome;
}

class StoreConformanceTest : public StoreBackendTest {
 protected:
  v1::Outcome Log(const v1::Outcome& outcome, const std::string& clinic = kClinicA) {
    absl::StatusOr<v1::Outcome> stored = store_->LogOutcome(clinic, NewRequestId(), outcome);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : v1::Outcome();
  }

  // Every record the scan yields, paging with `limit`.
  std::vector<v1::HistoryRecord> ScanAll(const std::string& clinic,
                                         const v1::HistoryFilter& filter = {},
                                         bool include_revisions = false, int limit = 1000,
                                         std::string resume_token = "") {
    std::vector<v1::HistoryRecord> all;
    for (int pages = 0; pages < 10000; ++pages) {
      absl::StatusOr<HistoryPage> page =
          store_->ScanHistory(clinic, filter, include_revisions, resume_token, limit);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      EXPECT_LE(static_cast<int>(page->records.size()), limit);
      for (auto& record : page->records) all.push_back(record);
      if (page->done) break;
      EXPECT_FALSE(page->records.empty()) << "a page that is not the last must not be empty";
      if (page->records.empty()) break;
      resume_token = page->records.back().resume_token();
    }
    return all;
  }

  static std::vector<std::string> Names(const std::vector<v1::HistoryRecord>& records) {
    std::vector<std::string> names;
    for (const auto& record : records) names.push_back(record.outcome().name());
    return names;
  }
};

TEST_P(StoreConformanceTest, LoggedOutcomeRoundTripsThroughGetOutcome) {
  const v1::Outcome input = SampleOutcome();
  absl::StatusOr<v1::Outcome> stored = store_->LogOutcome(kClinicA, NewRequestId(), input);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_THAT(stored->name(), ::testing::MatchesRegex("outcomes/[0-9a-f]{32}"));
  EXPECT_EQ(stored->revision(), 1);
  EXPECT_GT(Micros(stored->create_time()), 0);
  EXPECT_EQ(stored->create_time().nanos() % 1000, 0) << "create_time has microsecond precision";
  EXPECT_TRUE(MessageDifferencer::Equals(WithoutOutputFields(*stored), input))
      << "stored: " << stored->DebugString() << "\ninput: " << input.DebugString();

  absl::StatusOr<v1::Outcome> latest = store_->GetOutcome(kClinicA, stored->name(), 0);
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*latest, *stored));
  absl::StatusOr<v1::Outcome> first = store_->GetOutcome(kClinicA, stored->name(), 1);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*first, *stored));
}

TEST_P(StoreConformanceTest, OutputOnlyFieldsInTheInputAreReplaced) {
  v1::Outcome input = SampleOutcome();
  input.set_name("outcomes/ffffffffffffffffffffffffffffffff");
  input.set_revision(9);
  input.mutable_create_time()->set_seconds(42);
  absl::StatusOr<v1::Outcome> stored = store_->LogOutcome(kClinicA, NewRequestId(), input);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_NE(stored->name(), input.name());
  EXPECT_EQ(stored->revision(), 1);
  EXPECT_NE(stored->create_time().seconds(), 42);
}

TEST_P(StoreConformanceTest, GetOutcomeRejectsMalformedNamesAndHidesMissingOnes) {
  for (const char* name : {"", "outcome/0123", "outcomes/", "outcomes/XYZ",
                                 "outcomes/0123456789abcdef0123456789ABCDEF",
                                 "outcomes/0123456789abcdef0123456789abcdef/x"}) {
    absl::StatusOr<v1::Outcome> outcome = store_->GetOutcome(kClinicA, name, 0);
    EXPECT_EQ(outcome.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(core::FieldViolationsOf(outcome.status()), ElementsAre(Pair("name", ::testing::_)))
        << name;
  }
  absl::StatusOr<v1::Outcome> missing =
      store_->GetOutcome(kClinicA, "outcomes/0123456789abcdef0123456789abcdef", 0);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, RetryWithSameBodyReturnsTheFirstOutcomeAndStoresOne) {
  const std::string request_id = NewRequestId();
  absl::StatusOr<v1::Outcome> first = store_->LogOutcome(kClinicA, request_id, SampleOutcome());
  ASSERT_TRUE(first.ok()) << first.status();
  // A client may echo back what it got; output-only fields do not count.
  absl::StatusOr<v1::Outcome> retry = store_->LogOutcome(kClinicA, request_id, *first);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*retry, *first));
  EXPECT_EQ(ScanAll(kClinicA).size(), 1u);
}

TEST_P(StoreConformanceTest, FiftyConcurrentRetriesStoreExactlyOneOutcome) {
  const std::string request_id = NewRequestId();
  const v1::Outcome input = SampleOutcome();
  constexpr int kRetries = 50;
  std::vector<absl::StatusOr<v1::Outcome>> results(kRetries, absl::UnknownError("not run"));
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kRetries; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      results[i] = store_->LogOutcome(kClinicA, request_id, input);
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  std::set<std::string> names;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    names.insert(result->name());
  }
  EXPECT_EQ(names.size(), 1u);
  const auto history = ScanAll(kClinicA, {}, /*include_revisions=*/true);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].outcome().name(), *names.begin());
}

TEST_P(StoreConformanceTest, ReusedRequestIdWithAnotherBodyIsAlreadyExistsAndChangesNothing) {
  const std::string request_id = NewRequestId();
  absl::StatusOr<v1::Outcome> first = store_->LogOutcome(kClinicA, request_id, SampleOutcome());
  ASSERT_TRUE(first.ok()) << first.status();
  v1::Outcome changed = SampleOutcome();
  changed.set_pain_after(1);
  absl::StatusOr<v1::Outcome> reused = store_->LogOutcome(kClinicA, request_id, changed);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(reused.status().message()), ::testing::HasSubstr(request_id));

  const auto history = ScanAll(kClinicA, {}, /*include_revisions=*/true);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(history[0].outcome(), *first));
  // Using the id for an amendment is a different request too.
  absl::StatusOr<v1::Outcome> as_amend =
      store_->AmendOutcome(kClinicA, request_id, first->name(), changed, "typo");
  EXPECT_EQ(as_amend.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ScanAll(kClinicA, {}, true).size(), 1u);
}

TEST_P(StoreConformanceTest, AmendAppendsARevisionAndKeepsTheOldOneReadable) {
  const v1::Outcome original = Log(SampleOutcome());
  v1::Outcome corrected = SampleOutcome();
  corrected.set_pain_after(2);
  const std::string amend_id = NewRequestId();
  absl::StatusOr<v1::Outcome> amended =
      store_->AmendOutcome(kClinicA, amend_id, original.name(), corrected, "pain after was 2");
  ASSERT_TRUE(amended.ok()) << amended.status();
  EXPECT_EQ(amended->name(), original.name());
  EXPECT_EQ(amended->revision(), 2);
  EXPECT_EQ(amended->pain_after(), 2);
  EXPECT_EQ(amended->amend_reason(), "pain after was 2");
  EXPECT_GT(Micros(amended->create_time()), Micros(original.create_time()));

  absl::StatusOr<v1::Outcome> latest = store_->GetOutcome(kClinicA, original.name(), 0);
  ASSERT_TRUE(latest.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*latest, *amended));
  absl::StatusOr<v1::Outcome> first = store_->GetOutcome(kClinicA, original.name(), 1);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*first, original));
  EXPECT_EQ(store_->GetOutcome(kClinicA, original.name(), 3).status().code(),
            absl::StatusCode::kNotFound);

  // The amendment is idempotent too.
  absl::StatusOr<v1::Outcome> retry =
      store_->AmendOutcome(kClinicA, amend_id, original.name(), corrected, "pain after was 2");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->revision(), 2);

  const auto latest_only = ScanAll(kClinicA);
  ASSERT_EQ(latest_only.size(), 1u);
  EXPECT_EQ(latest_only[0].outcome().revision(), 2);
  const auto every_revision = ScanAll(kClinicA, {}, /*include_revisions=*/true);
  ASSERT_EQ(every_revision.size(), 2u);
  EXPECT_EQ(every_revision[0].outcome().revision(), 1);
  EXPECT_EQ(every_revision[1].outcome().revision(), 2);

  absl::StatusOr<v1::Outcome> unknown = store_->AmendOutcome(
      kClinicA, NewRequestId(), "outcomes/0123456789abcdef0123456789abcdef", corrected, "x");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ResumedScanReturnsExactlyTheRemainingRecords) {
  std::mt19937 random(7);
  for (int i = 0; i < 37; ++i) Log(RandomOutcome(random));
  const auto reference = ScanAll(kClinicA);
  ASSERT_EQ(reference.size(), 37u);
  EXPECT_EQ(Names(ScanAll(kClinicA, {}, false, 5)), Names(reference)) << "paging changes nothing";

  // A job received 13 records, then was cut off; it resumes from the 13th.
  for (size_t cut : {size_t{1}, size_t{13}, size_t{36}}) {
    const auto resumed = ScanAll(kClinicA, {}, false, 4, reference[cut - 1].resume_token());
    std::vector<std::string> expected;
    for (size_t i = cut; i < reference.size(); ++i) expected.push_back(reference[i].outcome().name());
    EXPECT_EQ(Names(resumed), expected) << "cut after " << cut;
  }
  // Outcomes logged after the cut still come after it (no gap).
  const v1::Outcome late = Log(RandomOutcome(random));
  const auto after_last = ScanAll(kClinicA, {}, false, 10, reference.back().resume_token());
  EXPECT_THAT(Names(after_last), ElementsAre(late.name()));
}

TEST_P(StoreConformanceTest, ResumeWorksAcrossRevisions) {
  const v1::Outcome a = Log(SampleOutcome("p-a"));
  const v1::Outcome b = Log(SampleOutcome("p-b"));
  ASSERT_TRUE(store_->AmendOutcome(kClinicA, NewRequestId(), a.name(), SampleOutcome("p-a"), "r").ok());
  const auto all = ScanAll(kClinicA, {}, true, 1);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].outcome().name(), a.name());
  EXPECT_EQ(all[1].outcome().name(), a.name());
  EXPECT_EQ(all[2].outcome().name(), b.name());
  const auto rest = ScanAll(kClinicA, {}, true, 1, all[0].resume_token());
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].outcome().revision(), 2);
}

TEST_P(StoreConformanceTest, GarbageResumeTokenIsInvalidArgument) {
  Log(SampleOutcome());
  for (const std::string& token :
       {std::string("not a token"), std::string("!!!"), absl::WebSafeBase64Escape("h1|1|abc|1"),
        absl::WebSafeBase64Escape("h1|x|0123456789abcdef0123456789abcdef|1"),
        absl::WebSafeBase64Escape("o1|1|0123456789abcdef0123456789abcdef"),
        absl::WebSafeBase64Escape("h1|1|0123456789abcdef0123456789abcdef|0")}) {
    absl::StatusOr<HistoryPage> page = store_->ScanHistory(kClinicA, {}, false, token, 10);
    EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument) << token;
    EXPECT_THAT(core::FieldViolationsOf(page.status()),
                ElementsAre(Pair("resume_token", ::testing::_)));
  }
}

struct LoggedOutcome {
  v1::Outcome latest;  // as the test logged it (latest revision)
  std::string name;
};

// Logs `count` random outcomes and amends every fifth, changing pains so the
// latest revision differs from the first.
std::vector<LoggedOutcome> LogRandomHistory(Store& store, const std::string& clinic, int count,
                                            uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<LoggedOutcome> logged;
  for (int i = 0; i < count; ++i) {
    v1::Outcome outcome = RandomOutcome(random);
    absl::StatusOr<v1::Outcome> stored = store.LogOutcome(clinic, NewRequestId(), outcome);
    EXPECT_TRUE(stored.ok()) << stored.status();
    if (!stored.ok()) continue;
    if (i % 5 == 0) {
      v1::Outcome corrected = RandomOutcome(random);
      absl::StatusOr<v1::Outcome> amended =
          store.AmendOutcome(clinic, NewRequestId(), stored->name(), corrected, "correction");
      EXPECT_TRUE(amended.ok()) << amended.status();
      outcome = corrected;
    }
    logged.push_back({outcome, stored->name()});
  }
  return logged;
}

bool Matches(const v1::HistoryFilter& filter, const v1::Outcome& outcome) {
  const int64_t performed_at = Micros(outcome.performed_at());
  return (filter.patient_id().empty() || filter.patient_id() == outcome.patient_id()) &&
         (filter.therapist_id().empty() || filter.therapist_id() == outcome.therapist_id()) &&
         (filter.protocol_id().empty() || filter.protocol_id() == outcome.protocol_id()) &&
         (filter.spine_region() == v1::SPINE_REGION_UNSPECIFIED ||
          filter.spine_region() == outcome.spine_region()) &&
         (!filter.has_start_time() || performed_at >= Micros(filter.start_time())) &&
         (!filter.has_end_time() || performed_at < Micros(filter.end_time()));
}

std::vector<v1::HistoryFilter> SampleFilters(const std::vector<LoggedOutcome>& logged) {
  std::vector<v1::HistoryFilter> filters(8);
  filters[1].set_patient_id("patient-2");
  filters[2].set_therapist_id("therapist-1");
  filters[3].set_protocol_id("thoracic-s-curve");
  filters[4].set_spine_region(v1::SPINE_REGION_CERVICAL);
  // A time range whose start is exactly one outcome's performed_at
  // (inclusive) and whose end is exactly another's (exclusive).
  *filters[5].mutable_start_time() = logged[3].latest.performed_at();
  *filters[5].mutable_end_time() = logged[9].latest.performed_at();
  if (Micros(filters[5].start_time()) > Micros(filters[5].end_time())) {
    std::swap(*filters[5].mutable_start_time(), *filters[5].mutable_end_time());
  }
  filters[6].set_patient_id("patient-1");
  filters[6].set_spine_region(v1::SPINE_REGION_LUMBAR);
  *filters[6].mutable_start_time() = TimeAt(kBaseTimeUs + 30LL * 86400 * 1000000);
  filters[7].set_patient_id("nobody");
  return filters;
}

TEST_P(StoreConformanceTest, FiltersSelectExactlyTheMatchingLatestRevisions) {
  const auto logged = LogRandomHistory(*store_, kClinicA, 60, 11);
  for (const v1::HistoryFilter& filter : SampleFilters(logged)) {
    std::set<std::string> expected;
    for (const auto& outcome : logged) {
      if (Matches(filter, outcome.latest)) expected.insert(outcome.name);
    }
    const auto records = ScanAll(kClinicA, filter, false, 7);
    const std::vector<std::string> names = Names(records);
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), expected)
        << filter.ShortDebugString();
    EXPECT_EQ(names.size(), expected.size()) << "no duplicates";

    // ListOutcomes selects the same outcomes, newest performed_at first.
    std::vector<v1::Outcome> listed;
    std::string token;
    do {
      absl::StatusOr<OutcomePage> page = store_->ListOutcomes(kClinicA, filter, 4, token);
      ASSERT_TRUE(page.ok()) << page.status();
      ASSERT_LE(page->outcomes.size(), 4u);
      listed.insert(listed.end(), page->outcomes.begin(), page->outcomes.end());
      token = page->next_page_token;
    } while (!token.empty());
    std::set<std::string> listed_names;
    for (size_t i = 0; i < listed.size(); ++i) {
      listed_names.insert(listed[i].name());
      if (i > 0) {
        EXPECT_GE(Micros(listed[i - 1].performed_at()), Micros(listed[i].performed_at()));
      }
    }
    EXPECT_EQ(listed_names, expected) << filter.ShortDebugString();
    EXPECT_EQ(listed.size(), expected.size());
  }
  v1::HistoryFilter backwards;
  *backwards.mutable_start_time() = TimeAt(kBaseTimeUs + 10);
  *backwards.mutable_end_time() = TimeAt(kBaseTimeUs);
  EXPECT_EQ(store_->ScanHistory(kClinicA, backwards, false, "", 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ListOutcomesRejectsGarbagePageToken) {
  Log(SampleOutcome());
  absl::StatusOr<OutcomePage> page = store_->ListOutcomes(kClinicA, {}, 10, "garbage!");
  EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(core::FieldViolationsOf(page.status()), ElementsAre(Pair("page_token", ::testing::_)));
}

// The expected summary, computed here from the logged inputs.
struct ExpectedGroup {
  std::map<std::string, std::string> parts;
  int64_t count = 0;
  double pain_before = 0, pain_after = 0, relief = 0, meaningful = 0, adverse = 0;
  std::set<std::string> patients;  // distinct: small-group suppression counts these
};

std::string UtcMonthOf(const v1::Outcome& outcome) {
  return absl::FormatTime("%Y-%m", absl::FromUnixMicros(Micros(outcome.performed_at())),
                          absl::UTCTimeZone());
}

std::map<std::string, ExpectedGroup> ExpectedSummary(const std::vector<LoggedOutcome>& logged,
                                                     const v1::HistoryFilter& filter,
                                                     const std::vector<v1::GroupBy>& group_by) {
  std::map<std::string, ExpectedGroup> groups;
  for (const auto& entry : logged) {
    const v1::Outcome& o = entry.latest;
    if (!Matches(filter, o)) continue;
    std::vector<std::string> values;
    std::map<std::string, std::string> parts;
    for (v1::GroupBy dimension : group_by) {
      std::string name, value;
      switch (dimension) {
        case v1::GROUP_BY_PROTOCOL: name = "protocol", value = o.protocol_id(); break;
        case v1::GROUP_BY_SPINE_REGION:
          name = "spine_region", value = v1::SpineRegion_Name(o.spine_region()); break;
        case v1::GROUP_BY_SESSION_NUMBER:
          name = "session_number", value = std::to_string(o.session_number()); break;
        case v1::GROUP_BY_THERAPIST: name = "therapist", value = o.therapist_id(); break;
        case v1::GROUP_BY_MONTH: name = "month", value = UtcMonthOf(o); break;
        default: break;
      }
      values.push_back(value);
      parts[name] = value;
    }
    ExpectedGroup& group = groups[absl::StrJoin(values, "|")];
    group.parts = parts;
    const double before = o.pain_before(), after = o.pain_after(), relief = before - after;
    group.count += 1;
    group.patients.insert(o.patient_id());
    group.pain_before += before;
    group.pain_after += after;
    group.relief += relief;
    group.meaningful += (before > 0 && relief > 0 && (relief >= 2 || relief >= 0.3 * before)) ? 1 : 0;
    group.adverse += o.adverse_events_size() > 0 ? 1 : 0;
  }
  for (auto& [key, group] : groups) {
    group.pain_before /= group.count;
    group.pain_after /= group.count;
    group.relief /= group.count;
    group.meaningful /= group.count;
    group.adverse /= group.count;
  }
  return groups;
}

TEST_P(StoreConformanceTest, SummariesMatchValuesComputedFromTheLoggedInputs) {
  const auto logged = LogRandomHistory(*store_, kClinicA, 120, 23);
  LogRandomHistory(*store_, kClinicB, 10, 99);  // another clinic must not leak in
  const std::vector<std::vector<v1::GroupBy>> groupings = {
      {},
      {v1::GROUP_BY_PROTOCOL},
      {v1::GROUP_BY_SPINE_REGION, v1::GROUP_BY_MONTH},
      {v1::GROUP_BY_SESSION_NUMBER, v1::GROUP_BY_THERAPIST},
      {v1::GROUP_BY_MONTH, v1::GROUP_BY_THERAPIST, v1::GROUP_BY_SESSION_NUMBER,
       v1::GROUP_BY_SPINE_REGION, v1::GROUP_BY_PROTOCOL},
  };
  auto filters = SampleFilters(logged);
  filters.resize(5);
  for (const auto& filter : filters) {
    for (const auto& group_by : groupings) {
      const std::string context = absl::StrCat(filter.ShortDebugString(), " by ", group_by.size());
      const auto expected = ExpectedSummary(logged, filter, group_by);
      absl::StatusOr<std::vector<v1::SummaryGroup>> groups =
          store_->Summarize(kClinicA, filter, group_by);
      ASSERT_TRUE(groups.ok()) << groups.status();
      ASSERT_EQ(groups->size(), expected.size()) << context;
      for (const v1::SummaryGroup& group : *groups) {
        auto it = expected.find(group.key());
        ASSERT_NE(it, expected.end()) << "unexpected group " << group.key() << " " << context;
        const ExpectedGroup& want = it->second;
        const std::map<std::string, std::string> parts(group.key_parts().begin(),
                                                       group.key_parts().end());
        EXPECT_EQ(parts, want.parts) << group.key();
        EXPECT_EQ(group.session_count(), want.count) << group.key();
        EXPECT_EQ(group.patient_count(), static_cast<int64_t>(want.patients.size())) << group.key();
        EXPECT_NEAR(group.mean_pain_before(), want.pain_before, 1e-9) << group.key();
        EXPECT_NEAR(group.mean_pain_after(), want.pain_after, 1e-9) << group.key();
        EXPECT_NEAR(group.mean_pain_relief(), want.relief, 1e-9) << group.key();
        EXPECT_NEAR(group.meaningful_relief_rate(), want.meaningful, 1e-9) << group.key();
        EXPECT_NEAR(group.adverse_event_rate(), want.adverse, 1e-9) << group.key();
      }
      absl::StatusOr<std::vector<v1::SummaryGroup>> again =
          store_->Summarize(kClinicA, filter, group_by);
      ASSERT_TRUE(again.ok());
      std::vector<std::string> first_order, second_order;
      for (const auto& g : *groups) first_order.push_back(g.key());
      for (const auto& g : *again) second_order.push_back(g.key());
      EXPECT_EQ(first_order, second_order) << "groups come in a deterministic order";
    }
  }
}

TEST_P(StoreConformanceTest, MeaningfulReliefFollowsTheClinicalThresholds) {
  // (before, after, meaningful): 2 points, or 30% of the starting pain.
  const std::vector<std::tuple<int, int, bool>> cases = {
      {0, 0, false}, {1, 0, true},  {3, 2, true},  {4, 3, false}, {10, 8, true},
      {10, 9, false}, {5, 6, false}, {2, 0, true}, {7, 5, true},  {9, 7, true}};
  int meaningful = 0;
  for (const auto& [before, after, expected] : cases) {
    v1::Outcome outcome = SampleOutcome(absl::StrCat("p", before, "-", after));
    outcome.set_pain_before(before);
    outcome.set_pain_after(after);
    Log(outcome);
    meaningful += expected ? 1 : 0;
    absl::StatusOr<std::vector<v1::SummaryGroup>> single = [&] {
      v1::HistoryFilter filter;
      filter.set_patient_id(outcome.patient_id());
      return store_->Summarize(kClinicA, filter, {});
    }();
    ASSERT_TRUE(single.ok());
    ASSERT_EQ(single->size(), 1u);
    EXPECT_EQ((*single)[0].meaningful_relief_rate(), expected ? 1.0 : 0.0)
        << before << " -> " << after;
  }
  absl::StatusOr<std::vector<v1::SummaryGroup>> all = store_->Summarize(kClinicA, {}, {});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].key(), "");
  EXPECT_NEAR((*all)[0].meaningful_relief_rate(), double(meaningful) / cases.size(), 1e-12);
}

TEST_P(StoreConformanceTest, EpisodeRespondersCompareFirstAndLatestPreSessionPain) {
  // Per patient: pre-session pains in performed order (logged out of order,
  // so the store must sort by performed_at, not by insertion), and whether
  // first -> latest is a meaningful fall. A single session is no episode.
  struct Patient {
    std::string id;
    std::vector<int> pains_before;
    bool episode;
    bool responder;
  };
  const std::vector<Patient> patients = {
      {"ep-a", {8, 7, 6}, true, true},      // 2 points
      {"ep-b", {5, 6, 4}, true, false},     // 1 point
      {"ep-c", {3, 2}, true, true},         // 33%
      {"ep-d", {4}, false, false},          // one session
      {"ep-e", {6, 2, 7}, true, false},     // worse at the latest session
  };
  int episodes = 0, responders = 0;
  for (const Patient& patient : patients) {
    for (size_t i = patient.pains_before.size(); i-- > 0;) {
      v1::Outcome outcome = SampleOutcome(patient.id);
      outcome.set_pain_before(patient.pains_before[i]);
      outcome.set_pain_after(0);  // within-session relief must not matter here
      outcome.mutable_performed_at()->set_seconds(outcome.performed_at().seconds() +
                                                  86400 * static_cast<int64_t>(i));
      Log(outcome);
    }
    episodes += patient.episode ? 1 : 0;
    responders += patient.responder ? 1 : 0;
    v1::HistoryFilter filter;
    filter.set_patient_id(patient.id);
    absl::StatusOr<std::vector<v1::SummaryGroup>> single = store_->Summarize(kClinicA, filter, {});
    ASSERT_TRUE(single.ok()) << single.status();
    ASSERT_EQ(single->size(), 1u);
    EXPECT_EQ((*single)[0].episode_patient_count(), patient.episode ? 1 : 0) << patient.id;
    EXPECT_EQ((*single)[0].episode_responder_rate(), patient.responder ? 1.0 : 0.0) << patient.id;
  }
  absl::StatusOr<std::vector<v1::SummaryGroup>> all = store_->Summarize(kClinicA, {}, {});
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].episode_patient_count(), episodes);
  EXPECT_NEAR((*all)[0].episode_responder_rate(), double(responders) / episodes, 1e-12);
  EXPECT_EQ((*all)[0].within_session_relief_rate(), (*all)[0].meaningful_relief_rate());

  // Grouped, an episode counts only within a group holding 2+ of the
  // patient's sessions: never more episodes than overall.
  absl::StatusOr<std::vector<v1::SummaryGroup>> by_session =
      store_->Summarize(kClinicA, {}, {v1::GROUP_BY_THERAPIST, v1::GROUP_BY_MONTH});
  ASSERT_TRUE(by_session.ok()) << by_session.status();
  int64_t grouped_episodes = 0;
  for (const auto& group : *by_session) grouped_episodes += group.episode_patient_count();
  EXPECT_LE(grouped_episodes, episodes);
}

TEST_P(StoreConformanceTest, SummarizeRejectsBadGroupBy) {
  absl::StatusOr<std::vector<v1::SummaryGroup>> groups = store_->Summarize(
      kClinicA, {}, {v1::GROUP_BY_PROTOCOL, v1::GROUP_BY_UNSPECIFIED, v1::GROUP_BY_PROTOCOL});
  EXPECT_EQ(groups.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(core::FieldViolationsOf(groups.status()),
              ElementsAre(Pair("group_by[1]", ::testing::_), Pair("group_by[2]", ::testing::_)));
  absl::StatusOr<std::vector<v1::SummaryGroup>> empty = store_->Summarize(kClinicA, {}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty()) << "no outcomes, no groups";
}

TEST_P(StoreConformanceTest, ClinicsSeeOnlyTheirOwnOutcomes) {
  const std::string request_id = NewRequestId();
  absl::StatusOr<v1::Outcome> a_outcome =
      store_->LogOutcome(kClinicA, request_id, SampleOutcome("shared-patient"));
  ASSERT_TRUE(a_outcome.ok());

  EXPECT_TRUE(ScanAll(kClinicB, {}, true).empty());
  EXPECT_EQ(store_->GetOutcome(kClinicB, a_outcome->name(), 0).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetOutcome(kClinicB, a_outcome->name(), 1).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->AmendOutcome(kClinicB, NewRequestId(), a_outcome->name(), SampleOutcome(), "x")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<PatientProgress> progress = store_->GetPatientProgress(kClinicB, "shared-patient");
  ASSERT_TRUE(progress.ok());
  EXPECT_EQ(progress->sessions_logged, 0);
  absl::StatusOr<OutcomePage> listed = store_->ListOutcomes(kClinicB, {}, 10, "");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->outcomes.empty());
  absl::StatusOr<std::vector<v1::SummaryGroup>> summary = store_->Summarize(kClinicB, {}, {});
  ASSERT_TRUE(summary.ok());
  EXPECT_TRUE(summary->empty());

  // request_id is unique per clinic: clinic B's request with the same id is
  // its own outcome, not a replay of A's.
  absl::StatusOr<v1::Outcome> b_outcome =
      store_->LogOutcome(kClinicB, request_id, SampleOutcome("shared-patient"));
  ASSERT_TRUE(b_outcome.ok()) << b_outcome.status();
  EXPECT_NE(b_outcome->name(), a_outcome->name());
  EXPECT_EQ(ScanAll(kClinicA).size(), 1u);
  EXPECT_EQ(ScanAll(kClinicB).size(), 1u);
}

TEST_P(StoreConformanceTest, PatientProgressCountsSessionsAndFindsTheMostRecent) {
  absl::StatusOr<PatientProgress> none = store_->GetPatientProgress(kClinicA, "patient-9");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->sessions_logged, 0);
  EXPECT_FALSE(none->last_outcome.has_value());

  // Logged out of order: the most recent session is the second one logged.
  v1::Outcome s1 = SampleOutcome("patient-9"), s2 = s1, s3 = s1;
  s1.set_session_number(1);
  s2.set_session_number(3);
  s3.set_session_number(2);
  s2.mutable_performed_at()->set_seconds(s1.performed_at().seconds() + 20 * 86400);
  s3.mutable_performed_at()->set_seconds(s1.performed_at().seconds() + 10 * 86400);
  Log(s1);
  const v1::Outcome latest_session = Log(s2);
  Log(s3);
  Log(SampleOutcome("patient-other"));
  v1::Outcome corrected = s2;
  corrected.set_pain_after(0);
  ASSERT_TRUE(
      store_->AmendOutcome(kClinicA, NewRequestId(), latest_session.name(), corrected, "fix").ok());

  absl::StatusOr<PatientProgress> progress = store_->GetPatientProgress(kClinicA, "patient-9");
  ASSERT_TRUE(progress.ok()) << progress.status();
  EXPECT_EQ(progress->sessions_logged, 3) << "amendments do not count as sessions";
  ASSERT_TRUE(progress->last_outcome.has_value());
  EXPECT_EQ(progress->last_outcome->name(), latest_session.name());
  EXPECT_EQ(progress->last_outcome->revision(), 2);
  EXPECT_EQ(progress->last_outcome->pain_after(), 0);
}

TEST_P(StoreConformanceTest, PatientProgressFollowsAmendmentsOfTimePainAndPatient) {
  // Three sessions ten days apart; the earliest is logged last.
  v1::Outcome early = SampleOutcome("patient-7"), middle = early, late = early;
  early.set_pain_before(8);
  middle.set_pain_before(6);
  late.set_pain_before(4);
  middle.mutable_performed_at()->set_seconds(early.performed_at().seconds() + 10 * 86400);
  late.mutable_performed_at()->set_seconds(early.performed_at().seconds() + 20 * 86400);
  const v1::Outcome stored_middle = Log(middle);
  const v1::Outcome stored_late = Log(late);
  const v1::Outcome stored_early = Log(early);

  auto progress = [&](const std::string& patient) {
    absl::StatusOr<PatientProgress> read = store_->GetPatientProgress(kClinicA, patient);
    EXPECT_TRUE(read.ok()) << read.status();
    return read.ok() ? *read : PatientProgress();
  };
  PatientProgress before = progress("patient-7");
  EXPECT_EQ(before.sessions_logged, 3);
  ASSERT_TRUE(before.last_outcome.has_value());
  EXPECT_EQ(before.last_outcome->name(), stored_late.name());
  EXPECT_EQ(before.first_pain_before, 8) << "the earliest session by performed_at, not by logging";

  // The earliest session's pain is corrected; the latest moves before it.
  v1::Outcome corrected_early = early;
  corrected_early.set_pain_before(9);
  ASSERT_TRUE(store_->AmendOutcome(kClinicA, NewRequestId(), stored_early.name(), corrected_early,
                                   "pain misread")
                  .ok());
  v1::Outcome moved_late = late;
  moved_late.mutable_performed_at()->set_seconds(early.performed_at().seconds() - 86400);
  ASSERT_TRUE(
      store_->AmendOutcome(kClinicA, NewRequestId(), stored_late.name(), moved_late, "wrong day")
          .ok());
  PatientProgress after = progress("patient-7");
  EXPECT_EQ(after.sessions_logged, 3);
  ASSERT_TRUE(after.last_outcome.has_value());
  EXPECT_EQ(after.last_outcome->name(), stored_middle.name());
  EXPECT_EQ(after.first_pain_before, 4) << "the moved session is now the earliest";

  // A session logged under the wrong patient moves to the right one.
  v1::Outcome other_patient = middle;
  other_patient.set_patient_id("patient-8");
  ASSERT_TRUE(store_->AmendOutcome(kClinicA, NewRequestId(), stored_middle.name(), other_patient,
                                   "wrong patient")
                  .ok());
  PatientProgress moved_from = progress("patient-7");
  EXPECT_EQ(moved_from.sessions_logged, 2);
  ASSERT_TRUE(moved_from.last_outcome.has_value());
  EXPECT_EQ(moved_from.last_outcome->name(), stored_early.name());
  EXPECT_EQ(moved_from.last_outcome->revision(), 2);
  PatientProgress moved_to = progress("patient-8");
  EXPECT_EQ(moved_to.sessions_logged, 1);
  ASSERT_TRUE(moved_to.last_outcome.has_value());
  EXPECT_EQ(moved_to.last_outcome->name(), stored_middle.name());
  EXPECT_EQ(moved_to.first_pain_before, 6);

  // Nothing of this leaks into another clinic, and it all survives a reopen.
  absl::StatusOr<PatientProgress> elsewhere = store_->GetPatientProgress(kClinicB, "patient-7");
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(elsewhere->sessions_logged, 0);
  EXPECT_FALSE(elsewhere->first_pain_before.has_value());
  Reopen();
  EXPECT_EQ(progress("patient-7").first_pain_before, 4);
}

// SQLite's one writer commits a write's audit record with the write; on
// PostgreSQL the record is left to the caller (see WriteAudit).
TEST_P(StoreConformanceTest, AWriteCarriesItsAuditRecordWhereThereIsOneWriter) {
  const bool one_writer = GetParam().name == "Sqlite";
  WriteAudit audit;
  audit.entry.time_us = kBaseTimeUs;
  audit.entry.principal = "host-1";
  audit.entry.role = "host";
  audit.entry.clinic_id = kClinicA;
  audit.entry.method = "/scoliomassage.v1.OutcomeService/LogOutcome";
  absl::StatusOr<v1::Outcome> logged =
      store_->LogOutcome(kClinicA, "8d0e6a3c-9f1b-4b6e-9c51-2f6d0c9a7e11", SampleOutcome(), &audit);
  ASSERT_TRUE(logged.ok()) << logged.status();
  EXPECT_EQ(audit.stored, one_writer);

  WriteAudit refused = audit;
  refused.stored = false;
  v1::Outcome other = SampleOutcome();
  other.set_pain_after(other.pain_after() == 1 ? 2 : 1);
  EXPECT_EQ(store_->LogOutcome(kClinicA, "8d0e6a3c-9f1b-4b6e-9c51-2f6d0c9a7e11", other, &refused)
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(refused.stored) << "a refused write stores no record of success";

  WriteAudit amended = audit;
  amended.stored = false;
  amended.entry.method = "/scoliomassage.v1.OutcomeService/AmendOutcome";
  ASSERT_TRUE(store_->AmendOutcome(kClinicA, "0b3f4d2e-6a7c-4e1f-8b9d-5c2a1e0f3d47", logged->name(),
                                   SampleOutcome(), "typo", &amended)
                  .ok());
  EXPECT_EQ(amended.stored, one_writer);

  absl::StatusOr<AuditPage> page = store_->ListAudit(kClinicA, v1::ListAuditRecordsRequest());
  ASSERT_TRUE(page.ok()) << page.status();
  if (!one_writer) {
    EXPECT_TRUE(page->records.empty());
    return;
  }
  ASSERT_EQ(page->records.size(), 2u);
  EXPECT_EQ(page->records[0].subject(), logged->name()) << "the written outcome's name";
  EXPECT_EQ(page->records[0].method(), "/scoliomassage.v1.OutcomeService/LogOutcome");
  EXPECT_EQ(page->records[1].method(), "/scoliomassage.v1.OutcomeService/AmendOutcome");
  EXPECT_EQ(page->records[1].subject(), logged->name());
  EXPECT_EQ(page->records[0].status_code(), 0);
  EXPECT_EQ(page->records[0].principal(), "host-1");
}

TEST_P(StoreConformanceTest, AuditRecordsAreAppendedAndListedPerClinic) {
  for (int i = 0; i < 5; ++i) {
    AuditEntry entry;
    entry.time_us = kBaseTimeUs + i * 1000000LL;
    entry.principal = absl::StrCat("therapist-", i);
    entry.role = "therapist";
    entry.clinic_id = kClinicA;
    entry.method = "/scoliomassage.v1.OutcomeService/LogOutcome";
    entry.subject = absl::StrCat("outcomes/", i);
    entry.status_code = i;
    ASSERT_TRUE(store_->AppendAudit(entry).ok());
  }
  AuditEntry other;
  other.clinic_id = kClinicB;
  other.principal = "admin-b";
  other.role = "admin";
  other.method = "/scoliomassage.v1.AuditService/ListAuditRecords";
  ASSERT_TRUE(store_->AppendAudit(other).ok());  // time 0: now

  v1::ListAuditRecordsRequest request;
  request.set_page_size(2);
  std::vector<v1::AuditRecord> records;
  do {
    absl::StatusOr<AuditPage> page = store_->ListAudit(kClinicA, request);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_LE(page->records.size(), 2u);
    records.insert(records.end(), page->records.begin(), page->records.end());
    request.set_page_token(page->next_page_token);
  } while (!request.page_token().empty());
  ASSERT_EQ(records.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(records[i].principal(), absl::StrCat("therapist-", i));
    EXPECT_EQ(records[i].clinic_id(), kClinicA);
    EXPECT_EQ(records[i].status_code(), i);
    EXPECT_EQ(records[i].subject(), absl::StrCat("outcomes/", i));
    EXPECT_EQ(Micros(records[i].time()), kBaseTimeUs + i * 1000000LL);
    if (i > 0) {
      EXPECT_GT(records[i].id(), records[i - 1].id());
    }
  }

  v1::ListAuditRecordsRequest range;
  *range.mutable_start_time() = TimeAt(kBaseTimeUs + 1000000);
  *range.mutable_end_time() = TimeAt(kBaseTimeUs + 3000000);
  absl::StatusOr<AuditPage> ranged = store_->ListAudit(kClinicA, range);
  ASSERT_TRUE(ranged.ok());
  ASSERT_EQ(ranged->records.size(), 2u);
  EXPECT_EQ(ranged->records[0].principal(), "therapist-1");

  absl::StatusOr<AuditPage> b_records = store_->ListAudit(kClinicB, {});
  ASSERT_TRUE(b_records.ok());
  ASSERT_EQ(b_records->records.size(), 1u);
  EXPECT_EQ(b_records->records[0].principal(), "admin-b");
  EXPECT_GT(b_records->records[0].time().seconds(), kBaseTimeUs / 1000000);
}

TEST_P(StoreConformanceTest, RecommendationsAreStoredOnceAndRetriesAreHarmless) {
  v1::RecommendProtocolRequest request;
  request.set_patient_id("patient-1");
  v1::RecommendProtocolResponse response;
  response.set_recommendation_id("rec-1");
  response.set_decision(v1::DECISION_PROCEED);
  response.mutable_protocol()->set_protocol_id("lumbar-c-curve");
  EXPECT_TRUE(store_->SaveRecommendation(kClinicA, request, response).ok());
  EXPECT_TRUE(store_->SaveRecommendation(kClinicA, request, response).ok());
  EXPECT_TRUE(store_->SaveRecommendation(kClinicB, request, response).ok()) << "ids are per clinic";
  response.set_decision(v1::DECISION_REFER);
  EXPECT_EQ(store_->SaveRecommendation(kClinicA, request, response).code(),
            absl::StatusCode::kAlreadyExists);
}

// The serialized form BackgroundRecords hands to the writer stores exactly
// what SaveRecommendation stores: same row, same retry and conflict rules.
TEST_P(StoreConformanceTest, ARecommendationRecordIsStoredAsSaveRecommendationStoresIt) {
  v1::RecommendProtocolRequest request;
  request.set_patient_id("patient-7");
  request.mutable_profile()->set_cobb_angle_degrees(18);
  v1::RecommendProtocolResponse response;
  response.set_recommendation_id("rec-7");
  response.set_decision(v1::DECISION_PROCEED);
  response.mutable_protocol()->set_protocol_id("lumbar-c-curve");
  response.mutable_create_time()->set_seconds(kBaseTimeUs / 1000000);
  absl::StatusOr<RecommendationRecord> record = MakeRecommendationRecord(request, response);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->recommendation_id, "rec-7");
  EXPECT_EQ(record->patient_id, "patient-7");
  EXPECT_EQ(record->protocol_id, "lumbar-c-curve");
  EXPECT_EQ(record->create_time_us, kBaseTimeUs / 1000000 * 1000000);
  ASSERT_TRUE(store_->SaveRecommendationRecord(kClinicA, *record).ok());

  absl::StatusOr<StoredRecommendation> stored = store_->GetRecommendation(kClinicA, "rec-7");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(MessageDifferencer::Equals(stored->request, request));
  EXPECT_TRUE(MessageDifferencer::Equals(stored->response, response));
  EXPECT_EQ(store_->GetRecommendation(kClinicB, "rec-7").status().code(),
            absl::StatusCode::kNotFound);
  // A retry through either path is harmless; other content is refused.
  EXPECT_TRUE(store_->SaveRecommendation(kClinicA, request, response).ok());
  EXPECT_TRUE(store_->SaveRecommendationRecord(kClinicA, *record).ok());
  response.set_decision(v1::DECISION_REFER);
  absl::StatusOr<RecommendationRecord> changed = MakeRecommendationRecord(request, response);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(store_->SaveRecommendationRecord(kClinicA, *changed).code(),
            absl::StatusCode::kAlreadyExists);

  response.clear_recommendation_id();
  EXPECT_EQ(MakeRecommendationRecord(request, response).status().code(),
            absl::StatusCode::kInvalidArgument);
  RecommendationRecord unnamed = *record;
  unnamed.recommendation_id.clear();
  EXPECT_EQ(store_->SaveRecommendationRecord(kClinicA, unnamed).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, EverythingAcknowledgedIsThereAfterReopening) {
  std::mt19937 random(5);
  std::vector<v1::Outcome> acknowledged;
  for (int i = 0; i < 20; ++i) acknowledged.push_back(Log(RandomOutcome(random)));
  absl::StatusOr<v1::Outcome> amended = store_->AmendOutcome(
      kClinicA, NewRequestId(), acknowledged[4].name(), RandomOutcome(random), "fix");
  ASSERT_TRUE(amended.ok());
  AuditEntry entry;
  entry.clinic_id = kClinicA;
  entry.principal = "host";
  ASSERT_TRUE(store_->AppendAudit(entry).ok());

  Reopen();
  for (const v1::Outcome& outcome : acknowledged) {
    absl::StatusOr<v1::Outcome> read = store_->GetOutcome(kClinicA, outcome.name(), 1);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_TRUE(MessageDifferencer::Equals(*read, outcome));
  }
  absl::StatusOr<v1::Outcome> latest = store_->GetOutcome(kClinicA, amended->name(), 0);
  ASSERT_TRUE(latest.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*latest, *amended));
  EXPECT_EQ(ScanAll(kClinicA).size(), 20u);
  absl::StatusOr<AuditPage> audit = store_->ListAudit(kClinicA, {});
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->records.size(), 1u);
  // New outcomes still sort after the old ones (create times keep rising).
  const v1::Outcome after_restart = Log(SampleOutcome());
  EXPECT_EQ(ScanAll(kClinicA).back().outcome().name(), after_restart.name());
}

TEST_P(StoreConformanceTest, ManyConcurrentLogsAreAllAcknowledgedAndStored) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 25;
  std::vector<std::vector<std::string>> names(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(100 + t);
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<v1::Outcome> stored =
            store_->LogOutcome(kClinicA, NewRequestId(), RandomOutcome(random));
        if (stored.ok()) names[t].push_back(stored->name());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> acknowledged;
  for (const auto& list : names) acknowledged.insert(list.begin(), list.end());
  EXPECT_EQ(acknowledged.size(), size_t{kThreads * kPerThread});
  const auto stored = Names(ScanAll(kClinicA));
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()), acknowledged);
}

TEST_P(StoreConformanceTest, FullDiskIsResourceExhaustedAndTheStoreRecovers) {
  const v1::Outcome before_full = Log(SampleOutcome());
  absl::Status simulate = environment_->SimulateDiskFull(*store_, true);
  ASSERT_TRUE(simulate.ok()) << simulate;

  std::mt19937 random(3);
  std::vector<std::string> acknowledged = {before_full.name()};
  absl::Status failure;
  std::string failed_request_id;
  v1::Outcome failed_outcome;
  for (int i = 0; i < 5000 && failure.ok(); ++i) {
    failed_request_id = NewRequestId();
    failed_outcome = RandomOutcome(random);
    failed_outcome.set_relaxation_notes(std::string(1500, 'n'));  // fill pages quickly
    absl::StatusOr<v1::Outcome> stored =
        store_->LogOutcome(kClinicA, failed_request_id, failed_outcome);
    if (stored.ok()) {
      acknowledged.push_back(stored->name());
    } else {
      failure = stored.status();
    }
  }
  ASSERT_FALSE(failure.ok()) << "the write never hit the size cap";
  EXPECT_EQ(failure.code(), absl::StatusCode::kResourceExhausted) << failure;

  // Reads still work and show exactly what was acknowledged.
  absl::StatusOr<v1::Outcome> read = store_->GetOutcome(kClinicA, before_full.name(), 0);
  ASSERT_TRUE(read.ok()) << read.status();
  auto names = Names(ScanAll(kClinicA));
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()),
            std::set<std::string>(acknowledged.begin(), acknowledged.end()));

  ASSERT_TRUE(environment_->SimulateDiskFull(*store_, false).ok());
  // The failed request left nothing behind: its retry stores it once.
  absl::StatusOr<v1::Outcome> retried =
      store_->LogOutcome(kClinicA, failed_request_id, failed_outcome);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->revision(), 1);
  names = Names(ScanAll(kClinicA));
  EXPECT_EQ(names.size(), acknowledged.size() + 1);
  EXPECT_EQ(names.back(), retried->name());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::ValuesIn(AllStoreBackends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace scoliomassage::storage::testing
