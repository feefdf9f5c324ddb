// A comparison of what relieves pain, over episodes of care rather than
// sessions: per group (a protocol, or a protocol version), the change in
// pre-session pain from the episode's first session to its latest, the
// responder rate, the adverse-event rate, and what the groups looked like at
// baseline. Observational: the groups were not randomised, so differences may
// come from who was treated, not how; every result says so and names the
// baseline differences. The statistics are in comparison_stats.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/comparison_stats.h"

namespace scoliomassage::core {

// One episode of care, as the store summarises it.
struct EpisodeRow {
  std::string group;    // what is compared, e.g. "thoracic-c-curve@3"
  std::string patient;  // an id or pseudonym; counted, never shown
  int sessions = 0;
  int adverse_events = 0;
  // Pre-session pain at the episode's first and latest session that recorded
  // one; the change is evaluable only when both exist and differ in session.
  std::optional<int> baseline_pain;
  std::optional<int> latest_pain;
  std::optional<double> age_years;
  std::optional<double> baseline_cobb_degrees;
};

enum class GroupVisibility {
  kShown,
  kNotEnoughData,  // fewer than kMinEpisodesForEstimate episodes: estimates withheld
  kSuppressed,     // analytics, fewer than kMinPatientsForAnalytics patients (or its complement)
};

struct GroupComparison {
  std::string group;
  GroupVisibility visibility = GroupVisibility::kShown;
  // Counts are shown unless the group is suppressed.
  int patients = 0;
  int episodes = 0;
  int sessions = 0;
  // Only when visibility == kShown.
  MeanEstimate pain_change;           // latest - baseline: negative is better
  ProportionEstimate responders;      // a meaningful fall (core::MeaningfulFall)
  RateEstimate adverse_events;        // per 100 sessions
  MeanEstimate baseline_pain;
  MeanEstimate baseline_age_years;
  MeanEstimate baseline_cobb_degrees;
};

struct ComparisonResult {
  std::vector<GroupComparison> groups;  // in the order groups first appear
  bool total_suppressed = false;        // analytics: the totals would reveal a hidden group
  int total_patients = 0;
  int total_episodes = 0;
  // The first shown group minus the second, when both are shown.
  std::optional<DifferenceEstimate> pain_change_difference;
  std::optional<DifferenceEstimate> responder_difference;
  // Plain-language notes: the observational caveat first, then each baseline
  // difference worth knowing about.
  std::vector<std::string> caveats;
};

// `for_analytics` applies small-cell suppression (the analytics role);
// clinic admins see every count.
ComparisonResult CompareEpisodes(const std::vector<EpisodeRow>& episodes, bool for_analytics);

}  // namespace scoliomassage::core
