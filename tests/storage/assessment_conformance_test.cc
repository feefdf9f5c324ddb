// Assessments and episodes of care in the Store: the same suite on every
// backend (SQLite on a real temp file; PostgreSQL when
// SCOLIOMASSAGE_TEST_POSTGRES_URL is set).
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
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
constexpr int64_t kHourUs = 3600LL * 1000000;

google::protobuf::Timestamp At(int64_t micros) {
  google::protobuf::Timestamp time;
  time.set_seconds(micros / 1000000);
  time.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return time;
}

// An already scored ODI assessment (the Store stores what it is given).
v1::Assessment Odi(const std::string& patient, int64_t performed_at_us, double total) {
  v1::Assessment assessment;
  assessment.set_patient_id(patient);
  assessment.set_instrument_id("odi");
  assessment.set_instrument_version("2.1a");
  for (int item = 1; item <= 10; ++item) {
    v1::Answer* answer = assessment.add_answers();
    answer->set_item(std::to_string(item));
    answer->set_value(item % 6);
  }
  *assessment.mutable_performed_at() = At(performed_at_us);
  v1::AssessmentScore* score = assessment.add_scores();
  score->set_domain("total");
  score->set_value(total);
  score->set_scoreable(true);
  score->set_answered_items(10);
  return assessment;
}

std::string IdOf(const std::string& name) { return name.substr(name.find('/') + 1); }

class AssessmentConformanceTest : public StoreBackendTest {
 protected:
  v1::Assessment Record(const v1::Assessment& assessment, const std::string& clinic = kClinicA) {
    auto stored = store_->RecordAssessment(clinic, NewRequestId(), assessment);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : v1::Assessment();
  }
  v1::Outcome Log(const v1::Outcome& outcome, const std::string& clinic = kClinicA) {
    auto stored = store_->LogOutcome(clinic, NewRequestId(), outcome);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : v1::Outcome();
  }
  std::vector<v1::Assessment> ListAll(const std::string& patient, const std::string& clinic = kClinicA) {
    v1::ListAssessmentsRequest request;
    request.set_patient_id(patient);
    std::vector<v1::Assessment> all;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = store_->ListAssessments(clinic, request, 2);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (auto& assessment : page->assessments) all.push_back(assessment);
      if (page->next_page_token.empty()) break;
      request.set_page_token(page->next_page_token);
    }
    return all;
  }
};

TEST_P(AssessmentConformanceTest, RecordedAssessmentRoundTripsWithScoresAndEpisode) {
  v1::Assessment stored = Record(Odi("patient-1", kBaseTimeUs, 40));
  EXPECT_EQ(stored.name().rfind("assessments/", 0), 0u);
  EXPECT_EQ(stored.episode().rfind("episodes/", 0), 0u);
  EXPECT_TRUE(stored.has_create_time());
  Reopen();  // acknowledged means durable
  std::vector<v1::Assessment> listed = ListAll("patient-1");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name(), stored.name());
  EXPECT_EQ(listed[0].answers_size(), 10);
  ASSERT_EQ(listed[0].scores_size(), 1);
  EXPECT_DOUBLE_EQ(listed[0].scores(0).value(), 40);
  EXPECT_EQ(listed[0].episode(), stored.episode());
}

TEST_P(AssessmentConformanceTest, RetryReturnsTheFirstAndAnotherBodyIsAlreadyExists) {
  const std::string request_id = NewRequestId();
  auto first = store_->RecordAssessment(kClinicA, request_id, Odi("patient-1", kBaseTimeUs, 40));
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = store_->RecordAssessment(kClinicA, request_id, Odi("patient-1", kBaseTimeUs, 40));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->name(), first->name());
  v1::Assessment other = Odi("patient-1", kBaseTimeUs, 40);
  other.mutable_answers(0)->set_value(5);
  auto reused = store_->RecordAssessment(kClinicA, request_id, other);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ListAll("patient-1").size(), 1u);
  // The same request id in another clinic is another request.
  EXPECT_TRUE(store_->RecordAssessment(kClinicB, request_id, other).ok());
}

TEST_P(AssessmentConformanceTest, ConcurrentRetriesStoreOneAssessmentAndOneEpisode) {
  const std::string request_id = NewRequestId();
  std::vector<std::thread> threads;
  std::vector<std::string> names(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      for (int attempt = 0; attempt < 5; ++attempt) {
        auto stored =
            store_->RecordAssessment(kClinicA, request_id, Odi("patient-9", kBaseTimeUs, 30));
        if (stored.ok()) {
          names[i] = stored->name();
          return;
        }
        ASSERT_EQ(stored.status().code(), absl::StatusCode::kUnavailable) << stored.status();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const std::string& name : names) EXPECT_EQ(name, names[0]);
  EXPECT_EQ(ListAll("patient-9").size(), 1u);
  auto episodes = store_->ListEpisodes(kClinicA, "patient-9");
  ASSERT_TRUE(episodes.ok());
  EXPECT_EQ(episodes->size(), 1u);
}

TEST_P(AssessmentConformanceTest, ListIsNewestFirstPagedAndScopedByClinicAndFilters) {
  for (int i = 0; i < 5; ++i) Record(Odi("patient-1", kBaseTimeUs + i * kHourUs, 40 - i));
  Record(Odi("patient-1", kBaseTimeUs, 99), kClinicB);
  Record(Odi("patient-2", kBaseTimeUs, 10));
  std::vector<v1::Assessment> all = ListAll("patient-1");
  ASSERT_EQ(all.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(all[i].scores(0).value(), 36 + i);
  EXPECT_EQ(ListAll("patient-1", kClinicB).size(), 1u);
  v1::ListAssessmentsRequest by_instrument;
  by_instrument.set_patient_id("patient-1");
  by_instrument.set_instrument_id("ndi");
  auto none = store_->ListAssessments(kClinicA, by_instrument, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->assessments.empty());
  v1::ListAssessmentsRequest garbage;
  garbage.set_patient_id("patient-1");
  garbage.set_page_token("not a token");
  EXPECT_EQ(store_->ListAssessments(kClinicA, garbage, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(AssessmentConformanceTest, LatestPairIsTheNewestAndThePreviousOfItsInstrument) {
  Record(Odi("patient-1", kBaseTimeUs, 40));
  v1::Assessment ndi = Odi("patient-1", kBaseTimeUs + kHourUs, 20);
  ndi.set_instrument_id("ndi");
  Record(ndi);
  Record(Odi("patient-1", kBaseTimeUs + 2 * kHourUs, 24));
  auto pair = store_->LatestAssessmentPair(kClinicA, "patient-1");
  ASSERT_TRUE(pair.ok()) << pair.status();
  ASSERT_EQ(pair->size(), 2u);
  EXPECT_DOUBLE_EQ((*pair)[0].scores(0).value(), 24);
  EXPECT_DOUBLE_EQ((*pair)[1].scores(0).value(), 40);
  auto other_clinic = store_->LatestAssessmentPair(kClinicB, "patient-1");
  ASSERT_TRUE(other_clinic.ok());
  EXPECT_TRUE(other_clinic->empty());
}

// The check-in's one snapshot reads what the three separate reads read.
TEST_P(AssessmentConformanceTest, ReadCheckInIsTheProgressFilmsAndPairInOneRead) {
  for (int i = 0; i < 3; ++i) {
    v1::Outcome session = SampleOutcome("patient-1");
    *session.mutable_performed_at() = At(kBaseTimeUs + i * kHourUs);
    session.set_pain_before(7 - i);
    Log(session);
  }
  for (int day = 0; day < 4; ++day) {
    v1::CurveMeasurement film;
    film.set_patient_id("patient-1");
    *film.mutable_taken_at() = At(kBaseTimeUs + day * 24 * kHourUs);
    film.set_spine_region(v1::SPINE_REGION_THORACIC);
    film.set_cobb_angle_degrees(20 + day);
    film.set_convex_side(v1::SIDE_RIGHT);
    ASSERT_TRUE(store_->RecordCurveMeasurement(kClinicA, NewRequestId(), film).ok());
  }
  Record(Odi("patient-1", kBaseTimeUs, 40));
  Record(Odi("patient-1", kBaseTimeUs + kHourUs, 30));

  auto reads = store_->ReadCheckIn(kClinicA, "patient-1", 3, /*with_assessments=*/true);
  ASSERT_TRUE(reads.ok()) << reads.status();
  auto progress = store_->GetPatientProgress(kClinicA, "patient-1");
  ASSERT_TRUE(progress.ok());
  EXPECT_EQ(reads->progress.sessions_logged, 3);
  EXPECT_EQ(reads->progress.sessions_logged, progress->sessions_logged);
  ASSERT_TRUE(reads->progress.last_outcome.has_value());
  EXPECT_EQ(reads->progress.last_outcome->name(), progress->last_outcome->name());
  EXPECT_EQ(reads->progress.first_pain_before, std::optional<int32_t>(7));
  auto films = store_->ListCurveMeasurements(kClinicA, "patient-1", 3, "");
  ASSERT_TRUE(films.ok());
  ASSERT_EQ(reads->progress.curve_measurements.size(), 3u) << "at most `films`, newest first";
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(reads->progress.curve_measurements[i].name(), films->measurements[i].name());
  }
  EXPECT_DOUBLE_EQ(reads->progress.curve_measurements[0].cobb_angle_degrees(), 23);
  ASSERT_EQ(reads->assessment_pair.size(), 2u);
  EXPECT_DOUBLE_EQ(reads->assessment_pair[0].scores(0).value(), 30);
  EXPECT_DOUBLE_EQ(reads->assessment_pair[1].scores(0).value(), 40);

  auto without = store_->ReadCheckIn(kClinicA, "patient-1", 3, /*with_assessments=*/false);
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE(without->assessment_pair.empty());
  auto nobody = store_->ReadCheckIn(kClinicB, "patient-1", 3, true);
  ASSERT_TRUE(nobody.ok());
  EXPECT_EQ(nobody->progress.sessions_logged, 0);
  EXPECT_TRUE(nobody->progress.curve_measurements.empty());
  EXPECT_TRUE(nobody->assessment_pair.empty());
  EXPECT_EQ(store_->ReadCheckIn(kClinicA, "patient-1", 0, true).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(AssessmentConformanceTest, SessionsAndAssessmentsShareTheOpenEpisodeUntilItCloses) {
  v1::Outcome first = SampleOutcome("patient-1");
  *first.mutable_performed_at() = At(kBaseTimeUs);
  v1::Outcome logged = Log(first);
  ASSERT_EQ(logged.episode().rfind("episodes/", 0), 0u);
  v1::Assessment assessment = Record(Odi("patient-1", kBaseTimeUs + kHourUs, 40));
  EXPECT_EQ(assessment.episode(), logged.episode());
  // The episode opened at the first session's time.
  auto episodes = store_->ListEpisodes(kClinicA, "patient-1");
  ASSERT_TRUE(episodes.ok());
  ASSERT_EQ(episodes->size(), 1u);
  EXPECT_TRUE((*episodes)[0].open());
  EXPECT_EQ((*episodes)[0].opened_at().seconds(), kBaseTimeUs / 1000000);
  // An explicit open while one is open is refused and changes nothing.
  auto second = store_->OpenEpisode(kClinicA, NewRequestId(), "patient-1", 0);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  // Closing before it opened is refused; closing works, and again is harmless.
  EXPECT_EQ(store_->CloseEpisode(kClinicA, IdOf(logged.episode()), kBaseTimeUs - 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto closed = store_->CloseEpisode(kClinicA, IdOf(logged.episode()), kBaseTimeUs + 5 * kHourUs);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_FALSE(closed->open());
  auto again = store_->CloseEpisode(kClinicA, IdOf(logged.episode()), kBaseTimeUs + 9 * kHourUs);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->closed_at().seconds(), closed->closed_at().seconds());
  // The next session opens a new episode.
  v1::Outcome next = SampleOutcome("patient-1");
  *next.mutable_performed_at() = At(kBaseTimeUs + 24 * kHourUs);
  v1::Outcome later = Log(next);
  EXPECT_NE(later.episode(), logged.episode());
  // Another clinic sees none of it.
  EXPECT_EQ(store_->CloseEpisode(kClinicB, IdOf(later.episode()), 0).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetEpisodeRecord(kClinicB, IdOf(later.episode())).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(AssessmentConformanceTest, OpenEpisodeIsIdempotentOnRequestId) {
  const std::string request_id = NewRequestId();
  auto opened = store_->OpenEpisode(kClinicA, request_id, "patient-3", kBaseTimeUs);
  ASSERT_TRUE(opened.ok()) << opened.status();
  auto retry = store_->OpenEpisode(kClinicA, request_id, "patient-3", kBaseTimeUs);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->name(), opened->name());
  EXPECT_EQ(store_->OpenEpisode(kClinicA, request_id, "patient-4", kBaseTimeUs).status().code(),
            absl::StatusCode::kAlreadyExists);
  // A session logged now joins the explicitly opened episode.
  v1::Outcome outcome = SampleOutcome("patient-3");
  EXPECT_EQ(Log(outcome).episode(), opened->name());
}

TEST_P(AssessmentConformanceTest, EpisodeRecordHasFirstAndLatestPainAndTheAssessments) {
  std::string episode;
  const int pains[] = {7, 6, 4};
  for (int i = 0; i < 3; ++i) {
    v1::Outcome outcome = SampleOutcome("patient-1");
    outcome.set_pain_before(pains[i]);
    // Logged out of order: the record follows performed_at.
    *outcome.mutable_performed_at() = At(kBaseTimeUs + (i == 0 ? 0 : (3 - i)) * 24 * kHourUs);
    episode = Log(outcome).episode();
  }
  Record(Odi("patient-1", kBaseTimeUs + kHourUs, 40));
  Record(Odi("patient-1", kBaseTimeUs + 80 * kHourUs, 24));
  auto record = store_->GetEpisodeRecord(kClinicA, IdOf(episode));
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->pain_sessions, 3);
  ASSERT_TRUE(record->first_pain.has_value());
  EXPECT_EQ(record->first_pain->value, 7);
  ASSERT_TRUE(record->latest_pain.has_value());
  EXPECT_EQ(record->latest_pain->value, 6);  // performed last (day 2)
  ASSERT_EQ(record->assessments.size(), 2u);
  EXPECT_DOUBLE_EQ(record->assessments[0].scores(0).value(), 40);
  EXPECT_DOUBLE_EQ(record->assessments[1].scores(0).value(), 24);
}

TEST_P(AssessmentConformanceTest, AnAmendmentKeepsItsEpisodeUnlessThePatientChanges) {
  v1::Outcome logged = Log(SampleOutcome("patient-1"));
  v1::Outcome corrected = SampleOutcome("patient-1");
  corrected.set_pain_after(2);
  auto amended = store_->AmendOutcome(kClinicA, NewRequestId(), logged.name(), corrected, "typo");
  ASSERT_TRUE(amended.ok()) << amended.status();
  EXPECT_EQ(amended->episode(), logged.episode());
  v1::Outcome moved = SampleOutcome("patient-2");
  auto reassigned = store_->AmendOutcome(kClinicA, NewRequestId(), logged.name(), moved, "wrong patient");
  ASSERT_TRUE(reassigned.ok()) << reassigned.status();
  EXPECT_NE(reassigned->episode(), logged.episode());
  auto record = store_->GetEpisodeRecord(kClinicA, IdOf(logged.episode()));
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->pain_sessions, 0);  // the session left patient-1's episode
}

TEST_P(AssessmentConformanceTest, SummaryByInstrumentMatchesAnIndependentComputation) {
  std::mt19937 random(14);
  struct Totals {
    int64_t count = 0;
    double sum = 0;
    int64_t unscoreable = 0;
    std::set<std::string> patients;
  };
  std::map<std::string, Totals> expected;            // "instrument|domain"
  std::map<std::string, int64_t> expected_by_episode;  // "instrument|domain|episode"
  for (int i = 0; i < 40; ++i) {
    const std::string patient = absl::StrCat("patient-", random() % 6);
    const bool ndi = random() % 3 == 0;
    v1::Assessment assessment = Odi(patient, kBaseTimeUs + i * kHourUs, 0);
    assessment.set_instrument_id(ndi ? "ndi" : "odi");
    assessment.clear_scores();
    for (const char* domain : {"total", "extra"}) {
      v1::AssessmentScore* score = assessment.add_scores();
      score->set_domain(domain);
      score->set_scoreable(random() % 5 != 0);
      score->set_value(score->scoreable() ? static_cast<double>(random() % 500) / 10.0 : 0);
    }
    v1::Assessment stored = Record(assessment);
    for (const v1::AssessmentScore& score : assessment.scores()) {
      const std::string key = absl::StrCat(assessment.instrument_id(), "|", score.domain());
      Totals& totals = expected[key];
      totals.patients.insert(patient);
      if (score.scoreable()) {
        ++totals.count;
        totals.sum += score.value();
        ++expected_by_episode[absl::StrCat(key, "|", stored.episode())];
      } else {
        ++totals.unscoreable;
      }
    }
  }
  Record(Odi("patient-1", kBaseTimeUs, 99), kClinicB);  // another clinic: not counted
  auto groups = store_->Summarize(kClinicA, {}, {v1::GROUP_BY_INSTRUMENT});
  ASSERT_TRUE(groups.ok()) << groups.status();
  ASSERT_EQ(groups->size(), expected.size());
  for (const v1::SummaryGroup& group : *groups) {
    ASSERT_EQ(expected.count(group.key()), 1u) << group.key();
    const Totals& totals = expected[group.key()];
    EXPECT_EQ(group.assessment_count(), totals.count) << group.key();
    EXPECT_NEAR(group.mean_score(), totals.count ? totals.sum / totals.count : 0, 1e-9)
        << group.key();
    EXPECT_EQ(group.unscoreable_count(), totals.unscoreable) << group.key();
    EXPECT_EQ(group.patient_count(), static_cast<int64_t>(totals.patients.size())) << group.key();
    EXPECT_EQ(group.key_parts().at("instrument") + "|" + group.key_parts().at("domain"), group.key());
  }
  auto by_episode =
      store_->Summarize(kClinicA, {}, {v1::GROUP_BY_INSTRUMENT, v1::GROUP_BY_EPISODE});
  ASSERT_TRUE(by_episode.ok()) << by_episode.status();
  int64_t total = 0;
  for (const v1::SummaryGroup& group : *by_episode) {
    if (group.assessment_count() == 0) continue;
    ASSERT_EQ(expected_by_episode.count(group.key()), 1u) << group.key();
    EXPECT_EQ(group.assessment_count(), expected_by_episode[group.key()]) << group.key();
    total += group.assessment_count();
  }
  int64_t expected_total = 0;
  for (const auto& [key, count] : expected_by_episode) expected_total += count;
  EXPECT_EQ(total, expected_total);
  // Dimensions and filters that do not apply to questionnaires are refused.
  EXPECT_EQ(store_->Summarize(kClinicA, {}, {v1::GROUP_BY_INSTRUMENT, v1::GROUP_BY_PROTOCOL})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  v1::HistoryFilter therapist;
  therapist.set_therapist_id("therapist-1");
  EXPECT_EQ(store_->Summarize(kClinicA, therapist, {v1::GROUP_BY_INSTRUMENT}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(AssessmentConformanceTest, SessionSummaryByEpisodeCountsEachEpisodesSessions) {
  std::map<std::string, int64_t> expected;
  std::map<std::string, double> pain_before_sum;
  for (int i = 0; i < 12; ++i) {
    v1::Outcome outcome = SampleOutcome(absl::StrCat("patient-", i % 3));
    outcome.set_pain_before(3 + i % 5);
    *outcome.mutable_performed_at() = At(kBaseTimeUs + i * kHourUs);
    v1::Outcome stored = Log(outcome);
    ++expected[stored.episode()];
    pain_before_sum[stored.episode()] += outcome.pain_before();
    if (i == 5) {  // discharge patient-2: their later sessions open a new episode
      ASSERT_TRUE(store_->CloseEpisode(kClinicA, IdOf(stored.episode()), 0).ok());
    }
  }
  auto groups = store_->Summarize(kClinicA, {}, {v1::GROUP_BY_EPISODE});
  ASSERT_TRUE(groups.ok()) << groups.status();
  ASSERT_EQ(groups->size(), expected.size());
  EXPECT_EQ(expected.size(), 4u);
  for (const v1::SummaryGroup& group : *groups) {
    ASSERT_EQ(expected.count(group.key()), 1u) << group.key();
    EXPECT_EQ(group.session_count(), expected[group.key()]);
    EXPECT_NEAR(group.mean_pain_before(), pain_before_sum[group.key()] / expected[group.key()], 1e-9);
    EXPECT_EQ(group.key_parts().at("episode"), group.key());
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, AssessmentConformanceTest, ::testing::ValuesIn(AllStoreBackends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace scoliomassage::storage::testing
