// How long today's session is, and how it moved from the last one.
//
// The seed: "the first 2-3 procedures last 15 minutes, in the future this
// time increases to 40 minutes". Without history the dose follows a ladder
// (15, 15, 15, 20, 25, 30, 35, 40, 40, ...). With a logged outcome it learns:
//   advance    relief (pain_after < pain_before) and no adverse event:
//              last minutes + 5. Sessions 1-2 stay at 15, so the earliest
//              advance is 20 minutes at session 3 (the seed's "2-3").
//   hold       no relief: the last minutes again.
//   step_back  pain up by 2 or more, or any adverse event: last minutes - 5
//              and every step one intensity level lower.
// Always between 15 and 40 minutes, and at most one step (5 minutes) ahead
// of the ladder so one unusual logged session cannot jump the dose.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "scoliomassage/v1/outcome.pb.h"

namespace scoliomassage::core {

inline constexpr int kShortestSessionMinutes = 15;
inline constexpr int kLongestSessionMinutes = 40;
inline constexpr int kDoseStepMinutes = 5;
// Sessions that are 15 minutes whatever the history.
inline constexpr int kLastFixedShortSession = 2;
// The ladder's last 15-minute session.
inline constexpr int kLastShortSession = 3;
// A pain increase this large (NRS points) means the last session was too much.
inline constexpr int kPainIncreaseForStepBack = 2;

enum class Progression { kStart, kAdvance, kHold, kStepBack };

// "start", "advance", "hold", "step_back": the words in Basis.progression.
absl::string_view ProgressionName(Progression progression);

struct Dose {
  int total_minutes = kShortestSessionMinutes;
  Progression progression = Progression::kStart;
  // Step back: lower every step's intensity one level.
  bool lower_intensity = false;
  // Why, for the basis, e.g. "pain went from 4 to 7 after session 3".
  std::string reason;
};

// The ladder minutes for a session without history (session_number >= 1).
int LadderMinutes(int session_number);

// Today's dose for `session_number` given the patient's last logged outcome.
Dose PlanDose(int session_number, const std::optional<v1::Outcome>& last_outcome);

// Splits `total_minutes` into whole minutes by `weights` (largest remainder,
// ties to the earlier step). Every step gets at least one minute and the
// result adds up to total_minutes exactly. Requires weights.size() <=
// total_minutes and every weight >= 1.
std::vector<int> DistributeMinutes(const std::vector<uint32_t>& weights, int total_minutes);

}  // namespace scoliomassage::core
