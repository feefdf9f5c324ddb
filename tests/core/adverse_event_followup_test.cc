// Adverse events followed up: onset and resolution times, checked on input,
// and "soreness past 48 hours" in the dose rules, at its boundary.
#include <string>

#include "core/dose.h"
#include "core/errors.h"
#include "core/outcome_validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scoliomassage::core {
namespace {

using ::testing::HasSubstr;
using ::testing::Key;
using ::testing::UnorderedElementsAre;

constexpr int64_t kHourUs = 3600LL * 1000000;
constexpr int64_t kSessionUs = 1780272000LL * 1000000;  // 2026-06-01T00:00:00Z

google::protobuf::Timestamp At(int64_t us) {
  google::protobuf::Timestamp t;
  t.set_seconds(us / 1000000);
  t.set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  return t;
}

v1::AdverseEvent Soreness(int64_t onset_us, std::optional<int64_t> resolved_us) {
  v1::AdverseEvent event;
  event.set_type(v1::ADVERSE_EVENT_TYPE_INCREASED_PAIN);
  event.set_severity(v1::SEVERITY_MILD);
  *event.mutable_onset_time() = At(onset_us);
  if (resolved_us) {
    event.set_resolution(v1::ADVERSE_EVENT_RESOLUTION_RESOLVED);
    *event.mutable_resolved_time() = At(*resolved_us);
  } else {
    event.set_resolution(v1::ADVERSE_EVENT_RESOLUTION_ONGOING);
  }
  return event;
}

TEST(AdverseEventFollowUpTest, SorenessPast48HoursAtItsBoundary) {
  EXPECT_FALSE(SorenessPast48Hours(Soreness(kSessionUs, kSessionUs + 48 * kHourUs), 0));
  EXPECT_TRUE(SorenessPast48Hours(Soreness(kSessionUs, kSessionUs + 48 * kHourUs + 1), 0));
  // Ongoing: counted from onset to the check-in; unknown without a check-in time.
  EXPECT_FALSE(SorenessPast48Hours(Soreness(kSessionUs, std::nullopt), 0));
  EXPECT_FALSE(SorenessPast48Hours(Soreness(kSessionUs, std::nullopt), kSessionUs + 47 * kHourUs));
  EXPECT_TRUE(SorenessPast48Hours(Soreness(kSessionUs, std::nullopt), kSessionUs + 49 * kHourUs));
  // Bruising is not soreness; without an onset nothing is known.
  v1::AdverseEvent bruise = Soreness(kSessionUs, kSessionUs + 96 * kHourUs);
  bruise.set_type(v1::ADVERSE_EVENT_TYPE_BRUISING);
  EXPECT_FALSE(SorenessPast48Hours(bruise, 0));
  v1::AdverseEvent undated = Soreness(kSessionUs, kSessionUs + 96 * kHourUs);
  undated.clear_onset_time();
  EXPECT_FALSE(SorenessPast48Hours(undated, 0));
}

v1::Outcome Last(const v1::AdverseEvent& event) {
  v1::Outcome last;
  last.set_name("outcomes/0123456789abcdef0123456789abcdef");
  last.set_session_number(3);
  last.set_minutes(20);
  last.set_pain_before(5);
  last.set_pain_after(4);
  *last.mutable_performed_at() = At(kSessionUs);
  *last.add_adverse_events() = event;
  return last;
}

TEST(AdverseEventFollowUpTest, MildSorenessThatLastedPast48HoursStepsTheDoseBack) {
  const Dose short_lived = PlanDose(4, Last(Soreness(kSessionUs, kSessionUs + 24 * kHourUs)),
                                    kSessionUs + 96 * kHourUs);
  EXPECT_EQ(short_lived.rule_id, "dose.hold_mild_event");
  EXPECT_EQ(short_lived.total_minutes, 20);
  const Dose prolonged = PlanDose(4, Last(Soreness(kSessionUs, kSessionUs + 72 * kHourUs)),
                                  kSessionUs + 96 * kHourUs);
  EXPECT_EQ(prolonged.rule_id, "dose.step_back_moderate_event");
  EXPECT_EQ(prolonged.total_minutes, 15);
  EXPECT_TRUE(prolonged.lower_intensity);
  EXPECT_THAT(prolonged.reason, HasSubstr("past 48 hours"));
}

v1::LogOutcomeRequest LogWith(const v1::AdverseEvent& event) {
  v1::LogOutcomeRequest request;
  request.set_request_id("123e4567-e89b-12d3-a456-426614174000");
  v1::Outcome* outcome = request.mutable_outcome();
  outcome->set_patient_id("p");
  outcome->set_therapist_id("t");
  outcome->set_protocol_id("lumbar-c-curve");
  outcome->set_spine_region(v1::SPINE_REGION_LUMBAR);
  outcome->set_session_number(1);
  outcome->set_minutes(15);
  outcome->set_pain_before(4);
  outcome->set_pain_after(3);
  *outcome->mutable_performed_at() = At(kSessionUs);
  *outcome->add_adverse_events() = event;
  return request;
}

std::vector<std::pair<std::string, std::string>> Violations(const v1::AdverseEvent& event,
                                                            int64_t now_us) {
  return FieldViolationsOf(ValidateLogOutcomeRequest(LogWith(event), now_us));
}

TEST(AdverseEventFollowUpTest, FollowUpTimesAreChecked) {
  const int64_t now = kSessionUs + 100 * kHourUs;
  EXPECT_TRUE(Violations(Soreness(kSessionUs + kHourUs, kSessionUs + 50 * kHourUs), now).empty());
  EXPECT_TRUE(Violations(Soreness(kSessionUs + kHourUs, std::nullopt), now).empty());

  v1::AdverseEvent no_time = Soreness(kSessionUs, std::nullopt);
  no_time.set_resolution(v1::ADVERSE_EVENT_RESOLUTION_RESOLVED);
  EXPECT_THAT(Violations(no_time, now),
              UnorderedElementsAre(Key("outcome.adverse_events[0].resolved_time")));
  v1::AdverseEvent time_but_ongoing = Soreness(kSessionUs, kSessionUs + kHourUs);
  time_but_ongoing.set_resolution(v1::ADVERSE_EVENT_RESOLUTION_ONGOING);
  EXPECT_THAT(Violations(time_but_ongoing, now),
              UnorderedElementsAre(Key("outcome.adverse_events[0].resolved_time")));
  EXPECT_THAT(Violations(Soreness(kSessionUs + 5 * kHourUs, kSessionUs + 4 * kHourUs), now),
              UnorderedElementsAre(Key("outcome.adverse_events[0].resolved_time")));
  EXPECT_THAT(Violations(Soreness(kSessionUs - 2 * kHourUs, std::nullopt), now),
              UnorderedElementsAre(Key("outcome.adverse_events[0].onset_time")));
  EXPECT_THAT(Violations(Soreness(kSessionUs, now + kHourUs), now),
              UnorderedElementsAre(Key("outcome.adverse_events[0].resolved_time")));
  v1::AdverseEvent bad_action = Soreness(kSessionUs, std::nullopt);
  bad_action.set_action_taken(static_cast<v1::AdverseEventAction>(99));
  EXPECT_THAT(Violations(bad_action, now),
              UnorderedElementsAre(Key("outcome.adverse_events[0].action_taken")));
}

}  // namespace
}  // namespace scoliomassage::core
