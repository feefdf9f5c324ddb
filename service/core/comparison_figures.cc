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
// Questionnaire changes: scales differ (SRS-22r 1-5, ODI 0-100), so the
// axis starts at +-1 point and grows with the data, never past +-100.
constexpr AxisExtent kScoreChangeExtent{-1, 1, -100, 100};

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

ForestRow QuestionnaireRow(const v1::ProtocolComparisonGroup& group,
                           const v1::QuestionnaireChange& measured) {
  if (!IsShown(group)) return TextRow(group, WithheldText(group, /*brief=*/true));
  const v1::QuestionnaireChange* q =
      FindQuestionnaire(group, measured.instrument_id(), measured.domain());
  if (q == nullptr || q->change().n() == 0) {
    return TextRow(group, "Not measured: no episode scored it twice");
  }
  std::string detail = absl::StrCat(Plural(q->change().n(), "episode", "episodes"),
                                    " scored twice or more");
  if (q->has_meaningful()) {
    absl::StrAppend(&detail, "; meaningful change in ", ProportionText(q->meaningful()));
  }
  return EstimateRow(group, std::move(detail), q->change().mean(),
                     q->change().has_ci95() ? &q->change().ci95() : nullptr, 1,
                     MeanText(q->change()));
}

ForestRow OverrideRow(const v1::ProtocolComparisonGroup& group) {
  if (!IsShown(group)) return TextRow(group, WithheldText(group, /*brief=*/true));
  const v1::ProportionEstimate& overrides = group.cds_overrides();
  if (overrides.n() == 0) return TextRow(group, "No estimate: no CDS feedback on its cards");
  return EstimateRow(group,
                     absl::StrCat(overrides.successes(), " of ",
                                  Plural(overrides.n(), "card", "cards"), " overridden"),
                     overrides.proportion(), overrides.has_ci95() ? &overrides.ci95() : nullptr,
                     100, ProportionText(overrides));
}

}  // namespace

std::string QuestionnaireName(const v1::QuestionnaireChange& change) {
  return absl::StrCat(change.instrument_id(), " ", change.domain());
}

const v1::QuestionnaireChange* FindQuestionnaire(const v1::ProtocolComparisonGroup& group,
                                                 const std::string& instrument_id,
                                                 const std::string& domain) {
  for (const v1::QuestionnaireChange& q : group.questionnaire_changes()) {
    if (q.instrument_id() == instrument_id && q.domain() == domain) return &q;
  }
  return nullptr;
}

std::vector<const v1::QuestionnaireChange*> MeasuredQuestionnaires(
    const v1::CompareProtocolsResponse& response) {
  std::vector<const v1::QuestionnaireChange*> out;
  for (const v1::ProtocolComparisonGroup& group : response.groups()) {
    if (!IsShown(group)) continue;
    for (const v1::QuestionnaireChange& q : group.questionnaire_changes()) {
      bool seen = false;
      for (const v1::QuestionnaireChange* known : out) {
        seen |= known->instrument_id() == q.instrument_id() && known->domain() == q.domain();
      }
      if (!seen) out.push_back(&q);
    }
  }
  return out;
}

std::string OverrideReasonsText(const v1::ProtocolComparisonGroup& group) {
  std::string text;
  for (const v1::OverrideReasonCount& reason : group.top_override_reasons()) {
    absl::StrAppend(&text, text.empty() ? "" : ", ", reason.overridden_count(), " (",
                    reason.reason_code().empty() ? "no reason given" : reason.reason_code(), ")");
  }
  return text.empty() ? "none" : text;
}

std::string CountText(const v1::SuppressibleCount& count) {
  return count.suppressed() ? "suppressed" : absl::StrCat(count.episode_count());
}

std::string EvaluationAssignedText(const v1::EvaluationCounts& counts) {
  return absl::StrCat("A ", CountText(counts.assigned_a()), "; B ", CountText(counts.assigned_b()),
                      "; no evaluation ", CountText(counts.not_in_evaluation()));
}

std::string EvaluationReceivedText(const v1::EvaluationCounts& counts) {
  return absl::StrCat("A ", CountText(counts.received_a()), "; B ", CountText(counts.received_b()),
                      "; no evaluation ", CountText(counts.not_in_evaluation()));
}

std::string EvaluationOverriddenText(const v1::EvaluationCounts& counts) {
  return absl::StrCat(CountText(counts.overridden()), " in all; ",
                      CountText(counts.overridden_into()), " into; ",
                      CountText(counts.overridden_out_of()), " out of");
}

ForestFigure QuestionnaireFigure(const v1::CompareProtocolsResponse& response) {
  ForestFigure figure;
  figure.id = "forest-questionnaires";
  figure.title = "Questionnaire change per episode, by instrument and group";
  figure.desc =
      "Mean change (latest minus first score per episode) of each questionnaire domain, with "
      "95% intervals, per group. An observational comparison, not a causal effect.";
  for (const v1::QuestionnaireChange* measured : MeasuredQuestionnaires(response)) {
    ForestPanel panel;
    panel.heading = QuestionnaireName(*measured);
    const char* better = measured->direction() == v1::CHANGE_DIRECTION_LOWER_IS_BETTER
                             ? "; left is better"
                         : measured->direction() == v1::CHANGE_DIRECTION_HIGHER_IS_BETTER
                             ? "; right is better"
                             : "";
    panel.axis_label = absl::StrCat("Change in ", QuestionnaireName(*measured), ", points", better);
    panel.extent = kScoreChangeExtent;
    panel.reference = 0;
    panel.reference_label = "no change";
    for (const v1::ProtocolComparisonGroup& group : response.groups()) {
      panel.rows.push_back(QuestionnaireRow(group, *measured));
    }
    figure.panels.push_back(std::move(panel));
  }
  return figure;
}

ForestFigure OverridesFigure(const v1::CompareProtocolsResponse& response) {
  ForestFigure figure;
  figure.id = "forest-overrides";
  figure.title = "CDS override rate, by group";
  figure.desc =
      "Per group: the share of CDS Hooks cards on its protocol's recommendations that the "
      "clinician overrode, with the Wilson 95% interval.";
  ForestPanel panel;
  panel.axis_label = "Cards overridden, % of cards fed back";
  panel.extent = kPercentExtent;
  for (const v1::ProtocolComparisonGroup& group : response.groups()) {
    panel.rows.push_back(OverrideRow(group));
  }
  figure.panels.push_back(std::move(panel));
  return figure;
}

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
