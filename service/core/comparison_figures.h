// A protocol comparison (CompareProtocolsResponse) as words and forest-plot
// rows. The plot and the page's tables print every figure through these
// functions, so a figure in the drawing and in its table cannot disagree.
//
// A group without an estimate (not enough data, suppressed for analytics, or
// no episode with pain at two sessions) becomes a text row saying why, never
// a value: a suppressed group must not be read as 0.
#pragma once

#include <string>
#include <vector>

#include "core/forest_plot.h"
#include "scoliomassage/v1/comparison.pb.h"

namespace scoliomassage::core {

// "-1.8": one decimal, never "-0.0".
std::string OneDecimal(double value);
// "-1.8 (-2.6 to -1.0)", "-2.0 (no interval: 1 episode)"; empty when n == 0.
std::string MeanText(const v1::MeanEstimate& mean);
// "45% (31% to 60%)"; empty when n == 0.
std::string ProportionText(const v1::ProportionEstimate& proportion);
// "1.2 (0.4 to 2.8)" per 100 sessions; empty without sessions.
std::string RateText(const v1::RateEstimate& rate);
// A difference in points (`percent` false) or percentage points.
std::string DifferenceText(const v1::DifferenceEstimate& difference, bool percent);

bool IsShown(const v1::ProtocolComparisonGroup& group);
// "24 episodes, 12 patients, 180 sessions"; "counts suppressed".
std::string CountsText(const v1::ProtocolComparisonGroup& group);
// Why a group that is not shown has no estimate, in a sentence; `brief` for
// a plot row (the page's table and method text give the whole rule).
std::string WithheldText(const v1::ProtocolComparisonGroup& group, bool brief = false);

// The forest plot of the mean change in pre-session pain: one row per group,
// then the difference between the first two shown groups (a diamond).
ForestFigure PainChangeFigure(const v1::CompareProtocolsResponse& response);
// Responder rate and adverse-event rate, one panel each.
ForestFigure RatesFigure(const v1::CompareProtocolsResponse& response);
// Questionnaire change: one panel per instrument and domain measured in a
// shown group, a row per group (not measured, withheld and suppressed
// groups in words).
ForestFigure QuestionnaireFigure(const v1::CompareProtocolsResponse& response);
// The share of CDS cards on each group's protocol that were overridden.
ForestFigure OverridesFigure(const v1::CompareProtocolsResponse& response);

// "odi total", the name a questionnaire change goes by in figures and tables.
std::string QuestionnaireName(const v1::QuestionnaireChange& change);
// A group's change for one instrument and domain; null when not measured.
const v1::QuestionnaireChange* FindQuestionnaire(const v1::ProtocolComparisonGroup& group,
                                                 const std::string& instrument_id,
                                                 const std::string& domain);
// The instruments and domains measured in any shown group, in order of
// first appearance.
std::vector<const v1::QuestionnaireChange*> MeasuredQuestionnaires(
    const v1::CompareProtocolsResponse& response);
// "2 (too-sore), 1 (other)"; "none" without overrides.
std::string OverrideReasonsText(const v1::ProtocolComparisonGroup& group);
// A count as figures print it: "suppressed" in words, never 0.
std::string CountText(const v1::SuppressibleCount& count);
// A group's evaluation counts in words: "A 12; B 0; no evaluation 2",
// "A 0; B 18; no evaluation 2", "6 in all; 6 into; 0 out of".
std::string EvaluationAssignedText(const v1::EvaluationCounts& counts);
std::string EvaluationReceivedText(const v1::EvaluationCounts& counts);
std::string EvaluationOverriddenText(const v1::EvaluationCounts& counts);

}  // namespace scoliomassage::core
