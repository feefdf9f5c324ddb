#include "outcome_samples.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "scoliomassage/v1/common.pb.h"

namespace scoliomassage::storage::testing {

std::string NewRequestId() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  const uint64_t high = random();
  const uint64_t low = random();
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", high >> 32, (high >> 16) & 0xffff,
                         high & 0xffff, low >> 48, low & 0xffffffffffffULL);
}

v1::Outcome SampleOutcome(const std::string& patient_id) {
  v1::Outcome outcome;
  outcome.set_patient_id(patient_id);
  outcome.set_therapist_id("therapist-1");
  outcome.set_encounter_id("encounter-7");
  outcome.set_protocol_id("lumbar-c-curve");
  outcome.set_protocol_version(3);
  outcome.set_spine_region(v1::SPINE_REGION_LUMBAR);
  outcome.set_session_number(2);
  outcome.set_minutes(15);
  outcome.set_pain_before(6);
  outcome.set_pain_after(3);
  auto* tension = outcome.add_tension();
  tension->set_region("right lumbar paraspinals");
  tension->set_before(3);
  tension->set_after(1);
  outcome.set_relaxation_notes("Relaxed well; warmth on the skin.");
  outcome.mutable_performed_at()->set_seconds(kBaseTimeUs / 1000000 + 3600);
  outcome.mutable_performed_at()->set_nanos(123456000);
  return outcome;
}

v1::Outcome RandomOutcome(std::mt19937& random) {
  auto pick = [&](int n) { return static_cast<int>(random() % n); };
  v1::Outcome outcome;
  outcome.set_patient_id(absl::StrCat("patient-", pick(5)));
  outcome.set_therapist_id(absl::StrCat("therapist-", pick(3)));
  static const char* kProtocols[] = {"lumbar-c-curve", "thoracic-s-curve", "cervical-c-curve"};
  outcome.set_protocol_id(kProtocols[pick(3)]);
  outcome.set_protocol_version(1);
  static const v1::SpineRegion kRegions[] = {v1::SPINE_REGION_LUMBAR, v1::SPINE_REGION_THORACIC,
                                             v1::SPINE_REGION_CERVICAL};
  outcome.set_spine_region(kRegions[pick(3)]);
  outcome.set_session_number(1 + pick(4));
  outcome.set_minutes(15 + pick(26));
  const int before = pick(11);
  outcome.set_pain_before(before);
  outcome.set_pain_after(pick(before + 2) % 11);  // sometimes worse
  if (pick(4) == 0) {
    auto* event = outcome.add_adverse_events();
    event->set_type(v1::ADVERSE_EVENT_TYPE_PROLONGED_SORENESS);
    event->set_severity(v1::SEVERITY_MILD);
  }
  // Spread over about 4 months, at microsecond precision.
  const int64_t performed_at_us = kBaseTimeUs + static_cast<int64_t>(random() % (120LL * 86400)) *
                                                    1000000 + pick(1000000);
  outcome.mutable_performed_at()->set_seconds(performed_at_us / 1000000);
  outcome.mutable_performed_at()->set_nanos(static_cast<int32_t>(performed_at_us % 1000000) * 1000);
  return outcome;
}

}  // namespace scoliomassage::storage::testing
