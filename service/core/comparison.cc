#include "core/comparison.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/dose.h"
#include "core/meaningful_change.h"

namespace scoliomassage::core {
namespace {

constexpr char kObservational[] =
    "Observational comparison: patients were not assigned to protocols at random, so a "
    "difference may reflect who received each protocol rather than the protocol itself. It is "
    "not a causal effect.";

constexpr char kHashIsNotRandomisation[] =
    "Protocol evaluation: each episode's variant was assigned by a stable hash of the patient's "
    "pseudonym. Over many patients that spreads them evenly, but it is not concealed "
    "randomisation: whoever holds the pseudonym secret can foresee a patient's variant, and "
    "therapists may override it. A quality-improvement tool under the clinic's own governance, "
    "not a trial.";
constexpr char kAsReceivedNote[] =
    "As received: an episode whose variant a therapist overrode is counted in the variant it "
    "received. Who is overridden is not random (often the patients doing worse), so overrides "
    "can bias this comparison; compare by assigned variant (intention to treat) to count every "
    "episode in the variant it was assigned.";
constexpr char kIntentionToTreatNote[] =
    "By assigned variant (intention to treat): every episode in a protocol evaluation is counted "
    "in the variant the hash assigned, whatever it received. That keeps the hash's balance, but "
    "overrides dilute a difference. Episodes in no evaluation are left out.";

// Baseline differences worth a sentence: a clinician would want to know.
constexpr double kNotableAgeYears = 5;
constexpr double kNotableCobbDegrees = 5;
constexpr double kNotablePain = 1;

struct ScoreAccumulator {
  std::string instrument_id;
  std::string domain;
  std::vector<double> change;
  int meaningful = 0;
};

struct Accumulator {
  std::string protocol_id;
  std::vector<ScoreAccumulator> scores;
  std::map<std::pair<std::string, std::string>, size_t> score_index;
  std::set<std::string> patients;
  int episodes = 0;
  int sessions = 0;
  int adverse_events = 0;
  int evaluable = 0;
  int responders = 0;
  std::vector<double> change, baseline_pain, age, cobb;
};

void NoteBaselineDifference(const std::string& what, const std::string& unit, double notable,
                            const GroupComparison& a, const GroupComparison& b,
                            const MeanEstimate& ma, const MeanEstimate& mb,
                            std::vector<std::string>& caveats) {
  if (ma.n == 0 || mb.n == 0 || std::fabs(ma.mean - mb.mean) < notable) return;
  caveats.push_back(absl::StrCat(kBaselineCaveatPrefix,
                                absl::StrFormat("mean %s differed: %.1f%s in %s vs %.1f%s in %s.",
                                                what, ma.mean, unit, a.group, mb.mean, unit,
                                                b.group)));
}

const v1::InstrumentDomain* FindDomain(const v1::Instrument* instrument, const std::string& id) {
  if (instrument == nullptr) return nullptr;
  for (const v1::InstrumentDomain& domain : instrument->domains()) {
    if (domain.id() == id) return &domain;
  }
  return nullptr;
}

void AddScores(const EpisodeRow& row, const InstrumentLookup& instruments, Accumulator& acc) {
  for (const ScoreChangeRow& score : row.scores) {
    if (score.count < 2) continue;  // one score is no change
    auto key = std::make_pair(score.instrument_id, score.domain);
    auto [it, inserted] = acc.score_index.emplace(key, acc.scores.size());
    if (inserted) acc.scores.push_back(ScoreAccumulator{score.instrument_id, score.domain, {}, 0});
    ScoreAccumulator& s = acc.scores[it->second];
    s.change.push_back(score.latest - score.baseline);
    const v1::Instrument* instrument = instruments ? instruments(score.instrument_id) : nullptr;
    const v1::InstrumentDomain* domain = FindDomain(instrument, score.domain);
    if (domain != nullptr &&
        JudgeChange(*domain, instrument->direction(), score.baseline, score.latest).meaningful) {
      ++s.meaningful;
    }
  }
}

std::vector<QuestionnaireComparison> CompareScores(const Accumulator& acc,
                                                   const InstrumentLookup& instruments) {
  std::vector<QuestionnaireComparison> out;
  for (const ScoreAccumulator& s : acc.scores) {
    QuestionnaireComparison q;
    q.instrument_id = s.instrument_id;
    q.domain = s.domain;
    q.change = EstimateMean(s.change);
    const v1::Instrument* instrument = instruments ? instruments(s.instrument_id) : nullptr;
    const v1::InstrumentDomain* domain = FindDomain(instrument, s.domain);
    if (domain == nullptr) {
      q.threshold = "the instrument is not loaded: no threshold";
    } else {
      q.direction = instrument->direction();
      // The threshold's wording, from the same rule that judged each episode.
      q.threshold = JudgeChange(*domain, instrument->direction(), 0, 0).threshold;
      if (q.threshold.empty()) {
        q.threshold = "none defined";
      } else {
        q.meaningful = EstimateProportion(s.meaningful, static_cast<int>(s.change.size()));
      }
      q.source = domain->meaningful_change().source();
    }
    out.push_back(std::move(q));
  }
  return out;
}

struct ProtocolFeedback {
  int total = 0;
  int overridden = 0;
  std::map<std::pair<std::string, std::string>, int> reasons;
};

void AddFeedback(const ProtocolFeedback& feedback, GroupComparison& g) {
  g.cds_overrides = EstimateProportion(feedback.overridden, feedback.total);
  std::vector<OverrideReasonShare> reasons;
  for (const auto& [key, count] : feedback.reasons) {
    reasons.push_back(OverrideReasonShare{key.first, key.second, count,
                                     static_cast<double>(count) / feedback.overridden});
  }
  // Most frequent first; ties in code order, so the answer is stable.
  std::stable_sort(reasons.begin(), reasons.end(),
                   [](const OverrideReasonShare& a, const OverrideReasonShare& b) { return a.count > b.count; });
  if (reasons.size() > static_cast<size_t>(kTopOverrideReasons)) reasons.resize(kTopOverrideReasons);
  g.top_override_reasons = std::move(reasons);
}

}  // namespace

ComparisonResult CompareEpisodes(const std::vector<EpisodeRow>& episodes, bool for_analytics) {
  return CompareEpisodes(episodes, {}, nullptr, for_analytics);
}

ComparisonResult CompareEpisodes(const std::vector<EpisodeRow>& episodes,
                                 const std::vector<FeedbackCountRow>& feedback,
                                 const InstrumentLookup& instruments, bool for_analytics) {
  return CompareEpisodes(episodes, feedback, instruments, for_analytics, Grouping::kAsReceived);
}

ComparisonResult CompareEpisodes(const std::vector<EpisodeRow>& episodes,
                                 const std::vector<FeedbackCountRow>& feedback,
                                 const InstrumentLookup& instruments, bool for_analytics,
                                 Grouping grouping) {
  const bool by_assigned = grouping == Grouping::kAssignedVariant;
  std::map<std::string, ProtocolFeedback> feedback_by_protocol;
  for (const FeedbackCountRow& row : feedback) {
    ProtocolFeedback& f = feedback_by_protocol[row.protocol_id];
    f.total += row.count;
    if (row.overridden) {
      f.overridden += row.count;
      f.reasons[{row.reason_system, row.reason_code}] += row.count;
    }
  }
  std::vector<std::string> order;
  std::map<std::string, size_t> group_index;
  std::map<std::string, Accumulator> by_group;
  std::set<std::string> all_patients, left_out_patients;
  std::vector<EvaluationInputRow> evaluation_rows;
  bool any_evaluation = false;
  int left_out = 0;
  for (const EpisodeRow& row : episodes) {
    any_evaluation |= row.evaluation.has_value();
    if (by_assigned && !row.evaluation) {
      ++left_out;
      left_out_patients.insert(row.patient);
      continue;
    }
    const std::string& name = by_assigned ? row.evaluation->assigned_group : row.group;
    auto [it, inserted] = by_group.try_emplace(name);
    if (inserted) {
      group_index.emplace(name, order.size());
      order.push_back(name);
    }
    evaluation_rows.push_back(EvaluationInputRow{group_index[name], row.patient,
                                                 row.evaluation ? &*row.evaluation : nullptr});
    Accumulator& acc = it->second;
    if (inserted) acc.protocol_id = row.protocol_id;
    AddScores(row, instruments, acc);
    acc.patients.insert(row.patient);
    all_patients.insert(row.patient);
    ++acc.episodes;
    acc.sessions += row.sessions;
    acc.adverse_events += row.adverse_events;
    if (row.baseline_pain) acc.baseline_pain.push_back(*row.baseline_pain);
    if (row.age_years) acc.age.push_back(*row.age_years);
    if (row.baseline_cobb_degrees) acc.cobb.push_back(*row.baseline_cobb_degrees);
    // One session is no episode change: it needs a later pre-session score.
    if (row.baseline_pain && row.latest_pain && row.pain_sessions >= 2) {
      ++acc.evaluable;
      acc.change.push_back(*row.latest_pain - *row.baseline_pain);
      if (MeaningfulFall(*row.baseline_pain, *row.latest_pain)) ++acc.responders;
    }
  }

  ComparisonResult result;
  result.total_patients = static_cast<int>(all_patients.size());
  result.total_episodes = static_cast<int>(evaluation_rows.size());
  std::vector<int> patient_counts;
  for (const std::string& group : order) {
    const Accumulator& acc = by_group[group];
    GroupComparison g;
    g.group = group;
    g.protocol_id = acc.protocol_id;
    g.patients = static_cast<int>(acc.patients.size());
    g.episodes = acc.episodes;
    g.sessions = acc.sessions;
    patient_counts.push_back(g.patients);
    if (acc.episodes < kMinEpisodesForEstimate) {
      g.visibility = GroupVisibility::kNotEnoughData;
    } else {
      g.pain_change = EstimateMean(acc.change);
      g.responders = EstimateProportion(acc.responders, acc.evaluable);
      g.adverse_events = EstimateRate(acc.adverse_events, acc.sessions, 100);
      g.baseline_pain = EstimateMean(acc.baseline_pain);
      g.baseline_age_years = EstimateMean(acc.age);
      g.baseline_cobb_degrees = EstimateMean(acc.cobb);
      g.questionnaires = CompareScores(acc, instruments);
      AddFeedback(feedback_by_protocol[acc.protocol_id], g);
    }
    result.groups.push_back(std::move(g));
  }

  std::vector<bool> suppressed(result.groups.size(), false);
  if (for_analytics) {
    Suppression suppression = SuppressSmallCells(patient_counts, result.total_patients);
    suppressed = suppression.cells;
    for (size_t i = 0; i < result.groups.size(); ++i) {
      if (!suppression.cells[i]) continue;
      GroupComparison hidden;
      hidden.group = result.groups[i].group;
      hidden.protocol_id = result.groups[i].protocol_id;
      hidden.visibility = GroupVisibility::kSuppressed;
      result.groups[i] = std::move(hidden);
    }
    if (suppression.total) result.total_suppressed = true;
  }
  if (any_evaluation) {
    std::vector<EvaluationCounts> counts =
        CountEvaluations(order, evaluation_rows, suppressed, for_analytics);
    for (size_t i = 0; i < result.groups.size(); ++i) {
      if (!suppressed[i]) result.groups[i].evaluation = std::move(counts[i]);
    }
  }
  if (by_assigned) {
    CountCell cell{left_out, false};
    if (for_analytics) {
      // The groups' total and the episodes left out add up to what the
      // same request as received shows: one of them small hides both.
      std::set<std::string> everyone = all_patients;
      everyone.insert(left_out_patients.begin(), left_out_patients.end());
      const Suppression hidden =
          SuppressSmallCells({static_cast<int>(all_patients.size()),
                              static_cast<int>(left_out_patients.size())},
                             static_cast<int>(everyone.size()));
      if (hidden.cells[1] || hidden.total) cell = CountCell{0, true};
      if (hidden.cells[0] || hidden.total) result.total_suppressed = true;
    }
    result.not_in_evaluation = cell;
  }
  if (result.total_suppressed) {
    result.total_patients = 0;
    result.total_episodes = 0;
  }

  result.caveats.push_back(kObservational);
  if (any_evaluation || by_assigned) {
    result.caveats.push_back(kHashIsNotRandomisation);
    result.caveats.push_back(by_assigned ? kIntentionToTreatNote : kAsReceivedNote);
  }
  std::vector<const GroupComparison*> shown;
  for (const GroupComparison& g : result.groups) {
    if (g.visibility == GroupVisibility::kShown) shown.push_back(&g);
  }
  if (shown.size() >= 2) {
    const GroupComparison& a = *shown[0];
    const GroupComparison& b = *shown[1];
    result.pain_change_difference = DifferenceOfMeans(a.pain_change, b.pain_change);
    result.responder_difference = DifferenceOfProportions(a.responders, b.responders);
    NoteBaselineDifference("age", " years", kNotableAgeYears, a, b, a.baseline_age_years,
                           b.baseline_age_years, result.caveats);
    NoteBaselineDifference("Cobb angle", " degrees", kNotableCobbDegrees, a, b,
                           a.baseline_cobb_degrees, b.baseline_cobb_degrees, result.caveats);
    NoteBaselineDifference("pre-session pain", "/10", kNotablePain, a, b, a.baseline_pain,
                           b.baseline_pain, result.caveats);
  }
  return result;
}

}  // namespace scoliomassage::core
