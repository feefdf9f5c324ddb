// SQLite -> PostgreSQL import (postgres_sqlite_import.h) of the clinical
// record beyond outcomes: curve measurements and their revisions, episodes
// (one open, one closed), assessments with an unscoreable (NULL) score and
// a non-integer one, and CDS feedback. Run twice: the second run copies
// nothing. Then the PostgreSQL store reads back the same protos and a retry
// of an old request_id replays the first result. Needs
// SCOLIOMASSAGE_TEST_POSTGRES_URL (tests/support/postgres.sh); skips without.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "outcome_samples.h"
#include "postgres_test_database.h"
#include "storage/postgres_connection.h"
#include "storage/postgres_sqlite_import.h"
#include "storage/sqlite_store.h"

namespace scoliomassage::storage::testing {
namespace {

using ::google::protobuf::util::MessageDifferencer;

constexpr char kClinic[] = "clinic-a";
constexpr int64_t kDayUs = 86400LL * 1000000;

google::protobuf::Timestamp At(int64_t us) {
  google::protobuf::Timestamp time;
  time.set_seconds(us / 1000000);
  time.set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  return time;
}

v1::Assessment Odi(const std::string& patient, int day, std::optional<double> total) {
  v1::Assessment assessment;
  assessment.set_patient_id(patient);
  assessment.set_instrument_id("odi");
  assessment.set_instrument_version("2.1a");
  v1::Answer* answer = assessment.add_answers();
  answer->set_item("1");
  answer->set_value(3);
  *assessment.mutable_performed_at() = At(kBaseTimeUs + day * kDayUs);
  v1::AssessmentScore* score = assessment.add_scores();
  score->set_domain("total");
  score->set_scoreable(total.has_value());
  if (total) score->set_value(*total);
  return assessment;
}

class ImportRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("SCOLIOMASSAGE_TEST_POSTGRES_URL");
    if (url == nullptr || *url == '\0') {
      GTEST_SKIP() << "SCOLIOMASSAGE_TEST_POSTGRES_URL is not set (tests/support/postgres.sh)";
    }
    auto admin = PgConnection::Connect(url);
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = std::move(*admin);
    std::random_device random;
    database_ = absl::StrFormat("scoliomassage_import_%08x%08x", random(), random());
    ASSERT_TRUE(admin_->ExecScript(absl::StrCat("CREATE DATABASE ", database_)).ok());
    target_url_ = PostgresUrlWithDatabase(url, database_);
    folder_ = std::filesystem::temp_directory_path() /
              absl::StrFormat("scoliomassage-import-%08x", random());
    std::filesystem::create_directories(folder_);
    sqlite_path_ = (folder_ / "record.db").string();
  }
  void TearDown() override {
    if (admin_) {
      admin_->ExecScript(absl::StrCat("DROP DATABASE IF EXISTS ", database_, " WITH (FORCE)"))
          .IgnoreError();
    }
    if (!folder_.empty()) std::filesystem::remove_all(folder_);
  }

  std::unique_ptr<PgConnection> admin_;
  std::string database_;
  std::string target_url_;
  std::filesystem::path folder_;
  std::string sqlite_path_;
};

TEST_F(ImportRecordTest, CopiesEpisodesAssessmentsCurvesAndFeedbackOnceAndExactly) {
  const std::string odi_request = NewRequestId();
  const std::string film_request = NewRequestId();
  v1::CurveMeasurement film;
  std::vector<v1::Assessment> assessments;
  std::vector<v1::Episode> episodes;
  {
    SqliteStoreOptions options;
    options.path = sqlite_path_;
    auto opened = SqliteStore::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    SqliteStore& store = **opened;
    ASSERT_TRUE(store.LogOutcome(kClinic, NewRequestId(), SampleOutcome("p1")).ok());
    auto first = store.RecordAssessment(kClinic, odi_request, Odi("p1", 1, 100.0 / 3));
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_TRUE(store.RecordAssessment(kClinic, NewRequestId(), Odi("p1", 2, std::nullopt)).ok());
    // p2: an episode opened explicitly and closed, then a new open one.
    auto opened_episode = store.OpenEpisode(kClinic, NewRequestId(), "p2", kBaseTimeUs);
    ASSERT_TRUE(opened_episode.ok()) << opened_episode.status();
    const std::string episode_id = opened_episode->name().substr(opened_episode->name().find('/') + 1);
    ASSERT_TRUE(store.CloseEpisode(kClinic, episode_id, kBaseTimeUs + kDayUs).ok());
    ASSERT_TRUE(store.RecordAssessment(kClinic, NewRequestId(), Odi("p2", 5, 12)).ok());
    v1::CurveMeasurement taken;
    taken.set_patient_id("p1");
    *taken.mutable_taken_at() = At(kBaseTimeUs);
    taken.set_spine_region(v1::SPINE_REGION_THORACIC);
    taken.set_cobb_angle_degrees(21.7);
    taken.set_measured_by("dr-radiology");
    auto recorded = store.RecordCurveMeasurement(kClinic, film_request, taken);
    ASSERT_TRUE(recorded.ok()) << recorded.status();
    taken.set_cobb_angle_degrees(23.1);
    auto amended = store.AmendCurveMeasurement(kClinic, NewRequestId(), recorded->name(), taken,
                                               "misread");
    ASSERT_TRUE(amended.ok()) << amended.status();
    film = *amended;
    CardFeedbackRow feedback;
    feedback.card_uuid = "card-1";
    feedback.outcome = "overridden";
    feedback.rule_id = "protocol";
    feedback.patient_id = "p1";
    feedback.reason_code = "patient-preference";
    feedback.user_comment = "asked for less";
    feedback.outcome_time_us = kBaseTimeUs;
    ASSERT_TRUE(store.SaveCardFeedback(kClinic, {feedback}).ok());
    for (const char* patient : {"p1", "p2"}) {
      v1::ListAssessmentsRequest list;
      list.set_patient_id(patient);
      auto page = store.ListAssessments(kClinic, list, 100);
      ASSERT_TRUE(page.ok()) << page.status();
      assessments.insert(assessments.end(), page->assessments.begin(), page->assessments.end());
      auto own = store.ListEpisodes(kClinic, patient);
      ASSERT_TRUE(own.ok()) << own.status();
      episodes.insert(episodes.end(), own->begin(), own->end());
    }
  }
  ASSERT_EQ(assessments.size(), 3u);
  ASSERT_EQ(episodes.size(), 3u);  // p1's, p2's closed one and p2's open one

  auto copied = CopySqliteToPostgres(sqlite_path_, target_url_);
  ASSERT_TRUE(copied.ok()) << copied.status();
  std::map<std::string, TableCopyReport> first;
  for (const auto& report : *copied) first[report.table] = report;
  for (const char* table : {"episodes", "assessments", "assessment_scores", "cds_feedback",
                            "curve_revisions", "curve_request_ids"}) {
    ASSERT_TRUE(first.count(table)) << table << " was not copied";
    EXPECT_GT(first[table].source_rows, 0) << table;
    EXPECT_EQ(first[table].copied, first[table].source_rows) << table;
  }
  EXPECT_EQ(first["episodes"].source_rows, 3);
  EXPECT_EQ(first["assessment_scores"].source_rows, 3);
  EXPECT_EQ(first["curve_revisions"].source_rows, 2);

  auto again = CopySqliteToPostgres(sqlite_path_, target_url_);
  ASSERT_TRUE(again.ok()) << again.status();  // identical rows, NULL and reals included
  for (const auto& report : *again) {
    EXPECT_EQ(report.copied, 0) << report.table;
    EXPECT_EQ(report.already_present, report.source_rows) << report.table;
    EXPECT_EQ(report.target_rows, report.source_rows) << report.table;
  }

  auto target = OpenStore(target_url_);
  ASSERT_TRUE(target.ok()) << target.status();
  std::vector<v1::Assessment> read_assessments;
  std::vector<v1::Episode> read_episodes;
  for (const char* patient : {"p1", "p2"}) {
    v1::ListAssessmentsRequest list;
    list.set_patient_id(patient);
    auto page = (*target)->ListAssessments(kClinic, list, 100);
    ASSERT_TRUE(page.ok()) << page.status();
    read_assessments.insert(read_assessments.end(), page->assessments.begin(),
                            page->assessments.end());
    auto own = (*target)->ListEpisodes(kClinic, patient);
    ASSERT_TRUE(own.ok()) << own.status();
    read_episodes.insert(read_episodes.end(), own->begin(), own->end());
  }
  ASSERT_EQ(read_assessments.size(), assessments.size());
  for (size_t i = 0; i < assessments.size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(read_assessments[i], assessments[i]))
        << read_assessments[i].DebugString() << " vs " << assessments[i].DebugString();
  }
  ASSERT_EQ(read_episodes.size(), episodes.size());
  for (size_t i = 0; i < episodes.size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(read_episodes[i], episodes[i]))
        << read_episodes[i].DebugString() << " vs " << episodes[i].DebugString();
  }
  auto read_film = (*target)->GetCurveMeasurement(kClinic, film.name(), 0);
  ASSERT_TRUE(read_film.ok()) << read_film.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*read_film, film));

  // The summaries agree: the unscoreable score is still not a 0.
  auto scores = (*target)->Summarize(kClinic, {}, {v1::GROUP_BY_INSTRUMENT});
  ASSERT_TRUE(scores.ok()) << scores.status();
  ASSERT_EQ(scores->size(), 1u);
  EXPECT_EQ((*scores)[0].assessment_count(), 2);
  EXPECT_EQ((*scores)[0].unscoreable_count(), 1);
  EXPECT_DOUBLE_EQ((*scores)[0].mean_score(), (100.0 / 3 + 12) / 2);
  auto feedback = (*target)->SummarizeCardFeedback(kClinic, {});
  ASSERT_TRUE(feedback.ok()) << feedback.status();
  ASSERT_EQ(feedback->by_reason.size(), 1u);
  EXPECT_EQ(feedback->by_reason[0].reason_code(), "patient-preference");

  // Old request ids replay on the new backend: nothing stored twice.
  auto retry = (*target)->RecordAssessment(kClinic, odi_request, Odi("p1", 1, 100.0 / 3));
  ASSERT_TRUE(retry.ok()) << retry.status();
  bool found = false;
  for (const auto& assessment : assessments) found = found || assessment.name() == retry->name();
  EXPECT_TRUE(found) << "the retry stored a new assessment: " << retry->name();
  auto film_retry = (*target)->RecordCurveMeasurement(kClinic, film_request, [&] {
    v1::CurveMeasurement taken;
    taken.set_patient_id("p1");
    *taken.mutable_taken_at() = At(kBaseTimeUs);
    taken.set_spine_region(v1::SPINE_REGION_THORACIC);
    taken.set_cobb_angle_degrees(21.7);
    taken.set_measured_by("dr-radiology");
    return taken;
  }());
  ASSERT_TRUE(film_retry.ok()) << film_retry.status();
  EXPECT_EQ(film_retry->name(), film.name());
  EXPECT_EQ(film_retry->revision(), 1);
}

}  // namespace
}  // namespace scoliomassage::storage::testing
