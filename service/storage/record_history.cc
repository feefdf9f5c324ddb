#include "storage/record_history.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/errors.h"
#include "storage/outcome_ids.h"
#include "storage/outcome_queries.h"
#include "storage/outcome_rows.h"
#include "storage/page_tokens.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {
namespace {

constexpr char kRecordTag[] = "r1";

absl::Status BadToken(absl::string_view field) {
  return core::InvalidField(std::string(field),
                            "is not a token this service issued; send back a token exactly as "
                            "received, or none to start from the beginning");
}

bool IsHexId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// "(time, id[, revision]) > (...)" for the kind of the position; a kind
// before the position's continues after its time, a kind after it at it.
std::string AfterSql(v1::HistoryRecordKind kind, const RecordPosition& after,
                     absl::string_view time_column, absl::string_view id_column,
                     absl::string_view revision_column, bool with_revision, SqlParams& params) {
  const std::string time = params.Add(after.first_create_time_us);
  if (kind < after.kind) return absl::StrCat(" AND ", time_column, " > ", time);
  if (kind > after.kind) return absl::StrCat(" AND ", time_column, " >= ", time);
  if (with_revision) {
    return absl::StrCat(" AND (", time_column, ", ", id_column, ", ", revision_column, ") > (",
                        time, ", ", params.Add(after.id), ", ",
                        params.Add(static_cast<int64_t>(after.revision)), ")");
  }
  return absl::StrCat(" AND (", time_column, ", ", id_column, ") > (", time, ", ",
                      params.Add(after.id), ")");
}

void TimeWindowSql(const v1::HistoryFilter& filter, absl::string_view column, SqlParams& params,
                   std::string* sql) {
  if (filter.has_start_time()) {
    absl::StrAppend(sql, " AND ", column, " >= ",
                    params.Add(TimestampToMicros(filter.start_time())));
  }
  if (filter.has_end_time()) {
    absl::StrAppend(sql, " AND ", column, " < ", params.Add(TimestampToMicros(filter.end_time())));
  }
}

absl::Status Corrupt(absl::string_view what) {
  return core::WithReason(absl::DataLossError(absl::StrCat("a stored ", what, " cannot be decoded")),
                          kReasonStoreCorrupt);
}

}  // namespace

bool operator<(const RecordPosition& a, const RecordPosition& b) {
  return std::tie(a.first_create_time_us, a.kind, a.id, a.revision) <
         std::tie(b.first_create_time_us, b.kind, b.id, b.revision);
}

std::string EncodeRecordToken(const RecordPosition& position) {
  if (position.kind == v1::HISTORY_RECORD_KIND_OUTCOME) {
    return EncodeHistoryToken(
        HistoryPosition{position.first_create_time_us, position.id, position.revision});
  }
  return absl::WebSafeBase64Escape(absl::StrCat(kRecordTag, "|", position.first_create_time_us,
                                                "|", static_cast<int>(position.kind), "|",
                                                position.id, "|", position.revision));
}

absl::StatusOr<RecordPosition> DecodeRecordToken(absl::string_view token,
                                                 absl::string_view field) {
  std::string text;
  if (token.size() > 512 || !absl::WebSafeBase64Unescape(token, &text)) return BadToken(field);
  if (absl::StartsWith(text, "h1|")) {
    absl::StatusOr<HistoryPosition> outcome = DecodeHistoryToken(token, field);
    if (!outcome.ok()) return outcome.status();
    return RecordPosition{outcome->first_create_time_us, v1::HISTORY_RECORD_KIND_OUTCOME,
                          outcome->outcome_id, outcome->revision};
  }
  std::vector<std::string> parts = absl::StrSplit(text, '|');
  RecordPosition position;
  int kind = 0;
  if (parts.size() != 5 || parts[0] != kRecordTag ||
      !absl::SimpleAtoi(parts[1], &position.first_create_time_us) ||
      !absl::SimpleAtoi(parts[2], &kind) ||
      (kind != v1::HISTORY_RECORD_KIND_CURVE_MEASUREMENT &&
       kind != v1::HISTORY_RECORD_KIND_ASSESSMENT) ||
      !IsHexId(parts[3]) || !absl::SimpleAtoi(parts[4], &position.revision) ||
      position.revision < 1) {
    return BadToken(field);
  }
  position.kind = static_cast<v1::HistoryRecordKind>(kind);
  position.id = parts[3];
  return position;
}

absl::Status ValidateRecordScan(const RecordScan& scan) {
  core::FieldViolations violations;
  bool curves = false;
  bool assessments = false;
  std::set<int> seen;
  for (size_t i = 0; i < scan.kinds.size(); ++i) {
    const int kind = scan.kinds[i];
    const std::string field = absl::StrCat("include[", i, "]");
    if (kind == v1::HISTORY_RECORD_KIND_UNSPECIFIED || !v1::HistoryRecordKind_IsValid(kind)) {
      violations.Add(field, "must be HISTORY_RECORD_KIND_OUTCOME, _CURVE_MEASUREMENT or "
                            "_ASSESSMENT");
    } else if (!seen.insert(kind).second) {
      violations.Add(field, "repeats an earlier kind");
    }
    curves = curves || kind == v1::HISTORY_RECORD_KIND_CURVE_MEASUREMENT;
    assessments = assessments || kind == v1::HISTORY_RECORD_KIND_ASSESSMENT;
  }
  const char* which = curves && assessments ? "curve measurements and assessments"
                      : curves              ? "curve measurements"
                                            : "assessments";
  if (curves || assessments) {
    if (!scan.filter.therapist_id().empty()) {
      violations.Add("filter.therapist_id", absl::StrCat("does not apply to ", which));
    }
    if (!scan.filter.protocol_id().empty()) {
      violations.Add("filter.protocol_id", absl::StrCat("does not apply to ", which));
    }
  }
  if (assessments && scan.filter.spine_region() != v1::SPINE_REGION_UNSPECIFIED) {
    violations.Add("filter.spine_region", "does not apply to assessments");
  }
  return violations.ToStatus();
}

std::string RecordScanSql(v1::HistoryRecordKind kind, const std::string& clinic_id,
                          const RecordScan& scan, const RecordPosition* after, int limit,
                          SqlParams& params) {
  const v1::HistoryFilter& filter = scan.filter;
  std::string sql;
  std::string order;
  switch (kind) {
    case v1::HISTORY_RECORD_KIND_CURVE_MEASUREMENT: {
      sql = absl::StrCat(
          "SELECT r.measurement_proto, r.first_create_time_us, r.measurement_id, r.revision "
          "FROM curve_revisions r WHERE r.clinic_id = ",
          params.Add(clinic_id));
      if (!filter.patient_id().empty()) {
        absl::StrAppend(&sql, " AND r.patient_id = ", params.Add(filter.patient_id()));
      }
      if (filter.spine_region() != v1::SPINE_REGION_UNSPECIFIED) {
        absl::StrAppend(&sql, " AND r.spine_region = ",
                        params.Add(static_cast<int64_t>(filter.spine_region())));
      }
      TimeWindowSql(filter, "r.taken_at_us", params, &sql);
      if (!scan.include_revisions) {
        absl::StrAppend(&sql,
                        " AND NOT EXISTS (SELECT 1 FROM curve_revisions newer WHERE "
                        "newer.clinic_id = r.clinic_id AND newer.measurement_id = "
                        "r.measurement_id AND newer.revision > r.revision)");
      }
      if (after != nullptr) {
        absl::StrAppend(&sql, AfterSql(kind, *after, "r.first_create_time_us", "r.measurement_id",
                                       "r.revision", scan.include_revisions, params));
      }
      order = "r.first_create_time_us, r.measurement_id, r.revision";
      break;
    }
    case v1::HISTORY_RECORD_KIND_ASSESSMENT: {
      sql = absl::StrCat(
          "SELECT assessment_proto, create_time_us, assessment_id, 1 FROM assessments "
          "WHERE clinic_id = ",
          params.Add(clinic_id));
      if (!filter.patient_id().empty()) {
        absl::StrAppend(&sql, " AND patient_id = ", params.Add(filter.patient_id()));
      }
      TimeWindowSql(filter, "performed_at_us", params, &sql);
      if (after != nullptr) {
        // One row per assessment: never a revision to compare.
        absl::StrAppend(&sql, AfterSql(kind, *after, "create_time_us", "assessment_id", "",
                                       false, params));
      }
      order = "create_time_us, assessment_id";
      break;
    }
    default: {
      // As HistoryScanSql (outcome_queries.cc), the "+" included: a patient
      // filter lets the patient index drive.
      const char* time = filter.patient_id().empty() ? "first_create_time_us"
                                                     : "+first_create_time_us";
      sql = absl::StrCat("SELECT outcome_proto, first_create_time_us, outcome_id, revision FROM ",
                         scan.include_revisions ? "outcome_revisions" : "latest_outcome_revisions",
                         " WHERE ", OutcomeFilterSql(clinic_id, filter, params));
      if (after != nullptr) {
        absl::StrAppend(&sql, AfterSql(kind, *after, time, "outcome_id", "revision",
                                       scan.include_revisions, params));
      }
      order = absl::StrCat(time, ", outcome_id, revision");
      break;
    }
  }
  absl::StrAppend(&sql, " ORDER BY ", order, " LIMIT ", params.Add(int64_t{limit} + 1));
  return sql;
}

absl::StatusOr<ScannedRecord> ReadScannedRecord(v1::HistoryRecordKind kind, ResultRows& rows) {
  ScannedRecord scanned;
  scanned.position = RecordPosition{rows.Int(1), kind, rows.Text(2),
                                    static_cast<int32_t>(rows.Int(3))};
  v1::HistoryRecord& record = scanned.record;
  record.set_kind(kind);
  const std::string bytes = rows.Bytes(0);
  switch (kind) {
    case v1::HISTORY_RECORD_KIND_CURVE_MEASUREMENT:
      if (!record.mutable_curve_measurement()->ParseFromString(bytes)) {
        return Corrupt("curve measurement");
      }
      break;
    case v1::HISTORY_RECORD_KIND_ASSESSMENT:
      if (!record.mutable_assessment()->ParseFromString(bytes)) return Corrupt("assessment");
      break;
    default: {
      absl::StatusOr<v1::Outcome> outcome = ParseStoredOutcome(bytes);
      if (!outcome.ok()) return outcome.status();
      *record.mutable_outcome() = *std::move(outcome);
      break;
    }
  }
  record.set_resume_token(EncodeRecordToken(scanned.position));
  return scanned;
}

HistoryPage MergeRecordPages(std::vector<ScannedRecord> scanned, int limit) {
  std::sort(scanned.begin(), scanned.end(),
            [](const ScannedRecord& a, const ScannedRecord& b) { return a.position < b.position; });
  HistoryPage page;
  // Each kind read limit + 1 rows: more than limit in all means more follow.
  page.done = static_cast<int>(scanned.size()) <= limit;
  if (!page.done) scanned.resize(static_cast<size_t>(limit));
  for (ScannedRecord& entry : scanned) page.records.push_back(std::move(entry.record));
  return page;
}

}  // namespace scoliomassage::storage
