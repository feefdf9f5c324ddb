// The check-in's view of questionnaires: the patient's latest assessment
// against the one before it of the same instrument, judged by the
// instrument's thresholds (core/meaningful_change.h). An INFO card per
// scored domain that changed, so the clinician sees e.g. "ODI fell from 40
// to 24: a meaningful improvement (MCID 10 points or 30% of baseline)",
// with the threshold's published source. Pure.
#pragma once

#include "core/explanation.h"
#include "scoliomassage/v1/assessment.pb.h"
#include "scoliomassage/v1/instrument.pb.h"

namespace scoliomassage::core {

// Rule ids: "assessment.change" (a card per changed domain) and
// "assessment.latest" (a fired rule naming the assessment used).
void ReportAssessmentChange(const v1::Instrument& instrument, const v1::Assessment& previous,
                            const v1::Assessment& latest, Explanation& explanation);

}  // namespace scoliomassage::core
