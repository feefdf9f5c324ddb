#include "cli/recommend_format.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/enum_names.h"
#include "cli/output_table.h"

namespace scoliomassage::cli {
namespace {

std::string Lower(std::string text) { return absl::AsciiStrToLower(text); }

std::string AreaLabel(const v1::Step& step) {
  std::string area = Lower(ShortName(step.body_area()));
  if (step.body_area() == v1::BODY_AREA_BACK &&
      step.spine_region() != v1::SPINE_REGION_UNSPECIFIED) {
    absl::StrAppend(&area, " (", Lower(ShortName(step.spine_region())), ")");
  }
  return area;
}

// Multi-line text (card details are Markdown) indented under its heading.
void AppendIndented(std::string* out, const std::string& text, const std::string& indent) {
  // Without the final newline, which would otherwise add a blank line.
  for (absl::string_view line : absl::StrSplit(absl::StripSuffix(text, "\n"), '\n')) {
    if (line.empty()) {
      *out += '\n';
    } else {
      absl::StrAppend(out, indent, line, "\n");
    }
  }
}

}  // namespace

std::string FormatRecommendation(const v1::RecommendProtocolResponse& response) {
  std::string out = absl::StrCat("Decision: ", ShortName(response.decision()), "\n");
  if (!response.recommendation_id().empty()) {
    absl::StrAppend(&out, "Recommendation: ", response.recommendation_id(),
                    "  (send it as recommendationId when logging the outcome)\n");
  }

  if (response.has_protocol()) {
    const auto& protocol = response.protocol();
    absl::StrAppend(&out, "Protocol: ", protocol.protocol_id(), " v", protocol.protocol_version());
    if (!protocol.title().empty()) absl::StrAppend(&out, " - ", protocol.title());
    absl::StrAppend(&out, "\nSession ", protocol.session_number(), ", ",
                    protocol.total_minutes(), " minutes\n\nSteps:\n");
    OutputTable steps({"order", "body area", "position", "roller", "technique", "intensity",
                       "minutes", "side", "goal"});
    steps.AlignRight(0);
    steps.AlignRight(6);
    for (const auto& step : protocol.steps()) {
      steps.AddRow({absl::StrCat(step.order()), AreaLabel(step), Lower(ShortName(step.position())),
                    step.ankle_roller() ? "ankle roller" : "-", step.technique(),
                    Lower(ShortName(step.intensity())), absl::StrCat(step.minutes()),
                    Lower(ShortName(step.focus_side())), step.goal()});
    }
    AppendIndented(&out, steps.Render(), "  ");
    bool any_detail = false;
    for (const auto& step : protocol.steps()) {
      if (step.instructions().empty() && step.muscles().empty()) continue;
      if (!any_detail) out += "\nStep details:\n";
      any_detail = true;
      absl::StrAppend(&out, "  ", step.order(), ". ", step.instructions());
      if (!step.muscles().empty()) {
        absl::StrAppend(&out, step.instructions().empty() ? "" : " ", "Muscles: ",
                        absl::StrJoin(step.muscles(), ", "), ".");
      }
      out += '\n';
    }
  } else {
    out += "No massage today: no steps.\n";
  }

  if (!response.cards().empty()) {
    out += "\nCards:\n";
    for (const auto& card : response.cards()) {
      absl::StrAppend(&out, "  [", ShortName(card.indicator()), "] ", card.summary(), "\n");
      if (!card.detail().empty()) AppendIndented(&out, card.detail(), "      ");
      if (!card.source().empty()) absl::StrAppend(&out, "      Source: ", card.source(), "\n");
    }
  }

  if (response.has_basis()) {
    const auto& basis = response.basis();
    out += "\nBasis:\n";
    if (!basis.summary().empty()) AppendIndented(&out, basis.summary(), "  ");
    if (!basis.protocol_id().empty()) {
      absl::StrAppend(&out, "  Protocol: ", basis.protocol_id(), " v", basis.protocol_version(),
                      "\n");
    }
    absl::StrAppend(&out, "  Session number: ", basis.session_number());
    if (!basis.session_number_source().empty()) {
      absl::StrAppend(&out, " (from ", basis.session_number_source(), ")");
    }
    out += '\n';
    if (!basis.progression().empty()) {
      absl::StrAppend(&out, "  Progression: ", basis.progression(), "\n");
    }
    if (!basis.last_outcome().empty()) {
      absl::StrAppend(&out, "  Last outcome: ", basis.last_outcome(), "\n");
    }
    if (!basis.rules().empty()) {
      out += "  Rules:\n";
      for (const auto& rule : basis.rules()) {
        absl::StrAppend(&out, "    - ", rule.rule_id(), ": ", rule.description());
        if (!rule.source().empty()) absl::StrAppend(&out, " (", rule.source(), ")");
        out += '\n';
      }
    }
  }
  return out;
}

}  // namespace scoliomassage::cli
