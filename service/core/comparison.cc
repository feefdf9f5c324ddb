#include "core/comparison.h"

#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/dose.h"

namespace scoliomassage::core {
namespace {

constexpr char kObservational[] =
    "Observational comparison: patients were not assigned to protocols at random, so a "
    "difference may reflect who received each protocol rather than the protocol itself. It is "
    "not a causal effect.";

// Baseline differences worth a sentence: a clinician would want to know.
constexpr double kNotableAgeYears = 5;
constexpr double kNotableCobbDegrees = 5;
constexpr double kNotablePain = 1;

struct Accumulator {
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
  caveats.push_back(absl::StrFormat("At baseline, mean %s differed: %.1f%s in %s vs %.1f%s in %s.",
                                    what, ma.mean, unit, a.group, mb.mean, unit, b.group));
}

}  // namespace

ComparisonResult CompareEpisodes(const std::vector<EpisodeRow>& episodes, bool for_analytics) {
  std::vector<std::string> order;
  std::map<std::string, Accumulator> by_group;
  std::set<std::string> all_patients;
  for (const EpisodeRow& row : episodes) {
    auto [it, inserted] = by_group.try_emplace(row.group);
    if (inserted) order.push_back(row.group);
    Accumulator& acc = it->second;
    acc.patients.insert(row.patient);
    all_patients.insert(row.patient);
    ++acc.episodes;
    acc.sessions += row.sessions;
    acc.adverse_events += row.adverse_events;
    if (row.baseline_pain) acc.baseline_pain.push_back(*row.baseline_pain);
    if (row.age_years) acc.age.push_back(*row.age_years);
    if (row.baseline_cobb_degrees) acc.cobb.push_back(*row.baseline_cobb_degrees);
    // One session is no episode change: it needs a later pre-session score.
    if (row.baseline_pain && row.latest_pain && row.sessions >= 2) {
      ++acc.evaluable;
      acc.change.push_back(*row.latest_pain - *row.baseline_pain);
      if (MeaningfulFall(*row.baseline_pain, *row.latest_pain)) ++acc.responders;
    }
  }

  ComparisonResult result;
  result.total_patients = static_cast<int>(all_patients.size());
  result.total_episodes = static_cast<int>(episodes.size());
  std::vector<int> patient_counts;
  for (const std::string& group : order) {
    const Accumulator& acc = by_group[group];
    GroupComparison g;
    g.group = group;
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
    }
    result.groups.push_back(std::move(g));
  }

  if (for_analytics) {
    Suppression suppression = SuppressSmallCells(patient_counts, result.total_patients);
    for (size_t i = 0; i < result.groups.size(); ++i) {
      if (!suppression.cells[i]) continue;
      GroupComparison hidden;
      hidden.group = result.groups[i].group;
      hidden.visibility = GroupVisibility::kSuppressed;
      result.groups[i] = std::move(hidden);
    }
    if (suppression.total) {
      result.total_suppressed = true;
      result.total_patients = 0;
      result.total_episodes = 0;
    }
  }

  result.caveats.push_back(kObservational);
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
