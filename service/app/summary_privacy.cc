#include "app/summary_privacy.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "core/comparison_stats.h"
#include "core/small_cell_table.h"

namespace scoliomassage::app {
namespace {

int Patients(int64_t count) { return static_cast<int>(std::min<int64_t>(count, INT32_MAX)); }

// A group's value on each dimension, in group_by order, from its key parts.
// An instrument's domains are one dimension with it: no request sums the
// domains of an instrument.
std::vector<std::string> Dimensions(const std::vector<v1::GroupBy>& group_by,
                                    const v1::SummaryGroup& group) {
  std::vector<std::string> values;
  const auto& parts = group.key_parts();
  auto part = [&](const char* name) {
    auto found = parts.find(name);
    return found == parts.end() ? std::string() : found->second;
  };
  for (v1::GroupBy dimension : group_by) {
    switch (dimension) {
      case v1::GROUP_BY_PROTOCOL: values.push_back(part("protocol")); break;
      case v1::GROUP_BY_SPINE_REGION: values.push_back(part("spine_region")); break;
      case v1::GROUP_BY_SESSION_NUMBER: values.push_back(part("session_number")); break;
      case v1::GROUP_BY_THERAPIST: values.push_back(part("therapist")); break;
      case v1::GROUP_BY_MONTH: values.push_back(part("month")); break;
      case v1::GROUP_BY_EPISODE: values.push_back(part("episode")); break;
      case v1::GROUP_BY_INSTRUMENT:
        values.push_back(part("instrument") + "/" + part("domain"));
        break;
      case v1::GROUP_BY_CURVE_REGION: values.push_back(part("curve_region")); break;
      default: values.push_back(group.key()); break;
    }
  }
  return values;
}

// What a suppressed group keeps: its key and the marker.
v1::SummaryGroup Hidden(const v1::SummaryGroup& group) {
  v1::SummaryGroup hidden;
  hidden.set_key(group.key());
  *hidden.mutable_key_parts() = group.key_parts();
  hidden.set_suppressed(true);
  return hidden;
}

void SuppressGroups(const std::vector<v1::GroupBy>& group_by,
                    v1::SummarizeOutcomesResponse& response) {
  if (group_by.empty()) {
    // The one overall group is the total itself.
    for (auto& group : *response.mutable_groups()) {
      if (core::SuppressSmallCells({}, Patients(group.patient_count())).total) {
        group = Hidden(group);
      }
    }
    return;
  }
  std::vector<core::TableCell> cells;
  int64_t sum = 0;
  for (const auto& group : response.groups()) {
    cells.push_back({Dimensions(group_by, group), Patients(group.patient_count())});
    sum += group.patient_count();
  }
  // Without a total in the response (questionnaire and curve summaries) the
  // sum of the groups stands in: it is at least the distinct count, so it
  // never spares a group the distinct count would hide.
  const int total = Patients(response.has_total() ? response.total().patient_count() : sum);
  const core::Suppression hidden = core::SuppressSmallCellsInTable(cells, total);
  for (int i = 0; i < response.groups_size(); ++i) {
    if (hidden.cells[static_cast<size_t>(i)]) {
      *response.mutable_groups(i) = Hidden(response.groups(i));
    }
  }
  if (response.has_total() && hidden.total) *response.mutable_total() = Hidden(response.total());
}

void SuppressFeedback(const storage::CardFeedbackSummary& feedback,
                      v1::SummarizeOutcomesResponse& response) {
  std::vector<int> rules;
  for (const auto& rule : response.feedback_by_rule()) rules.push_back(Patients(rule.patient_count()));
  const core::Suppression hidden_rules =
      core::SuppressSmallCells(rules, Patients(feedback.feedback_patients));
  for (int i = 0; i < response.feedback_by_rule_size(); ++i) {
    if (!hidden_rules.cells[static_cast<size_t>(i)] && !hidden_rules.total) continue;
    v1::RuleFeedback hidden;
    hidden.set_rule_id(response.feedback_by_rule(i).rule_id());
    hidden.set_suppressed(true);
    *response.mutable_feedback_by_rule(i) = std::move(hidden);
  }
  std::vector<int> reasons;
  for (const auto& reason : response.overrides_by_reason()) {
    reasons.push_back(Patients(reason.patient_count()));
  }
  const core::Suppression hidden_reasons =
      core::SuppressSmallCells(reasons, Patients(feedback.override_patients));
  for (int i = 0; i < response.overrides_by_reason_size(); ++i) {
    if (!hidden_reasons.cells[static_cast<size_t>(i)] && !hidden_reasons.total) continue;
    v1::OverrideReasonFeedback hidden;
    hidden.set_reason_system(response.overrides_by_reason(i).reason_system());
    hidden.set_reason_code(response.overrides_by_reason(i).reason_code());
    hidden.set_suppressed(true);
    *response.mutable_overrides_by_reason(i) = std::move(hidden);
  }
}

}  // namespace

void SuppressSmallGroups(const std::vector<v1::GroupBy>& group_by,
                         const storage::CardFeedbackSummary& feedback,
                         v1::SummarizeOutcomesResponse& response) {
  SuppressGroups(group_by, response);
  SuppressFeedback(feedback, response);
}

}  // namespace scoliomassage::app
