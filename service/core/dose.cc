#include "core/dose.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"

namespace scoliomassage::core {
namespace {

// The most a session may last given its number: 15 for the first sessions,
// then one step ahead of the ladder (which allows the early advance at 3).
int CeilingMinutes(int session_number) {
  if (session_number <= kLastFixedShortSession) return kShortestSessionMinutes;
  return std::min(kLongestSessionMinutes, LadderMinutes(session_number) + kDoseStepMinutes);
}

int Clamp(int minutes, int session_number) {
  return std::clamp(minutes, kShortestSessionMinutes, CeilingMinutes(session_number));
}

bool HasPain(const v1::Outcome& outcome) {
  return outcome.has_pain_before() && outcome.has_pain_after();
}

}  // namespace

absl::string_view ProgressionName(Progression progression) {
  switch (progression) {
    case Progression::kStart: return "start";
    case Progression::kAdvance: return "advance";
    case Progression::kHold: return "hold";
    case Progression::kStepBack: return "step_back";
  }
  return "start";
}

int LadderMinutes(int session_number) {
  int steps_past_short = std::max(0, session_number - kLastShortSession);
  // Computed in steps, not minutes, so a huge session number cannot overflow.
  int max_steps = (kLongestSessionMinutes - kShortestSessionMinutes) / kDoseStepMinutes;
  return kShortestSessionMinutes + std::min(steps_past_short, max_steps) * kDoseStepMinutes;
}

Dose PlanDose(int session_number, const std::optional<v1::Outcome>& last_outcome) {
  Dose dose;
  if (!last_outcome.has_value()) {
    dose.total_minutes = LadderMinutes(session_number);
    dose.progression = Progression::kStart;
    dose.reason = absl::StrCat("no logged outcome; session ", session_number, " of the ladder");
    return dose;
  }
  const v1::Outcome& last = *last_outcome;
  const int last_minutes = last.minutes();
  const std::string pain_change =
      HasPain(last) ? absl::StrCat("pain ", last.pain_before(), " -> ", last.pain_after())
                    : std::string("pain not recorded");
  const std::string after = absl::StrCat(" after the last session (", last_minutes, " min, ",
                                         pain_change);
  const bool pain_up = HasPain(last) && last.pain_after() - last.pain_before() >= kPainIncreaseForStepBack;
  const bool relief = HasPain(last) && last.pain_after() < last.pain_before();

  if (pain_up || last.adverse_events_size() > 0) {
    dose.progression = Progression::kStepBack;
    dose.lower_intensity = true;
    dose.total_minutes = Clamp(last_minutes - kDoseStepMinutes, session_number);
    dose.reason = absl::StrCat(pain_up ? "pain rose by 2 or more" : "an adverse event was logged",
                               after, ", ", last.adverse_events_size(), " adverse events)");
  } else if (relief) {
    dose.progression = Progression::kAdvance;
    dose.total_minutes = Clamp(last_minutes + kDoseStepMinutes, session_number);
    dose.reason = absl::StrCat("relief without adverse events", after, ")");
  } else {
    dose.progression = Progression::kHold;
    dose.total_minutes = Clamp(last_minutes, session_number);
    dose.reason = absl::StrCat("no relief", after, ")");
  }
  return dose;
}

std::vector<int> DistributeMinutes(const std::vector<uint32_t>& weights, int total_minutes) {
  const size_t n = weights.size();
  std::vector<int> minutes(n, 0);
  if (n == 0) return minutes;
  const uint64_t weight_sum = std::accumulate(weights.begin(), weights.end(), uint64_t{0});
  // Checked catalogs have weights >= 1; equal shares keep a bad one harmless.
  if (weight_sum == 0) return DistributeMinutes(std::vector<uint32_t>(n, 1), total_minutes);
  const uint64_t total = static_cast<uint64_t>(std::max(total_minutes, 0));
  // Exact integer quotas: step i deserves total * w_i / sum minutes.
  std::vector<uint64_t> remainders(n);
  uint64_t assigned = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t share = total * weights[i];
    minutes[i] = static_cast<int>(share / weight_sum);
    remainders[i] = share % weight_sum;
    assigned += minutes[i];
  }
  std::vector<size_t> by_remainder(n);
  std::iota(by_remainder.begin(), by_remainder.end(), 0);
  std::stable_sort(by_remainder.begin(), by_remainder.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  for (size_t k = 0; assigned < total; ++k, ++assigned) ++minutes[by_remainder[k % n]];

  // A tiny weight can round to zero; a step the therapist is told to do gets
  // at least a minute, taken from the longest step (the later one on ties,
  // so the opening steps keep their time).
  for (size_t i = 0; i < n; ++i) {
    if (minutes[i] > 0) continue;
    size_t longest = 0;
    for (size_t j = 0; j < n; ++j) {
      if (minutes[j] >= minutes[longest]) longest = j;
    }
    if (minutes[longest] <= 1) break;  // fewer minutes than steps: caller's contract broken
    --minutes[longest];
    ++minutes[i];
  }
  return minutes;
}

}  // namespace scoliomassage::core
