#include "bench_fixture.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace scoliomassage::bench {
namespace {

constexpr char kTokensFile[] =
    "token sha256:b61179b87136d54738f72b16797f0077e25d9eef5a75687c3159687b76502d56 "
    "bench-host host bench\n"
    "token sha256:5e1aae22ebf7a78cfad52ecadefda24a6b377ecd45601f24e3ba11c2624ed4f0 "
    "bench-analytics analytics bench\n";

}  // namespace

std::string WriteCredentials(const std::string& dir) {
  const std::string tokens = dir + "/tokens";
  std::ofstream(tokens) << kTokensFile;
  // Outside dev mode the server wants a pseudonym secret of 32+ bytes.
  std::ofstream(tokens + ".pseudonym") << "bench-pseudonym-secret-0123456789abcdef";
  return tokens;
}

std::string NewUuid(std::mt19937_64& random) {
  const uint64_t high = random();
  const uint64_t low = random();
  return absl::StrFormat("%08x-%04x-4%03x-%04x-%012x", high >> 32, (high >> 16) & 0xffff,
                         high & 0xfff, 0x8000 | ((low >> 48) & 0x3fff), low & 0xffffffffffffULL);
}

v1::RecommendProtocolRequest RecommendRequest(const std::string& patient_id) {
  v1::RecommendProtocolRequest request;
  request.set_patient_id(patient_id);
  auto* profile = request.mutable_profile();
  profile->set_age_years(34);
  profile->set_primary_region(v1::SPINE_REGION_LUMBAR);
  profile->set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
  profile->set_convex_side(v1::SIDE_RIGHT);
  profile->set_cobb_angle_degrees(18);
  request.mutable_screening()->set_pain_nrs(4);
  request.mutable_screening()->set_notes("Stiff after a long shift; no red flags.");
  return request;
}

v1::LogOutcomeRequest LogRequest(const std::string& patient, int session, std::mt19937_64& random) {
  v1::LogOutcomeRequest request;
  request.set_request_id(NewUuid(random));
  v1::Outcome* outcome = request.mutable_outcome();
  outcome->set_patient_id(patient);
  outcome->set_therapist_id("therapist-7");
  outcome->set_encounter_id(absl::StrCat("encounter-", random() % 1000000));
  outcome->set_protocol_id("lumbar-c-curve");
  outcome->set_protocol_version(1);
  outcome->set_session_number(session);
  outcome->set_minutes(15);
  outcome->set_pain_before(5);
  outcome->set_pain_after(3);
  auto* tension = outcome->add_tension();
  tension->set_region("right lumbar paraspinals");
  tension->set_before(3);
  tension->set_after(1);
  outcome->set_relaxation_notes("Relaxed well; warmth on the skin.");
  outcome->mutable_performed_at()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 600);
  return request;
}

}  // namespace scoliomassage::bench
