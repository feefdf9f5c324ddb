#include "storage/store_common.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/random_id.h"
#include "core/errors.h"
#include "core/outcome_validation.h"
#include "storage/outcome_ids.h"
#include "storage/outcome_rows.h"
#include "storage/page_tokens.h"

namespace scoliomassage::storage {
namespace {

constexpr int kDefaultHistoryLimit = 100;
constexpr int kMaxHistoryLimit = 1000;
constexpr int kDefaultAuditPageSize = 100;
constexpr int kMaxAuditPageSize = 1000;
constexpr int kDefaultOutcomePageSize = 20;
constexpr int kMaxOutcomePageSize = 100;

int ClampPageSize(int requested, int default_size, int max_size) {
  return requested <= 0 ? default_size : std::min(requested, max_size);
}

// The position a page token names; none for an empty token (the start).
template <typename Position>
absl::StatusOr<std::optional<Position>> DecodePosition(
    const std::string& token,
    absl::StatusOr<Position> (*decode)(absl::string_view, absl::string_view),
    absl::string_view field) {
  if (token.empty()) return std::optional<Position>();
  absl::StatusOr<Position> position = decode(token, field);
  if (!position.ok()) return position.status();
  return std::optional<Position>(*std::move(position));
}

// A page of outcomes: the filter checked and the token decoded before any SQL;
// `write_sql(after, rows, params)` asks for one row more than the page.
template <typename Position, typename WriteSql>
absl::StatusOr<PlannedRead> PlanPage(
    const v1::HistoryFilter& filter, int page_size, const std::string& token,
    absl::StatusOr<Position> (*decode)(absl::string_view, absl::string_view),
    absl::string_view field, char placeholder_prefix, WriteSql write_sql) {
  if (absl::Status status = core::ValidateHistoryFilter(filter, "filter"); !status.ok()) {
    return status;
  }
  absl::StatusOr<std::optional<Position>> after = DecodePosition(token, decode, field);
  if (!after.ok()) return after.status();
  PlannedRead read{page_size, "", SqlParams(placeholder_prefix)};
  read.sql = write_sql(*after ? &**after : nullptr, page_size + 1, read.params);
  return read;
}

}  // namespace

absl::Status InsertIfAbsent(SqlSession& db, const std::string& insert, const SqlParams& params) {
  absl::StatusOr<std::unique_ptr<ResultRows>> row = db.QueryRow(insert, params);
  if (!row.ok()) return row.status();
  if (*row == nullptr) return absl::AlreadyExistsError("the key is taken");
  return (*row)->Next().status();  // to the end: SQLite finishes the statement
}

absl::Status RequireRequestId(const std::string& request_id) {
  if (request_id.empty()) return core::InvalidField("request_id", "is required");
  return absl::OkStatus();
}

absl::StatusOr<std::string> CheckAmendOutcome(const std::string& request_id,
                                              const std::string& name) {
  if (absl::Status status = RequireRequestId(request_id); !status.ok()) return status;
  return core::ParseOutcomeName(name);
}

absl::StatusOr<NewRevision> FirstRevision(const v1::Outcome& outcome, int64_t create_time_us) {
  absl::StatusOr<std::string> outcome_id = base::RandomHexId();
  if (!outcome_id.ok()) return outcome_id.status();  // UNAVAILABLE: nothing is stored
  return NewRevision{MakeStoredOutcome(outcome, *outcome_id, 1, create_time_us, ""), *outcome_id,
                     create_time_us};
}

absl::Status CheckRetry(const IdempotencyRecord& first, const std::string& request_id,
                        const std::string& operation, const std::string& fingerprint) {
  if (first.operation != operation || first.fingerprint != fingerprint) {
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id ", request_id, " was already used by ", first.operation,
        " with a different request body; a retry must resend the identical request, and a new "
        "request needs a new request_id"));
  }
  return absl::OkStatus();
}

absl::StatusOr<RecommendationRecord> MakeRecommendationRecord(
    const v1::RecommendProtocolRequest& request, const v1::RecommendProtocolResponse& response) {
  if (response.recommendation_id().empty()) {
    return core::InvalidField("recommendation_id", "is required to store a recommendation");
  }
  RecommendationRecord record;
  if (!request.SerializeToString(&record.request_proto) ||
      !response.SerializeToString(&record.response_proto)) {
    return absl::InternalError("cannot serialize the recommendation");
  }
  record.recommendation_id = response.recommendation_id();
  record.patient_id = request.patient_id();
  record.create_time_us = response.has_create_time() ? TimestampToMicros(response.create_time()) : 0;
  record.decision = response.decision();
  record.protocol_id = response.protocol().protocol_id();
  return record;
}

absl::Status RecommendationConflict(const std::string& recommendation_id) {
  return absl::AlreadyExistsError(
      absl::StrCat("recommendation ", recommendation_id, " is already stored with other content"));
}

absl::Status OutcomeNotFound(const std::string& outcome_id, int32_t revision) {
  return absl::NotFoundError(revision == 0
                                 ? absl::StrCat("outcome ", OutcomeName(outcome_id), " not found")
                                 : absl::StrCat("outcome ", OutcomeName(outcome_id), " revision ",
                                                revision, " not found"));
}

absl::StatusOr<std::string> CheckGetOutcome(const std::string& name, int32_t revision) {
  absl::StatusOr<std::string> outcome_id = core::ParseOutcomeName(name);
  if (!outcome_id.ok()) return outcome_id.status();
  if (revision < 0) {
    return core::InvalidField("revision", "must be 0 (latest) or a positive revision number");
  }
  return outcome_id;
}

absl::StatusOr<PlannedRead> PlanOutcomeList(const std::string& clinic_id,
                                            const v1::HistoryFilter& filter, int page_size,
                                            const std::string& page_token,
                                            char placeholder_prefix) {
  return PlanPage<OutcomeListPosition>(
      filter, ClampPageSize(page_size, kDefaultOutcomePageSize, kMaxOutcomePageSize), page_token,
      &DecodeOutcomeListToken, "page_token", placeholder_prefix,
      [&](const OutcomeListPosition* after, int limit, SqlParams& params) {
        return OutcomeListSql(clinic_id, filter, after, limit, params);
      });
}

absl::StatusOr<PlannedRead> PlanHistoryScan(const std::string& clinic_id,
                                            const v1::HistoryFilter& filter, bool include_revisions,
                                            const std::string& resume_token, int limit,
                                            char placeholder_prefix) {
  return PlanPage<HistoryPosition>(
      filter, ClampPageSize(limit, kDefaultHistoryLimit, kMaxHistoryLimit), resume_token,
      &DecodeHistoryToken, "resume_token", placeholder_prefix,
      [&](const HistoryPosition* after, int rows, SqlParams& params) {
        return HistoryScanSql(clinic_id, filter, include_revisions, after, rows, params);
      });
}

absl::StatusOr<PlannedRead> PlanSummary(const std::string& clinic_id,
                                        const v1::HistoryFilter& filter,
                                        const std::vector<v1::GroupBy>& group_by,
                                        char placeholder_prefix) {
  if (absl::Status status = core::ValidateHistoryFilter(filter, "filter"); !status.ok()) {
    return status;
  }
  if (absl::Status status = ValidateGroupBy(group_by); !status.ok()) return status;
  PlannedRead read{0, "", SqlParams(placeholder_prefix)};
  read.sql = SummarySql(clinic_id, filter, group_by, read.params);
  return read;
}

absl::StatusOr<PlannedRead> PlanAuditList(const std::string& clinic_id,
                                          const v1::ListAuditRecordsRequest& request,
                                          char placeholder_prefix) {
  int page_size = request.page_size();
  if (page_size < 0) return core::InvalidField("page_size", "must be 0 (default 100) to 1000");
  page_size = ClampPageSize(page_size, kDefaultAuditPageSize, kMaxAuditPageSize);
  absl::StatusOr<std::optional<AuditPosition>> position =
      DecodePosition(request.page_token(), &DecodeAuditToken, "page_token");
  if (!position.ok()) return position.status();
  const std::optional<AuditPosition>& after = *position;
  PlannedRead read{page_size, "", SqlParams(placeholder_prefix)};
  SqlParams& params = read.params;
  std::string& sql = read.sql;
  sql = absl::StrCat(
      "SELECT time_us, id, principal, role, method, subject, status_code FROM audit_records "
      "WHERE clinic_id = ",
      params.Add(clinic_id));
  if (request.has_start_time()) {
    absl::StrAppend(&sql, " AND time_us >= ", params.Add(TimestampToMicros(request.start_time())));
  }
  if (request.has_end_time()) {
    absl::StrAppend(&sql, " AND time_us < ", params.Add(TimestampToMicros(request.end_time())));
  }
  if (after) {
    const std::string time = params.Add(after->time_us);
    absl::StrAppend(&sql, " AND (time_us, id) > (", time, ", ", params.Add(after->id), ")");
  }
  absl::StrAppend(&sql, " ORDER BY time_us, id LIMIT ", params.Add(int64_t{page_size} + 1));
  return read;
}

absl::StatusOr<OutcomePage> ReadOutcomePage(ResultRows& rows, int page_size) {
  OutcomePage page;
  OutcomeListPosition last;
  for (;;) {
    absl::StatusOr<bool> row = rows.Next();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(page.outcomes.size()) == page_size) {
      page.next_page_token = EncodeOutcomeListToken(last);
      break;
    }
    absl::StatusOr<v1::Outcome> outcome = ParseStoredOutcome(rows.Bytes(0));
    if (!outcome.ok()) return outcome.status();
    page.outcomes.push_back(*std::move(outcome));
    last = OutcomeListPosition{rows.Int(1), rows.Text(2)};
  }
  return page;
}

absl::StatusOr<HistoryPage> ReadHistoryPage(ResultRows& rows, int limit) {
  HistoryPage page;
  page.done = true;
  for (;;) {
    absl::StatusOr<bool> row = rows.Next();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(page.records.size()) == limit) {
      page.done = false;
      break;
    }
    v1::HistoryRecord record;
    absl::StatusOr<v1::Outcome> outcome = ParseStoredOutcome(rows.Bytes(0));
    if (!outcome.ok()) return outcome.status();
    *record.mutable_outcome() = *std::move(outcome);
    record.set_resume_token(EncodeHistoryToken(
        HistoryPosition{rows.Int(1), rows.Text(2), static_cast<int32_t>(rows.Int(3))}));
    page.records.push_back(std::move(record));
  }
  return page;
}

absl::StatusOr<std::vector<v1::SummaryGroup>> ReadSummaryGroups(
    ResultRows& rows, const std::vector<v1::GroupBy>& group_by) {
  std::vector<v1::SummaryGroup> groups;
  const int dimensions = static_cast<int>(group_by.size());
  for (;;) {
    absl::StatusOr<bool> row = rows.Next();
    if (!row.ok()) return row.status();
    if (!*row) break;
    SummaryRow summary;
    for (int i = 0; i < dimensions; ++i) summary.dimension_values.push_back(rows.Text(i));
    summary.session_count = rows.Int(dimensions);
    // An empty selection without GROUP BY still yields one row: skip it.
    if (summary.session_count == 0) continue;
    summary.mean_pain_before = rows.Double(dimensions + 1);
    summary.mean_pain_after = rows.Double(dimensions + 2);
    summary.mean_pain_relief = rows.Double(dimensions + 3);
    summary.within_session_relief_rate = rows.Double(dimensions + 4);
    summary.adverse_event_rate = rows.Double(dimensions + 5);
    summary.episode_patients = rows.Int(dimensions + 6);
    summary.episode_responders = rows.Int(dimensions + 7);
    summary.patient_count = rows.Int(dimensions + 8);
    groups.push_back(MakeSummaryGroup(group_by, summary));
  }
  return groups;
}

absl::StatusOr<AuditPage> ReadAuditPage(ResultRows& rows, int page_size,
                                        const std::string& clinic_id) {
  AuditPage page;
  for (;;) {
    absl::StatusOr<bool> row = rows.Next();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(page.records.size()) == page_size) {
      const v1::AuditRecord& last = page.records.back();
      page.next_page_token = EncodeAuditToken({TimestampToMicros(last.time()), last.id()});
      break;
    }
    v1::AuditRecord record;
    *record.mutable_time() = MicrosToTimestamp(rows.Int(0));
    record.set_id(rows.Int(1));
    record.set_principal(rows.Text(2));
    record.set_role(rows.Text(3));
    record.set_method(rows.Text(4));
    record.set_subject(rows.Text(5));
    record.set_status_code(static_cast<int32_t>(rows.Int(6)));
    record.set_clinic_id(clinic_id);
    page.records.push_back(std::move(record));
  }
  return page;
}

}  // namespace scoliomassage::storage
