#include "storage/outcome_queries.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/errors.h"
#include "scoliomassage/v1/common.pb.h"
#include "storage/outcome_ids.h"

namespace scoliomassage::storage {
namespace {

const char* DimensionColumn(v1::GroupBy dimension) {
  switch (dimension) {
    case v1::GROUP_BY_PROTOCOL: return "protocol_id";
    case v1::GROUP_BY_SPINE_REGION: return "spine_region";
    case v1::GROUP_BY_SESSION_NUMBER: return "session_number";
    case v1::GROUP_BY_THERAPIST: return "therapist_id";
    case v1::GROUP_BY_MONTH: return "performed_month";
    case v1::GROUP_BY_EPISODE: return "episode_id";
    default: return nullptr;
  }
}

// With a patient filter, the patient index must drive the query: a patient
// has tens of outcomes, a clinic millions. Without statistics SQLite
// prefers an index that yields the ORDER BY (clinic_id, <order column>) and
// filters the patient while walking the whole clinic: a full scan, 88 ms per
// call in a 100k store (tests/bench). A unary "+" on the order column (valid
// on integers in PostgreSQL too) makes that index unusable for the order, so
// the planner takes outcome_revisions_patient and sorts the patient's few
// rows. Only for patient filters: an unfiltered or therapist-wide stream must
// keep walking the history index in order, never sort per page.
bool PatientFirst(const v1::HistoryFilter& filter) { return !filter.patient_id().empty(); }

// The key_parts name of a dimension.
const char* DimensionName(v1::GroupBy dimension) {
  switch (dimension) {
    case v1::GROUP_BY_PROTOCOL: return "protocol";
    case v1::GROUP_BY_SPINE_REGION: return "spine_region";
    case v1::GROUP_BY_SESSION_NUMBER: return "session_number";
    case v1::GROUP_BY_THERAPIST: return "therapist";
    case v1::GROUP_BY_MONTH: return "month";
    case v1::GROUP_BY_EPISODE: return "episode";
    default: return "";
  }
}

}  // namespace

std::string OutcomeFilterSql(const std::string& clinic_id, const v1::HistoryFilter& filter,
                             SqlParams& params) {
  std::vector<std::string> clauses;
  clauses.push_back(absl::StrCat("clinic_id = ", params.Add(clinic_id)));
  if (!filter.patient_id().empty()) {
    clauses.push_back(absl::StrCat("patient_id = ", params.Add(filter.patient_id())));
  }
  if (!filter.therapist_id().empty()) {
    clauses.push_back(absl::StrCat("therapist_id = ", params.Add(filter.therapist_id())));
  }
  if (!filter.protocol_id().empty()) {
    clauses.push_back(absl::StrCat("protocol_id = ", params.Add(filter.protocol_id())));
  }
  if (filter.spine_region() != v1::SPINE_REGION_UNSPECIFIED) {
    clauses.push_back(absl::StrCat("spine_region = ",
                                   params.Add(static_cast<int64_t>(filter.spine_region()))));
  }
  if (filter.has_start_time()) {
    clauses.push_back(absl::StrCat("performed_at_us >= ",
                                   params.Add(TimestampToMicros(filter.start_time()))));
  }
  if (filter.has_end_time()) {
    clauses.push_back(absl::StrCat("performed_at_us < ",
                                   params.Add(TimestampToMicros(filter.end_time()))));
  }
  return absl::StrJoin(clauses, " AND ");
}

std::string HistoryScanSql(const std::string& clinic_id, const v1::HistoryFilter& filter,
                           bool include_revisions, const HistoryPosition* after, int limit,
                           SqlParams& params) {
  std::string sql = absl::StrCat(
      "SELECT outcome_proto, first_create_time_us, outcome_id, revision FROM ",
      include_revisions ? "outcome_revisions" : "latest_outcome_revisions", " WHERE ",
      OutcomeFilterSql(clinic_id, filter, params));
  const char* order_column = PatientFirst(filter) ? "+first_create_time_us" : "first_create_time_us";
  if (after != nullptr) {
    const std::string time = params.Add(after->first_create_time_us);
    const std::string id = params.Add(after->outcome_id);
    if (include_revisions) {
      absl::StrAppend(&sql, " AND (", order_column, ", outcome_id, revision) > (", time, ", ", id,
                      ", ", params.Add(static_cast<int64_t>(after->revision)), ")");
    } else {
      absl::StrAppend(&sql, " AND (", order_column, ", outcome_id) > (", time, ", ", id, ")");
    }
  }
  absl::StrAppend(&sql, " ORDER BY ", order_column, ", outcome_id, revision LIMIT ",
                  params.Add(static_cast<int64_t>(limit)));
  return sql;
}

std::string OutcomeListSql(const std::string& clinic_id, const v1::HistoryFilter& filter,
                           const OutcomeListPosition* after, int limit, SqlParams& params) {
  std::string sql = absl::StrCat(
      "SELECT outcome_proto, performed_at_us, outcome_id FROM latest_outcome_revisions WHERE ",
      OutcomeFilterSql(clinic_id, filter, params));
  const char* order_column = PatientFirst(filter) ? "+performed_at_us" : "performed_at_us";
  if (after != nullptr) {
    const std::string time = params.Add(after->performed_at_us);
    absl::StrAppend(&sql, " AND (", order_column, ", outcome_id) < (", time, ", ",
                    params.Add(after->outcome_id), ")");
  }
  absl::StrAppend(&sql, " ORDER BY ", order_column, " DESC, outcome_id DESC LIMIT ",
                  params.Add(static_cast<int64_t>(limit)));
  return sql;
}

absl::Status ValidateGroupBy(const std::vector<v1::GroupBy>& group_by) {
  core::FieldViolations violations;
  std::set<int> seen;
  for (size_t i = 0; i < group_by.size(); ++i) {
    const std::string field = absl::StrCat("group_by[", i, "]");
    if (DimensionColumn(group_by[i]) == nullptr) {
      violations.Add(field, "must be one of GROUP_BY_PROTOCOL, GROUP_BY_SPINE_REGION, "
                            "GROUP_BY_SESSION_NUMBER, GROUP_BY_THERAPIST, GROUP_BY_MONTH, "
                            "GROUP_BY_INSTRUMENT, GROUP_BY_EPISODE, GROUP_BY_CURVE_REGION");
    } else if (!seen.insert(group_by[i]).second) {
      violations.Add(field, "repeats an earlier dimension");
    }
  }
  return violations.ToStatus();
}

namespace {

// SQL for "the fall from `before` to `after` is meaningful": at least 2
// points or at least 30% of `before` (10 * fall >= 3 * before keeps the 30%
// test in integers). core::MeaningfulFall is the same rule in C++.
std::string MeaningfulFallSql(absl::string_view before, absl::string_view after) {
  const std::string fall = absl::StrCat("(", before, " - ", after, ")");
  return absl::StrCat("(", fall, " > 0 AND (", fall, " >= 2 OR 10 * ", fall, " >= 3 * ", before,
                      "))");
}

}  // namespace

std::string SummarySql(const std::string& clinic_id, const v1::HistoryFilter& filter,
                       const std::vector<v1::GroupBy>& group_by, SqlParams& params) {
  std::vector<std::string> columns;
  for (v1::GroupBy dimension : group_by) columns.push_back(DimensionColumn(dimension));
  const std::string dimensions = absl::StrJoin(columns, ", ");
  // Within-session relief (pain_before to pain_after) and the episode
  // responders (a patient's first to latest pre-session pain within the
  // group) use the same meaningful fall as the dose: 2 points or 30%.
  // Episodes are computed with window functions over the patient's sessions
  // in the group, so one pass over the selection serves both.
  const std::string episode =
      absl::StrCat("PARTITION BY ", dimensions, columns.empty() ? "" : ", ", "patient_id");
  std::string sql = absl::StrCat(
      "SELECT ", dimensions, columns.empty() ? "" : ", ",
      "count(*), avg(pain_before), avg(pain_after), avg(pain_before - pain_after), "
      "avg(CASE WHEN ", MeaningfulFallSql("pain_before", "pain_after"), " THEN 1.0 ELSE 0.0 END), "
      "avg(CASE WHEN adverse_event_count > 0 THEN 1.0 ELSE 0.0 END), "
      "count(DISTINCT CASE WHEN episode_sessions >= 2 THEN patient_id END), "
      "sum(CASE WHEN episode_sessions >= 2 AND latest_rank = 1 AND ",
      MeaningfulFallSql("episode_first_pain", "pain_before"), " THEN 1 ELSE 0 END), "
      "count(DISTINCT patient_id) "
      "FROM (SELECT *, count(*) OVER (", episode, ") AS episode_sessions, "
      "first_value(pain_before) OVER (", episode,
      " ORDER BY performed_at_us, outcome_id) AS episode_first_pain, "
      "row_number() OVER (", episode,
      " ORDER BY performed_at_us DESC, outcome_id DESC) AS latest_rank "
      "FROM latest_outcome_revisions WHERE ",
      OutcomeFilterSql(clinic_id, filter, params), ") AS selected");
  if (!columns.empty()) {
    absl::StrAppend(&sql, " GROUP BY ", dimensions, " ORDER BY ", dimensions);
  }
  return sql;
}

v1::SummaryGroup MakeSummaryGroup(const std::vector<v1::GroupBy>& group_by, const SummaryRow& row) {
  v1::SummaryGroup group;
  std::vector<std::string> key_values;
  for (size_t i = 0; i < group_by.size() && i < row.dimension_values.size(); ++i) {
    std::string value = row.dimension_values[i];
    int region = 0;
    if (group_by[i] == v1::GROUP_BY_SPINE_REGION && absl::SimpleAtoi(value, &region) &&
        v1::SpineRegion_IsValid(region)) {
      value = v1::SpineRegion_Name(static_cast<v1::SpineRegion>(region));
    }
    if (group_by[i] == v1::GROUP_BY_EPISODE) {
      value = value.empty() ? "none" : absl::StrCat("episodes/", value);
    }
    (*group.mutable_key_parts())[DimensionName(group_by[i])] = value;
    key_values.push_back(std::move(value));
  }
  group.set_key(absl::StrJoin(key_values, "|"));
  group.set_session_count(row.session_count);
  group.set_mean_pain_before(row.mean_pain_before);
  group.set_mean_pain_after(row.mean_pain_after);
  group.set_mean_pain_relief(row.mean_pain_relief);
  group.set_within_session_relief_rate(row.within_session_relief_rate);
  // The first name of the same value, kept for existing clients.
  group.set_meaningful_relief_rate(row.within_session_relief_rate);
  group.set_episode_patient_count(row.episode_patients);
  if (row.episode_patients > 0) {
    group.set_episode_responder_rate(static_cast<double>(row.episode_responders) /
                                     static_cast<double>(row.episode_patients));
  }
  group.set_adverse_event_rate(row.adverse_event_rate);
  group.set_patient_count(row.patient_count);
  return group;
}

}  // namespace scoliomassage::storage
