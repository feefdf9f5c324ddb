#include "cli/comparison_format.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/enum_names.h"
#include "cli/filter_flags.h"
#include "cli/output_table.h"

namespace scoliomassage::cli {
namespace {

absl::StatusOr<v1::CurvePattern> ParsePattern(const std::string& text) {
  const std::string wanted = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  if (wanted == "C" || wanted == "C_CURVE" || wanted == "CURVE_PATTERN_C_CURVE") {
    return v1::CURVE_PATTERN_C_CURVE;
  }
  if (wanted == "S" || wanted == "S_CURVE" || wanted == "CURVE_PATTERN_S_CURVE") {
    return v1::CURVE_PATTERN_S_CURVE;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--pattern=", text, ": use c or s (or CURVE_PATTERN_C_CURVE, _S_CURVE)"));
}

std::string Interval(const v1::Interval& ci, const char* format) {
  return absl::StrCat("(", absl::StrFormat(format, ci.low()), " to ",
                      absl::StrFormat(format, ci.high()), ")");
}

std::string Mean(const v1::MeanEstimate& m) {
  if (m.n() == 0) return "-";
  std::string out = absl::StrFormat("%+.2f", m.mean());
  if (m.has_ci95()) absl::StrAppend(&out, " ", Interval(m.ci95(), "%+.2f"));
  return out;
}

std::string Percent(const v1::ProportionEstimate& p) {
  if (p.n() == 0) return "-";
  std::string out = absl::StrFormat("%d/%d %.0f%%", p.successes(), p.n(), 100 * p.proportion());
  if (p.has_ci95()) {
    absl::StrAppend(&out, " (", absl::StrFormat("%.0f", 100 * p.ci95().low()), "-",
                    absl::StrFormat("%.0f", 100 * p.ci95().high()), "%)");
  }
  return out;
}

std::string Rate(const v1::RateEstimate& r) {
  if (r.sessions() == 0) return "-";
  std::string out = absl::StrFormat("%.1f", r.per_100_sessions());
  if (r.has_ci95()) absl::StrAppend(&out, " ", Interval(r.ci95(), "%.1f"));
  return out;
}

std::string Difference(const v1::DifferenceEstimate& d, const char* format, double scale) {
  std::string out = absl::StrCat(d.first_group(), " minus ", d.second_group(), ": ",
                                 absl::StrFormat(format, scale * d.difference()));
  if (d.has_ci95()) {
    absl::StrAppend(&out, " (95% CI ", absl::StrFormat(format, scale * d.ci95().low()), " to ",
                    absl::StrFormat(format, scale * d.ci95().high()), ")");
  }
  return out;
}

// A count as the table prints it: suppressed in words, never as 0.
std::string Count(const v1::SuppressibleCount& count) {
  return count.suppressed() ? "suppressed" : absl::StrCat(count.episode_count());
}

void AppendEvaluations(const v1::CompareProtocolsResponse& response, std::string& out) {
  OutputTable table({"GROUP", "ASSIGNED A", "ASSIGNED B", "RECEIVED A", "RECEIVED B",
                     "OVERRIDDEN", "INTO", "OUT OF", "NO EVALUATION"});
  for (size_t column = 1; column <= 8; ++column) table.AlignRight(column);
  for (const v1::ProtocolComparisonGroup& g : response.groups()) {
    if (g.visibility() == v1::GROUP_VISIBILITY_SUPPRESSED) {
      table.AddRow({g.group(), "suppressed"});
      continue;
    }
    if (!g.has_evaluation()) continue;
    const v1::EvaluationCounts& e = g.evaluation();
    table.AddRow({g.group(), Count(e.assigned_a()), Count(e.assigned_b()), Count(e.received_a()),
                  Count(e.received_b()), Count(e.overridden()), Count(e.overridden_into()),
                  Count(e.overridden_out_of()), Count(e.not_in_evaluation())});
  }
  const bool any = std::any_of(response.groups().begin(), response.groups().end(),
                               [](const v1::ProtocolComparisonGroup& g) { return g.has_evaluation(); });
  if (!any && !response.has_episodes_not_in_evaluation()) return;
  absl::StrAppend(&out, "\nProtocol evaluations (episodes; ",
                  response.compare_by() == v1::COMPARE_BY_ASSIGNED_VARIANT
                      ? "grouped by assigned variant, intention to treat"
                      : "grouped as received",
                  "):\n");
  if (any) absl::StrAppend(&out, table.Render());
  if (response.has_episodes_not_in_evaluation()) {
    absl::StrAppend(&out, "Left out, in no evaluation: ",
                    Count(response.episodes_not_in_evaluation()), " episodes\n");
  }
}

}  // namespace

absl::StatusOr<v1::CompareProtocolsRequest> BuildCompareRequest(const CommandOptions& options) {
  v1::CompareProtocolsRequest request;
  if (!options.filter.patient.empty() || !options.filter.therapist.empty()) {
    return absl::InvalidArgumentError(
        "compare: --patient and --therapist do not apply (a comparison is over the clinic)");
  }
  if (!options.filter.region.empty()) {
    auto region = ParseSpineRegion(options.filter.region);
    if (!region.ok()) return region.status();
    request.set_spine_region(*region);
  }
  if (!options.pattern.empty()) {
    auto pattern = ParsePattern(options.pattern);
    if (!pattern.ok()) return pattern.status();
    request.set_curve_pattern(*pattern);
  }
  if (!options.filter.protocol.empty()) {
    for (absl::string_view id : absl::StrSplit(options.filter.protocol, ',', absl::SkipEmpty())) {
      request.add_protocol_ids(std::string(absl::StripAsciiWhitespace(id)));
    }
  }
  if (!options.filter.since.empty()) {
    auto since = ParseTimestamp(options.filter.since);
    if (!since.ok()) return absl::InvalidArgumentError(absl::StrCat("--since: ", since.status().message()));
    *request.mutable_start_time() = *since;
  }
  if (!options.filter.until.empty()) {
    auto until = ParseTimestamp(options.filter.until);
    if (!until.ok()) return absl::InvalidArgumentError(absl::StrCat("--until: ", until.status().message()));
    *request.mutable_end_time() = *until;
  }
  const std::string by = absl::AsciiStrToLower(options.compare_by);
  if (by.empty() || by == "protocol") {
    request.set_compare_by(v1::COMPARE_BY_PROTOCOL);
  } else if (by == "version") {
    request.set_compare_by(v1::COMPARE_BY_PROTOCOL_VERSION);
  } else if (by == "assigned") {
    request.set_compare_by(v1::COMPARE_BY_ASSIGNED_VARIANT);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--by=", options.compare_by,
        ": use protocol, version or assigned (by assigned variant: intention to treat)"));
  }
  return request;
}

std::string FormatComparison(const v1::CompareProtocolsResponse& response) {
  OutputTable table({"GROUP", "PATIENTS", "EPISODES", "SESSIONS", "PAIN CHANGE (95% CI)",
                     "RESPONDERS (95% CI)", "AE/100 SESSIONS (95% CI)", "CDS OVERRIDDEN"});
  for (size_t column : {1, 2, 3}) table.AlignRight(column);
  for (const v1::ProtocolComparisonGroup& g : response.groups()) {
    if (g.visibility() == v1::GROUP_VISIBILITY_SUPPRESSED) {
      table.AddRow({g.group(), "suppressed", "suppressed", "suppressed",
                    "suppressed (fewer than 5 patients, or its complement)"});
      continue;
    }
    std::vector<std::string> row = {g.group(), absl::StrCat(g.patient_count()),
                                    absl::StrCat(g.episode_count()), absl::StrCat(g.session_count())};
    if (g.visibility() == v1::GROUP_VISIBILITY_NOT_ENOUGH_DATA) {
      row.push_back("not enough data (fewer than 10 episodes)");
    } else {
      row.push_back(Mean(g.pain_change()));
      row.push_back(Percent(g.responders()));
      row.push_back(Rate(g.adverse_events()));
      row.push_back(Percent(g.cds_overrides()));
    }
    table.AddRow(std::move(row));
  }
  std::string out = table.row_count() == 0 ? "No episodes match.\n" : table.Render();
  if (response.totals_suppressed()) {
    absl::StrAppend(&out, "Totals: suppressed\n");
  } else {
    absl::StrAppend(&out, "Totals: ", response.total_patient_count(), " patients, ",
                    response.total_episode_count(), " episodes\n");
  }

  bool questionnaires_header = false;
  for (const v1::ProtocolComparisonGroup& g : response.groups()) {
    for (const v1::QuestionnaireChange& q : g.questionnaire_changes()) {
      if (!questionnaires_header) {
        absl::StrAppend(&out, "\nQuestionnaires (latest minus first, per episode):\n");
        questionnaires_header = true;
      }
      absl::StrAppend(&out, "  ", g.group(), " ", q.instrument_id(), " ", q.domain(), ": ",
                      Mean(q.change()), " over ", q.change().n(), " episodes");
      if (q.has_meaningful()) {
        absl::StrAppend(&out, "; meaningful (", q.threshold(), ") ", Percent(q.meaningful()));
      }
      absl::StrAppend(&out, "\n");
    }
  }
  bool reasons_header = false;
  for (const v1::ProtocolComparisonGroup& g : response.groups()) {
    if (g.top_override_reasons_size() == 0) continue;
    if (!reasons_header) {
      absl::StrAppend(&out, "\nTop CDS override reasons:\n");
      reasons_header = true;
    }
    absl::StrAppend(&out, "  ", g.group(), ":");
    for (const v1::OverrideReasonCount& r : g.top_override_reasons()) {
      absl::StrAppend(&out, " ", r.reason_code().empty() ? "(no reason)" : r.reason_code(), " ",
                      r.overridden_count(), ";");
    }
    absl::StrAppend(&out, "\n");
  }
  AppendEvaluations(response, out);
  if (response.has_pain_change_difference() || response.has_responder_difference()) {
    absl::StrAppend(&out, "\nDifferences:\n");
    if (response.has_pain_change_difference()) {
      absl::StrAppend(&out, "  pain change, ",
                      Difference(response.pain_change_difference(), "%+.2f", 1), " (Welch)\n");
    }
    if (response.has_responder_difference()) {
      absl::StrAppend(&out, "  responders, ",
                      Difference(response.responder_difference(), "%+.1f pp", 100),
                      " (Newcombe)\n");
    }
  }
  absl::StrAppend(&out, "\n");
  for (const std::string& caveat : response.caveats()) absl::StrAppend(&out, "Note: ", caveat, "\n");
  return out;
}

}  // namespace scoliomassage::cli
