// An episode's result: baseline against latest, per measure. Pre-session
// pain is judged by the project's one pain rule (core/dose.h MeaningfulFall:
// 2 points or 30%, Farrar 2001; Ostelo 2008); each questionnaire domain by its
// instrument's own threshold and direction (core/meaningful_change.h). Pure.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "scoliomassage/v1/assessment.pb.h"
#include "scoliomassage/v1/episode.pb.h"
#include "scoliomassage/v1/instrument.pb.h"

namespace scoliomassage::core {

// What an episode result is computed from; the Store fills it.
struct EpisodeRecord {
  v1::Episode episode;
  // Pre-session pain of the episode's first and latest sessions (by
  // performed_at) that recorded one.
  struct Pain {
    int32_t value = 0;
    int64_t performed_at_us = 0;
  };
  std::optional<Pain> first_pain;
  std::optional<Pain> latest_pain;
  int64_t pain_sessions = 0;
  // The episode's assessments, oldest first.
  std::vector<v1::Assessment> assessments;
};

// Null when the instrument is not loaded (its changes are then reported but
// never called meaningful).
using InstrumentLookup = std::function<const v1::Instrument*(const std::string& id)>;

// Pain first (when two or more sessions recorded it), then each instrument
// and domain in order of first appearance, each with two or more scoreable
// values: baseline is the first, latest the last.
v1::EpisodeResult ComputeEpisodeResult(const EpisodeRecord& record,
                                       const InstrumentLookup& instruments);

}  // namespace scoliomassage::core
