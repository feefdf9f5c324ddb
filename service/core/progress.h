// What the protocol engine needs to know about a patient's past sessions.
// Filled by the Store, read by the engine; lives in core so the engine does
// not depend on storage.
#pragma once

#include <cstdint>
#include <optional>

#include "scoliomassage/v1/outcome.pb.h"

namespace scoliomassage::core {

struct PatientProgress {
  // Distinct outcomes logged for the patient (amendments do not count).
  int64_t sessions_logged = 0;
  // Latest revision of the most recent session (by performed_at), if any.
  std::optional<v1::Outcome> last_outcome;
  // Pre-session pain of the patient's earliest session (by performed_at) that
  // recorded one: the baseline the episode review compares the latest
  // pre-session pain with. Absent when no session recorded pain_before.
  std::optional<int32_t> first_pain_before;
};

}  // namespace scoliomassage::core
