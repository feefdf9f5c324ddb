#include "storage/curve_summary.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/curve_progression.h"
#include "core/errors.h"
#include "storage/outcome_ids.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {

bool IsCurveSummary(const std::vector<v1::GroupBy>& group_by) {
  return std::find(group_by.begin(), group_by.end(), v1::GROUP_BY_CURVE_REGION) !=
         group_by.end();
}

absl::StatusOr<PlannedRead> PlanCurveSummary(const std::string& clinic_id,
                                             const v1::HistoryFilter& filter,
                                             const std::vector<v1::GroupBy>& group_by,
                                             char placeholder_prefix) {
  core::FieldViolations violations;
  for (size_t i = 0; i < group_by.size(); ++i) {
    if (group_by[i] != v1::GROUP_BY_CURVE_REGION) {
      violations.Add(absl::StrCat("group_by[", i, "]"),
                     "GROUP_BY_CURVE_REGION combines with no other dimension");
    }
  }
  if (!filter.therapist_id().empty()) {
    violations.Add("filter.therapist_id", "does not apply to curve summaries");
  }
  if (!filter.protocol_id().empty()) {
    violations.Add("filter.protocol_id", "does not apply to curve summaries");
  }
  if (!violations.empty()) return violations.ToStatus();
  PlannedRead read;
  read.params = SqlParams(placeholder_prefix);
  SqlParams& p = read.params;
  read.sql = absl::StrCat(
      "SELECT r.measurement_proto FROM curve_revisions r WHERE r.clinic_id = ", p.Add(clinic_id));
  if (!filter.patient_id().empty()) {
    absl::StrAppend(&read.sql, " AND r.patient_id = ", p.Add(filter.patient_id()));
  }
  if (filter.spine_region() != v1::SPINE_REGION_UNSPECIFIED) {
    absl::StrAppend(&read.sql, " AND r.spine_region = ",
                    p.Add(static_cast<int64_t>(filter.spine_region())));
  }
  if (filter.has_start_time()) {
    absl::StrAppend(&read.sql, " AND r.taken_at_us >= ",
                    p.Add(TimestampToMicros(filter.start_time())));
  }
  if (filter.has_end_time()) {
    absl::StrAppend(&read.sql, " AND r.taken_at_us < ", p.Add(TimestampToMicros(filter.end_time())));
  }
  absl::StrAppend(&read.sql,
                  " AND NOT EXISTS (SELECT 1 FROM curve_revisions newer WHERE newer.clinic_id = "
                  "r.clinic_id AND newer.measurement_id = r.measurement_id AND newer.revision > "
                  "r.revision)");
  return read;
}

absl::StatusOr<std::vector<v1::SummaryGroup>> ReadCurveSummary(ResultRows& rows) {
  // region -> patient -> films
  std::map<int, std::map<std::string, std::vector<v1::CurveMeasurement>>> films;
  for (;;) {
    absl::StatusOr<bool> more = rows.Next();
    if (!more.ok()) return more.status();
    if (!*more) break;
    v1::CurveMeasurement film;
    if (!film.ParseFromString(rows.Bytes(0))) {
      return core::WithReason(absl::DataLossError("a stored curve measurement cannot be decoded"),
                              kReasonStoreCorrupt);
    }
    const int region = film.spine_region();
    const std::string patient = film.patient_id();
    films[region][patient].push_back(std::move(film));
  }
  std::vector<v1::SummaryGroup> groups;
  for (const auto& [region, patients] : films) {
    v1::SummaryGroup group;
    const std::string name = v1::SpineRegion_IsValid(region)
                                 ? v1::SpineRegion_Name(static_cast<v1::SpineRegion>(region))
                                 : absl::StrCat(region);
    group.set_key(name);
    (*group.mutable_key_parts())["curve_region"] = name;
    int64_t count = 0;
    double sum = 0;
    int64_t progressed = 0;
    for (const auto& [patient, own] : patients) {
      for (const v1::CurveMeasurement& film : own) {
        ++count;
        sum += film.cobb_angle_degrees();
      }
      std::optional<core::CurveChange> change =
          core::LargestIncrease(core::FilmsOfRegion(own, static_cast<v1::SpineRegion>(region)));
      if (change && change->degrees >= core::kTrueProgressionDegrees) ++progressed;
    }
    group.set_film_count(count);
    group.set_mean_cobb_angle_degrees(count > 0 ? sum / static_cast<double>(count) : 0);
    group.set_patient_count(static_cast<int64_t>(patients.size()));
    group.set_progressed_patient_count(progressed);
    groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace scoliomassage::storage
