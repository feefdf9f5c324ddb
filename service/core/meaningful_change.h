// Whether a change in a questionnaire score is meaningful, judged by the
// instrument's own threshold (instrument.proto MeaningfulChange) and
// direction. Pre-session pain uses the project's pain rule instead
// (core/dose.h MeaningfulFall), so there is one pain rule.
#pragma once

#include <string>

#include "scoliomassage/v1/instrument.pb.h"

namespace scoliomassage::core {

struct ChangeJudgement {
  double change = 0;        // latest - baseline
  bool improved = false;    // moved the better way
  bool meaningful = false;  // improved by at least the threshold
  // "10 points or 30% of baseline", empty when the domain has none.
  std::string threshold;
};

ChangeJudgement JudgeChange(const v1::InstrumentDomain& domain, v1::ChangeDirection direction,
                            double baseline, double latest);

// "fell from 40 to 24" / "rose from 2.1 to 3.4" / "stayed at 40".
std::string DescribeChange(double baseline, double latest);

// A score as people write it: at most one decimal, no trailing ".0".
std::string FormatScore(double value);

}  // namespace scoliomassage::core
