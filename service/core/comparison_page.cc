#include "core/comparison_page.h"

#include <cctype>
#include <initializer_list>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "core/comparison.h"
#include "core/comparison_figures.h"
#include "core/comparison_stats.h"
#include "core/forest_plot.h"
#include "core/page_style.h"
#include "core/sources.h"
#include "core/svg.h"

namespace scoliomassage::core {
namespace {

// Added to the shared page style: the caveat box leads the page, rows that
// carry no estimate read as words, and the method keeps its paragraphs.
constexpr char kComparisonStyle[] = R"css(
.observational{border:3px solid #E69F00;background:#fff8e6;padding:.5rem .8rem;margin:.8rem 0}
.observational h2{border:0;margin:.2rem 0 .3rem;font-size:1.25rem}
tr.withheld td,tr.withheld th{color:#444;font-style:italic;background:#f7f7f7}
tr.difference th,tr.difference td{border-top:2px solid #1a1a1a}
.method{white-space:pre-line}
.count{color:#444}
dl.criteria{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem}
dl.criteria dt{font-weight:600}dl.criteria dd{margin:0;overflow-wrap:anywhere}
@media (max-width:30rem){dl.criteria{grid-template-columns:1fr}}
)css";

constexpr char kObservationalFallback[] =
    "Patients were not assigned to protocols at random, so a difference may reflect who received "
    "each protocol rather than the protocol itself.";

std::string Time(const google::protobuf::Timestamp& time, const char* format) {
  return absl::FormatTime(format, absl::FromUnixSeconds(time.seconds()) +
                                      absl::Nanoseconds(time.nanos()),
                          absl::UTCTimeZone());
}

// "SPINE_REGION_THORACOLUMBAR" -> "thoracolumbar".
std::string EnumWords(const std::string& name, absl::string_view prefix) {
  std::string words = absl::StartsWith(name, prefix) ? name.substr(prefix.size()) : name;
  for (char& c : words) c = c == '_' ? ' ' : static_cast<char>(std::tolower(c));
  return words;
}

std::string RegionText(v1::SpineRegion region) {
  if (region == v1::SPINE_REGION_UNSPECIFIED) return "any region";
  return EnumWords(v1::SpineRegion_Name(region), "SPINE_REGION_");
}

std::string PatternText(v1::CurvePattern pattern) {
  switch (pattern) {
    case v1::CURVE_PATTERN_C_CURVE: return "C-curve";
    case v1::CURVE_PATTERN_S_CURVE: return "S-curve";
    case v1::CURVE_PATTERN_UNSPECIFIED: return "any curve pattern";
    default: return EnumWords(v1::CurvePattern_Name(pattern), "CURVE_PATTERN_");
  }
}

std::string CompareByText(v1::CompareBy by) {
  switch (by) {
    case v1::COMPARE_BY_PROTOCOL_VERSION: return "per protocol version (protocol@version)";
    case v1::COMPARE_BY_ASSIGNED_VARIANT:
      return "per evaluation variant assigned (protocol@version; intention to treat)";
    default: return "per protocol (all versions together)";
  }
}

std::string ProtocolsText(const v1::CompareProtocolsRequest& criteria) {
  if (criteria.protocol_ids().empty()) return "every protocol";
  std::string text;
  for (const std::string& id : criteria.protocol_ids()) {
    absl::StrAppend(&text, text.empty() ? "" : ", ", id);
  }
  return text;
}

std::string PeriodText(const v1::CompareProtocolsRequest& criteria) {
  constexpr char kDay[] = "%Y-%m-%d %H:%M UTC";
  if (!criteria.has_start_time() && !criteria.has_end_time()) return "any time";
  if (!criteria.has_end_time()) return absl::StrCat("from ", Time(criteria.start_time(), kDay));
  if (!criteria.has_start_time()) return absl::StrCat("before ", Time(criteria.end_time(), kDay));
  return absl::StrCat("from ", Time(criteria.start_time(), kDay), " to before ",
                      Time(criteria.end_time(), kDay));
}

// The count cells of a group's row: its counts, or one cell saying they are
// suppressed (never a 0 in their place).
std::string CountCells(const v1::ProtocolComparisonGroup& group) {
  if (group.visibility() == v1::GROUP_VISIBILITY_SUPPRESSED) {
    return "<td colspan=\"2\">suppressed</td>";
  }
  return absl::StrCat("<td class=\"patients\">", group.patient_count(),
                      "</td><td class=\"episodes\">", group.episode_count(), "</td>");
}

// Column widths, so a 360 px phone wraps the cells instead of scrolling.
std::string Columns(std::initializer_list<int> percents) {
  std::string out = "<colgroup>";
  for (int percent : percents) absl::StrAppend(&out, "<col style=\"width:", percent, "%\">");
  return out + "</colgroup>";
}

std::string RowOpen(const v1::ProtocolComparisonGroup& group) {
  const std::string name = EscapeXml(group.group());
  return absl::StrCat("<tr", IsShown(group) ? "" : " class=\"withheld\"", " data-group=\"", name,
                      "\"><th scope=\"row\">", name, "</th>");
}

void CaveatSection(std::string& out, const v1::CompareProtocolsResponse& response,
                   const ComparisonPageOptions& options) {
  out += "<section id=\"caveat\" class=\"observational\" role=\"note\" aria-labelledby=\""
         "caveat-h\"><h2 id=\"caveat-h\">Observational comparison, not a causal effect</h2><p>";
  out += response.caveats().empty() ? kObservationalFallback : EscapeXml(response.caveats(0));
  out += "</p><p>Read a difference as a question for the clinic to look into, not as proof that "
         "one protocol works better. A change in pain says nothing about the curve itself: "
         "massage does not straighten a spine.</p>";
  bool suppressed = response.totals_suppressed();
  for (const v1::ProtocolComparisonGroup& group : response.groups()) {
    suppressed |= group.visibility() == v1::GROUP_VISIBILITY_SUPPRESSED;
  }
  if (suppressed) {
    absl::StrAppend(&out, "<p id=\"suppression-note\">Some figures are suppressed for privacy in "
                    "this view: a group of fewer than ", kMinPatientsForAnalytics,
                    " patients, and any group or total that would reveal one, is shown as "
                    "suppressed. A suppressed figure is not zero.</p>");
  }
  if (!options.scope_note.empty()) {
    absl::StrAppend(&out, "<p class=\"note\" id=\"scope-note\">", EscapeXml(options.scope_note),
                    "</p>");
  }
  out += "</section>";
}

void BaselineSection(std::string& out, const v1::CompareProtocolsResponse& response) {
  out += "<section id=\"baseline\" aria-labelledby=\"baseline-h\"><h2 id=\"baseline-h\">How the "
         "groups differed at baseline</h2>";
  std::vector<const std::string*> differences;
  for (int i = 1; i < response.caveats_size(); ++i) {
    if (absl::StartsWith(response.caveats(i), kBaselineCaveatPrefix)) {
      differences.push_back(&response.caveats(i));
    }
  }
  if (!differences.empty()) {
    out += "<ul id=\"baseline-differences\">";
    for (const std::string* difference : differences) {
      absl::StrAppend(&out, "<li>", EscapeXml(*difference), "</li>");
    }
    out += "</ul>";
  } else {
    out += "<p id=\"baseline-differences\">No difference at baseline was flagged between the first "
           "two shown groups. Groups can still differ in ways the record does not hold.</p>";
  }
  absl::StrAppend(
      &out, "<table id=\"baseline-table\"><caption>At baseline: mean (95% interval) and n, per "
      "group</caption>", Columns({22, 26, 26, 26}), "<thead><tr><th scope=\"col\">Group</th><th "
      "scope=\"col\">Pre-session pain, points (0-10)</th><th scope=\"col\">Age, years</th><th "
      "scope=\"col\">Cobb angle, degrees</th></tr></thead><tbody>");
  for (const v1::ProtocolComparisonGroup& group : response.groups()) {
    out += RowOpen(group);
    if (!IsShown(group)) {
      absl::StrAppend(&out, "<td colspan=\"3\">", EscapeXml(WithheldText(group)), "</td></tr>");
      continue;
    }
    for (const v1::MeanEstimate* m :
         {&group.baseline_pain(), &group.baseline_age_years(), &group.baseline_cobb_degrees()}) {
      if (m->n() == 0) {
        out += "<td>not recorded</td>";
        continue;
      }
      absl::StrAppend(&out, "<td><span class=\"estimate\">", EscapeXml(MeanText(*m)),
                      "</span><br><span class=\"count\">n = ", m->n(), "</span></td>");
    }
    out += "</tr>";
  }
  out += "</tbody></table></section>";
}

void Figure(std::string& out, const ForestFigure& figure, absl::string_view caption) {
  if (!HasEstimate(figure)) {
    // No plot without a point on it: an empty axis invites reading zeros.
    absl::StrAppend(&out, "<p class=\"no-plot\" id=\"", figure.id,
                    "-none\"><strong>No plot: no group has enough data for an estimate.</strong> "
                    "The table lists every group and why it has none.</p>");
    return;
  }
  absl::StrAppend(&out, "<figure>", ForestSvg(figure, /*standalone=*/false),
                  "<figcaption class=\"note\">", caption, "</figcaption></figure>");
}

void PainSection(std::string& out, const v1::CompareProtocolsResponse& response) {
  out += "<section id=\"pain\" aria-labelledby=\"pain-h\"><h2 id=\"pain-h\">Change in pre-session "
         "pain per episode</h2>";
  Figure(out, PainChangeFigure(response),
         absl::StrCat(
             "Each square is a group's mean change in pre-session pain from an episode's first "
             "session to its latest, the whisker its 95% interval; left of the dashed line (0, no "
             "change) pain fell. ",
             response.has_pain_change_difference()
                 ? "The diamond is the difference between the first two shown groups. "
                 : "",
             "An arrow means the interval continues beyond the axis: the table gives its ends. "
             "Groups without an estimate are named in words, never drawn as 0."));
  absl::StrAppend(
      &out, "<table id=\"pain-table\"><caption>Change in pre-session pain (latest minus first, "
      "points on the 0-10 scale; negative is better)</caption>", Columns({20, 14, 14, 13, 27, 12}),
      "<thead><tr><th scope=\"col\">Group</th><th scope=\"col\">Patients</th><th "
      "scope=\"col\">Episodes</th><th scope=\"col\">n: pain at two sessions</th><th "
      "scope=\"col\">Mean change (95% interval)</th><th scope=\"col\">SD</th></tr></thead><tbody>");
  for (const v1::ProtocolComparisonGroup& group : response.groups()) {
    absl::StrAppend(&out, RowOpen(group), CountCells(group));
    const v1::MeanEstimate& change = group.pain_change();
    if (!IsShown(group)) {
      absl::StrAppend(&out, "<td colspan=\"3\">", EscapeXml(WithheldText(group)), "</td></tr>");
    } else if (change.n() == 0) {
      out += "<td>0</td><td colspan=\"2\">no estimate: no episode recorded pre-session pain at two "
             "sessions</td></tr>";
    } else {
      absl::StrAppend(&out, "<td class=\"n\">", change.n(), "</td><td class=\"estimate\">",
                      EscapeXml(MeanText(change)), "</td><td>",
                      change.n() >= 2 ? OneDecimal(change.sd()) : "", "</td></tr>");
    }
  }
  if (response.has_pain_change_difference()) {
    const v1::DifferenceEstimate& d = response.pain_change_difference();
    const std::string label =
        EscapeXml(absl::StrCat("Difference: ", d.first_group(), " minus ", d.second_group()));
    absl::StrAppend(&out, "<tr class=\"difference\" data-group=\"", label, "\"><th scope=\"row\">",
                    label, "</th><td colspan=\"3\">difference of means, Welch's interval</td>"
                    "<td class=\"estimate\">",
                    EscapeXml(DifferenceText(d, /*percent=*/false)), "</td><td></td></tr>");
  }
  out += "</tbody></table></section>";
}

void RatesSection(std::string& out, const v1::CompareProtocolsResponse& response) {
  out += "<section id=\"rates\" aria-labelledby=\"rates-h\"><h2 id=\"rates-h\">Responders and "
         "adverse events</h2>";
  Figure(out, RatesFigure(response),
         "Top: the share of episodes whose pre-session pain fell by at least 2 points or 30% "
         "(Wilson 95% interval) on the whole 0-100% scale. Bottom: adverse events per 100 "
         "sessions (exact Poisson 95% interval); a group with no events shows 0 with its upper "
         "limit, which is a measured zero, unlike a withheld group.");
  absl::StrAppend(
      &out, "<table id=\"rates-table\"><caption>Responders (pain fell by at least 2 points or 30%) "
      "and adverse events per 100 sessions</caption>", Columns({22, 16, 22, 16, 24}),
      "<thead><tr><th scope=\"col\">Group</th><th scope=\"col\">Responders / n: pain at two "
      "sessions</th><th scope=\"col\">Responder rate (95% interval)</th><th scope=\"col\">Adverse "
      "events / sessions</th><th scope=\"col\">Per 100 sessions (95% interval)</th></tr></thead>"
      "<tbody>");
  for (const v1::ProtocolComparisonGroup& group : response.groups()) {
    out += RowOpen(group);
    if (!IsShown(group)) {
      absl::StrAppend(&out, "<td colspan=\"4\">", EscapeXml(WithheldText(group)), "</td></tr>");
      continue;
    }
    const v1::ProportionEstimate& r = group.responders();
    const v1::RateEstimate& ae = group.adverse_events();
    absl::StrAppend(&out, "<td>", r.successes(), " / ", r.n(), "</td><td class=\"estimate\">",
                    r.n() == 0 ? "no estimate" : EscapeXml(ProportionText(r)), "</td><td>",
                    ae.events(), " / ", ae.sessions(), "</td><td class=\"estimate\">",
                    ae.sessions() == 0 ? "no estimate" : EscapeXml(RateText(ae)), "</td></tr>");
  }
  if (response.has_responder_difference()) {
    const v1::DifferenceEstimate& d = response.responder_difference();
    const std::string label =
        EscapeXml(absl::StrCat("Difference: ", d.first_group(), " minus ", d.second_group()));
    absl::StrAppend(&out, "<tr class=\"difference\" data-group=\"", label, "\"><th scope=\"row\">",
                    label, "</th><td>Newcombe's hybrid score interval</td><td class=\"estimate\">",
                    EscapeXml(DifferenceText(d, /*percent=*/true)),
                    " percentage points</td><td colspan=\"2\"></td></tr>");
  }
  out += "</tbody></table></section>";
}

void QuestionnaireSection(std::string& out, const v1::CompareProtocolsResponse& response) {
  out += "<section id=\"questionnaires\" aria-labelledby=\"questionnaires-h\"><h2 "
         "id=\"questionnaires-h\">Questionnaire change per episode</h2>";
  const std::vector<const v1::QuestionnaireChange*> measured = MeasuredQuestionnaires(response);
  if (measured.empty()) {
    out += "<p class=\"no-plot\" id=\"forest-questionnaires-none\"><strong>No plot: no shown "
           "group has an episode whose questionnaire was scored twice.</strong> The table lists "
           "every group.</p>";
  } else {
    Figure(out, QuestionnaireFigure(response),
           "One panel per questionnaire and domain: each square is a group's mean change from an "
           "episode's first score to its latest, the whisker its 95% interval; the axis label "
           "says which side is better. Groups without an estimate are named in words, never "
           "drawn as 0.");
  }
  absl::StrAppend(
      &out, "<table id=\"questionnaire-table\"><caption>Questionnaire change (latest minus "
      "first score per episode) and meaningful change, per group</caption>",
      Columns({20, 16, 10, 24, 30}),
      "<thead><tr><th scope=\"col\">Group</th><th scope=\"col\">Questionnaire</th><th "
      "scope=\"col\">n: scored twice</th><th scope=\"col\">Mean change (95% interval)</th><th "
      "scope=\"col\">Meaningful change (threshold)</th></tr></thead><tbody>");
  for (const v1::ProtocolComparisonGroup& group : response.groups()) {
    if (!IsShown(group)) {
      absl::StrAppend(&out, RowOpen(group), "<td colspan=\"4\">", EscapeXml(WithheldText(group)),
                      "</td></tr>");
      continue;
    }
    if (measured.empty()) {
      absl::StrAppend(&out, RowOpen(group), "<td colspan=\"4\">not measured</td></tr>");
      continue;
    }
    for (const v1::QuestionnaireChange* each : measured) {
      const v1::QuestionnaireChange* q =
          FindQuestionnaire(group, each->instrument_id(), each->domain());
      const std::string name = EscapeXml(QuestionnaireName(*each));
      const std::string label = EscapeXml(group.group());
      absl::StrAppend(&out, "<tr data-group=\"", label, "\" data-questionnaire=\"", name,
                      "\"><th scope=\"row\">", label, "</th><td>", name, "</td>");
      if (q == nullptr || q->change().n() == 0) {
        out += "<td>0</td><td colspan=\"2\">not measured: no episode scored it twice</td></tr>";
        continue;
      }
      absl::StrAppend(&out, "<td class=\"n\">", q->change().n(), "</td><td class=\"estimate\">",
                      EscapeXml(MeanText(q->change())), "</td><td>",
                      q->has_meaningful()
                          ? EscapeXml(absl::StrCat(ProportionText(q->meaningful()), " (",
                                                   q->threshold(), ")"))
                          : EscapeXml(absl::StrCat("not judged: ", q->threshold())),
                      "</td></tr>");
    }
  }
  out += "</tbody></table></section>";
}

void OverridesSection(std::string& out, const v1::CompareProtocolsResponse& response) {
  out += "<section id=\"overrides\" aria-labelledby=\"overrides-h\"><h2 id=\"overrides-h\">CDS "
         "overrides</h2>";
  Figure(out, OverridesFigure(response),
         "Each square is the share of the CDS Hooks cards on a group's protocol that the "
         "clinician overrode (Wilson 95% interval) on the whole 0-100% scale. The feedback does "
         "not record the protocol version, so every version of a protocol shows its protocol's "
         "feedback. Groups without an estimate are named in words, never drawn as 0.");
  absl::StrAppend(
      &out, "<table id=\"overrides-table\"><caption>CDS cards overridden and the most frequent "
      "override reasons (coded; free text is never shown)</caption>", Columns({22, 18, 28, 32}),
      "<thead><tr><th scope=\"col\">Group</th><th scope=\"col\">Overridden / cards</th><th "
      "scope=\"col\">Override rate (95% interval)</th><th scope=\"col\">Top override reasons "
      "(count)</th></tr></thead><tbody>");
  for (const v1::ProtocolComparisonGroup& group : response.groups()) {
    out += RowOpen(group);
    if (!IsShown(group)) {
      absl::StrAppend(&out, "<td colspan=\"3\">", EscapeXml(WithheldText(group)), "</td></tr>");
      continue;
    }
    const v1::ProportionEstimate& o = group.cds_overrides();
    absl::StrAppend(&out, "<td>", o.successes(), " / ", o.n(), "</td><td class=\"estimate\">",
                    o.n() == 0 ? "no estimate" : EscapeXml(ProportionText(o)), "</td><td>",
                    EscapeXml(OverrideReasonsText(group)), "</td></tr>");
  }
  out += "</tbody></table></section>";
}

void EvaluationSection(std::string& out, const v1::CompareProtocolsResponse& response) {
  bool any = response.has_episodes_not_in_evaluation();
  for (const v1::ProtocolComparisonGroup& group : response.groups()) any |= group.has_evaluation();
  out += "<section id=\"evaluation\" aria-labelledby=\"evaluation-h\"><h2 "
         "id=\"evaluation-h\">Protocol evaluations (variants)</h2>";
  if (!any) {
    out += "<p id=\"evaluation-none\">No episode in these groups is in a protocol evaluation.</p>"
           "</section>";
    return;
  }
  for (int i = 1; i < response.caveats_size(); ++i) {
    if (absl::StartsWith(response.caveats(i), kBaselineCaveatPrefix)) continue;
    absl::StrAppend(&out, "<p class=\"note evaluation-note\">", EscapeXml(response.caveats(i)),
                    "</p>");
  }
  absl::StrAppend(
      &out, "<table id=\"evaluation-table\"><caption>Episodes per group by the variant the hash "
      "assigned and the variant received, and the overrides (",
      response.compare_by() == v1::COMPARE_BY_ASSIGNED_VARIANT
          ? "grouped by assigned variant: intention to treat"
          : "grouped as received",
      ")</caption>", Columns({22, 26, 26, 26}),
      "<thead><tr><th scope=\"col\">Group</th><th scope=\"col\">Assigned</th><th "
      "scope=\"col\">Received</th><th scope=\"col\">Overridden</th></tr></thead><tbody>");
  for (const v1::ProtocolComparisonGroup& group : response.groups()) {
    out += RowOpen(group);
    if (group.visibility() == v1::GROUP_VISIBILITY_SUPPRESSED) {
      absl::StrAppend(&out, "<td colspan=\"3\">", EscapeXml(WithheldText(group)), "</td></tr>");
      continue;
    }
    const v1::EvaluationCounts& e = group.evaluation();
    absl::StrAppend(&out, "<td>", EscapeXml(EvaluationAssignedText(e)), "</td><td>",
                    EscapeXml(EvaluationReceivedText(e)), "</td><td>",
                    EscapeXml(EvaluationOverriddenText(e)), "</td></tr>");
  }
  out += "</tbody></table>";
  if (response.has_episodes_not_in_evaluation()) {
    absl::StrAppend(&out, "<p id=\"evaluation-left-out\">Left out (in no evaluation): ",
                    CountText(response.episodes_not_in_evaluation()), " episodes.</p>");
  }
  out += "</section>";
}

void MethodSection(std::string& out, const v1::CompareProtocolsResponse& response) {
  out += "<section id=\"method\" aria-labelledby=\"method-h\"><h2 id=\"method-h\">How the figures "
         "were computed</h2>";
  if (!response.method().empty()) {
    absl::StrAppend(&out, "<p class=\"method\" id=\"method-text\">", EscapeXml(response.method()),
                    "</p>");
  }
  absl::StrAppend(
      &out, "<p>Over episodes of care, not sessions: each episode counts once. Below ",
      kMinEpisodesForEstimate, " episodes a group's estimates are withheld (\"not enough data\"); "
      "for the analytics role a group of fewer than ", kMinPatientsForAnalytics,
      " patients is suppressed, with a second group when the total would reveal it, and shown as "
      "suppressed, never as 0. All intervals are two-sided 95%. The plot's axis always spans at "
      "least 4 points either side of 0 and never more than the 10 points a change can be; "
      "responders are on the whole 0-100% scale.</p></section>");
}

void CriteriaSection(std::string& out, const v1::CompareProtocolsResponse& response,
                     const v1::CompareProtocolsRequest& criteria) {
  absl::StrAppend(
      &out, "<section id=\"criteria\" aria-labelledby=\"criteria-h\"><h2 id=\"criteria-h\">"
      "Criteria</h2><dl class=\"criteria\"><dt>Spine region</dt><dd>",
      EscapeXml(RegionText(criteria.spine_region())), "</dd><dt>Curve pattern</dt><dd>",
      EscapeXml(PatternText(criteria.curve_pattern())), "</dd><dt>Protocols</dt><dd>",
      EscapeXml(ProtocolsText(criteria)), "</dd><dt>Episodes that started</dt><dd>",
      EscapeXml(PeriodText(criteria)), "</dd><dt>Groups</dt><dd>",
      EscapeXml(CompareByText(criteria.compare_by())), "</dd><dt>In total</dt><dd id=\"totals\">");
  if (response.totals_suppressed()) {
    out += "suppressed (the totals would reveal a small group)";
  } else {
    absl::StrAppend(&out, response.total_patient_count(),
                    response.total_patient_count() == 1 ? " patient, " : " patients, ",
                    response.total_episode_count(),
                    response.total_episode_count() == 1 ? " episode" : " episodes");
  }
  out += "</dd><dt>Computed</dt><dd>";
  if (response.has_compute_time()) {
    absl::StrAppend(&out, "<time id=\"compute-time\" datetime=\"",
                    Time(response.compute_time(), "%Y-%m-%dT%H:%M:%SZ"), "\">",
                    Time(response.compute_time(), "%Y-%m-%d %H:%M:%S UTC"), "</time>");
  } else {
    out += "not given";
  }
  out += "</dd></dl></section>";
}

}  // namespace

std::string RenderComparisonPage(const v1::CompareProtocolsResponse& response,
                                 const v1::CompareProtocolsRequest& criteria,
                                 const ComparisonPageOptions& options) {
  std::string out;
  out.reserve(24576 + response.groups_size() * 3000);
  absl::StrAppend(
      &out,
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"referrer\" content=\"no-referrer\"><title>Protocol comparison: ",
      EscapeXml(RegionText(criteria.spine_region())), ", ",
      EscapeXml(PatternText(criteria.curve_pattern())), "</title><style>", kPageStyle,
      kComparisonStyle, "</style></head><body><header><h1>Protocol comparison</h1><p>",
      EscapeXml(RegionText(criteria.spine_region())), " &middot; ",
      EscapeXml(PatternText(criteria.curve_pattern())), " &middot; ",
      EscapeXml(ProtocolsText(criteria)), " &middot; ", EscapeXml(PeriodText(criteria)),
      "</p></header><main>");
  CaveatSection(out, response, options);
  if (response.groups().empty()) {
    out += "<p id=\"no-groups\"><strong>No episodes match these criteria.</strong></p>";
  }
  BaselineSection(out, response);
  PainSection(out, response);
  RatesSection(out, response);
  QuestionnaireSection(out, response);
  OverridesSection(out, response);
  EvaluationSection(out, response);
  MethodSection(out, response);
  CriteriaSection(out, response, criteria);
  absl::StrAppend(
      &out, "</main><footer><p>Computed by scoliomassaged from the clinic's record. Meaningful "
      "pain change (responders): ", EscapeXml(kSourcePainChange),
      ". Intervals: Student 1908 and Welch 1947 (means), Wilson 1927 and Newcombe 1998 "
      "(proportions), Garwood 1936 (event rates). Colours: Okabe M, Ito K. Color Universal "
      "Design, 2008.</p></footer></body></html>\n");
  return out;
}

std::string RenderComparisonSvg(const v1::CompareProtocolsResponse& response) {
  return ForestSvg(PainChangeFigure(response), /*standalone=*/true);
}

}  // namespace scoliomassage::core
