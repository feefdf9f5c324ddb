// app::Comparisons called directly over a real SQLite store: bad input names
// its field and reads nothing, the caller's role decides suppression, a
// curve pattern selects the catalog's protocols, and named protocols come in
// the order named (so the difference is the first named minus the second).
#include "app/comparisons.h"

#include "absl/strings/str_cat.h"
#include "app_fixture.h"
#include "catalog/instrument_loader.h"
#include "gmock/gmock.h"

namespace scoliomassage::app::testing {
namespace {

using ::testing::Contains;

class ComparisonsTest : public AppTest {
 protected:
  void SetUp() override {
    AppTest::SetUp();
    auto instruments = catalog::LoadInstruments(catalog::DefaultInstrumentsPath());
    ASSERT_TRUE(instruments.ok()) << instruments.status();
    instruments_ = *std::move(instruments);
    comparisons_ = std::make_unique<Comparisons>(*store_, engine_->catalog(), *instruments_);
  }

  // `patients` patients with two sessions each under `protocol`: pain 6 then
  // 6 + change.
  void Seed(const std::string& protocol, int patients, int change) {
    for (int i = 0; i < patients; ++i) {
      const std::string patient = absl::StrCat(protocol, "-", i);
      for (int session = 0; session < 2; ++session) {
        v1::LogOutcomeRequest request = LogRequest(patient);
        request.mutable_outcome()->set_protocol_id(protocol);
        request.mutable_outcome()->clear_spine_region();  // taken from the catalog
        request.mutable_outcome()->set_session_number(session + 1);
        request.mutable_outcome()->set_pain_before(session == 0 ? 6 : 6 + change);
        request.mutable_outcome()->mutable_performed_at()->set_seconds(
            std::time(nullptr) - 86400 * (10 - session));
        MustLog(Admin(), request);
      }
    }
  }

  const v1::ProtocolComparisonGroup* Group(const v1::CompareProtocolsResponse& response,
                                           const std::string& name) {
    for (const auto& group : response.groups()) {
      if (group.group() == name) return &group;
    }
    return nullptr;
  }

  std::shared_ptr<const catalog::Instruments> instruments_;
  std::unique_ptr<Comparisons> comparisons_;
};

TEST_F(ComparisonsTest, BadInputNamesTheField) {
  struct Case {
    std::function<void(v1::CompareProtocolsRequest&)> make;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.set_spine_region(static_cast<v1::SpineRegion>(42)); }, "spine_region"},
      {[](auto& r) { r.set_curve_pattern(static_cast<v1::CurvePattern>(9)); }, "curve_pattern"},
      {[](auto& r) { r.set_compare_by(static_cast<v1::CompareBy>(7)); }, "compare_by"},
      {[](auto& r) { r.add_protocol_ids(""); }, "protocol_ids[0]"},
      {[](auto& r) {
         r.add_protocol_ids("lumbar-c-curve");
         r.add_protocol_ids("lumbar-c-curve");
       },
       "protocol_ids[1]"},
      {[](auto& r) { r.mutable_start_time()->set_nanos(-1); }, "start_time"},
      {[](auto& r) {
         r.mutable_start_time()->set_seconds(2000);
         r.mutable_end_time()->set_seconds(1000);
       },
       "end_time"},
      {[](auto& r) {
         r.mutable_start_time()->set_seconds(1000);
         r.mutable_end_time()->set_seconds(1000);
       },
       "end_time"},
  };
  for (const Case& c : cases) {
    v1::CompareProtocolsRequest request;
    c.make(request);
    auto response = comparisons_->Compare(Admin(), request);
    ASSERT_FALSE(response.ok()) << c.field;
    EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(ViolatedFields(response.status()), Contains(c.field));
  }
}

TEST_F(ComparisonsTest, AnalyticsSeeSmallGroupsSuppressedAdminsSeeTheirCounts) {
  Seed("thoracic-c-curve", 12, -3);
  Seed("lumbar-c-curve", 11, -1);
  Seed("cervical-c-curve", 2, -2);
  Seed("thoracolumbar-c-curve", 3, -2);
  auto admin = comparisons_->Compare(Admin(), {});
  ASSERT_TRUE(admin.ok()) << admin.status();
  const auto* small = Group(*admin, "cervical-c-curve");
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(small->visibility(), v1::GROUP_VISIBILITY_NOT_ENOUGH_DATA);
  EXPECT_EQ(small->patient_count(), 2);
  const auto* thoracic = Group(*admin, "thoracic-c-curve");
  ASSERT_NE(thoracic, nullptr);
  EXPECT_EQ(thoracic->visibility(), v1::GROUP_VISIBILITY_SHOWN);
  EXPECT_DOUBLE_EQ(thoracic->pain_change().mean(), -3);
  EXPECT_EQ(admin->total_patient_count(), 28);

  auto analytics = comparisons_->Compare(Analytics(), {});
  ASSERT_TRUE(analytics.ok()) << analytics.status();
  for (const char* name : {"cervical-c-curve", "thoracolumbar-c-curve"}) {
    const auto* group = Group(*analytics, name);
    ASSERT_NE(group, nullptr) << name;
    EXPECT_EQ(group->visibility(), v1::GROUP_VISIBILITY_SUPPRESSED) << name;
    EXPECT_EQ(group->patient_count(), 0) << name;
  }
  EXPECT_EQ(Group(*analytics, "lumbar-c-curve")->visibility(), v1::GROUP_VISIBILITY_SHOWN);
  EXPECT_NE(analytics->method().find("Wilson"), std::string::npos);
  ASSERT_GE(analytics->caveats_size(), 1);
  EXPECT_NE(analytics->caveats(0).find("not a causal effect"), std::string::npos);
}

TEST_F(ComparisonsTest, NamedProtocolsComeInTheOrderNamedAndPatternsSelectProtocols) {
  Seed("thoracic-c-curve", 10, -3);
  Seed("lumbar-c-curve", 10, -1);
  v1::CompareProtocolsRequest request;
  request.add_protocol_ids("thoracic-c-curve");
  request.add_protocol_ids("lumbar-c-curve");
  auto response = comparisons_->Compare(Admin(), request);
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->groups_size(), 2);
  EXPECT_EQ(response->groups(0).group(), "thoracic-c-curve");
  EXPECT_EQ(response->pain_change_difference().first_group(), "thoracic-c-curve");
  EXPECT_DOUBLE_EQ(response->pain_change_difference().difference(), -2);

  request.Clear();
  request.set_curve_pattern(v1::CURVE_PATTERN_S_CURVE);
  response = comparisons_->Compare(Admin(), request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->groups_size(), 0);  // no S-curve protocol was used
  request.add_protocol_ids("lumbar-c-curve");  // a C-curve protocol: nothing matches both
  response = comparisons_->Compare(Admin(), request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->groups_size(), 0);

  request.Clear();
  request.set_compare_by(v1::COMPARE_BY_PROTOCOL_VERSION);
  request.set_spine_region(v1::SPINE_REGION_LUMBAR);
  response = comparisons_->Compare(Admin(), request);
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->groups_size(), 1);
  EXPECT_EQ(response->groups(0).group(), "lumbar-c-curve@1");
  EXPECT_EQ(response->groups(0).protocol_id(), "lumbar-c-curve");
  EXPECT_EQ(response->groups(0).protocol_version(), 1u);
}

}  // namespace
}  // namespace scoliomassage::app::testing
