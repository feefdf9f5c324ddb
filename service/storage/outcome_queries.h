// SQL for outcome reads, written once for every backend. The text is plain
// SQL that SQLite and PostgreSQL both accept (row-value comparisons, CASE,
// avg); only the parameter placeholder differs ("?1" vs "$1").
//
// PostgreSQL note: compare and sort text with COLLATE "C" (or a C-collated
// database) so group and page order match SQLite's byte order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scoliomassage/v1/history.pb.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "storage/page_tokens.h"
#include "storage/sql_executor.h"

namespace scoliomassage::storage {

// "clinic_id = ?1 AND ..." for `filter`, on the columns of outcome_revisions.
std::string OutcomeFilterSql(const std::string& clinic_id, const v1::HistoryFilter& filter,
                             SqlParams& params);

// Columns: outcome_proto, first_create_time_us, outcome_id, revision.
// Returns up to `limit` rows after `after` (nullptr: from the start).
std::string HistoryScanSql(const std::string& clinic_id, const v1::HistoryFilter& filter,
                           bool include_revisions, const HistoryPosition* after, int limit,
                           SqlParams& params);

// Columns: outcome_proto, performed_at_us, outcome_id. Newest first.
std::string OutcomeListSql(const std::string& clinic_id, const v1::HistoryFilter& filter,
                           const OutcomeListPosition* after, int limit, SqlParams& params);

// INVALID_ARGUMENT naming "group_by[i]" for UNSPECIFIED, unknown or repeated
// dimensions.
absl::Status ValidateGroupBy(const std::vector<v1::GroupBy>& group_by);

// Columns: one text value per dimension in group_by order, then
// session_count, mean_pain_before, mean_pain_after, mean_pain_relief,
// within-session relief rate, adverse_event_rate, episode patients, episode
// responders, distinct patients. Ordered by the dimensions.
std::string SummarySql(const std::string& clinic_id, const v1::HistoryFilter& filter,
                       const std::vector<v1::GroupBy>& group_by, SqlParams& params);

struct SummaryRow {
  std::vector<std::string> dimension_values;  // as the database returned them
  int64_t session_count = 0;
  double mean_pain_before = 0;
  double mean_pain_after = 0;
  double mean_pain_relief = 0;
  double within_session_relief_rate = 0;
  double adverse_event_rate = 0;
  int64_t episode_patients = 0;    // patients with 2+ sessions in the group
  int64_t episode_responders = 0;  // of those, first to latest pre-session pain fell meaningfully
  int64_t patient_count = 0;       // distinct patients (small-group suppression counts these)
};
// Fills key ("|"-joined, regions as enum names) and key_parts.
v1::SummaryGroup MakeSummaryGroup(const std::vector<v1::GroupBy>& group_by, const SummaryRow& row);

}  // namespace scoliomassage::storage
