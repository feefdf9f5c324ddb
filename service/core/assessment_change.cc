#include "core/assessment_change.h"

#include <cmath>
#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/meaningful_change.h"

namespace scoliomassage::core {
namespace {

// "ODI" for the total, "SRS22R pain" for a domain.
std::string MeasureLabel(const v1::Instrument& instrument, const std::string& domain) {
  std::string label = absl::AsciiStrToUpper(instrument.id());
  if (domain != "total") absl::StrAppend(&label, " ", domain);
  return label;
}

std::string Verdict(const ChangeJudgement& judgement) {
  if (judgement.meaningful) return "a meaningful improvement";
  if (judgement.improved) return "an improvement below the meaningful change";
  if (std::fabs(judgement.change) < 1e-9) return "no change";
  return "a worsening";
}

}  // namespace

void ReportAssessmentChange(const v1::Instrument& instrument, const v1::Assessment& previous,
                            const v1::Assessment& latest, Explanation& explanation) {
  explanation.Fire("assessment.latest",
                   absl::StrCat("latest ", instrument.id(), " assessment ", latest.name(),
                                " compared with ", previous.name()),
                   instrument.citation());
  std::map<std::string, const v1::AssessmentScore*> before;
  for (const v1::AssessmentScore& score : previous.scores()) before[score.domain()] = &score;
  for (const v1::AssessmentScore& score : latest.scores()) {
    auto old = before.find(score.domain());
    if (old == before.end() || !old->second->scoreable() || !score.scoreable()) continue;
    const v1::InstrumentDomain* domain = nullptr;
    for (const v1::InstrumentDomain& candidate : instrument.domains()) {
      if (candidate.id() == score.domain()) domain = &candidate;
    }
    if (domain == nullptr) continue;
    const ChangeJudgement judgement =
        JudgeChange(*domain, instrument.direction(), old->second->value(), score.value());
    const std::string label = MeasureLabel(instrument, score.domain());
    std::string summary =
        absl::StrCat(label, " ", DescribeChange(old->second->value(), score.value()), ": ",
                     Verdict(judgement));
    if (!judgement.threshold.empty()) absl::StrAppend(&summary, " (MCID ", judgement.threshold, ")");
    if (summary.size() > 139) summary.resize(139);
    std::string detail = absl::StrCat(
        instrument.name(), " (", instrument.version(), "), ", score.domain(), ": ",
        FormatScore(old->second->value()), " on the previous assessment, ",
        FormatScore(score.value()), " on the latest (",
        instrument.direction() == v1::CHANGE_DIRECTION_LOWER_IS_BETTER ? "lower" : "higher",
        " is better).");
    if (!judgement.threshold.empty()) {
      absl::StrAppend(&detail, " Meaningful change: ", judgement.threshold, ".");
    }
    if (!domain->meaningful_change().caveat().empty()) {
      absl::StrAppend(&detail, " Note: ", domain->meaningful_change().caveat(), ".");
    }
    const std::string source = domain->meaningful_change().source().empty()
                                   ? instrument.citation()
                                   : domain->meaningful_change().source();
    explanation.AddCard(v1::INDICATOR_INFO, "assessment.change", summary, detail, source);
  }
}

}  // namespace scoliomassage::core
