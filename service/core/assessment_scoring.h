// Scores a questionnaire from its item answers: the one place scores are
// computed. Pure: it reads only the instrument definition it is given
// (catalog/instruments.h), so a clinic's own instrument scores the same way.
//
//   SCORING_RULE_SUM                          the sum of the answers;
//   SCORING_RULE_PERCENT_OF_ANSWERED_MAXIMUM  sum of (answer - min) over sum
//                                             of (max - min) of the answered
//                                             items, x 100 (ODI: sum / (5 x
//                                             sections answered) x 100);
//   SCORING_RULE_MEAN                         the mean of the answers.
//
// A domain with fewer answered items than its min_answered_items is not
// scoreable: scoreable=false with the reason, value 0 that must not be read.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_field.h"
#include "scoliomassage/v1/assessment.pb.h"
#include "scoliomassage/v1/instrument.pb.h"

namespace scoliomassage::core {

// Checks the answers against `instrument` (every item known, answered at
// most once, within its range; at least one answer) and scores every domain
// in the instrument's order. Bad answers are INVALID_ARGUMENT with one field
// violation each, named `<field_prefix>answers[i].item` or `.value`, and the
// description names the item.
absl::StatusOr<std::vector<v1::AssessmentScore>> ScoreAssessment(
    const v1::Instrument& instrument,
    const google::protobuf::RepeatedPtrField<v1::Answer>& answers,
    const std::string& field_prefix);

}  // namespace scoliomassage::core
