// Store::ReadComparisonRows on every backend (store_backends.cc): per-episode
// rows from the latest revisions, grouped by protocol or by version, the
// criteria (region, protocols, period), questionnaires first against latest,
// the baseline profile and film, the CDS feedback counts, and the clinic.
#include <map>
#include <memory>

#include "gtest/gtest.h"
#include "outcome_samples.h"
#include "store_backend_test.h"

namespace scoliomassage::storage::testing {
namespace {

constexpr char kClinicA[] = "clinic-a";
constexpr char kClinicB[] = "clinic-b";
constexpr int64_t kDayUs = 86400LL * 1000000;

google::protobuf::Timestamp At(int64_t micros) {
  google::protobuf::Timestamp time;
  time.set_seconds(micros / 1000000);
  time.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return time;
}

class ComparisonRowsTest : public StoreBackendTest {
 protected:
  v1::Outcome Log(const std::string& patient, const std::string& protocol, uint32_t version,
                  v1::SpineRegion region, int day, std::optional<int> pain, int adverse_events = 0,
                  const std::string& clinic = kClinicA) {
    v1::Outcome outcome = SampleOutcome(patient);
    outcome.set_protocol_id(protocol);
    outcome.set_protocol_version(version);
    outcome.set_spine_region(region);
    if (pain) {
      outcome.set_pain_before(*pain);
    } else {
      outcome.clear_pain_before();
    }
    for (int i = 0; i < adverse_events; ++i) {
      auto* event = outcome.add_adverse_events();
      event->set_type(v1::ADVERSE_EVENT_TYPE_PROLONGED_SORENESS);
      event->set_severity(v1::SEVERITY_MILD);
    }
    *outcome.mutable_performed_at() = At(kBaseTimeUs + day * kDayUs);
    auto stored = store_->LogOutcome(clinic, NewRequestId(), outcome);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : v1::Outcome();
  }

  void Odi(const std::string& patient, int day, std::optional<double> total) {
    v1::Assessment assessment;
    assessment.set_patient_id(patient);
    assessment.set_instrument_id("odi");
    assessment.set_instrument_version("2.1a");
    *assessment.mutable_performed_at() = At(kBaseTimeUs + day * kDayUs);
    v1::AssessmentScore* score = assessment.add_scores();
    score->set_domain("total");
    score->set_scoreable(total.has_value());
    if (total) score->set_value(*total);
    auto stored = store_->RecordAssessment(kClinicA, NewRequestId(), assessment);
    ASSERT_TRUE(stored.ok()) << stored.status();
  }

  // The seeded clinic:
  //  p1 thoracic-c-curve v2: day 0 pain 6, day 7 no pain (1 adverse event),
  //     day 14 pain 3; ODI 40, not scoreable, 30; profile age 30, Cobb 22;
  //     a film of 25 degrees.
  //  p2 thoracic-c-curve: day 1 v2 pain 7 (amended to 5), day 8 v3 pain 4.
  //  p3 lumbar-c-curve day 2 pain 5.
  //  clinic B: p1 thoracic-c-curve, never seen from clinic A.
  void Seed() {
    Log("p1", "thoracic-c-curve", 2, v1::SPINE_REGION_THORACIC, 0, 6);
    Log("p1", "thoracic-c-curve", 2, v1::SPINE_REGION_THORACIC, 7, std::nullopt, 1);
    Log("p1", "thoracic-c-curve", 2, v1::SPINE_REGION_THORACIC, 14, 3);
    Odi("p1", 0, 40);
    Odi("p1", 7, std::nullopt);
    Odi("p1", 14, 30);
    v1::Outcome first = Log("p2", "thoracic-c-curve", 2, v1::SPINE_REGION_THORACIC, 1, 7);
    v1::Outcome corrected = first;
    corrected.set_pain_before(5);
    ASSERT_TRUE(store_->AmendOutcome(kClinicA, NewRequestId(), first.name(), corrected, "typo").ok());
    Log("p2", "thoracic-c-curve", 3, v1::SPINE_REGION_THORACIC, 8, 4);
    Log("p3", "lumbar-c-curve", 1, v1::SPINE_REGION_LUMBAR, 2, 5);
    Log("p1", "thoracic-c-curve", 2, v1::SPINE_REGION_THORACIC, 0, 9, 3, kClinicB);

    v1::RecommendProtocolRequest request;
    request.set_patient_id("p1");
    request.mutable_profile()->set_age_years(30);
    request.mutable_profile()->set_cobb_angle_degrees(22);
    v1::RecommendProtocolResponse response;
    response.set_recommendation_id("recommendations/0000000000000000000000000000000a");
    ASSERT_TRUE(store_->SaveRecommendation(kClinicA, request, response).ok());
    request.set_patient_id("p2");
    request.mutable_profile()->set_age_years(50);
    request.mutable_profile()->clear_cobb_angle_degrees();
    response.set_recommendation_id("recommendations/0000000000000000000000000000000b");
    ASSERT_TRUE(store_->SaveRecommendation(kClinicA, request, response).ok());

    v1::CurveMeasurement film;
    film.set_patient_id("p1");
    *film.mutable_taken_at() = At(kBaseTimeUs - 30 * kDayUs);
    film.set_spine_region(v1::SPINE_REGION_THORACIC);
    film.set_cobb_angle_degrees(25);
    film.set_convex_side(v1::SIDE_RIGHT);
    ASSERT_TRUE(store_->RecordCurveMeasurement(kClinicA, NewRequestId(), film).ok());

    std::vector<CardFeedbackRow> feedback;
    auto add = [&](const std::string& card, const std::string& outcome, const std::string& protocol,
                   const std::string& reason, v1::SpineRegion region) {
      CardFeedbackRow row;
      row.card_uuid = card;
      row.outcome = outcome;
      row.service_id = "scoliomassage-checkin";
      row.recommendation_id = "recommendations/x";
      row.rule_id = "protocol";
      row.patient_id = "p1";
      row.protocol_id = protocol;
      row.spine_region = region;
      if (!reason.empty()) {
        row.reason_system = "urn:reasons";
        row.reason_code = reason;
      }
      row.user_comment = "free text";
      row.outcome_time_us = kBaseTimeUs + kDayUs;
      row.principal = "cds";
      feedback.push_back(row);
    };
    add("c1", "accepted", "thoracic-c-curve", "", v1::SPINE_REGION_THORACIC);
    add("c2", "overridden", "thoracic-c-curve", "too-sore", v1::SPINE_REGION_THORACIC);
    add("c3", "overridden", "thoracic-c-curve", "too-sore", v1::SPINE_REGION_THORACIC);
    add("c4", "overridden", "lumbar-c-curve", "", v1::SPINE_REGION_LUMBAR);
    ASSERT_TRUE(store_->SaveCardFeedback(kClinicA, feedback).ok());
  }

  ComparisonRows Read(const ComparisonCriteria& criteria, const std::string& clinic = kClinicA) {
    auto rows = store_->ReadComparisonRows(clinic, criteria);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : ComparisonRows();
  }

  static std::map<std::string, core::EpisodeRow> ByPatientAndGroup(const ComparisonRows& rows) {
    std::map<std::string, core::EpisodeRow> out;
    for (const core::EpisodeRow& row : rows.episodes) out[row.patient + " " + row.group] = row;
    return out;
  }
};

TEST_P(ComparisonRowsTest, OneRowPerEpisodeAndProtocolFromTheLatestRevisions) {
  Seed();
  ComparisonRows rows = Read({});
  auto by = ByPatientAndGroup(rows);
  ASSERT_EQ(by.size(), 3u);
  const core::EpisodeRow& p1 = by.at("p1 thoracic-c-curve");
  EXPECT_EQ(p1.protocol_id, "thoracic-c-curve");
  EXPECT_EQ(p1.sessions, 3);
  EXPECT_EQ(p1.adverse_events, 1);
  EXPECT_EQ(p1.pain_sessions, 2);  // the day-7 session recorded no pain
  EXPECT_EQ(p1.baseline_pain, 6);
  EXPECT_EQ(p1.latest_pain, 3);
  EXPECT_EQ(p1.age_years, 30);
  EXPECT_EQ(p1.baseline_cobb_degrees, 25);  // the film, not the profile's 22
  ASSERT_EQ(p1.scores.size(), 1u);
  EXPECT_EQ(p1.scores[0].instrument_id, "odi");
  EXPECT_EQ(p1.scores[0].domain, "total");
  EXPECT_EQ(p1.scores[0].count, 2);  // the unscoreable one is not a 0
  EXPECT_DOUBLE_EQ(p1.scores[0].baseline, 40);
  EXPECT_DOUBLE_EQ(p1.scores[0].latest, 30);

  const core::EpisodeRow& p2 = by.at("p2 thoracic-c-curve");
  EXPECT_EQ(p2.sessions, 2);
  EXPECT_EQ(p2.baseline_pain, 5);  // the amendment, not the first revision's 7
  EXPECT_EQ(p2.latest_pain, 4);
  EXPECT_EQ(p2.age_years, 50);
  EXPECT_FALSE(p2.baseline_cobb_degrees);
  EXPECT_TRUE(p2.scores.empty());

  const core::EpisodeRow& p3 = by.at("p3 lumbar-c-curve");
  EXPECT_EQ(p3.sessions, 1);
  EXPECT_FALSE(p3.age_years);

  // Feedback: thoracic 1 accepted + 2 "too-sore"; lumbar 1 without reason.
  int thoracic = 0, thoracic_overridden = 0, lumbar = 0;
  for (const core::FeedbackCountRow& f : rows.feedback) {
    if (f.protocol_id == "thoracic-c-curve") {
      thoracic += f.count;
      if (f.overridden) {
        thoracic_overridden += f.count;
        EXPECT_EQ(f.reason_code, "too-sore");
      }
    }
    if (f.protocol_id == "lumbar-c-curve") lumbar += f.count;
  }
  EXPECT_EQ(thoracic, 3);
  EXPECT_EQ(thoracic_overridden, 2);
  EXPECT_EQ(lumbar, 1);
}

TEST_P(ComparisonRowsTest, ByVersionSplitsAnEpisodeThatChangedVersion) {
  Seed();
  ComparisonCriteria criteria;
  criteria.by_version = true;
  auto by = ByPatientAndGroup(Read(criteria));
  ASSERT_EQ(by.size(), 4u);
  EXPECT_EQ(by.at("p1 thoracic-c-curve@2").sessions, 3);
  EXPECT_EQ(by.at("p2 thoracic-c-curve@2").sessions, 1);
  EXPECT_EQ(by.at("p2 thoracic-c-curve@2").baseline_pain, 5);
  EXPECT_EQ(by.at("p2 thoracic-c-curve@3").latest_pain, 4);
  EXPECT_EQ(by.at("p2 thoracic-c-curve@3").pain_sessions, 1);
  EXPECT_EQ(by.count("p3 lumbar-c-curve@1"), 1u);
}

// Evaluation "thor-ev" of thoracic-c-curve, A = version 2, B = version 3:
// p1 assigned and on A; p2 assigned A, overridden to B after its v2
// session (its v3 session is B). p3 (lumbar) is in no evaluation.
void AssignEvaluation(Store& store, const std::string& patient, v1::EvaluationVariant variant,
                      uint32_t version, bool overridden) {
  v1::VariantAssignment assignment;
  assignment.set_evaluation("thor-ev");
  assignment.set_protocol_id("thoracic-c-curve");
  assignment.set_assigned_variant(v1::EVALUATION_VARIANT_A);
  assignment.set_variant(variant);
  assignment.set_protocol_version(version);
  assignment.set_overridden(overridden);
  if (overridden) {
    assignment.set_override_by("t-1");
    assignment.set_override_reason("flare");
  }
  auto episode = store.AssignEpisodeVariant(kClinicA, patient, assignment);
  ASSERT_TRUE(episode.ok()) << episode.status();
}

TEST_P(ComparisonRowsTest, RowsCarryTheirEvaluationAsReceivedAndByAssignedVariant) {
  Seed();
  AssignEvaluation(*store_, "p1", v1::EVALUATION_VARIANT_A, 2, false);
  AssignEvaluation(*store_, "p2", v1::EVALUATION_VARIANT_B, 3, true);

  ComparisonCriteria by_version;
  by_version.by_version = true;
  auto rows = ByPatientAndGroup(Read(by_version));
  ASSERT_EQ(rows.size(), 4u);
  const auto& p1 = rows.at("p1 thoracic-c-curve@2");
  ASSERT_TRUE(p1.evaluation);
  EXPECT_EQ(p1.evaluation->evaluation, "thor-ev");
  EXPECT_EQ(p1.evaluation->received, v1::EVALUATION_VARIANT_A);
  EXPECT_FALSE(p1.evaluation->overridden);
  EXPECT_EQ(p1.evaluation->assigned_group, "thoracic-c-curve@2");
  // p2's v2 session was received as A (version 2, p1's variant), as assigned.
  const auto& p2_before = rows.at("p2 thoracic-c-curve@2");
  ASSERT_TRUE(p2_before.evaluation);
  EXPECT_EQ(p2_before.evaluation->received, v1::EVALUATION_VARIANT_A);
  EXPECT_EQ(p2_before.evaluation->assigned_group, p2_before.evaluation->received_group);
  // Its v3 session: received B, overridden out of @2 into @3.
  const auto& p2_after = rows.at("p2 thoracic-c-curve@3");
  ASSERT_TRUE(p2_after.evaluation);
  EXPECT_EQ(p2_after.evaluation->assigned, v1::EVALUATION_VARIANT_A);
  EXPECT_EQ(p2_after.evaluation->received, v1::EVALUATION_VARIANT_B);
  EXPECT_TRUE(p2_after.evaluation->overridden);
  EXPECT_EQ(p2_after.evaluation->assigned_group, "thoracic-c-curve@2");
  EXPECT_EQ(p2_after.evaluation->received_group, "thoracic-c-curve@3");
  EXPECT_FALSE(rows.at("p3 lumbar-c-curve@1").evaluation);

  // By assigned variant: p2's sessions are one row, in the group of A.
  ComparisonCriteria itt;
  itt.by_assigned_variant = true;
  ComparisonRows read = Read(itt);
  rows = ByPatientAndGroup(read);
  ASSERT_EQ(rows.size(), 3u);
  const auto& p2 = rows.at("p2 thoracic-c-curve@2");
  EXPECT_EQ(p2.sessions, 2);
  EXPECT_EQ(p2.baseline_pain, 5);
  EXPECT_EQ(p2.latest_pain, 4);
  ASSERT_TRUE(p2.evaluation);
  EXPECT_EQ(p2.evaluation->assigned_group, "thoracic-c-curve@2");
  EXPECT_EQ(p2.evaluation->received_group, "thoracic-c-curve@3");
  EXPECT_TRUE(rows.at("p1 thoracic-c-curve@2").evaluation);
  EXPECT_FALSE(rows.at("p3 lumbar-c-curve@1").evaluation);
  // Groups in protocol and version order, as the other groupings.
  ASSERT_EQ(read.episodes.size(), 3u);
  EXPECT_EQ(read.episodes[0].group, "lumbar-c-curve@1");

  // By protocol both sides are the protocol: nothing moves between groups.
  rows = ByPatientAndGroup(Read({}));
  const auto& whole = rows.at("p2 thoracic-c-curve");
  ASSERT_TRUE(whole.evaluation);
  EXPECT_EQ(whole.evaluation->assigned_group, "thoracic-c-curve");
  EXPECT_EQ(whole.evaluation->received_group, "thoracic-c-curve");
}

TEST_P(ComparisonRowsTest, CriteriaSelectRegionProtocolsAndPeriod) {
  Seed();
  ComparisonCriteria lumbar;
  lumbar.spine_region = v1::SPINE_REGION_LUMBAR;
  ComparisonRows rows = Read(lumbar);
  ASSERT_EQ(rows.episodes.size(), 1u);
  EXPECT_EQ(rows.episodes[0].patient, "p3");
  ASSERT_EQ(rows.feedback.size(), 1u);
  EXPECT_EQ(rows.feedback[0].protocol_id, "lumbar-c-curve");

  ComparisonCriteria protocols;
  protocols.protocol_ids = {"thoracic-c-curve", "not-a-protocol"};
  EXPECT_EQ(ByPatientAndGroup(Read(protocols)).size(), 2u);

  // Episodes opened on day 0 (p1), day 1 (p2) and day 2 (p3): [day 1, day 2)
  // is p2's alone.
  ComparisonCriteria period;
  period.start_us = kBaseTimeUs + kDayUs;
  period.end_us = kBaseTimeUs + 2 * kDayUs;
  rows = Read(period);
  ASSERT_EQ(rows.episodes.size(), 1u);
  EXPECT_EQ(rows.episodes[0].patient, "p2");

  period.start_us = kBaseTimeUs + 100 * kDayUs;
  period.end_us.reset();
  EXPECT_TRUE(Read(period).episodes.empty());
}

TEST_P(ComparisonRowsTest, AnotherClinicSeesNothing) {
  Seed();
  ComparisonRows rows = Read({}, kClinicB);
  ASSERT_EQ(rows.episodes.size(), 1u);
  EXPECT_EQ(rows.episodes[0].baseline_pain, 9);
  EXPECT_FALSE(rows.episodes[0].age_years);  // clinic A's recommendation is not B's
  EXPECT_FALSE(rows.episodes[0].baseline_cobb_degrees);
  EXPECT_TRUE(rows.feedback.empty());
  EXPECT_TRUE(Read({}, "clinic-c").episodes.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ComparisonRowsTest, ::testing::ValuesIn(AllStoreBackends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace scoliomassage::storage::testing
