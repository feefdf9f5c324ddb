#include "core/assessment_scoring.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "core/errors.h"

namespace scoliomassage::core {

absl::StatusOr<std::vector<v1::AssessmentScore>> ScoreAssessment(
    const v1::Instrument& instrument,
    const google::protobuf::RepeatedPtrField<v1::Answer>& answers,
    const std::string& field_prefix) {
  std::map<std::string, const v1::InstrumentItem*> items;
  for (const v1::InstrumentItem& item : instrument.items()) items[item.id()] = &item;

  FieldViolations violations;
  if (answers.empty()) violations.Add(field_prefix + "answers", "at least one answer is required");
  std::map<std::string, int32_t> values;
  for (int i = 0; i < answers.size(); ++i) {
    const v1::Answer& answer = answers[i];
    const std::string at = absl::StrCat(field_prefix, "answers[", i, "]");
    auto item = items.find(answer.item());
    if (item == items.end()) {
      violations.Add(at + ".item",
                     absl::StrCat("item \"", answer.item(), "\" is not an item of ",
                                  instrument.id(), " (items \"1\" to \"",
                                  instrument.items_size(), "\")"));
      continue;
    }
    if (values.count(answer.item()) != 0) {
      violations.Add(at + ".item", absl::StrCat("item \"", answer.item(), "\" is answered twice"));
      continue;
    }
    if (answer.value() < item->second->min() || answer.value() > item->second->max()) {
      violations.Add(at + ".value",
                     absl::StrCat("item \"", answer.item(), "\" takes ", item->second->min(), "-",
                                  item->second->max(), "; got ", answer.value()));
      continue;
    }
    values[answer.item()] = answer.value();
  }
  if (!violations.empty()) return violations.ToStatus();

  std::vector<v1::AssessmentScore> scores;
  for (const v1::InstrumentDomain& domain : instrument.domains()) {
    v1::AssessmentScore score;
    score.set_domain(domain.id());
    double sum = 0;
    double range = 0;
    int answered = 0;
    for (const std::string& id : domain.items()) {
      auto value = values.find(id);
      if (value == values.end()) continue;
      const v1::InstrumentItem& item = *items.at(id);
      ++answered;
      if (domain.scoring() == v1::SCORING_RULE_PERCENT_OF_ANSWERED_MAXIMUM) {
        sum += value->second - item.min();
        range += item.max() - item.min();
      } else {
        sum += value->second;
      }
    }
    score.set_answered_items(answered);
    if (answered < domain.min_answered_items()) {
      score.set_scoreable(false);
      score.set_reason(absl::StrCat(answered, " of ", domain.items_size(),
                                    " items answered; the score needs ",
                                    domain.min_answered_items()));
      scores.push_back(std::move(score));
      continue;
    }
    score.set_scoreable(true);
    switch (domain.scoring()) {
      case v1::SCORING_RULE_SUM: score.set_value(sum); break;
      case v1::SCORING_RULE_PERCENT_OF_ANSWERED_MAXIMUM: score.set_value(sum / range * 100.0); break;
      case v1::SCORING_RULE_MEAN: score.set_value(sum / answered); break;
      default:
        // The loader refuses such a definition; never guess a score.
        score.set_scoreable(false);
        score.set_value(0);
        score.set_reason("the instrument defines no scoring rule for this domain");
        break;
    }
    scores.push_back(std::move(score));
  }
  return scores;
}

}  // namespace scoliomassage::core
