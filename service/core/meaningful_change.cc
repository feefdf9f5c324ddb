#include "core/meaningful_change.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace scoliomassage::core {
namespace {

// Scores are computed in floating point (e.g. 15/50 x 100): a change equal to
// the threshold must count however the division rounded.
constexpr double kTolerance = 1e-9;

}  // namespace

std::string FormatScore(double value) {
  std::string text = absl::StrFormat("%.1f", value);
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  if (text == "-0") text = "0";
  return text;
}

ChangeJudgement JudgeChange(const v1::InstrumentDomain& domain, v1::ChangeDirection direction,
                            double baseline, double latest) {
  ChangeJudgement judgement;
  judgement.change = latest - baseline;
  const double improvement =
      direction == v1::CHANGE_DIRECTION_HIGHER_IS_BETTER ? latest - baseline : baseline - latest;
  judgement.improved = improvement > kTolerance;
  if (!domain.has_meaningful_change()) return judgement;
  const v1::MeaningfulChange& threshold = domain.meaningful_change();
  std::string words;
  if (threshold.points() > 0) {
    words = absl::StrCat(FormatScore(threshold.points()), " points");
    if (improvement + kTolerance >= threshold.points()) judgement.meaningful = true;
  }
  if (threshold.fraction_of_baseline() > 0) {
    absl::StrAppend(&words, words.empty() ? "" : " or ",
                    FormatScore(threshold.fraction_of_baseline() * 100), "% of baseline");
    if (std::fabs(baseline) > kTolerance &&
        improvement + kTolerance >= threshold.fraction_of_baseline() * std::fabs(baseline)) {
      judgement.meaningful = true;
    }
  }
  judgement.meaningful = judgement.meaningful && judgement.improved;
  judgement.threshold = words;
  return judgement;
}

std::string DescribeChange(double baseline, double latest) {
  if (std::fabs(latest - baseline) <= kTolerance) {
    return absl::StrCat("stayed at ", FormatScore(latest));
  }
  return absl::StrCat(latest < baseline ? "fell" : "rose", " from ", FormatScore(baseline), " to ",
                      FormatScore(latest));
}

}  // namespace scoliomassage::core
