#include "core/dose.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

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

bool MeaningfulFall(int before, int after) {
  const int fall = before - after;
  if (fall <= 0) return false;
  return fall >= kMeaningfulPainFallPoints || fall >= kMeaningfulPainFallFraction * before;
}

bool SorenessPast48Hours(const v1::AdverseEvent& event, int64_t as_of_us) {
  if (event.type() != v1::ADVERSE_EVENT_TYPE_PROLONGED_SORENESS &&
      event.type() != v1::ADVERSE_EVENT_TYPE_INCREASED_PAIN) {
    return false;
  }
  if (!event.has_onset_time()) return false;
  const auto micros = [](const google::protobuf::Timestamp& t) {
    return t.seconds() * 1000000 + t.nanos() / 1000;
  };
  int64_t end_us = 0;
  if (event.resolution() == v1::ADVERSE_EVENT_RESOLUTION_RESOLVED && event.has_resolved_time()) {
    end_us = micros(event.resolved_time());
  } else if (event.resolution() != v1::ADVERSE_EVENT_RESOLUTION_RESOLVED && as_of_us > 0) {
    end_us = as_of_us;  // still ongoing (or not followed up) at check-in
  } else {
    return false;
  }
  return end_us - micros(event.onset_time()) > kProlongedSorenessUs;
}

AdverseEventSummary SummarizeAdverseEvents(const v1::Outcome& outcome, int64_t as_of_us) {
  AdverseEventSummary summary;
  for (const auto& event : outcome.adverse_events()) {
    const bool serious = event.severity() == v1::SEVERITY_SEVERE ||
                         event.type() == v1::ADVERSE_EVENT_TYPE_NEUROLOGICAL_SYMPTOMS;
    v1::Severity severity = event.severity();
    if (SorenessPast48Hours(event, as_of_us)) {
      summary.soreness_past_48_hours = true;
      if (severity < v1::SEVERITY_MODERATE) severity = v1::SEVERITY_MODERATE;
    }
    if (severity > summary.worst) summary.worst = severity;
    if (serious && !summary.serious) {
      summary.serious = true;
      summary.headline = &event;
    }
    if (!summary.serious && (summary.headline == nullptr ||
                             event.severity() > summary.headline->severity())) {
      summary.headline = &event;
    }
  }
  return summary;
}

Dose PlanDose(int session_number, const std::optional<v1::Outcome>& last_outcome,
              int64_t as_of_us) {
  Dose dose;
  if (!last_outcome.has_value()) {
    dose.total_minutes = LadderMinutes(session_number);
    dose.progression = Progression::kStart;
    dose.rule_id = "dose.ladder";
    dose.reason = absl::StrCat("no logged outcome; session ", session_number, " of the ladder");
    return dose;
  }
  const v1::Outcome& last = *last_outcome;
  const int last_minutes = last.minutes();
  const bool has_pain = HasPain(last);
  const int pain_rise = has_pain ? last.pain_after() - last.pain_before() : 0;
  const AdverseEventSummary events = SummarizeAdverseEvents(last, as_of_us);
  const std::string after = absl::StrCat(
      " after the last session (", last_minutes, " min, ",
      has_pain ? absl::StrCat("pain ", last.pain_before(), " -> ", last.pain_after())
               : std::string("pain not recorded"),
      ", ", last.adverse_events_size(), " adverse events)");

  auto set = [&](Progression progression, int minutes, const char* rule_id,
                 absl::string_view why) {
    dose.progression = progression;
    dose.total_minutes = Clamp(minutes, session_number);
    dose.lower_intensity = progression == Progression::kStepBack;
    dose.rule_id = rule_id;
    dose.reason = absl::StrCat(why, after);
  };
  const int back = last_minutes - kDoseStepMinutes;
  if (events.serious) {
    set(Progression::kStepBack, back, "dose.step_back_serious_event",
        "a serious adverse event (cleared by a clinician): step back 5 minutes and one level");
  } else if (events.worst == v1::SEVERITY_MODERATE) {
    set(Progression::kStepBack, back, "dose.step_back_moderate_event",
        events.soreness_past_48_hours
            ? "soreness lasting past 48 hours (counted as a MODERATE adverse event): step back 5 "
              "minutes and one level"
            : "a MODERATE adverse event: step back 5 minutes and one level");
  } else if (pain_rise >= kPainIncreaseForStepBack) {
    set(Progression::kStepBack, back, "dose.step_back_pain_up",
        "pain rose by 2 or more: step back 5 minutes and one level");
  } else if (events.worst == v1::SEVERITY_MILD || !last.adverse_events().empty()) {
    set(Progression::kHold, last_minutes, "dose.hold_mild_event", "a MILD adverse event: hold");
  } else if (pain_rise == 1) {
    set(Progression::kHold, last_minutes, "dose.hold_pain_up", "pain rose by 1: hold");
  } else if (!has_pain) {
    set(Progression::kHold, last_minutes, "dose.hold_no_pain_record",
        "tolerance unknown without pain scores: hold");
  } else if (session_number <= kLastFixedShortSession) {
    set(Progression::kHold, kShortestSessionMinutes, "dose.first_sessions",
        "sessions 1-2 are 15 minutes");
  } else if (session_number == kLastShortSession) {
    if (MeaningfulFall(last.pain_before(), last.pain_after())) {
      set(Progression::kAdvance, last_minutes + kDoseStepMinutes, "dose.early_advance",
          "meaningful within-session relief (2 points or 30%) with no adverse event: early "
          "advance");
    } else {
      set(Progression::kHold, last_minutes, "dose.no_early_advance",
          "no meaningful within-session relief (a fall of 2 points or 30%): no early advance");
    }
  } else {
    set(Progression::kAdvance, last_minutes + kDoseStepMinutes, "dose.advance_tolerated",
        "tolerated (no adverse event, pain not up): +5 minutes");
  }
  if (dose.progression == Progression::kAdvance && dose.total_minutes == last_minutes) {
    // Already at the ceiling (40, or one step ahead of the ladder).
    dose.progression = Progression::kHold;
    absl::StrAppend(&dose.reason, "; already at the most this session may last");
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
