#include "cli/summary_format.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "cli/filter_flags.h"
#include "cli/output_table.h"

namespace scoliomassage::cli {
namespace {

std::string Mean(double value) { return absl::StrFormat("%.2f", value); }
std::string Percent(double share) { return absl::StrFormat("%.1f%%", share * 100.0); }

// A group hidden from analytics (fewer than 5 patients, or its complement)
// carries no counts: say so in every measure, never print its zeros.
void FillSuppressed(size_t measures, std::vector<std::string>& row) {
  row.push_back("suppressed");
  for (size_t i = 1; i < measures; ++i) row.push_back("-");
}

}  // namespace

// Questionnaire summaries (GROUP_BY_INSTRUMENT) are over assessment scores.
std::string FormatInstrumentTable(const v1::SummarizeOutcomesResponse& response,
                                  const std::vector<v1::GroupBy>& group_by) {
  std::vector<std::string> header;
  for (v1::GroupBy dimension : group_by) {
    if (dimension == v1::GROUP_BY_INSTRUMENT) {
      header.push_back("instrument");
      header.push_back("domain");
    } else {
      header.push_back(KeyPartName(dimension));
    }
  }
  const size_t first_measure = header.size();
  for (const char* measure : {"scores", "mean score", "unscoreable", "patients"}) {
    header.push_back(measure);
  }
  OutputTable table(header);
  for (size_t i = first_measure; i < header.size(); ++i) table.AlignRight(i);
  for (const auto& group : response.groups()) {
    std::vector<std::string> row;
    for (size_t i = 0; i < first_measure; ++i) {
      auto part = group.key_parts().find(header[i]);
      row.push_back(part != group.key_parts().end() ? part->second : "");
    }
    if (group.suppressed()) {
      FillSuppressed(header.size() - first_measure, row);
      table.AddRow(std::move(row));
      continue;
    }
    row.push_back(absl::StrCat(group.assessment_count()));
    // A mean over no scores is not 0: say there is nothing to average.
    row.push_back(group.assessment_count() > 0 ? Mean(group.mean_score()) : std::string("n/a"));
    row.push_back(absl::StrCat(group.unscoreable_count()));
    row.push_back(absl::StrCat(group.patient_count()));
    table.AddRow(std::move(row));
  }
  std::string out = table.Render();
  if (response.groups().empty()) out += "(no assessments match the filter)\n";
  return out;
}

// Curve summaries (GROUP_BY_CURVE_REGION) are over films.
std::string FormatCurveTable(const v1::SummarizeOutcomesResponse& response) {
  OutputTable table({"curve_region", "films", "mean cobb", "patients", "true progression"});
  for (size_t i = 1; i < 5; ++i) table.AlignRight(i);
  for (const auto& group : response.groups()) {
    auto part = group.key_parts().find("curve_region");
    std::vector<std::string> row{part != group.key_parts().end() ? part->second : group.key()};
    if (group.suppressed()) {
      FillSuppressed(4, row);
    } else {
      row.push_back(absl::StrCat(group.film_count()));
      row.push_back(absl::StrFormat("%.1f", group.mean_cobb_angle_degrees()));
      row.push_back(absl::StrCat(group.patient_count()));
      row.push_back(absl::StrCat(group.progressed_patient_count()));
    }
    table.AddRow(std::move(row));
  }
  std::string out = table.Render();
  if (response.groups().empty()) out += "(no films match the filter)\n";
  return out;
}

std::string FormatSummaryTable(const v1::SummarizeOutcomesResponse& response,
                               const std::vector<v1::GroupBy>& group_by) {
  for (v1::GroupBy dimension : group_by) {
    if (dimension == v1::GROUP_BY_INSTRUMENT) return FormatInstrumentTable(response, group_by);
    if (dimension == v1::GROUP_BY_CURVE_REGION) return FormatCurveTable(response);
  }
  std::vector<std::string> header;
  for (v1::GroupBy dimension : group_by) header.push_back(KeyPartName(dimension));
  if (header.empty()) header.push_back("group");
  const size_t first_measure = header.size();
  for (const char* measure : {"sessions", "pain before", "pain after", "relief",
                              "within-session relief", "adverse events", "episode patients",
                              "episode responders"}) {
    header.push_back(measure);
  }
  OutputTable table(header);
  for (size_t i = first_measure; i < header.size(); ++i) table.AlignRight(i);

  for (const auto& group : response.groups()) {
    std::vector<std::string> row;
    if (group_by.empty()) {
      row.push_back(group.key().empty() ? "all" : group.key());
    } else {
      // key_parts names each value; older servers may send only the joined key.
      const std::vector<std::string> joined = absl::StrSplit(group.key(), '|');
      for (size_t i = 0; i < group_by.size(); ++i) {
        auto part = group.key_parts().find(KeyPartName(group_by[i]));
        if (part != group.key_parts().end()) {
          row.push_back(part->second);
        } else {
          row.push_back(i < joined.size() ? joined[i] : "");
        }
      }
    }
    if (group.suppressed()) {
      FillSuppressed(header.size() - first_measure, row);
      table.AddRow(std::move(row));
      continue;
    }
    row.push_back(absl::StrCat(group.session_count()));
    row.push_back(Mean(group.mean_pain_before()));
    row.push_back(Mean(group.mean_pain_after()));
    row.push_back(Mean(group.mean_pain_relief()));
    row.push_back(Percent(group.within_session_relief_rate()));
    row.push_back(Percent(group.adverse_event_rate()));
    row.push_back(absl::StrCat(group.episode_patient_count()));
    // A rate over no patients is not 0%: say there is nothing to rate.
    row.push_back(group.episode_patient_count() > 0 ? Percent(group.episode_responder_rate())
                                                    : std::string("n/a"));
    table.AddRow(std::move(row));
  }
  std::string out = table.Render();
  if (response.groups().empty()) out += "(no outcomes match the filter)\n";
  out += FormatFeedbackTables(response);
  return out;
}

std::string FormatFeedbackTables(const v1::SummarizeOutcomesResponse& response) {
  if (response.feedback_by_rule().empty()) return "";
  std::string out = "\nCDS card feedback by rule\n";
  OutputTable rules({"rule", "feedback", "accepted", "overridden", "override rate"});
  for (size_t i = 1; i < 5; ++i) rules.AlignRight(i);
  for (const auto& rule : response.feedback_by_rule()) {
    if (rule.suppressed()) {
      rules.AddRow({rule.rule_id(), "suppressed", "-", "-", "-"});
      continue;
    }
    rules.AddRow({rule.rule_id(), absl::StrCat(rule.feedback_count()),
                  absl::StrCat(rule.accepted_count()), absl::StrCat(rule.overridden_count()),
                  Percent(rule.override_rate())});
  }
  out += rules.Render();
  if (response.overrides_by_reason().empty()) return out;
  out += "\nOverrides by reason\n";
  OutputTable reasons({"reason", "system", "overrides", "share of overrides"});
  for (size_t i = 2; i < 4; ++i) reasons.AlignRight(i);
  for (const auto& reason : response.overrides_by_reason()) {
    if (reason.suppressed()) {
      reasons.AddRow({reason.reason_code().empty() ? std::string("(none given)") : reason.reason_code(),
                      reason.reason_system().empty() ? std::string("-") : reason.reason_system(),
                      "suppressed", "-"});
      continue;
    }
    reasons.AddRow({reason.reason_code().empty() ? std::string("(none given)") : reason.reason_code(),
                    reason.reason_system().empty() ? std::string("-") : reason.reason_system(),
                    absl::StrCat(reason.overridden_count()), Percent(reason.share_of_overrides())});
  }
  out += reasons.Render();
  return out;
}

}  // namespace scoliomassage::cli
