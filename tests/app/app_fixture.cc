#include "app_fixture.h"

#include <unistd.h>

#include <ctime>

#include "absl/strings/str_cat.h"
#include "base/random_id.h"
#include "catalog/loader.h"
#include "core/errors.h"

namespace scoliomassage::app::testing {

void AppTest::SetUp() {
  directory_ = std::filesystem::temp_directory_path() /
               absl::StrCat("scoliomassage-app-", ::getpid(), "-",
                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(directory_);
  std::filesystem::create_directories(directory_);
  // NORMAL: these tests are about app rules, not power-cut durability.
  auto store = storage::OpenStore(
      absl::StrCat("sqlite://", (directory_ / "app.db").string(), "?synchronous=NORMAL"));
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = *std::move(store);
  auto catalog = catalog::LoadCatalog(SCOLIOMASSAGE_DEFAULT_CATALOG_DIR);
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  engine_ = std::make_unique<core::ProtocolEngine>(*std::move(catalog));
  pseudonyms_ = std::make_unique<Pseudonymizer>("test-secret");
  checkin_ = std::make_unique<CheckIn>(*store_, *engine_, *pseudonyms_, &recommendations_);
  outcomes_ = std::make_unique<Outcomes>(*store_, *engine_, *pseudonyms_);
  history_ = std::make_unique<History>(*store_, *pseudonyms_, std::set<std::string>{});
}

void AppTest::TearDown() {
  history_.reset();
  outcomes_.reset();
  checkin_.reset();
  store_.reset();
  std::filesystem::remove_all(directory_);
}

v1::RecommendProtocolRequest AppTest::CheckInRequest(const std::string& patient_id) {
  v1::RecommendProtocolRequest request;
  request.set_patient_id(patient_id);
  request.mutable_profile()->set_primary_region(v1::SPINE_REGION_LUMBAR);
  request.mutable_profile()->set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
  request.mutable_profile()->set_convex_side(v1::SIDE_RIGHT);
  request.mutable_profile()->set_age_years(30);
  request.mutable_screening()->set_pain_nrs(4);
  return request;
}

v1::LogOutcomeRequest AppTest::LogRequest(const std::string& patient_id) {
  v1::LogOutcomeRequest request;
  request.set_request_id(*base::RandomUuid());
  v1::Outcome* outcome = request.mutable_outcome();
  outcome->set_patient_id(patient_id);
  outcome->set_therapist_id("therapist-1");
  outcome->set_protocol_id("lumbar-c-curve");
  outcome->set_protocol_version(1);
  outcome->set_session_number(1);
  outcome->set_minutes(15);
  outcome->set_pain_before(5);
  outcome->set_pain_after(3);
  outcome->set_relaxation_notes("relaxed well");
  outcome->mutable_performed_at()->set_seconds(std::time(nullptr) - 600);
  return request;
}

AuditEvent AppTest::CallAudit(const auth::Caller& caller, auth::Method method, absl::Time start) {
  AuditEvent event;
  event.start = start;
  event.caller = caller;
  event.method = method;
  return event;
}

v1::Outcome AppTest::MustLog(const auth::Caller& caller, const v1::LogOutcomeRequest& request) {
  AuditEvent audit = CallAudit(caller, auth::Method::kLogOutcome);
  auto stored = outcomes_->Log(caller, request, &audit);
  EXPECT_TRUE(stored.ok()) << stored.status();
  return stored.ok() ? *stored : v1::Outcome();
}

std::vector<std::string> AppTest::ViolatedFields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const auto& violation : core::FieldViolationsOf(status)) fields.push_back(violation.first);
  return fields;
}

std::string AppTest::Reason(const absl::Status& status) {
  auto reason = status.GetPayload(core::kReasonTypeUrl);
  return reason ? std::string(*reason) : "";
}

}  // namespace scoliomassage::app::testing
