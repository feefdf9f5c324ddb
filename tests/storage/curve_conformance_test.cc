// The Store's curve measurements, on every backend (store_backends.cc:
// SQLite on a real temp file; PostgreSQL when SCOLIOMASSAGE_TEST_POSTGRES_URL
// is set): revisions, idempotent retries, clinic isolation and paging.
#include <set>
#include <thread>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "outcome_samples.h"
#include "store_backend_test.h"

namespace scoliomassage::storage::testing {
namespace {

using ::google::protobuf::util::MessageDifferencer;

constexpr char kClinicA[] = "clinic-a";
constexpr char kClinicB[] = "clinic-b";
constexpr int64_t kDayUs = 86400LL * 1000000;

v1::CurveMeasurement Film(const std::string& patient, int day, double cobb) {
  v1::CurveMeasurement film;
  film.set_patient_id(patient);
  const int64_t at = kBaseTimeUs + day * kDayUs + 123457;  // microseconds survive
  film.mutable_taken_at()->set_seconds(at / 1000000);
  film.mutable_taken_at()->set_nanos(static_cast<int32_t>(at % 1000000) * 1000 + 999);
  film.set_spine_region(v1::SPINE_REGION_THORACIC);
  film.set_cobb_angle_degrees(cobb);
  film.set_convex_side(v1::SIDE_RIGHT);
  film.set_apex("T8");
  film.set_risser_grade(2);
  film.set_measured_by("dr-radiology");
  film.set_imaging_ref("PACS-0001");
  return film;
}

class CurveConformanceTest : public StoreBackendTest {
 protected:
  v1::CurveMeasurement Record(const v1::CurveMeasurement& film,
                              const std::string& clinic = kClinicA) {
    auto stored = store_->RecordCurveMeasurement(clinic, NewRequestId(), film);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : v1::CurveMeasurement();
  }
  std::vector<v1::CurveMeasurement> ListAll(const std::string& patient,
                                            const std::string& clinic = kClinicA) {
    auto page = store_->ListCurveMeasurements(clinic, patient, 100, "");
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->measurements : std::vector<v1::CurveMeasurement>();
  }
};

TEST_P(CurveConformanceTest, RecordSetsOutputFieldsAndReadsBackAfterReopen) {
  const v1::CurveMeasurement stored = Record(Film("p1", 0, 22.5));
  EXPECT_THAT(stored.name(), ::testing::MatchesRegex("curveMeasurements/[0-9a-f]{32}"));
  EXPECT_EQ(stored.revision(), 1);
  EXPECT_TRUE(stored.has_create_time());
  EXPECT_EQ(stored.taken_at().nanos() % 1000, 0) << "truncated to microseconds";
  EXPECT_DOUBLE_EQ(stored.cobb_angle_degrees(), 22.5);
  Reopen();
  auto read = store_->GetCurveMeasurement(kClinicA, stored.name(), 0);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*read, stored));
}

TEST_P(CurveConformanceTest, RetryReturnsTheFirstResultAndAnotherBodyIsRefused) {
  const std::string request_id = NewRequestId();
  auto first = store_->RecordCurveMeasurement(kClinicA, request_id, Film("p1", 0, 20));
  ASSERT_TRUE(first.ok()) << first.status();
  auto retry = store_->RecordCurveMeasurement(kClinicA, request_id, Film("p1", 0, 20));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*first, *retry));
  auto other = store_->RecordCurveMeasurement(kClinicA, request_id, Film("p1", 0, 21));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ListAll("p1").size(), 1u);
  // The same request id in another clinic is another request.
  auto elsewhere = store_->RecordCurveMeasurement(kClinicB, request_id, Film("p1", 0, 21));
  ASSERT_TRUE(elsewhere.ok()) << elsewhere.status();
  EXPECT_NE(elsewhere->name(), first->name());
}

TEST_P(CurveConformanceTest, AmendmentsAreNewRevisionsAndTheOldOnesStayReadable) {
  const v1::CurveMeasurement first = Record(Film("p1", 0, 20));
  v1::CurveMeasurement corrected = Film("p1", 0, 25);
  const std::string request_id = NewRequestId();
  auto second = store_->AmendCurveMeasurement(kClinicA, request_id, first.name(), corrected,
                                              "re-measured on the original film");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->name(), first.name());
  EXPECT_EQ(second->revision(), 2);
  EXPECT_EQ(second->amend_reason(), "re-measured on the original film");
  // A retry of the amendment stores nothing new.
  auto retry = store_->AmendCurveMeasurement(kClinicA, request_id, first.name(), corrected,
                                             "re-measured on the original film");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->revision(), 2);
  auto third = store_->AmendCurveMeasurement(kClinicA, NewRequestId(), first.name(),
                                             Film("p1", 0, 26), "second reader");
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->revision(), 3);

  auto original = store_->GetCurveMeasurement(kClinicA, first.name(), 1);
  ASSERT_TRUE(original.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*original, first));
  auto latest = store_->GetCurveMeasurement(kClinicA, first.name(), 0);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->revision(), 3);
  EXPECT_EQ(store_->GetCurveMeasurement(kClinicA, first.name(), 4).status().code(),
            absl::StatusCode::kNotFound);
  const auto listed = ListAll("p1");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].revision(), 3);
  EXPECT_DOUBLE_EQ(listed[0].cobb_angle_degrees(), 26);
}

TEST_P(CurveConformanceTest, AnAmendmentThatMovesTheFilmToAnotherPatientMovesItInTheList) {
  const v1::CurveMeasurement first = Record(Film("p1", 0, 20));
  ASSERT_TRUE(store_->AmendCurveMeasurement(kClinicA, NewRequestId(), first.name(),
                                            Film("p2", 0, 20), "filed under the wrong patient")
                  .ok());
  EXPECT_TRUE(ListAll("p1").empty());
  ASSERT_EQ(ListAll("p2").size(), 1u);
}

TEST_P(CurveConformanceTest, AnotherClinicSeesNothing) {
  const v1::CurveMeasurement film = Record(Film("p1", 0, 20));
  EXPECT_EQ(store_->GetCurveMeasurement(kClinicB, film.name(), 0).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_
                ->AmendCurveMeasurement(kClinicB, NewRequestId(), film.name(), Film("p1", 0, 30),
                                        "x")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(ListAll("p1", kClinicB).empty());
  auto unchanged = store_->GetCurveMeasurement(kClinicA, film.name(), 0);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->revision(), 1);
}

TEST_P(CurveConformanceTest, PagesGoNewestFilmFirstWithoutGapsOrRepeats) {
  // Days 3, 1, 4, 1, 5: two films on day 1 are ordered by name.
  std::set<std::string> names;
  for (int day : {3, 1, 4, 1, 5}) names.insert(Record(Film("p1", day, 20 + day)).name());
  Record(Film("p-other", 2, 40));
  std::vector<v1::CurveMeasurement> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = store_->ListCurveMeasurements(kClinicA, "p1", 2, token);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->measurements.size(), 2u);
    for (auto& m : page->measurements) seen.push_back(m);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 5u);
  std::set<std::string> seen_names;
  for (size_t i = 0; i < seen.size(); ++i) {
    seen_names.insert(seen[i].name());
    if (i == 0) continue;
    const auto& a = seen[i - 1];
    const auto& b = seen[i];
    const bool ordered = a.taken_at().seconds() > b.taken_at().seconds() ||
                         (a.taken_at().seconds() == b.taken_at().seconds() && a.name() > b.name());
    EXPECT_TRUE(ordered) << i;
  }
  EXPECT_EQ(seen_names, names);
  auto bad = store_->ListCurveMeasurements(kClinicA, "p1", 2, "not-a-token");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(CurveConformanceTest, RacingAmendmentsEachGetTheirOwnRevision) {
  const v1::CurveMeasurement first = Record(Film("p1", 0, 20));
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<v1::CurveMeasurement>> results(kThreads,
                                                            absl::UnknownError("not run"));
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = store_->AmendCurveMeasurement(kClinicA, NewRequestId(), first.name(),
                                                 Film("p1", 0, 21 + i), "reader " + std::to_string(i));
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<int> revisions;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    revisions.insert(result->revision());
  }
  EXPECT_EQ(revisions, (std::set<int>{2, 3, 4, 5}));
}

INSTANTIATE_TEST_SUITE_P(Backends, CurveConformanceTest, ::testing::ValuesIn(AllStoreBackends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace scoliomassage::storage::testing
