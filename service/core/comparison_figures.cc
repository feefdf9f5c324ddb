#include "core/comparison_figures.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace scoliomassage::core {
namespace {

// A change on the 0-10 scale lies in [-10, 10]; the axis shows at least
// +-4 points so that the meaningful change (2 points) is visible as the
// modest distance it is, and never more than the scale allows.
constexpr AxisExtent kPainChangeExtent{-4, 4, -10, 10};
// Proportions: the whole 0-100% scale, always (as the pain axis is 0-10).
constexpr AxisExtent kPercentExtent{0, 100, 0, 100};
// Events per 100 sessions: at least 0-10, wider when the data needs it.
constexpr AxisExtent kRateExtent{0, 10, 0, std::numeric_limits<double>::infinity()};

std::string Percent(double proportion) {
  double value = std::round(proportion * 100);
  if (value == 0) value = 0;  // no "-0"
  return absl::StrFormat("%.0f%%", value);
}

std::string PercentPoints(double difference) {
  double value = std::round(difference * 100);
  if (value == 0) value = 0;
  return absl::StrFormat("%.0f", value);
}

std::string Plural(int n, absl::string_view one, absl::string_view many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

ForestRow TextRow(const v1::ProtocolComparisonGroup& group, std::string text) {
  ForestRow row;
  row.kind = ForestRow::Kind::kText;
  row.label = group.group();
  row.detail = CountsText(group);
  row.text = std::move(text);
  return row;
}

ForestRow EstimateRow(const v1::ProtocolComparisonGroup& group, std::string detail, double point,
                      const v1::Interval* ci, double scale, std::string value_text) {
  // A figure that is not a number is no estimate: say so rather than draw it.
  if (!std::isfinite(point)) return TextRow(group, "No estimate");
  ForestRow row;
  row.kind = ForestRow::Kind::kEstimate;
  row.label = group.group();
  row.detail = std::move(detail);
  row.point = point * scale;
  if (ci != nullptr && std::isfinite(ci->low()) && std::isfinite(ci->high())) {
    row.ci = Interval{ci->low() * scale, ci->high() * scale};
  }
  row.value_text = std::move(value_text);
  return row;
}

ForestRow PainChangeRow(const v1::ProtocolComparisonGroup& group) {
  if (!IsShown(group)) return TextRow(group, WithheldText(group, /*brief=*/true));
  const v1::MeanEstimate& change = group.pain_change();
  if (change.n() == 0) {
    return TextRow(group, "No estimate: no episode recorded pre-session pain at two sessions");
  }
  return EstimateRow(group,
                     absl::StrCat(Plural(group.episode_count(), "episode", "episodes"), " (",
                                  change.n(), " with pain at two sessions), ",
                                  Plural(group.patient_count(), "patient", "patients")),
                     change.mean(), change.has_ci95() ? &change.ci95() : nullptr, 1,
                     MeanText(change));
}

ForestRow ResponderRow(const v1::ProtocolComparisonGroup& group) {
  if (!IsShown(group)) return TextRow(group, WithheldText(group, /*brief=*/true));
  const v1::ProportionEstimate& responders = group.responders();
  if (responders.n() == 0) {
    return TextRow(group, "No estimate: no episode recorded pre-session pain at two sessions");
  }
  return EstimateRow(group,
                     absl::StrCat(responders.successes(), " of ",
                                  Plural(responders.n(), "episode", "episodes"), " responded"),
                     responders.proportion(),
                     responders.has_ci95() ? &responders.ci95() : nullptr, 100,
                     ProportionText(responders));
}

ForestRow AdverseEventRow(const v1::ProtocolComparisonGroup& group) {
  if (!IsShown(group)) return TextRow(group, WithheldText(group, /*brief=*/true));
  const v1::RateEstimate& rate = group.adverse_events();
  if (rate.sessions() == 0) return TextRow(group, "No estimate: no sessions");
  return EstimateRow(group,
                     absl::StrCat(Plural(rate.events(), "event", "events"), " in ",
                                  Plural(rate.sessions(), "session", "sessions")),
                     rate.per_100_sessions(), rate.has_ci95() ? &rate.ci95() : nullptr, 1,
                     RateText(rate));
}

}  // namespace

std::string OneDecimal(double value) {
  double rounded = std::round(value * 10) / 10;
  if (rounded == 0) rounded = 0;  // no "-0.0"
  return absl::StrFormat("%.1f", rounded);
}

std::string MeanText(const v1::MeanEstimate& mean) {
  if (mean.n() == 0) return "";
  if (!mean.has_ci95()) {
    return absl::StrCat(OneDecimal(mean.mean()), " (no interval: ",
                        Plural(mean.n(), "episode", "episodes"), ")");
  }
  return absl::StrCat(OneDecimal(mean.mean()), " (", OneDecimal(mean.ci95().low()), " to ",
                      OneDecimal(mean.ci95().high()), ")");
}

std::string ProportionText(const v1::ProportionEstimate& proportion) {
  if (proportion.n() == 0) return "";
  if (!proportion.has_ci95()) return Percent(proportion.proportion());
  return absl::StrCat(Percent(proportion.proportion()), " (", Percent(proportion.ci95().low()),
                      " to ", Percent(proportion.ci95().high()), ")");
}

std::string RateText(const v1::RateEstimate& rate) {
  if (rate.sessions() == 0) return "";
  if (!rate.has_ci95()) return OneDecimal(rate.per_100_sessions());
  return absl::StrCat(OneDecimal(rate.per_100_sessions()), " (", OneDecimal(rate.ci95().low()),
                      " to ", OneDecimal(rate.ci95().high()), ")");
}

std::string DifferenceText(const v1::DifferenceEstimate& difference, bool percent) {
  auto number = [percent](double value) {
    return percent ? PercentPoints(value) : OneDecimal(value);
  };
  std::string text = number(difference.difference());
  if (difference.has_ci95()) {
    absl::StrAppend(&text, " (", number(difference.ci95().low()), " to ",
                    number(difference.ci95().high()), ")");
  } else {
    text += " (no interval)";
  }
  return text;
}

bool IsShown(const v1::ProtocolComparisonGroup& group) {
  return group.visibility() == v1::GROUP_VISIBILITY_SHOWN;
}

std::string CountsText(const v1::ProtocolComparisonGroup& group) {
  if (group.visibility() == v1::GROUP_VISIBILITY_SUPPRESSED) return "counts suppressed";
  return absl::StrCat(Plural(group.episode_count(), "episode", "episodes"), ", ",
                      Plural(group.patient_count(), "patient", "patients"), ", ",
                      Plural(group.session_count(), "session", "sessions"));
}

std::string WithheldText(const v1::ProtocolComparisonGroup& group, bool brief) {
  switch (group.visibility()) {
    case v1::GROUP_VISIBILITY_SHOWN:
      return "";
    case v1::GROUP_VISIBILITY_NOT_ENOUGH_DATA:
      return absl::StrCat("Not enough data: ", Plural(group.episode_count(), "episode", "episodes"),
                          ", fewer than ", kMinEpisodesForEstimate, "; no estimate");
    case v1::GROUP_VISIBILITY_SUPPRESSED:
      if (brief) return "Suppressed for privacy: not shown, and not zero";
      return absl::StrCat("Suppressed for privacy: a group of fewer than ",
                          kMinPatientsForAnalytics,
                          " patients, or one hidden so that a total cannot reveal such a group; "
                          "not shown, and not zero");
    default:
      return "No estimate given";
  }
}

ForestFigure PainChangeFigure(const v1::CompareProtocolsResponse& response) {
  ForestFigure figure;
  figure.id = "forest-pain";
  figure.title = "Change in pre-session pain per episode, by group";
  figure.desc =
      "Mean change in pre-session pain from each episode's first session to its latest, in "
      "points on the 0-10 scale, with 95% intervals; below 0 pain fell (better). An "
      "observational comparison, not a causal effect.";
  ForestPanel panel;
  panel.axis_label = "Change in pre-session pain, points (0-10 scale); left is better";
  panel.extent = kPainChangeExtent;
  panel.reference = 0;
  panel.reference_label = "no change";
  for (const v1::ProtocolComparisonGroup& group : response.groups()) {
    panel.rows.push_back(PainChangeRow(group));
  }
  if (response.has_pain_change_difference()) {
    const v1::DifferenceEstimate& d = response.pain_change_difference();
    ForestRow row;
    row.kind = ForestRow::Kind::kDifference;
    row.label = absl::StrCat("Difference: ", d.first_group(), " minus ", d.second_group());
    row.detail = absl::StrCat("difference of means (Welch); below 0: pain fell more with ",
                              d.first_group());
    row.point = d.difference();
    if (d.has_ci95() && std::isfinite(d.ci95().low()) && std::isfinite(d.ci95().high())) {
      row.ci = Interval{d.ci95().low(), d.ci95().high()};
    }
    if (!std::isfinite(row.point)) {
      row.kind = ForestRow::Kind::kText;
      row.text = "No estimate";
    }
    row.value_text = DifferenceText(d, /*percent=*/false);
    panel.rows.push_back(std::move(row));
  }
  figure.panels.push_back(std::move(panel));
  return figure;
}

ForestFigure RatesFigure(const v1::CompareProtocolsResponse& response) {
  ForestFigure figure;
  figure.id = "forest-rates";
  figure.title = "Responder rate and adverse-event rate, by group";
  figure.desc =
      "Per group: the share of episodes whose pre-session pain fell by at least 2 points or 30% "
      "(Wilson 95% interval), and adverse events per 100 sessions (exact Poisson 95% interval).";
  ForestPanel responders;
  responders.heading = "Responders: pain fell by at least 2 points or 30%";
  responders.axis_label = "Responders, % of episodes with pain at two sessions";
  responders.extent = kPercentExtent;
  ForestPanel events;
  events.heading = "Adverse events";
  events.axis_label = "Adverse events per 100 sessions";
  events.extent = kRateExtent;
  for (const v1::ProtocolComparisonGroup& group : response.groups()) {
    responders.rows.push_back(ResponderRow(group));
    events.rows.push_back(AdverseEventRow(group));
  }
  figure.panels.push_back(std::move(responders));
  figure.panels.push_back(std::move(events));
  return figure;
}

}  // namespace scoliomassage::core
