// The protocol evaluation variant of an episode (migration 0006) in the
// Store: the same suite on every backend (SQLite on a real temp file;
// PostgreSQL when SCOLIOMASSAGE_TEST_POSTGRES_URL is set).
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "outcome_samples.h"
#include "store_backend_test.h"

namespace scoliomassage::storage::testing {
namespace {

constexpr char kClinicA[] = "clinic-a";
constexpr char kClinicB[] = "clinic-b";

v1::VariantAssignment Hashed(v1::EvaluationVariant variant) {
  v1::VariantAssignment assignment;
  assignment.set_evaluation("lumbar-2027");
  assignment.set_protocol_id("lumbar-c-curve");
  assignment.set_variant(variant);
  assignment.set_assigned_variant(variant);
  assignment.set_protocol_version(variant == v1::EVALUATION_VARIANT_A ? 1 : 2);
  return assignment;
}

v1::VariantAssignment Overridden(v1::EvaluationVariant hashed, v1::EvaluationVariant chosen) {
  v1::VariantAssignment assignment = Hashed(hashed);
  assignment.set_variant(chosen);
  assignment.set_protocol_version(chosen == v1::EVALUATION_VARIANT_A ? 1 : 2);
  assignment.set_overridden(true);
  assignment.set_override_by("therapist-7");
  assignment.set_override_reason("prone lying hurts");
  return assignment;
}

void ExpectSame(const v1::VariantAssignment& actual, const v1::VariantAssignment& expected) {
  EXPECT_EQ(actual.SerializeAsString(), expected.SerializeAsString())
      << actual.DebugString() << " vs " << expected.DebugString();
}

class EvaluationConformanceTest : public StoreBackendTest {
 protected:
  v1::Episode Assign(const std::string& patient, const v1::VariantAssignment& assignment,
                     const std::string& clinic = kClinicA) {
    auto episode = store_->AssignEpisodeVariant(clinic, patient, assignment);
    EXPECT_TRUE(episode.ok()) << episode.status();
    return episode.ok() ? *episode : v1::Episode();
  }
  std::vector<v1::Episode> Episodes(const std::string& patient,
                                    const std::string& clinic = kClinicA) {
    auto episodes = store_->ListEpisodes(clinic, patient);
    EXPECT_TRUE(episodes.ok()) << episodes.status();
    return episodes.ok() ? *episodes : std::vector<v1::Episode>();
  }
};

TEST_P(EvaluationConformanceTest, AssigningOpensAnEpisodeThatKeepsEveryFieldAcrossARestart) {
  const v1::Episode episode = Assign("patient-1", Hashed(v1::EVALUATION_VARIANT_B));
  EXPECT_TRUE(episode.open());
  ExpectSame(episode.evaluation(), Hashed(v1::EVALUATION_VARIANT_B));
  Reopen();
  auto episodes = Episodes("patient-1");
  ASSERT_EQ(episodes.size(), 1u);
  EXPECT_EQ(episodes[0].name(), episode.name());
  ExpectSame(episodes[0].evaluation(), Hashed(v1::EVALUATION_VARIANT_B));
  // A session joins the assigned episode.
  auto logged = store_->LogOutcome(kClinicA, NewRequestId(), SampleOutcome("patient-1"));
  ASSERT_TRUE(logged.ok()) << logged.status();
  EXPECT_EQ(logged->episode(), episode.name());
}

TEST_P(EvaluationConformanceTest, AnEpisodeInNoEvaluationHasNone) {
  auto opened = store_->OpenEpisode(kClinicA, NewRequestId(), "patient-1", 0);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_FALSE(opened->has_evaluation());
  auto episodes = Episodes("patient-1");
  ASSERT_EQ(episodes.size(), 1u);
  EXPECT_FALSE(episodes[0].has_evaluation());
}

TEST_P(EvaluationConformanceTest, AnOpenEpisodeIsAssignedInPlace) {
  auto opened = store_->OpenEpisode(kClinicA, NewRequestId(), "patient-1", 0);
  ASSERT_TRUE(opened.ok()) << opened.status();
  const v1::Episode assigned = Assign("patient-1", Hashed(v1::EVALUATION_VARIANT_A));
  EXPECT_EQ(assigned.name(), opened->name());
  EXPECT_EQ(Episodes("patient-1").size(), 1u);
  ExpectSame(Episodes("patient-1")[0].evaluation(), Hashed(v1::EVALUATION_VARIANT_A));
}

TEST_P(EvaluationConformanceTest, TheFirstAssignmentStaysUntilAnOverrideReplacesIt) {
  Assign("patient-1", Hashed(v1::EVALUATION_VARIANT_A));
  // A second hash assignment (another check-in) keeps what is stored.
  const v1::Episode again = Assign("patient-1", Hashed(v1::EVALUATION_VARIANT_B));
  ExpectSame(again.evaluation(), Hashed(v1::EVALUATION_VARIANT_A));
  const v1::VariantAssignment override_b =
      Overridden(v1::EVALUATION_VARIANT_A, v1::EVALUATION_VARIANT_B);
  const v1::Episode overridden = Assign("patient-1", override_b);
  ExpectSame(overridden.evaluation(), override_b);
  Reopen();
  auto episodes = Episodes("patient-1");
  ASSERT_EQ(episodes.size(), 1u);
  ExpectSame(episodes[0].evaluation(), override_b);
  // The override stays against later hash assignments.
  ExpectSame(Assign("patient-1", Hashed(v1::EVALUATION_VARIANT_A)).evaluation(), override_b);
}

TEST_P(EvaluationConformanceTest, AClosedEpisodeKeepsItsVariantAndTheNextOneIsNew) {
  const v1::Episode first = Assign("patient-1", Hashed(v1::EVALUATION_VARIANT_A));
  const std::string id = first.name().substr(first.name().find('/') + 1);
  ASSERT_TRUE(store_->CloseEpisode(kClinicA, id, 0).ok());
  const v1::Episode second = Assign("patient-1", Hashed(v1::EVALUATION_VARIANT_B));
  EXPECT_NE(second.name(), first.name());
  auto episodes = Episodes("patient-1");
  ASSERT_EQ(episodes.size(), 2u);
  for (const v1::Episode& episode : episodes) {
    ExpectSame(episode.evaluation(), Hashed(episode.name() == first.name()
                                                ? v1::EVALUATION_VARIANT_A
                                                : v1::EVALUATION_VARIANT_B));
  }
}

TEST_P(EvaluationConformanceTest, AssignmentsAreClinicScoped) {
  Assign("patient-1", Hashed(v1::EVALUATION_VARIANT_A), kClinicA);
  EXPECT_TRUE(Episodes("patient-1", kClinicB).empty());
  Assign("patient-1", Hashed(v1::EVALUATION_VARIANT_B), kClinicB);
  ExpectSame(Episodes("patient-1", kClinicA)[0].evaluation(), Hashed(v1::EVALUATION_VARIANT_A));
  ExpectSame(Episodes("patient-1", kClinicB)[0].evaluation(), Hashed(v1::EVALUATION_VARIANT_B));
}

INSTANTIATE_TEST_SUITE_P(Backends, EvaluationConformanceTest,
                         ::testing::ValuesIn(AllStoreBackends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace scoliomassage::storage::testing
