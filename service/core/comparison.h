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

#include "core/comparison_evaluation.h"
#include "core/comparison_stats.h"
#include "core/episode_result.h"
#include "scoliomassage/v1/instrument.pb.h"

namespace scoliomassage::core {

// One questionnaire domain's first and latest scoreable value in an episode.
struct ScoreChangeRow {
  std::string instrument_id;
  std::string domain;
  double baseline = 0;
  double latest = 0;
  int count = 0;  // scoreable values; a change needs two or more
};

// One episode of care, as the store summarises it: the episode's sessions
// under one group (an episode that changed protocol is a row per protocol).
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
  // Sessions that recorded a pre-session pain: the change needs two.
  int pain_sessions = 0;
  std::string protocol_id;  // the group's protocol (CDS feedback is per protocol)
  // The episode's questionnaires (not tied to a session, so an episode with
  // two protocols counts them under each).
  std::vector<ScoreChangeRow> scores;
  // The row's protocol evaluation; absent when the episode is in none (or
  // the row's protocol is not the one its episode's evaluation is of).
  std::optional<EvaluationRow> evaluation;
};

// CDS Hooks feedback counted per protocol, outcome and override reason.
struct FeedbackCountRow {
  std::string protocol_id;
  bool overridden = false;
  std::string reason_system;  // empty: no reason given (or accepted)
  std::string reason_code;
  int count = 0;
};

struct QuestionnaireComparison {
  std::string instrument_id;
  std::string domain;
  MeanEstimate change;                       // latest - first
  std::optional<ProportionEstimate> meaningful;  // absent: instrument not loaded
  v1::ChangeDirection direction = v1::CHANGE_DIRECTION_UNSPECIFIED;
  std::string threshold;
  std::string source;
};

struct OverrideReasonShare {
  std::string reason_system;
  std::string reason_code;
  int count = 0;
  double share = 0;
};

inline constexpr int kTopOverrideReasons = 3;

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
  std::string protocol_id;
  std::vector<QuestionnaireComparison> questionnaires;  // in order of first appearance
  ProportionEstimate cds_overrides;  // overridden of all feedback on the protocol's cards
  std::vector<OverrideReasonShare> top_override_reasons;
  // Unless suppressed, when any matching row is in an evaluation.
  std::optional<EvaluationCounts> evaluation;
};

// How rows become groups. As received, a row is in its `group`; by
// assigned variant (intention to treat) a row in an evaluation is in its
// evaluation's assigned_group and a row in none is left out (counted in
// ComparisonResult::not_in_evaluation).
enum class Grouping { kAsReceived, kAssignedVariant };

// Baseline-difference caveats start with this, so that a page can list
// them apart from the notes on method.
inline constexpr char kBaselineCaveatPrefix[] = "At baseline, ";

struct ComparisonResult {
  std::vector<GroupComparison> groups;  // in the order groups first appear
  bool total_suppressed = false;        // analytics: the totals would reveal a hidden group
  int total_patients = 0;
  int total_episodes = 0;
  // The first shown group minus the second, when both are shown.
  std::optional<DifferenceEstimate> pain_change_difference;
  std::optional<DifferenceEstimate> responder_difference;
  // Plain-language notes: the observational caveat first, then the notes on
  // protocol evaluations (when a row is in one), then each baseline
  // difference worth knowing about (kBaselineCaveatPrefix).
  std::vector<std::string> caveats;
  // Grouping::kAssignedVariant only: the rows in no evaluation, left out.
  std::optional<CountCell> not_in_evaluation;
};

// `for_analytics` applies small-cell suppression (the analytics role);
// clinic admins see every count.
ComparisonResult CompareEpisodes(const std::vector<EpisodeRow>& episodes, bool for_analytics);
// The same with CDS feedback per protocol and the instrument definitions
// (their meaningful-change thresholds); a null lookup result means the
// instrument is not loaded and its changes are never called meaningful.
ComparisonResult CompareEpisodes(const std::vector<EpisodeRow>& episodes,
                                 const std::vector<FeedbackCountRow>& feedback,
                                 const InstrumentLookup& instruments, bool for_analytics);
// The same with a choice of grouping.
ComparisonResult CompareEpisodes(const std::vector<EpisodeRow>& episodes,
                                 const std::vector<FeedbackCountRow>& feedback,
                                 const InstrumentLookup& instruments, bool for_analytics,
                                 Grouping grouping);

}  // namespace scoliomassage::core
