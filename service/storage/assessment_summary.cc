#include "storage/assessment_summary.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/errors.h"
#include "storage/outcome_ids.h"

namespace scoliomassage::storage {

bool IsAssessmentSummary(const std::vector<v1::GroupBy>& group_by) {
  return std::find(group_by.begin(), group_by.end(), v1::GROUP_BY_INSTRUMENT) != group_by.end();
}

absl::StatusOr<PlannedRead> PlanAssessmentSummary(const std::string& clinic_id,
                                                  const v1::HistoryFilter& filter,
                                                  const std::vector<v1::GroupBy>& group_by,
                                                  char placeholder_prefix) {
  core::FieldViolations violations;
  for (size_t i = 0; i < group_by.size(); ++i) {
    if (group_by[i] != v1::GROUP_BY_INSTRUMENT && group_by[i] != v1::GROUP_BY_EPISODE) {
      violations.Add(absl::StrCat("group_by[", i, "]"),
                     "combines with GROUP_BY_INSTRUMENT only as GROUP_BY_EPISODE");
    }
  }
  if (!filter.therapist_id().empty()) {
    violations.Add("filter.therapist_id", "does not apply to questionnaire summaries");
  }
  if (!filter.protocol_id().empty()) {
    violations.Add("filter.protocol_id", "does not apply to questionnaire summaries");
  }
  if (filter.spine_region() != v1::SPINE_REGION_UNSPECIFIED) {
    violations.Add("filter.spine_region", "does not apply to questionnaire summaries");
  }
  if (!violations.empty()) return violations.ToStatus();

  PlannedRead read;
  read.params = SqlParams(placeholder_prefix);
  // Instrument and domain always; the episode when asked, in group_by order.
  std::vector<std::string> columns;
  for (v1::GroupBy dimension : group_by) {
    if (dimension == v1::GROUP_BY_INSTRUMENT) {
      columns.push_back("instrument_id");
      columns.push_back("domain");
    } else {
      columns.push_back("episode_id");
    }
  }
  const std::string dimensions = absl::StrJoin(columns, ", ");
  std::string where = absl::StrCat("clinic_id = ", read.params.Add(clinic_id));
  if (!filter.patient_id().empty()) {
    absl::StrAppend(&where, " AND patient_id = ", read.params.Add(filter.patient_id()));
  }
  if (filter.has_start_time()) {
    absl::StrAppend(&where, " AND performed_at_us >= ",
                    read.params.Add(TimestampToMicros(filter.start_time())));
  }
  if (filter.has_end_time()) {
    absl::StrAppend(&where, " AND performed_at_us < ",
                    read.params.Add(TimestampToMicros(filter.end_time())));
  }
  // value is NULL for an unscoreable domain: count() and avg() skip it, so
  // it is never averaged in as 0.
  read.sql = absl::StrCat("SELECT ", dimensions,
                          ", count(value), coalesce(avg(value), 0), "
                          "sum(CASE WHEN value IS NULL THEN 1 ELSE 0 END), "
                          "count(DISTINCT patient_id) FROM assessment_scores WHERE ",
                          where, " GROUP BY ", dimensions, " ORDER BY ", dimensions);
  return read;
}

absl::StatusOr<std::vector<v1::SummaryGroup>> ReadAssessmentSummary(
    ResultRows& rows, const std::vector<v1::GroupBy>& group_by) {
  std::vector<v1::SummaryGroup> groups;
  for (;;) {
    absl::StatusOr<bool> next = rows.Next();
    if (!next.ok()) return next.status();
    if (!*next) break;
    v1::SummaryGroup group;
    std::vector<std::string> key;
    int column = 0;
    for (v1::GroupBy dimension : group_by) {
      if (dimension == v1::GROUP_BY_INSTRUMENT) {
        const std::string instrument = rows.Text(column++);
        const std::string domain = rows.Text(column++);
        (*group.mutable_key_parts())["instrument"] = instrument;
        (*group.mutable_key_parts())["domain"] = domain;
        key.push_back(instrument);
        key.push_back(domain);
      } else {
        const std::string episode = absl::StrCat("episodes/", rows.Text(column++));
        (*group.mutable_key_parts())["episode"] = episode;
        key.push_back(episode);
      }
    }
    group.set_key(absl::StrJoin(key, "|"));
    group.set_assessment_count(rows.Int(column));
    group.set_mean_score(rows.Double(column + 1));
    group.set_unscoreable_count(rows.Int(column + 2));
    group.set_patient_count(rows.Int(column + 3));
    groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace scoliomassage::storage
