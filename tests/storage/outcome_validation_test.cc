// One case per input rule; each asserts the exact field path reported.
#include "core/outcome_validation.h"

#include <functional>
#include <string>

#include "core/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoliomassage/v1/common.pb.h"

namespace scoliomassage::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;
using ::testing::_;

constexpr int64_t kNowUs = 1767225600LL * 1000000;  // 2026-01-01T00:00:00Z

v1::LogOutcomeRequest ValidLog() {
  v1::LogOutcomeRequest request;
  request.set_request_id("123e4567-e89b-12d3-a456-426614174000");
  v1::Outcome* outcome = request.mutable_outcome();
  outcome->set_patient_id("patient-1");
  outcome->set_therapist_id("therapist-1");
  outcome->set_protocol_id("lumbar-c-curve");
  outcome->set_spine_region(v1::SPINE_REGION_LUMBAR);
  outcome->set_session_number(1);
  outcome->set_minutes(15);
  outcome->set_pain_before(6);
  outcome->set_pain_after(3);
  auto* tension = outcome->add_tension();
  tension->set_region("left thoracic paraspinals");
  tension->set_before(2);
  tension->set_after(1);
  auto* event = outcome->add_adverse_events();
  event->set_type(v1::ADVERSE_EVENT_TYPE_BRUISING);
  event->set_severity(v1::SEVERITY_MILD);
  outcome->mutable_performed_at()->set_seconds(kNowUs / 1000000 - 3600);
  return request;
}

// The field paths reported for a LogOutcomeRequest after `change`.
std::vector<std::string> LogViolations(const std::function<void(v1::LogOutcomeRequest&)>& change) {
  v1::LogOutcomeRequest request = ValidLog();
  change(request);
  absl::Status status = ValidateLogOutcomeRequest(request, kNowUs);
  std::vector<std::string> fields;
  for (const auto& [field, description] : FieldViolationsOf(status)) {
    EXPECT_FALSE(description.empty()) << field;
    fields.push_back(field);
  }
  if (fields.empty()) {
    EXPECT_TRUE(status.ok()) << status;
  } else {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  }
  return fields;
}

TEST(OutcomeValidationTest, AValidRequestPasses) {
  EXPECT_THAT(LogViolations([](auto&) {}), IsEmpty());
}

TEST(OutcomeValidationTest, RequestIdIsRequiredAndAUuid) {
  EXPECT_THAT(LogViolations([](auto& r) { r.clear_request_id(); }), ElementsAre("request_id"));
  EXPECT_THAT(LogViolations([](auto& r) { r.set_request_id("not-a-uuid"); }),
              ElementsAre("request_id"));
  EXPECT_THAT(LogViolations([](auto& r) { r.set_request_id("123e4567e89b12d3a456426614174000"); }),
              ElementsAre("request_id"));
  EXPECT_THAT(LogViolations([](auto& r) { r.set_request_id("123e4567-e89b-12d3-a456-42661417400g"); }),
              ElementsAre("request_id"));
  EXPECT_THAT(LogViolations([](auto& r) { r.set_request_id("123E4567-E89B-12D3-A456-426614174000"); }),
              IsEmpty());
}

TEST(OutcomeValidationTest, OutcomeIsRequired) {
  EXPECT_THAT(LogViolations([](auto& r) { r.clear_outcome(); }), ElementsAre("outcome"));
}

TEST(OutcomeValidationTest, PatientAndTherapistIdsAreRequiredAndBounded) {
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->clear_patient_id(); }),
              ElementsAre("outcome.patient_id"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_patient_id(std::string(129, 'p')); }),
              ElementsAre("outcome.patient_id"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_patient_id(std::string(128, 'p')); }),
              IsEmpty());
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->clear_therapist_id(); }),
              ElementsAre("outcome.therapist_id"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_therapist_id(std::string(129, 't')); }),
              ElementsAre("outcome.therapist_id"));
}

TEST(OutcomeValidationTest, ProtocolIdIsRequired) {
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->clear_protocol_id(); }),
              ElementsAre("outcome.protocol_id"));
}

TEST(OutcomeValidationTest, OptionalIdsAreBounded) {
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_encounter_id(std::string(129, 'e')); }),
              ElementsAre("outcome.encounter_id"));
  EXPECT_THAT(
      LogViolations([](auto& r) { r.mutable_outcome()->set_recommendation_id(std::string(129, 'r')); }),
      ElementsAre("outcome.recommendation_id"));
}

TEST(OutcomeValidationTest, SessionNumberIsOneToAThousand) {
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_session_number(0); }),
              ElementsAre("outcome.session_number"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_session_number(1001); }),
              ElementsAre("outcome.session_number"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_session_number(1000); }), IsEmpty());
}

TEST(OutcomeValidationTest, MinutesAreOneToOneHundredTwenty) {
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_minutes(0); }),
              ElementsAre("outcome.minutes"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_minutes(121); }),
              ElementsAre("outcome.minutes"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_minutes(120); }), IsEmpty());
}

TEST(OutcomeValidationTest, PainIsRequiredAndZeroToTen) {
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->clear_pain_before(); }),
              ElementsAre("outcome.pain_before"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->clear_pain_after(); }),
              ElementsAre("outcome.pain_after"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_pain_before(11); }),
              ElementsAre("outcome.pain_before"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_pain_after(-1); }),
              ElementsAre("outcome.pain_after"));
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->set_pain_before(0);
                r.mutable_outcome()->set_pain_after(10);
              }),
              IsEmpty());
}

TEST(OutcomeValidationTest, TensionEntriesFollowTheOrdinalScale) {
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->mutable_tension(0)->set_after(4); }),
              ElementsAre("outcome.tension[0].after"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->mutable_tension(0)->set_before(-1); }),
              ElementsAre("outcome.tension[0].before"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->add_tension()->set_before(1); }),
              ElementsAre("outcome.tension[1].region"));
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->mutable_tension(0)->set_region(std::string(65, 'r'));
              }),
              ElementsAre("outcome.tension[0].region"));
  EXPECT_THAT(LogViolations([](auto& r) {
                for (int i = 0; i < 32; ++i) r.mutable_outcome()->add_tension()->set_region("x");
              }),
              ElementsAre("outcome.tension"));
}

TEST(OutcomeValidationTest, AdverseEventsNeedAKnownTypeAndSeverity) {
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->mutable_adverse_events(0)->set_type(
                    v1::ADVERSE_EVENT_TYPE_UNSPECIFIED);
              }),
              ElementsAre("outcome.adverse_events[0].type"));
  EXPECT_THAT(LogViolations([](auto& r) {
                auto* event = r.mutable_outcome()->add_adverse_events();
                event->set_type(v1::ADVERSE_EVENT_TYPE_DIZZINESS);
              }),
              ElementsAre("outcome.adverse_events[1].severity"));
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->mutable_adverse_events(0)->set_type(
                    static_cast<v1::AdverseEventType>(99));
              }),
              ElementsAre("outcome.adverse_events[0].type"));
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->mutable_adverse_events(0)->set_severity(
                    static_cast<v1::Severity>(42));
              }),
              ElementsAre("outcome.adverse_events[0].severity"));
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->mutable_adverse_events(0)->set_description(std::string(2001, 'd'));
              }),
              ElementsAre("outcome.adverse_events[0].description"));
  EXPECT_THAT(LogViolations([](auto& r) {
                for (int i = 0; i < 32; ++i) {
                  auto* event = r.mutable_outcome()->add_adverse_events();
                  event->set_type(v1::ADVERSE_EVENT_TYPE_OTHER);
                  event->set_severity(v1::SEVERITY_MILD);
                }
              }),
              ElementsAre("outcome.adverse_events"));
}

TEST(OutcomeValidationTest, RelaxationNotesAreBoundedUtf8) {
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->set_relaxation_notes(std::string(4001, 'n'));
              }),
              ElementsAre("outcome.relaxation_notes"));
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_relaxation_notes("ok \xff"); }),
              ElementsAre("outcome.relaxation_notes"));
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->set_relaxation_notes("Entspannt, W\xc3\xa4rme \xe2\x9c\x93");
              }),
              IsEmpty());
}

TEST(OutcomeValidationTest, EveryStringMustBeUtf8) {
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_patient_id("p\xc0\xaf"); }),
              ElementsAre("outcome.patient_id"));  // overlong '/'
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->set_therapist_id("t\xed\xa0\x80"); }),
              ElementsAre("outcome.therapist_id"));  // a surrogate
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->mutable_tension(0)->set_region("r\xe2\x82");
              }),
              ElementsAre("outcome.tension[0].region"));  // truncated
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->mutable_adverse_events(0)->set_description("\xf4\x90\x80\x80");
              }),
              ElementsAre("outcome.adverse_events[0].description"));  // past U+10FFFF
}

TEST(OutcomeValidationTest, PerformedAtIsRequiredValidAndNotInTheFuture) {
  EXPECT_THAT(LogViolations([](auto& r) { r.mutable_outcome()->clear_performed_at(); }),
              ElementsAre("outcome.performed_at"));
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->mutable_performed_at()->set_seconds(kNowUs / 1000000 + 61);
              }),
              ElementsAre("outcome.performed_at"));
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->mutable_performed_at()->set_seconds(kNowUs / 1000000 + 59);
              }),
              IsEmpty()) << "one minute of clock skew is allowed";
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->mutable_performed_at()->set_nanos(1000000000);
              }),
              ElementsAre("outcome.performed_at"));
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->mutable_performed_at()->set_seconds(-70000000000);
              }),
              ElementsAre("outcome.performed_at"));
}

TEST(OutcomeValidationTest, SpineRegionMustBeKnownButMayBeUnspecified) {
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->set_spine_region(static_cast<v1::SpineRegion>(77));
              }),
              ElementsAre("outcome.spine_region"));
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->set_spine_region(v1::SPINE_REGION_UNSPECIFIED);
              }),
              IsEmpty());
}

TEST(OutcomeValidationTest, OutputOnlyFieldsAreIgnored) {
  EXPECT_THAT(LogViolations([](auto& r) {
                r.mutable_outcome()->set_name("garbage");
                r.mutable_outcome()->set_revision(-4);
                r.mutable_outcome()->mutable_create_time()->set_nanos(-1);
              }),
              IsEmpty());
  v1::Outcome outcome = ValidLog().outcome();
  outcome.set_name("outcomes/x");
  outcome.set_revision(3);
  outcome.set_amend_reason("r");
  ClearOutputOnlyFields(&outcome);
  EXPECT_TRUE(outcome.name().empty());
  EXPECT_EQ(outcome.revision(), 0);
  EXPECT_TRUE(outcome.amend_reason().empty());
}

TEST(OutcomeValidationTest, AllViolationsAreReportedAtOnce) {
  EXPECT_THAT(LogViolations([](auto& r) {
                r.clear_request_id();
                r.mutable_outcome()->set_minutes(500);
                r.mutable_outcome()->set_pain_after(12);
              }),
              UnorderedElementsAre("request_id", "outcome.minutes", "outcome.pain_after"));
}

v1::AmendOutcomeRequest ValidAmend() {
  v1::AmendOutcomeRequest request;
  request.set_request_id("123e4567-e89b-12d3-a456-426614174001");
  request.set_name("outcomes/0123456789abcdef0123456789abcdef");
  *request.mutable_outcome() = ValidLog().outcome();
  request.set_reason("pain after was recorded wrong");
  return request;
}

std::vector<std::string> AmendViolations(
    const std::function<void(v1::AmendOutcomeRequest&)>& change) {
  v1::AmendOutcomeRequest request = ValidAmend();
  change(request);
  std::vector<std::string> fields;
  for (const auto& violation : FieldViolationsOf(ValidateAmendOutcomeRequest(request, kNowUs))) {
    fields.push_back(violation.first);
  }
  return fields;
}

TEST(AmendValidationTest, NeedsANameAReasonAndAValidOutcome) {
  EXPECT_THAT(AmendViolations([](auto&) {}), IsEmpty());
  EXPECT_THAT(AmendViolations([](auto& r) { r.clear_name(); }), ElementsAre("name"));
  EXPECT_THAT(AmendViolations([](auto& r) { r.set_name("outcomes/123"); }), ElementsAre("name"));
  EXPECT_THAT(AmendViolations([](auto& r) { r.set_name("patients/0123456789abcdef0123456789abcdef"); }),
              ElementsAre("name"));
  EXPECT_THAT(AmendViolations([](auto& r) { r.clear_reason(); }), ElementsAre("reason"));
  EXPECT_THAT(AmendViolations([](auto& r) { r.set_reason(std::string(1001, 'r')); }),
              ElementsAre("reason"));
  EXPECT_THAT(AmendViolations([](auto& r) { r.set_reason("\xff"); }), ElementsAre("reason"));
  EXPECT_THAT(AmendViolations([](auto& r) { r.clear_request_id(); }), ElementsAre("request_id"));
  EXPECT_THAT(AmendViolations([](auto& r) { r.clear_outcome(); }), ElementsAre("outcome"));
  EXPECT_THAT(AmendViolations([](auto& r) { r.mutable_outcome()->set_pain_before(20); }),
              ElementsAre("outcome.pain_before"));
}

TEST(GetOutcomeValidationTest, NameMustBeAnOutcomeName) {
  v1::GetOutcomeRequest request;
  request.set_name("outcomes/0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(ValidateGetOutcomeRequest(request).ok());
  request.set_name("outcomes/0123456789ABCDEF0123456789abcdef");
  EXPECT_THAT(FieldViolationsOf(ValidateGetOutcomeRequest(request)), ElementsAre(Pair("name", _)));
  request.set_name("");
  EXPECT_THAT(FieldViolationsOf(ValidateGetOutcomeRequest(request)), ElementsAre(Pair("name", _)));
  request.set_name("outcomes/0123456789abcdef0123456789abcdef");
  request.set_revision(-1);
  EXPECT_THAT(FieldViolationsOf(ValidateGetOutcomeRequest(request)),
              ElementsAre(Pair("revision", _)));
}

TEST(HistoryFilterValidationTest, TimeRangeMustBeValidAndOrdered) {
  v1::HistoryFilter filter;
  EXPECT_TRUE(ValidateHistoryFilter(filter, "filter").ok());
  filter.mutable_start_time()->set_seconds(200);
  filter.mutable_end_time()->set_seconds(100);
  EXPECT_THAT(FieldViolationsOf(ValidateHistoryFilter(filter, "filter")),
              ElementsAre(Pair("filter.end_time", _)));
  filter.mutable_end_time()->set_seconds(200);
  EXPECT_THAT(FieldViolationsOf(ValidateHistoryFilter(filter, "filter")),
              ElementsAre(Pair("filter.end_time", _)))
      << "an empty range [t, t) is a mistake";
  filter.mutable_end_time()->set_seconds(300);
  EXPECT_TRUE(ValidateHistoryFilter(filter, "filter").ok());
  filter.mutable_start_time()->set_nanos(-5);
  EXPECT_THAT(FieldViolationsOf(ValidateHistoryFilter(filter, "")),
              ElementsAre(Pair("start_time", _)));
  v1::HistoryFilter region;
  region.set_spine_region(static_cast<v1::SpineRegion>(50));
  EXPECT_THAT(FieldViolationsOf(ValidateHistoryFilter(region, "filter")),
              ElementsAre(Pair("filter.spine_region", _)));
}

}  // namespace
}  // namespace scoliomassage::core
