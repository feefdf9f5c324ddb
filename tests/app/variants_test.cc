// Protocol evaluations in the application layer: the stable hash, and the
// check-in against a real SQLite store with a catalog holding two versions
// of lumbar-c-curve (1 = variant A, 2 = variant B and the default).
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "app/variants.h"
#include "app/background_records.h"
#include "app/episodes.h"
#include "app_fixture.h"
#include "catalog/evaluations.h"
#include "catalog/instruments.h"
#include "catalog/loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scoliomassage::app::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Pseudo(int i) {
  char text[40];
  std::snprintf(text, sizeof(text), "p_%032x", i);
  return text;
}

TEST(HashVariantTest, MatchesAnIndependentSha256) {
  // Python: int.from_bytes(sha256(b"scoliomassage-variant\0" + name + b"\0"
  // + pseudonym).digest()[:8], "big") % 2, 0 = A, 1 = B.
  EXPECT_EQ(HashVariant("lumbar-2027", Pseudo(0)), v1::EVALUATION_VARIANT_B);
  EXPECT_EQ(HashVariant("lumbar-2027", Pseudo(1)), v1::EVALUATION_VARIANT_B);
  EXPECT_EQ(HashVariant("lumbar-2027", Pseudo(2)), v1::EVALUATION_VARIANT_A);
  EXPECT_EQ(HashVariant("lumbar-2027", Pseudo(3)), v1::EVALUATION_VARIANT_A);
}

TEST(HashVariantTest, IsStable) {
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(HashVariant("lumbar-2027", Pseudo(i)), HashVariant("lumbar-2027", Pseudo(i)));
  }
}

TEST(HashVariantTest, IsAboutHalfAndHalfOverAThousandPseudonyms) {
  Pseudonymizer pseudonyms("a-secret-of-at-least-thirty-two-bytes!!");
  int b = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto variant =
        HashVariant("lumbar-2027", pseudonyms.Pseudonym("clinic-a", absl::StrCat("patient-", i)));
    ASSERT_TRUE(variant == v1::EVALUATION_VARIANT_A || variant == v1::EVALUATION_VARIANT_B);
    if (variant == v1::EVALUATION_VARIANT_B) ++b;
  }
  // Binomial(1000, 0.5): 500 +- 50 is more than 3 standard deviations.
  EXPECT_GT(b, 450);
  EXPECT_LT(b, 550);
}

TEST(HashVariantTest, DependsOnTheEvaluationName) {
  int differ = 0;
  for (int i = 0; i < 1000; ++i) {
    if (HashVariant("lumbar-2027", Pseudo(i)) != HashVariant("lumbar-2028", Pseudo(i))) ++differ;
  }
  // Independent evaluations reshuffle about half the patients.
  EXPECT_GT(differ, 400);
  EXPECT_LT(differ, 600);
}

class VariantsCheckInTest : public AppTest {
 protected:
  void SetUp() override {
    AppTest::SetUp();
    auto shipped = catalog::LoadCatalog(SCOLIOMASSAGE_DEFAULT_CATALOG_DIR);
    ASSERT_TRUE(shipped.ok()) << shipped.status();
    std::vector<v1::CatalogProtocol> protocols = (*shipped)->protocols();
    const v1::CatalogProtocol* latest = (*shipped)->FindById("lumbar-c-curve");
    ASSERT_NE(latest, nullptr);
    ASSERT_EQ(latest->version(), 2u);
    v1::CatalogProtocol previous = *latest;
    previous.set_version(1);
    previous.set_title("Lumbar C-curve, previous version");
    protocols.push_back(previous);
    catalog_ = std::make_shared<const catalog::Catalog>(std::move(protocols));
    checkin_.reset();
    outcomes_.reset();
    engine_ = std::make_unique<core::ProtocolEngine>(catalog_);
    checkin_ = std::make_unique<CheckIn>(*store_, *engine_, *pseudonyms_, &recommendations_);
    outcomes_ = std::make_unique<Outcomes>(*store_, *engine_, *pseudonyms_);
  }

  void UseEvaluations(const std::string& start_date = "2026-01-01") {
    auto evaluations = catalog::ParseEvaluations(
        {"evaluations.textproto",
         absl::StrCat("evaluations { clinic_id: \"clinic-a\" name: \"lumbar-2027\" "
                      "protocol_id: \"lumbar-c-curve\" variant_a_version: 1 "
                      "variant_b_version: 2 start_date: \"",
                      start_date, "\" }")},
        *catalog_);
    ASSERT_TRUE(evaluations.ok()) << evaluations.status();
    evaluations_ = *std::move(evaluations);
    checkin_->set_evaluations(evaluations_.get());
  }

  // The first patient id ("patient-N") whose hash gives `variant`.
  std::string PatientWith(v1::EvaluationVariant variant, const std::string& clinic = "clinic-a") {
    for (int i = 0;; ++i) {
      std::string id = absl::StrCat("patient-", i);
      if (HashVariant("lumbar-2027", pseudonyms_->Pseudonym(clinic, id)) == variant) return id;
    }
  }

  v1::RecommendProtocolResponse MustCheckIn(const auth::Caller& caller,
                                            const v1::RecommendProtocolRequest& request) {
    std::string subject;
    auto response = checkin_->Recommend(caller, request, &subject);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : v1::RecommendProtocolResponse();
  }

  std::vector<v1::Episode> EpisodesOf(const std::string& patient,
                                      const std::string& clinic = "clinic-a") {
    auto episodes = store_->ListEpisodes(clinic, patient);
    EXPECT_TRUE(episodes.ok()) << episodes.status();
    return episodes.ok() ? *episodes : std::vector<v1::Episode>();
  }

  static v1::RecommendProtocolRequest WithOverride(v1::RecommendProtocolRequest request,
                                                   v1::EvaluationVariant variant,
                                                   const std::string& reason) {
    request.mutable_variant_override()->set_variant(variant);
    request.mutable_variant_override()->set_reason(reason);
    return request;
  }

  std::shared_ptr<const catalog::Catalog> catalog_;
  std::shared_ptr<const catalog::Evaluations> evaluations_;
};

TEST_F(VariantsCheckInTest, OffByDefaultEveryoneGetsTheLatestAndNoEpisodeOpens) {
  for (auto variant : {v1::EVALUATION_VARIANT_A, v1::EVALUATION_VARIANT_B}) {
    const std::string patient = PatientWith(variant);
    auto response = MustCheckIn(Host(), CheckInRequest(patient));
    EXPECT_EQ(response.protocol().protocol_version(), 2u);
    EXPECT_FALSE(response.basis().has_evaluation());
    EXPECT_THAT(response.basis().summary(), Not(HasSubstr("evaluation")));
    EXPECT_TRUE(EpisodesOf(patient).empty());
  }
}

TEST_F(VariantsCheckInTest, TheHashPicksTheVersionAndTheEpisodeKeepsIt) {
  UseEvaluations();
  for (auto variant : {v1::EVALUATION_VARIANT_A, v1::EVALUATION_VARIANT_B}) {
    const std::string patient = PatientWith(variant);
    const uint32_t version = variant == v1::EVALUATION_VARIANT_A ? 1 : 2;
    const std::string letter = variant == v1::EVALUATION_VARIANT_A ? "A" : "B";
    auto first = MustCheckIn(Host(), CheckInRequest(patient));
    EXPECT_EQ(first.protocol().protocol_version(), version);
    EXPECT_EQ(first.basis().protocol_version(), version);
    EXPECT_EQ(first.basis().evaluation().evaluation(), "lumbar-2027");
    EXPECT_EQ(first.basis().evaluation().variant(), variant);
    EXPECT_EQ(first.basis().evaluation().assigned_variant(), variant);
    EXPECT_FALSE(first.basis().evaluation().overridden());
    EXPECT_THAT(first.basis().summary(),
                HasSubstr(absl::StrCat("evaluation lumbar-2027: variant ", letter,
                                       " (assigned by a stable hash of the pseudonym)")));
    // The check-in opened the episode and stored the assignment on it.
    auto episodes = EpisodesOf(patient);
    ASSERT_EQ(episodes.size(), 1u);
    EXPECT_TRUE(episodes[0].open());
    EXPECT_EQ(episodes[0].evaluation().variant(), variant);
    EXPECT_EQ(episodes[0].evaluation().protocol_version(), version);

    // A session joins that episode; the next check-in keeps the variant.
    v1::LogOutcomeRequest log = LogRequest(patient);
    log.mutable_outcome()->set_protocol_version(version);
    const v1::Outcome stored = MustLog(Therapist("therapist-1"), log);
    EXPECT_EQ(stored.episode(), episodes[0].name());
    auto second = MustCheckIn(Host(), CheckInRequest(patient));
    EXPECT_EQ(second.protocol().protocol_version(), version);
    EXPECT_EQ(second.basis().evaluation().variant(), variant);
    EXPECT_EQ(EpisodesOf(patient).size(), 1u);
  }
}

TEST_F(VariantsCheckInTest, AnOverrideIsRecordedWithWhoAndWhyAndKept) {
  UseEvaluations();
  const std::string patient = PatientWith(v1::EVALUATION_VARIANT_A);
  auto overridden = MustCheckIn(
      Therapist("therapist-7"),
      WithOverride(CheckInRequest(patient), v1::EVALUATION_VARIANT_B, "prone lying hurts"));
  EXPECT_EQ(overridden.protocol().protocol_version(), 2u);
  const v1::VariantAssignment& assignment = overridden.basis().evaluation();
  EXPECT_EQ(assignment.variant(), v1::EVALUATION_VARIANT_B);
  EXPECT_EQ(assignment.assigned_variant(), v1::EVALUATION_VARIANT_A);
  EXPECT_TRUE(assignment.overridden());
  EXPECT_EQ(assignment.override_by(), "therapist-7");
  EXPECT_EQ(assignment.override_reason(), "prone lying hurts");
  EXPECT_THAT(overridden.basis().summary(),
              HasSubstr("evaluation lumbar-2027: variant B (overridden by therapist-7"));
  auto episodes = EpisodesOf(patient);
  ASSERT_EQ(episodes.size(), 1u);
  EXPECT_TRUE(episodes[0].evaluation().overridden());
  EXPECT_EQ(episodes[0].evaluation().override_by(), "therapist-7");
  EXPECT_EQ(episodes[0].evaluation().variant(), v1::EVALUATION_VARIANT_B);

  // Later check-ins keep the override, marked as such.
  auto later = MustCheckIn(Host(), CheckInRequest(patient));
  EXPECT_EQ(later.protocol().protocol_version(), 2u);
  EXPECT_TRUE(later.basis().evaluation().overridden());
  EXPECT_THAT(later.basis().summary(), HasSubstr("overridden by therapist-7"));
}

TEST_F(VariantsCheckInTest, TheStoredRecommendationKeepsTheAssignmentAndTheOverride) {
  UseEvaluations();
  BackgroundRecords records(*store_, 16);
  CheckIn recording(*store_, *engine_, *pseudonyms_, &records);
  recording.set_evaluations(evaluations_.get());
  const std::string patient = PatientWith(v1::EVALUATION_VARIANT_B);
  std::string subject;
  auto response = recording.Recommend(
      Therapist("therapist-3"),
      WithOverride(CheckInRequest(patient), v1::EVALUATION_VARIANT_A, "asked for the old one"),
      &subject);
  ASSERT_TRUE(response.ok()) << response.status();
  records.Flush();
  auto stored = store_->GetRecommendation("clinic-a", response->recommendation_id());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->request.variant_override().reason(), "asked for the old one");
  EXPECT_EQ(stored->response.basis().evaluation().variant(), v1::EVALUATION_VARIANT_A);
  EXPECT_EQ(stored->response.basis().evaluation().assigned_variant(), v1::EVALUATION_VARIANT_B);
  EXPECT_TRUE(stored->response.basis().evaluation().overridden());
  EXPECT_EQ(stored->response.basis().evaluation().override_by(), "therapist-3");
  EXPECT_EQ(stored->response.protocol().protocol_version(), 1u);
}

TEST_F(VariantsCheckInTest, AnOverrideOfAStartedEpisodeReplacesItsVariant) {
  UseEvaluations();
  const std::string patient = PatientWith(v1::EVALUATION_VARIANT_B);
  MustCheckIn(Host(), CheckInRequest(patient));
  auto overridden = MustCheckIn(
      Therapist("therapist-2"),
      WithOverride(CheckInRequest(patient), v1::EVALUATION_VARIANT_A, "wanted the old one"));
  EXPECT_EQ(overridden.protocol().protocol_version(), 1u);
  auto episodes = EpisodesOf(patient);
  ASSERT_EQ(episodes.size(), 1u);
  EXPECT_EQ(episodes[0].evaluation().variant(), v1::EVALUATION_VARIANT_A);
  EXPECT_EQ(episodes[0].evaluation().assigned_variant(), v1::EVALUATION_VARIANT_B);
  EXPECT_TRUE(episodes[0].evaluation().overridden());
}

TEST_F(VariantsCheckInTest, BadOverridesNameTheFieldAndChangeNothing) {
  const std::string patient = PatientWith(v1::EVALUATION_VARIANT_A);
  std::string subject;
  // No evaluations configured.
  auto none = checkin_->Recommend(
      Host(), WithOverride(CheckInRequest(patient), v1::EVALUATION_VARIANT_B, "why"), &subject);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(none.status()), ElementsAre("variant_override"));

  UseEvaluations();
  auto no_variant = checkin_->Recommend(
      Host(), WithOverride(CheckInRequest(patient), v1::EVALUATION_VARIANT_UNSPECIFIED, "why"),
      &subject);
  EXPECT_THAT(ViolatedFields(no_variant.status()), ElementsAre("variant_override.variant"));
  auto no_reason = checkin_->Recommend(
      Host(), WithOverride(CheckInRequest(patient), v1::EVALUATION_VARIANT_B, ""), &subject);
  EXPECT_THAT(ViolatedFields(no_reason.status()), ElementsAre("variant_override.reason"));
  auto long_reason = checkin_->Recommend(
      Host(), WithOverride(CheckInRequest(patient), v1::EVALUATION_VARIANT_B, std::string(501, 'x')),
      &subject);
  EXPECT_THAT(ViolatedFields(long_reason.status()), ElementsAre("variant_override.reason"));
  // A protocol no evaluation covers.
  v1::RecommendProtocolRequest thoracic =
      WithOverride(CheckInRequest(patient), v1::EVALUATION_VARIANT_B, "why");
  thoracic.mutable_profile()->set_primary_region(v1::SPINE_REGION_THORACIC);
  auto uncovered = checkin_->Recommend(Host(), thoracic, &subject);
  EXPECT_THAT(ViolatedFields(uncovered.status()), ElementsAre("variant_override"));
  EXPECT_TRUE(EpisodesOf(patient).empty());
  EXPECT_TRUE(recommendations_.records().empty());
}

TEST_F(VariantsCheckInTest, OtherClinicsAndOtherProtocolsAreUntouched) {
  UseEvaluations();
  const std::string patient = PatientWith(v1::EVALUATION_VARIANT_A, "clinic-b");
  auto other_clinic =
      MustCheckIn({"frontdesk", auth::Role::kHost, "clinic-b"}, CheckInRequest(patient));
  EXPECT_EQ(other_clinic.protocol().protocol_version(), 2u);
  EXPECT_FALSE(other_clinic.basis().has_evaluation());
  EXPECT_TRUE(EpisodesOf(patient, "clinic-b").empty());

  v1::RecommendProtocolRequest thoracic = CheckInRequest(PatientWith(v1::EVALUATION_VARIANT_A));
  thoracic.mutable_profile()->set_primary_region(v1::SPINE_REGION_THORACIC);
  auto other_protocol = MustCheckIn(Host(), thoracic);
  EXPECT_FALSE(other_protocol.basis().has_evaluation());
  EXPECT_TRUE(EpisodesOf(thoracic.patient_id()).empty());
}

TEST_F(VariantsCheckInTest, ADeferredCheckInStartsNoEpisode) {
  UseEvaluations();
  const std::string patient = PatientWith(v1::EVALUATION_VARIANT_A);
  v1::RecommendProtocolRequest fever = CheckInRequest(patient);
  fever.mutable_screening()->add_contraindications(v1::CONTRAINDICATION_FEVER);
  auto deferred = MustCheckIn(Host(), fever);
  EXPECT_FALSE(deferred.has_protocol());
  EXPECT_FALSE(deferred.basis().has_evaluation());
  EXPECT_TRUE(EpisodesOf(patient).empty());
}

TEST_F(VariantsCheckInTest, EpisodesFromBeforeTheStartAndFutureEvaluationsAreNotAssigned) {
  // An evaluation that has not started assigns nobody.
  UseEvaluations("2099-01-01");
  const std::string first = PatientWith(v1::EVALUATION_VARIANT_A);
  auto early = MustCheckIn(Host(), CheckInRequest(first));
  EXPECT_EQ(early.protocol().protocol_version(), 2u);
  EXPECT_FALSE(early.basis().has_evaluation());

  // An episode opened before the start keeps the default version.
  UseEvaluations("2026-01-01");
  catalog::Instruments instruments(std::vector<v1::Instrument>{});
  Episodes episodes(*store_, instruments, *pseudonyms_);
  v1::OpenEpisodeRequest open;
  open.set_request_id("00000000-0000-4000-8000-000000000001");
  open.set_patient_id(first);
  open.mutable_opened_at()->set_seconds(1735689600);  // 2025-01-01, before the start
  std::string subject;
  ASSERT_TRUE(episodes.Open(Admin(), open, &subject).ok());
  auto old_episode = MustCheckIn(Host(), CheckInRequest(first));
  EXPECT_EQ(old_episode.protocol().protocol_version(), 2u);
  EXPECT_FALSE(old_episode.basis().has_evaluation());
  EXPECT_FALSE(EpisodesOf(first)[0].has_evaluation());

  // An episode opened after the start (before its first check-in) is.
  const std::string second = PatientWith(v1::EVALUATION_VARIANT_B);
  open.set_request_id("00000000-0000-4000-8000-000000000002");
  open.set_patient_id(second);
  open.mutable_opened_at()->set_seconds(std::time(nullptr) - 60);
  ASSERT_TRUE(episodes.Open(Admin(), open, &subject).ok());
  auto new_episode = MustCheckIn(Host(), CheckInRequest(second));
  EXPECT_EQ(new_episode.basis().evaluation().variant(), v1::EVALUATION_VARIANT_B);
  ASSERT_EQ(EpisodesOf(second).size(), 1u);
  EXPECT_EQ(EpisodesOf(second)[0].evaluation().variant(), v1::EVALUATION_VARIANT_B);
}

}  // namespace
}  // namespace scoliomassage::app::testing
