// The history stream over several kinds (Store::ScanRecords) and the curve
// and per-group patient counts of the summaries, on every backend
// (store_backends.cc: SQLite on a real temp file; PostgreSQL when
// SCOLIOMASSAGE_TEST_POSTGRES_URL is set).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "outcome_samples.h"
#include "store_backend_test.h"

namespace scoliomassage::storage::testing {
namespace {

constexpr char kClinicA[] = "clinic-a";
constexpr char kClinicB[] = "clinic-b";
constexpr int64_t kDayUs = 86400LL * 1000000;

google::protobuf::Timestamp At(int64_t us) {
  google::protobuf::Timestamp time;
  time.set_seconds(us / 1000000);
  time.set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  return time;
}

v1::CurveMeasurement Film(const std::string& patient, int day, double cobb,
                          v1::SpineRegion region = v1::SPINE_REGION_THORACIC) {
  v1::CurveMeasurement film;
  film.set_patient_id(patient);
  *film.mutable_taken_at() = At(kBaseTimeUs + day * kDayUs);
  film.set_spine_region(region);
  film.set_cobb_angle_degrees(cobb);
  film.set_measured_by("dr-radiology");
  film.set_imaging_ref("PACS-0001");
  return film;
}

v1::Assessment Odi(const std::string& patient, int day, double total) {
  v1::Assessment assessment;
  assessment.set_patient_id(patient);
  assessment.set_instrument_id("odi");
  assessment.set_instrument_version("2.1a");
  v1::Answer* answer = assessment.add_answers();
  answer->set_item("1");
  answer->set_value(2);
  *assessment.mutable_performed_at() = At(kBaseTimeUs + day * kDayUs);
  v1::AssessmentScore* score = assessment.add_scores();
  score->set_domain("total");
  score->set_value(total);
  score->set_scoreable(true);
  score->set_answered_items(10);
  return assessment;
}

const std::vector<v1::HistoryRecordKind> kAllKinds = {v1::HISTORY_RECORD_KIND_OUTCOME,
                                                      v1::HISTORY_RECORD_KIND_CURVE_MEASUREMENT,
                                                      v1::HISTORY_RECORD_KIND_ASSESSMENT};

std::string NameOf(const v1::HistoryRecord& record) {
  if (record.has_outcome()) return record.outcome().name();
  if (record.has_curve_measurement()) {
    return absl::StrCat(record.curve_measurement().name(), "@",
                        record.curve_measurement().revision());
  }
  return record.assessment().name();
}

class RecordHistoryTest : public StoreBackendTest {
 protected:
  std::string LogFor(const std::string& patient, const std::string& clinic = kClinicA) {
    auto stored = store_->LogOutcome(clinic, NewRequestId(), SampleOutcome(patient));
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? stored->name() : "";
  }
  v1::CurveMeasurement RecordFilm(const v1::CurveMeasurement& film,
                                  const std::string& clinic = kClinicA) {
    auto stored = store_->RecordCurveMeasurement(clinic, NewRequestId(), film);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : v1::CurveMeasurement();
  }
  std::string RecordOdi(const v1::Assessment& assessment) {
    auto stored = store_->RecordAssessment(kClinicA, NewRequestId(), assessment);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? stored->name() : "";
  }

  // Every record of `scan`, `limit` at a time, from `token`.
  std::vector<v1::HistoryRecord> ScanAll(RecordScan scan, int limit, std::string token = "",
                                         int* pages = nullptr) {
    std::vector<v1::HistoryRecord> records;
    scan.limit = limit;
    for (int guard = 0; guard < 1000; ++guard) {
      scan.resume_token = token;
      auto page = store_->ScanRecords(kClinicA, scan);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      if (pages != nullptr) ++*pages;
      for (auto& record : page->records) {
        token = record.resume_token();
        records.push_back(record);
      }
      if (page->done) break;
    }
    return records;
  }
};

TEST_P(RecordHistoryTest, InterleavesTheKindsInWriteOrderAndResumesAnywhere) {
  // Written in this order; create times rise with each write.
  std::vector<std::string> written;
  written.push_back(LogFor("p1"));
  const v1::CurveMeasurement film = RecordFilm(Film("p1", 0, 20));
  written.push_back(absl::StrCat(film.name(), "@1"));
  written.push_back(RecordOdi(Odi("p1", 1, 40)));
  written.push_back(LogFor("p2"));
  written.push_back(absl::StrCat(RecordFilm(Film("p2", 2, 30)).name(), "@1"));
  written.push_back(RecordOdi(Odi("p2", 3, 22)));
  written.push_back(LogFor("p1"));
  RecordFilm(Film("other", 0, 25), kClinicB);  // another clinic: never seen

  RecordScan scan;
  scan.kinds = kAllKinds;
  for (int limit : {1, 2, 3, 100}) {
    int pages = 0;
    std::vector<std::string> names;
    for (const auto& record : ScanAll(scan, limit, "", &pages)) names.push_back(NameOf(record));
    EXPECT_EQ(names, written) << "limit " << limit;
  }
  const std::vector<v1::HistoryRecord> all = ScanAll(scan, 100);
  ASSERT_EQ(all.size(), written.size());
  EXPECT_EQ(all[0].kind(), v1::HISTORY_RECORD_KIND_OUTCOME);
  EXPECT_EQ(all[1].kind(), v1::HISTORY_RECORD_KIND_CURVE_MEASUREMENT);
  EXPECT_EQ(all[1].curve_measurement().imaging_ref(), "PACS-0001");  // the store minimises nothing
  EXPECT_EQ(all[2].kind(), v1::HISTORY_RECORD_KIND_ASSESSMENT);
  // Resuming after any record continues with the next, no gap, no duplicate.
  for (size_t i = 0; i < all.size(); ++i) {
    std::vector<std::string> rest;
    for (const auto& record : ScanAll(scan, 2, all[i].resume_token())) {
      rest.push_back(NameOf(record));
    }
    EXPECT_EQ(rest, std::vector<std::string>(written.begin() + static_cast<long>(i) + 1,
                                             written.end()))
        << "after record " << i;
  }
}

TEST_P(RecordHistoryTest, AnOutcomeStreamsTokenResumesTheMixedStream) {
  LogFor("p1");
  const std::string film = RecordFilm(Film("p1", 0, 20)).name();
  const std::string second = LogFor("p1");
  auto outcomes = store_->ScanHistory(kClinicA, {}, false, "", 100);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->records.size(), 2u);
  RecordScan scan;
  scan.kinds = kAllKinds;
  std::vector<std::string> names;
  for (const auto& record : ScanAll(scan, 10, outcomes->records[0].resume_token())) {
    names.push_back(NameOf(record));
  }
  EXPECT_THAT(names, ::testing::ElementsAre(film + "@1", second));
  // Only outcomes: the same records and tokens as the outcome stream.
  scan.kinds = {v1::HISTORY_RECORD_KIND_OUTCOME};
  const auto only = ScanAll(scan, 10);
  ASSERT_EQ(only.size(), 2u);
  for (size_t i = 0; i < only.size(); ++i) {
    EXPECT_EQ(only[i].resume_token(), outcomes->records[i].resume_token());
  }
}

TEST_P(RecordHistoryTest, LatestRevisionsUnlessAskedAndFiltersPerKind) {
  const v1::CurveMeasurement film = RecordFilm(Film("p1", 0, 20));
  RecordFilm(Film("p2", 0, 20, v1::SPINE_REGION_LUMBAR));
  RecordOdi(Odi("p1", 1, 40));
  auto amended =
      store_->AmendCurveMeasurement(kClinicA, NewRequestId(), film.name(), Film("p1", 0, 24), "misread");
  ASSERT_TRUE(amended.ok()) << amended.status();

  RecordScan scan;
  scan.kinds = {v1::HISTORY_RECORD_KIND_CURVE_MEASUREMENT};
  auto latest = ScanAll(scan, 10);
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].curve_measurement().revision(), 2);
  EXPECT_EQ(latest[0].curve_measurement().cobb_angle_degrees(), 24);
  scan.include_revisions = true;
  EXPECT_EQ(ScanAll(scan, 1).size(), 3u);
  scan.include_revisions = false;

  scan.filter.set_spine_region(v1::SPINE_REGION_LUMBAR);
  auto lumbar = ScanAll(scan, 10);
  ASSERT_EQ(lumbar.size(), 1u);
  EXPECT_EQ(lumbar[0].curve_measurement().patient_id(), "p2");

  scan.filter.Clear();
  scan.filter.set_patient_id("p1");
  scan.kinds = kAllKinds;
  EXPECT_EQ(ScanAll(scan, 10).size(), 2u);  // p1's film and assessment

  scan.filter.Clear();
  *scan.filter.mutable_start_time() = At(kBaseTimeUs + kDayUs / 2);  // after the films
  scan.kinds = {v1::HISTORY_RECORD_KIND_CURVE_MEASUREMENT, v1::HISTORY_RECORD_KIND_ASSESSMENT};
  auto later = ScanAll(scan, 10);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].kind(), v1::HISTORY_RECORD_KIND_ASSESSMENT);
}

TEST_P(RecordHistoryTest, RefusesFiltersAKindLacksBadKindsAndForeignTokens) {
  RecordScan scan;
  scan.kinds = {v1::HISTORY_RECORD_KIND_CURVE_MEASUREMENT};
  scan.filter.set_therapist_id("t1");
  EXPECT_EQ(store_->ScanRecords(kClinicA, scan).status().code(),
            absl::StatusCode::kInvalidArgument);
  scan.filter.Clear();
  scan.kinds = {v1::HISTORY_RECORD_KIND_ASSESSMENT};
  scan.filter.set_spine_region(v1::SPINE_REGION_LUMBAR);
  EXPECT_EQ(store_->ScanRecords(kClinicA, scan).status().code(),
            absl::StatusCode::kInvalidArgument);
  scan.filter.Clear();
  scan.kinds = {v1::HISTORY_RECORD_KIND_OUTCOME, v1::HISTORY_RECORD_KIND_OUTCOME};
  EXPECT_EQ(store_->ScanRecords(kClinicA, scan).status().code(),
            absl::StatusCode::kInvalidArgument);
  scan.kinds = {v1::HISTORY_RECORD_KIND_UNSPECIFIED};
  EXPECT_EQ(store_->ScanRecords(kClinicA, scan).status().code(),
            absl::StatusCode::kInvalidArgument);
  scan.kinds = kAllKinds;
  scan.resume_token = "not-a-token";
  EXPECT_EQ(store_->ScanRecords(kClinicA, scan).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(RecordHistoryTest, SummaryGroupsCountDistinctPatients) {
  // protocol of SampleOutcome for every session: p1 three times, p2 once.
  for (const char* patient : {"p1", "p1", "p1", "p2"}) LogFor(patient);
  auto groups = store_->Summarize(kClinicA, {}, {v1::GROUP_BY_PROTOCOL});
  ASSERT_TRUE(groups.ok()) << groups.status();
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].session_count(), 4);
  EXPECT_EQ((*groups)[0].patient_count(), 2);
  auto overall = store_->Summarize(kClinicA, {}, {});
  ASSERT_TRUE(overall.ok()) << overall.status();
  ASSERT_EQ(overall->size(), 1u);
  EXPECT_EQ((*overall)[0].patient_count(), 2);
}

TEST_P(RecordHistoryTest, CurveSummaryCountsFilmsMeansAndTrueProgressions) {
  // p1: 20 -> 23 -> 26 (6 degrees from the first: a true progression);
  // p2: 30 -> 33 (3: within measurement error); p3 lumbar once;
  // p4: 40 amended to 18, then 22 (4 from the amended first: none).
  RecordFilm(Film("p1", 0, 20));
  RecordFilm(Film("p1", 100, 23));
  RecordFilm(Film("p1", 200, 26));
  RecordFilm(Film("p2", 0, 30));
  RecordFilm(Film("p2", 150, 33));
  RecordFilm(Film("p3", 0, 15, v1::SPINE_REGION_LUMBAR));
  const v1::CurveMeasurement wrong = RecordFilm(Film("p4", 0, 40));
  ASSERT_TRUE(store_->AmendCurveMeasurement(kClinicA, NewRequestId(), wrong.name(),
                                            Film("p4", 0, 18), "misread")
                  .ok());
  RecordFilm(Film("p4", 90, 22));
  RecordFilm(Film("x", 0, 50), kClinicB);

  auto groups = store_->Summarize(kClinicA, {}, {v1::GROUP_BY_CURVE_REGION});
  ASSERT_TRUE(groups.ok()) << groups.status();
  std::map<std::string, v1::SummaryGroup> by_key;
  for (const auto& group : *groups) by_key[group.key()] = group;
  ASSERT_EQ(by_key.size(), 2u);
  const v1::SummaryGroup& thoracic = by_key["SPINE_REGION_THORACIC"];
  EXPECT_EQ(thoracic.key_parts().at("curve_region"), "SPINE_REGION_THORACIC");
  EXPECT_EQ(thoracic.film_count(), 7);
  EXPECT_DOUBLE_EQ(thoracic.mean_cobb_angle_degrees(), (20 + 23 + 26 + 30 + 33 + 18 + 22) / 7.0);
  EXPECT_EQ(thoracic.patient_count(), 3);
  EXPECT_EQ(thoracic.progressed_patient_count(), 1);
  const v1::SummaryGroup& lumbar = by_key["SPINE_REGION_LUMBAR"];
  EXPECT_EQ(lumbar.film_count(), 1);
  EXPECT_EQ(lumbar.patient_count(), 1);
  EXPECT_EQ(lumbar.progressed_patient_count(), 0);

  v1::HistoryFilter one;
  one.set_patient_id("p1");
  auto p1 = store_->Summarize(kClinicA, one, {v1::GROUP_BY_CURVE_REGION});
  ASSERT_TRUE(p1.ok()) << p1.status();
  ASSERT_EQ(p1->size(), 1u);
  EXPECT_EQ((*p1)[0].film_count(), 3);

  v1::HistoryFilter therapist;
  therapist.set_therapist_id("t1");
  EXPECT_EQ(store_->Summarize(kClinicA, therapist, {v1::GROUP_BY_CURVE_REGION}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Summarize(kClinicA, {}, {v1::GROUP_BY_CURVE_REGION, v1::GROUP_BY_PROTOCOL})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, RecordHistoryTest, ::testing::ValuesIn(AllStoreBackends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace scoliomassage::storage::testing
