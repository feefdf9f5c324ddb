// What the protocol engine needs to know about a patient's past sessions.
// Filled by the Store, read by the engine; lives in core so the engine does
// not depend on storage.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "scoliomassage/v1/curve.pb.h"
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
  // The patient's newest stored films (latest revisions, any region), for
  // the curve-over-time rules (core/curve_history.h). Filled by the
  // check-in, not by Store::GetPatientProgress.
  std::vector<v1::CurveMeasurement> curve_measurements;
  // The check-in time (UTC microseconds), for the age of the latest film;
  // 0 leaves the imaging-age rule out.
  int64_t as_of_us = 0;
  // The catalog version of the patient's protocol that their episode's
  // protocol evaluation variant uses (app/variants.h); 0 for the latest,
  // which everyone outside an evaluation gets. Filled by the check-in.
  uint32_t protocol_version = 0;
};

}  // namespace scoliomassage::core
