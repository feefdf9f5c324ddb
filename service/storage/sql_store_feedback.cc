// SqlStore: CDS Hooks feedback (store.h, "CDS Hooks feedback"). The counts
// are computed here, in SQL, and nowhere else.
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/time.h"
#include "storage/sql_store.h"
#include "storage/store_errors.h"
#include "core/errors.h"

namespace scoliomassage::storage {
namespace {

// The filter's clauses that apply to feedback rows. False when the filter
// cannot match any (a therapist: feedback comes from the EHR).
bool FeedbackFilterSql(const std::string& clinic_id, const v1::HistoryFilter& filter,
                       SqlParams& params, std::string* where) {
  if (!filter.therapist_id().empty()) return false;
  std::vector<std::string> clauses;
  clauses.push_back(absl::StrCat("clinic_id = ", params.Add(clinic_id)));
  if (!filter.patient_id().empty()) {
    clauses.push_back(absl::StrCat("patient_id = ", params.Add(filter.patient_id())));
  }
  if (!filter.protocol_id().empty()) {
    clauses.push_back(absl::StrCat("protocol_id = ", params.Add(filter.protocol_id())));
  }
  if (filter.spine_region() != v1::SPINE_REGION_UNSPECIFIED) {
    clauses.push_back(
        absl::StrCat("spine_region = ", params.Add(int64_t{filter.spine_region()})));
  }
  if (filter.has_start_time()) {
    clauses.push_back(absl::StrCat("outcome_time_us >= ",
                                   params.Add(base::TimestampToMicros(filter.start_time()))));
  }
  if (filter.has_end_time()) {
    clauses.push_back(absl::StrCat("outcome_time_us < ",
                                   params.Add(base::TimestampToMicros(filter.end_time()))));
  }
  *where = absl::StrJoin(clauses, " AND ");
  return true;
}

double Share(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

absl::StatusOr<std::vector<StoredRecommendation>> SqlStore::FindRecommendations(
    const std::string& clinic_id, const std::string& id_prefix) {
  std::vector<StoredRecommendation> found;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    found.clear();
    // A range on the primary key, not LIKE: ids are ASCII under a byte-wise
    // collation (COLLATE "C" on PostgreSQL), and '~' sorts after every
    // character an id holds.
    SqlParams p(dialect_.placeholder_prefix);
    const std::string sql = absl::StrCat(
        "SELECT request_proto, response_proto FROM recommendations WHERE clinic_id = ",
        p.Add(clinic_id), " AND recommendation_id >= ", p.Add(id_prefix),
        " AND recommendation_id < ", p.Add(id_prefix + "~"), " ORDER BY recommendation_id LIMIT 16");
    absl::StatusOr<std::unique_ptr<ResultRows>> rows = db.Query(sql, p);
    if (!rows.ok()) return rows.status();
    while (true) {
      absl::StatusOr<bool> more = (*rows)->Next();
      if (!more.ok()) return more.status();
      if (!*more) break;
      StoredRecommendation recommendation;
      if (!recommendation.request.ParseFromString((*rows)->Bytes(0)) ||
          !recommendation.response.ParseFromString((*rows)->Bytes(1))) {
        return core::WithReason(absl::DataLossError("a stored recommendation does not parse"),
                                kReasonStoreCorrupt);
      }
      found.push_back(std::move(recommendation));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<int> SqlStore::SaveCardFeedback(const std::string& clinic_id,
                                               const std::vector<CardFeedbackRow>& rows) {
  int inserted = 0;
  absl::Status status = executor_->Write([&](SqlSession& db, int64_t now_us) -> absl::Status {
    inserted = 0;  // the body may run again
    for (const CardFeedbackRow& row : rows) {
      SqlParams p(dialect_.placeholder_prefix);
      const std::string insert = absl::StrCat(
          InsertSql("cds_feedback",
                    {{"clinic_id", clinic_id},
                     {"card_uuid", row.card_uuid},
                     {"outcome", row.outcome},
                     {"service_id", row.service_id},
                     {"recommendation_id", row.recommendation_id},
                     {"rule_id", row.rule_id},
                     {"patient_id", row.patient_id},
                     {"protocol_id", row.protocol_id},
                     {"spine_region", int64_t{row.spine_region}},
                     {"reason_system", row.reason_system},
                     {"reason_code", row.reason_code},
                     {"user_comment", row.user_comment},
                     {"accepted_suggestions", row.accepted_suggestions},
                     {"outcome_time_us", row.outcome_time_us},
                     {"create_time_us", now_us},
                     {"principal", row.principal}},
                    p),
          " ON CONFLICT (clinic_id, card_uuid, outcome) DO NOTHING RETURNING 1");
      absl::StatusOr<std::unique_ptr<ResultRows>> result = db.QueryRow(insert, p);
      if (!result.ok()) return result.status();
      if (*result == nullptr) continue;  // reported before: harmless
      if (absl::Status done = (*result)->Next().status(); !done.ok()) return done;
      ++inserted;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return inserted;
}

absl::StatusOr<CardFeedbackSummary> SqlStore::SummarizeCardFeedback(
    const std::string& clinic_id, const v1::HistoryFilter& filter) {
  CardFeedbackSummary summary;
  SqlParams p(dialect_.placeholder_prefix);
  std::string where;
  if (!FeedbackFilterSql(clinic_id, filter, p, &where)) return summary;
  // Counts only: the free text (user_comment) and the patient never leave
  // the table through these reads.
  const std::string by_rule = absl::StrCat(
      "SELECT rule_id, count(*), "
      "sum(CASE WHEN outcome = 'accepted' THEN 1 ELSE 0 END), "
      "sum(CASE WHEN outcome = 'overridden' THEN 1 ELSE 0 END), count(DISTINCT patient_id) "
      "FROM cds_feedback WHERE ", where, " GROUP BY rule_id ORDER BY rule_id");
  const std::string by_reason = absl::StrCat(
      "SELECT reason_system, reason_code, count(*), count(DISTINCT patient_id) "
      "FROM cds_feedback WHERE ", where,
      " AND outcome = 'overridden' GROUP BY reason_system, reason_code "
      "ORDER BY count(*) DESC, reason_system, reason_code");
  const std::string totals = absl::StrCat(
      "SELECT count(DISTINCT patient_id), "
      "count(DISTINCT CASE WHEN outcome = 'overridden' THEN patient_id END) "
      "FROM cds_feedback WHERE ", where);
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    summary = CardFeedbackSummary();
    absl::StatusOr<std::unique_ptr<ResultRows>> rows = db.Query(by_rule, p);
    if (!rows.ok()) return rows.status();
    while (true) {
      absl::StatusOr<bool> more = (*rows)->Next();
      if (!more.ok()) return more.status();
      if (!*more) break;
      v1::RuleFeedback rule;
      rule.set_rule_id((*rows)->Text(0));
      rule.set_feedback_count((*rows)->Int(1));
      rule.set_accepted_count((*rows)->Int(2));
      rule.set_overridden_count((*rows)->Int(3));
      rule.set_override_rate(Share(rule.overridden_count(), rule.feedback_count()));
      rule.set_patient_count((*rows)->Int(4));
      summary.by_rule.push_back(std::move(rule));
    }
    rows = db.Query(by_reason, p);
    if (!rows.ok()) return rows.status();
    int64_t overrides = 0;
    while (true) {
      absl::StatusOr<bool> more = (*rows)->Next();
      if (!more.ok()) return more.status();
      if (!*more) break;
      v1::OverrideReasonFeedback reason;
      reason.set_reason_system((*rows)->Text(0));
      reason.set_reason_code((*rows)->Text(1));
      reason.set_overridden_count((*rows)->Int(2));
      reason.set_patient_count((*rows)->Int(3));
      overrides += reason.overridden_count();
      summary.by_reason.push_back(std::move(reason));
    }
    for (auto& reason : summary.by_reason) {
      reason.set_share_of_overrides(Share(reason.overridden_count(), overrides));
    }
    // The tables' totals in patients, for small-group suppression.
    rows = db.Query(totals, p);
    if (!rows.ok()) return rows.status();
    absl::StatusOr<bool> more = (*rows)->Next();
    if (!more.ok()) return more.status();
    if (*more) {
      summary.feedback_patients = (*rows)->Int(0);
      summary.override_patients = (*rows)->Int(1);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return summary;
}

}  // namespace scoliomassage::storage
