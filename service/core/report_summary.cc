#include "core/report_summary.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "core/chart_geometry.h"
#include "core/dose.h"

namespace scoliomassage::core {

PainBand NoMeaningfulChangeBand(int baseline) {
  PainBand band;
  band.baseline = baseline;
  int lowest = baseline, highest = baseline;
  for (int y = kPainScaleMin; y <= kPainScaleMax; ++y) {
    if (MeaningfulFall(baseline, y) || MeaningfulFall(y, baseline)) continue;
    lowest = std::min(lowest, y);
    highest = std::max(highest, y);
  }
  band.low = std::max<double>(kPainScaleMin, lowest - 0.5);
  band.high = std::min<double>(kPainScaleMax, highest + 0.5);
  return band;
}

namespace {

std::string Sessions(size_t n) { return absl::StrCat(n, n == 1 ? " session" : " sessions"); }

}  // namespace

std::string EpisodeSummary(const std::vector<v1::Outcome>& sessions) {
  std::vector<int> pains;
  for (const v1::Outcome& session : sessions) {
    if (session.has_pain_before()) pains.push_back(session.pain_before());
  }
  if (pains.size() < static_cast<size_t>(kMinPointsForTrend)) {
    if (sessions.empty()) return "No sessions recorded yet: not enough data for a trend.";
    return absl::StrCat("Not enough data for a trend: ", Sessions(sessions.size()),
                        " recorded, and a trend needs pre-session pain from at least ",
                        kMinPointsForTrend, ".");
  }
  const int first = pains.front();
  const int latest = pains.back();
  const std::string over = absl::StrCat(" over ", Sessions(sessions.size()));
  if (first == 0 && latest == 0) {
    return absl::StrCat("Pre-session pain was 0 at the first and the latest session", over,
                        ": no pain to measure a change in.");
  }
  if (latest < first) {
    return absl::StrCat("Pre-session pain fell from ", first, " to ", latest, over,
                        MeaningfulFall(first, latest)
                            ? ": a meaningful improvement."
                            : ": less than a meaningful change (2 points or 30%).");
  }
  if (latest > first) {
    return absl::StrCat("Pre-session pain rose from ", first, " to ", latest, over,
                        MeaningfulFall(latest, first)
                            ? ": a meaningful worsening."
                            : ": less than a meaningful change (2 points or 30%).");
  }
  return absl::StrCat("Pre-session pain was ", first, " at the first session and ", latest,
                      " at the latest", over, ": no change.");
}

std::string WithinSessionSummary(const std::vector<v1::Outcome>& sessions) {
  int with_pain = 0, relieved = 0;
  for (const v1::Outcome& session : sessions) {
    if (!session.has_pain_before() || !session.has_pain_after()) continue;
    ++with_pain;
    if (MeaningfulFall(session.pain_before(), session.pain_after())) ++relieved;
  }
  if (with_pain == 0) return "";
  return absl::StrCat("Pain fell meaningfully within ", relieved, " of ", Sessions(with_pain),
                      " (just before against just after the session: how the patient felt "
                      "right after, not whether the care helped).");
}

std::string AdverseEventsSummary(const std::vector<v1::Outcome>& sessions) {
  int with_events = 0, serious = 0;
  for (const v1::Outcome& session : sessions) {
    if (session.adverse_events().empty()) continue;
    ++with_events;
    if (SummarizeAdverseEvents(session).serious) ++serious;
  }
  if (with_events == 0) return "No adverse events were recorded.";
  return absl::StrCat(with_events == 1 ? "1 session was" : absl::StrCat(with_events, " sessions were"),
                      " followed by an adverse event",
                      serious == 0 ? "" : absl::StrCat(" (", serious, " serious)"), ".");
}

std::vector<int> MissingSessions(const std::vector<v1::Outcome>& sessions) {
  std::set<int> logged;
  for (const v1::Outcome& session : sessions) logged.insert(session.session_number());
  std::vector<int> missing;
  if (logged.empty()) return missing;
  for (int n = *logged.begin(); n < *logged.rbegin(); ++n) {
    if (logged.count(n) == 0) missing.push_back(n);
  }
  return missing;
}

}  // namespace scoliomassage::core
