// The words and the band of a progress report, computed from the record with
// the service's one rule for a meaningful pain change (core/dose.h
// MeaningfulFall: a fall of 2 points or 30%; Farrar 2001, Ostelo 2008), so
// the report, the dose rules and the summaries never disagree.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scoliomassage/v1/outcome.pb.h"

namespace scoliomassage::core {

// The pain values around a baseline that are less than a meaningful change
// either way (a rise counts as meaningful when the fall back would be), as a
// band on the 0-10 axis with its edges half way between whole NRS points.
struct PainBand {
  int baseline = 0;
  double low = 0;   // >= 0
  double high = 0;  // <= 10
};
PainBand NoMeaningfulChangeBand(int baseline);

// The episode outcome in one sentence: pre-session pain at the first session
// against the latest, e.g. "Pre-session pain fell from 6 to 3 over 8
// sessions: a meaningful improvement." With fewer than two sessions that
// recorded pain: "Not enough data ...". `sessions` in drawing order.
std::string EpisodeSummary(const std::vector<v1::Outcome>& sessions);

// "Pain fell meaningfully within 5 of 8 sessions (pain just before against
// just after)." Empty when there are no sessions.
std::string WithinSessionSummary(const std::vector<v1::Outcome>& sessions);

// "3 sessions were followed by an adverse event (one serious)." or "No
// adverse events were recorded."
std::string AdverseEventsSummary(const std::vector<v1::Outcome>& sessions);

// Session numbers missing between the first and the last logged session,
// e.g. {4, 5, 9}: the gaps the charts leave open.
std::vector<int> MissingSessions(const std::vector<v1::Outcome>& sessions);

}  // namespace scoliomassage::core
