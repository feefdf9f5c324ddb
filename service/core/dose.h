// How long today's session is, and which rule decided it.
//
// Clinic practice (expert opinion): "the first 2-3 procedures last 15
// minutes, later up to 40". Made outcome-adaptive with the published size of
// a meaningful pain change (a fall of 2 NRS points or 30%: Farrar 2001,
// Ostelo 2008). With a logged outcome, in this order:
//   step_back  a SEVERE or neurological adverse event (only reached once a
//              clinician has cleared it; until then the engine refers), a
//              MODERATE event, or pain up 2+ within the session: last minutes
//              - 5 and every step one intensity level lower.
//   hold       a MILD event, or pain up 1: the last minutes again.
//   fixed      sessions 1-2: 15 minutes whatever happened.
//   early      session 3: 20 minutes only after meaningful within-session
//              relief at session 2 with no adverse event; otherwise hold.
//   advance    later sessions: +5 per tolerated session (no adverse event,
//              pain not up), up to 40.
// Without history the dose follows a ladder (15, 15, 15, 20, 25, ..., 40).
// Always 15-40 minutes, and at most one step (5 minutes) ahead of the ladder
// so one unusual logged session cannot jump the dose.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "scoliomassage/v1/outcome.pb.h"

namespace scoliomassage::core {

inline constexpr int kShortestSessionMinutes = 15;
inline constexpr int kLongestSessionMinutes = 40;
inline constexpr int kDoseStepMinutes = 5;
// Sessions that are 15 minutes whatever the history.
inline constexpr int kLastFixedShortSession = 2;
// The ladder's last 15-minute session, and the session of the early advance.
inline constexpr int kLastShortSession = 3;
// A pain increase this large (NRS points) means the last session was too much.
inline constexpr int kPainIncreaseForStepBack = 2;
// A meaningful fall in pain (Farrar 2001; Ostelo 2008).
inline constexpr int kMeaningfulPainFallPoints = 2;
inline constexpr double kMeaningfulPainFallFraction = 0.30;

enum class Progression { kStart, kAdvance, kHold, kStepBack };

// "start", "advance", "hold", "step_back": the words in Basis.progression.
absl::string_view ProgressionName(Progression progression);

struct Dose {
  int total_minutes = kShortestSessionMinutes;
  Progression progression = Progression::kStart;
  // Step back: lower every step's intensity one level.
  bool lower_intensity = false;
  // The rule that decided, e.g. "dose.early_advance" (Basis.dose_rule).
  std::string rule_id = "dose.ladder";
  // Why, for the basis, e.g. "pain went from 4 to 7 after session 3".
  std::string reason;
};

// A fall from `before` to `after` is meaningful: 2 points or 30% of before.
// The same rule as the summaries' within-session relief, so a dose and a
// report never disagree about what counted. (Higher baselines are said to
// need larger falls; the published thresholds are the inclusive 2 points or
// 30%, and that is what clinicians are told this service uses.)
bool MeaningfulFall(int before, int after);

// The most serious adverse event of an outcome: SEVERE, or any neurological
// symptom whatever its recorded severity, counts as serious.
struct AdverseEventSummary {
  v1::Severity worst = v1::SEVERITY_UNSPECIFIED;
  bool serious = false;
  // The first serious event (or the worst one), for cards.
  const v1::AdverseEvent* headline = nullptr;
  // Soreness or increased pain that lasted past 48 hours (onset to
  // resolution, or to `as_of_us` while ongoing): counted as MODERATE in
  // `worst`, since it is the prolonged soreness of the adverse-event
  // literature (Yin 2014), not the expected warmth of a session.
  bool soreness_past_48_hours = false;
};
inline constexpr int64_t kProlongedSorenessUs = 48LL * 3600 * 1000000;
// `as_of_us` (the check-in time) dates an ongoing event; 0 counts only
// events whose resolution was recorded.
AdverseEventSummary SummarizeAdverseEvents(const v1::Outcome& outcome, int64_t as_of_us = 0);
// True for soreness or increased pain known to have lasted past 48 hours.
bool SorenessPast48Hours(const v1::AdverseEvent& event, int64_t as_of_us);

// The ladder minutes for a session without history (session_number >= 1).
int LadderMinutes(int session_number);

// Today's dose for `session_number` given the patient's last logged outcome.
Dose PlanDose(int session_number, const std::optional<v1::Outcome>& last_outcome,
              int64_t as_of_us = 0);

// Splits `total_minutes` into whole minutes by `weights` (largest remainder,
// ties to the earlier step). Every step gets at least one minute and the
// result adds up to total_minutes exactly. Requires weights.size() <=
// total_minutes and every weight >= 1.
std::vector<int> DistributeMinutes(const std::vector<uint32_t>& weights, int total_minutes);

}  // namespace scoliomassage::core
