// SqlStore::ReadComparisonRows (store.h, "comparisons"): the per-episode
// rows CompareProtocols is computed from, summarised here in SQL over the
// latest revision of every session, the same way on SQLite and PostgreSQL.
//
// Every query starts with the same CTE (the sessions that match the
// criteria), so each binds the same parameters and all run in one read
// snapshot. The statistics are core's (core/comparison.h), not SQL's.
#include <algorithm>
#include <cstdint>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "core/errors.h"
#include "storage/sql_store.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {
namespace {

// The matching sessions (latest revisions, in an episode) as CTE `s`, and
// their episodes as `eps`. `clinic` is the clinic's placeholder, for the
// queries' own joins.
std::string MatchingSessionsCte(const std::string& clinic_id, const ComparisonCriteria& criteria,
                                SqlParams& p, std::string* clinic) {
  *clinic = p.Add(clinic_id);
  std::vector<std::string> where = {absl::StrCat("l.clinic_id = ", *clinic),
                                    "l.episode_id <> ''"};
  if (criteria.spine_region != v1::SPINE_REGION_UNSPECIFIED) {
    where.push_back(absl::StrCat("r.spine_region = ", p.Add(int64_t{criteria.spine_region})));
  }
  if (!criteria.protocol_ids.empty()) {
    std::vector<std::string> ids;
    for (const std::string& id : criteria.protocol_ids) ids.push_back(p.Add(id));
    where.push_back(absl::StrCat("r.protocol_id IN (", absl::StrJoin(ids, ", "), ")"));
  }
  if (criteria.start_us) where.push_back(absl::StrCat("e.opened_at_us >= ", p.Add(*criteria.start_us)));
  if (criteria.end_us) where.push_back(absl::StrCat("e.opened_at_us < ", p.Add(*criteria.end_us)));
  // A session is in its episode's protocol evaluation when it is of the
  // evaluated protocol (migration 0006).
  const std::string evaluated =
      "(e.evaluation <> '' AND r.protocol_id = e.evaluation_protocol_id)";
  // Compared by protocol, every version is one group (version 0). By
  // assigned variant, an episode's evaluated sessions are one row whatever
  // version they received (version 0; the store names the group).
  const std::string version =
      criteria.by_assigned_variant
          ? absl::StrCat("CASE WHEN ", evaluated, " THEN 0 ELSE r.protocol_version END")
      : criteria.by_version ? std::string("r.protocol_version")
                            : std::string("0");
  return absl::StrCat(
      "WITH s AS (SELECT l.episode_id, e.patient_id, e.opened_at_us, l.performed_at_us, "
      "l.first_create_time_us, l.outcome_id, l.pain_before, r.protocol_id, ", version,
      " AS protocol_version, r.adverse_event_count, CASE WHEN ", evaluated,
      " THEN 1 ELSE 0 END AS evaluated, e.evaluation AS ev_name, e.evaluation_variant AS "
      "ev_variant, e.evaluation_assigned_variant AS ev_assigned, e.evaluation_overridden AS "
      "ev_overridden, e.evaluation_protocol_version AS ev_version "
      "FROM outcome_latest l "
      "JOIN outcome_revisions r ON r.clinic_id = l.clinic_id AND r.outcome_id = l.outcome_id "
      "AND r.revision = l.revision "
      "JOIN episodes e ON e.clinic_id = l.clinic_id AND e.episode_id = l.episode_id "
      "WHERE ", absl::StrJoin(where, " AND "), "), "
      "eps AS (SELECT DISTINCT episode_id, patient_id, opened_at_us FROM s) ");
}

// Per (episode, protocol[, version]): sessions, adverse events, and the
// first and latest pre-session pain (sessions without one sort last); then
// the episode's evaluation (one value per row: the episode's).
constexpr char kEpisodeRowsSql[] =
    "SELECT episode_id, protocol_id, protocol_version, min(patient_id), count(*), "
    "sum(adverse_event_count), count(pain_before), "
    "coalesce(max(CASE WHEN first_rank = 1 THEN pain_before END), 0), "
    "coalesce(max(CASE WHEN last_rank = 1 THEN pain_before END), 0), "
    "max(evaluated), min(ev_name), min(ev_variant), min(ev_assigned), max(ev_overridden), "
    "max(ev_version) "
    "FROM (SELECT s.*, "
    "ROW_NUMBER() OVER (PARTITION BY episode_id, protocol_id, protocol_version ORDER BY "
    "CASE WHEN pain_before IS NULL THEN 1 ELSE 0 END, performed_at_us, first_create_time_us, "
    "outcome_id) AS first_rank, "
    "ROW_NUMBER() OVER (PARTITION BY episode_id, protocol_id, protocol_version ORDER BY "
    "CASE WHEN pain_before IS NULL THEN 1 ELSE 0 END, performed_at_us DESC, "
    "first_create_time_us DESC, outcome_id DESC) AS last_rank "
    "FROM s) ranked "
    "GROUP BY episode_id, protocol_id, protocol_version "
    "ORDER BY protocol_id, protocol_version, episode_id";

// Per episode and questionnaire domain: the first and latest scoreable
// value (a domain that was not scoreable is NULL, never 0) and how many.
std::string ScoreRowsSql(const std::string& clinic) {
  return absl::StrCat(
      "SELECT episode_id, instrument_id, domain, count(*), "
      "max(CASE WHEN first_rank = 1 THEN value END), max(CASE WHEN last_rank = 1 THEN value END) "
      "FROM (SELECT a.episode_id, a.instrument_id, a.domain, a.value, "
      "ROW_NUMBER() OVER (PARTITION BY a.episode_id, a.instrument_id, a.domain "
      "ORDER BY a.performed_at_us, a.assessment_id) AS first_rank, "
      "ROW_NUMBER() OVER (PARTITION BY a.episode_id, a.instrument_id, a.domain "
      "ORDER BY a.performed_at_us DESC, a.assessment_id DESC) AS last_rank "
      "FROM assessment_scores a JOIN eps ON a.episode_id = eps.episode_id "
      "WHERE a.clinic_id = ", clinic, " AND a.value IS NOT NULL) ranked "
      "GROUP BY episode_id, instrument_id, domain ORDER BY episode_id, instrument_id, domain");
}

// The patient's recommendation nearest the episode's start: its request
// carries the profile (age, Cobb) the clinician entered at check-in.
std::string BaselineProfileSql(const std::string& clinic) {
  return absl::StrCat(
      "SELECT episode_id, request_proto FROM (SELECT eps.episode_id, rec.request_proto, "
      "ROW_NUMBER() OVER (PARTITION BY eps.episode_id ORDER BY "
      "abs(rec.create_time_us - eps.opened_at_us), rec.recommendation_id) AS nearest "
      "FROM eps JOIN recommendations rec ON rec.clinic_id = ", clinic,
      " AND rec.patient_id = eps.patient_id) ranked WHERE nearest = 1");
}

// The patient's film nearest the episode's start (latest revision of each).
std::string BaselineFilmSql(const std::string& clinic) {
  return absl::StrCat(
      "SELECT episode_id, measurement_proto FROM (SELECT eps.episode_id, c.measurement_proto, "
      "ROW_NUMBER() OVER (PARTITION BY eps.episode_id ORDER BY "
      "abs(c.taken_at_us - eps.opened_at_us), c.measurement_id) AS nearest "
      "FROM eps JOIN curve_revisions c ON c.clinic_id = ", clinic,
      " AND c.patient_id = eps.patient_id "
      "WHERE NOT EXISTS (SELECT 1 FROM curve_revisions newer WHERE newer.clinic_id = c.clinic_id "
      "AND newer.measurement_id = c.measurement_id AND newer.revision > c.revision)) ranked "
      "WHERE nearest = 1");
}

// CDS feedback counts by protocol, outcome and reason, over the criteria's
// region, protocols and period (on the outcome time). No free text.
std::string FeedbackSql(const std::string& clinic_id, const ComparisonCriteria& criteria,
                        SqlParams& p) {
  std::vector<std::string> where = {absl::StrCat("clinic_id = ", p.Add(clinic_id))};
  if (criteria.spine_region != v1::SPINE_REGION_UNSPECIFIED) {
    where.push_back(absl::StrCat("spine_region = ", p.Add(int64_t{criteria.spine_region})));
  }
  if (!criteria.protocol_ids.empty()) {
    std::vector<std::string> ids;
    for (const std::string& id : criteria.protocol_ids) ids.push_back(p.Add(id));
    where.push_back(absl::StrCat("protocol_id IN (", absl::StrJoin(ids, ", "), ")"));
  }
  if (criteria.start_us) where.push_back(absl::StrCat("outcome_time_us >= ", p.Add(*criteria.start_us)));
  if (criteria.end_us) where.push_back(absl::StrCat("outcome_time_us < ", p.Add(*criteria.end_us)));
  return absl::StrCat(
      "SELECT protocol_id, outcome, reason_system, reason_code, count(*) FROM cds_feedback WHERE ",
      absl::StrJoin(where, " AND "),
      " GROUP BY protocol_id, outcome, reason_system, reason_code "
      "ORDER BY protocol_id, outcome, reason_system, reason_code");
}

// The catalog version of each evaluation variant the clinic's episodes
// were given (for a variant the loaded evaluations no longer name).
std::string VariantVersionsSql(const std::string& clinic_id, SqlParams& p) {
  return absl::StrCat(
      "SELECT evaluation, evaluation_variant, max(evaluation_protocol_version) FROM episodes "
      "WHERE clinic_id = ", p.Add(clinic_id), " AND evaluation <> '' "
      "GROUP BY evaluation, evaluation_variant ORDER BY evaluation, evaluation_variant");
}

v1::EvaluationVariant VariantOf(const std::string& letter) {
  if (letter == "A") return v1::EVALUATION_VARIANT_A;
  if (letter == "B") return v1::EVALUATION_VARIANT_B;
  return v1::EVALUATION_VARIANT_UNSPECIFIED;
}

// What the store reads of a row's evaluation before the groups are named.
struct PendingEvaluation {
  size_t row = 0;
  std::string name;
  v1::EvaluationVariant received = v1::EVALUATION_VARIANT_UNSPECIFIED;  // the episode's now
  v1::EvaluationVariant assigned = v1::EVALUATION_VARIANT_UNSPECIFIED;
  bool overridden = false;
  uint32_t received_version = 0;  // the episode's
  uint32_t row_version = 0;       // the row's sessions' (compared by version)
};

using VariantVersions = std::map<std::pair<std::string, v1::EvaluationVariant>, uint32_t>;

// Names the groups a row would be in by the variant assigned and by the
// variant received, under the criteria's grouping (core/comparison_evaluation.h).
core::EvaluationRow NameGroups(const PendingEvaluation& pending, const VariantVersions& versions,
                               const ComparisonCriteria& criteria, core::EpisodeRow& row) {
  auto version_of = [&](v1::EvaluationVariant variant) -> uint32_t {
    auto found = versions.find({pending.name, variant});
    if (found != versions.end()) return found->second;
    return variant == pending.received ? pending.received_version : 0;
  };
  auto named = [&](uint32_t version, v1::EvaluationVariant variant) {
    // A variant whose version nobody knows any more keeps a name of its own.
    if (version == 0) {
      return absl::StrCat(row.protocol_id, "@", pending.name, ":",
                          variant == v1::EVALUATION_VARIANT_A ? "A" : "B");
    }
    return absl::StrCat(row.protocol_id, "@", version);
  };
  core::EvaluationRow ev;
  ev.evaluation = pending.name;
  ev.assigned = pending.assigned;
  ev.received = pending.received;
  ev.overridden = pending.overridden;
  if (criteria.by_assigned_variant) {
    ev.assigned_group = named(version_of(pending.assigned), pending.assigned);
    ev.received_group = named(version_of(pending.received), pending.received);
    row.group = ev.assigned_group;
  } else if (criteria.by_version) {
    // The row's sessions say what it received, even before an override.
    for (v1::EvaluationVariant variant : {v1::EVALUATION_VARIANT_A, v1::EVALUATION_VARIANT_B}) {
      if (version_of(variant) == pending.row_version) ev.received = variant;
    }
    ev.received_group = row.group;
    ev.assigned_group = ev.assigned == ev.received
                            ? row.group
                            : named(version_of(pending.assigned), pending.assigned);
  } else {
    ev.assigned_group = ev.received_group = row.group;
  }
  return ev;
}

// "id@12" as (id, 12, ""), so that version 10 follows version 9; a name
// that is not a version sorts after the versions of its protocol.
std::tuple<std::string, uint64_t, std::string> GroupOrder(const std::string& group) {
  const size_t at = group.rfind('@');
  if (at == std::string::npos) return {group, 0, ""};
  const std::string tail = group.substr(at + 1);
  uint64_t version = 0;
  if (!tail.empty() && absl::SimpleAtoi(tail, &version)) return {group.substr(0, at), version, ""};
  return {group.substr(0, at), UINT64_MAX, tail};
}

template <typename Each>
absl::Status ForEachRow(SqlSession& db, const std::string& sql, const SqlParams& params,
                        Each each) {
  absl::StatusOr<std::unique_ptr<ResultRows>> rows = db.Query(sql, params);
  if (!rows.ok()) return rows.status();
  while (true) {
    absl::StatusOr<bool> more = (*rows)->Next();
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    if (absl::Status status = each(**rows); !status.ok()) return status;
  }
}

absl::Status Corrupt(const char* what) {
  return core::WithReason(absl::DataLossError(absl::StrCat("a stored ", what, " does not parse")),
                          kReasonStoreCorrupt);
}

}  // namespace

absl::StatusOr<ComparisonRows> SqlStore::ReadComparisonRows(const std::string& clinic_id,
                                                           const ComparisonCriteria& criteria) {
  SqlParams p(dialect_.placeholder_prefix);
  std::string clinic;
  const std::string cte = MatchingSessionsCte(clinic_id, criteria, p, &clinic);
  SqlParams feedback_params(dialect_.placeholder_prefix);
  const std::string feedback_sql = FeedbackSql(clinic_id, criteria, feedback_params);
  ComparisonRows result;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    result = ComparisonRows();
    // Rows of one query are read to the end before the next runs.
    std::map<std::string, std::vector<size_t>> rows_of_episode;
    std::vector<PendingEvaluation> pending;
    absl::Status read = ForEachRow(db, cte + kEpisodeRowsSql, p, [&](ResultRows& row) {
      core::EpisodeRow episode;
      const std::string episode_id = row.Text(0);
      episode.protocol_id = row.Text(1);
      const int64_t version = row.Int(2);
      episode.group =
          criteria.by_version || criteria.by_assigned_variant
              ? absl::StrCat(episode.protocol_id, "@", version)
              : episode.protocol_id;
      episode.patient = row.Text(3);
      episode.sessions = static_cast<int>(row.Int(4));
      episode.adverse_events = static_cast<int>(row.Int(5));
      episode.pain_sessions = static_cast<int>(row.Int(6));
      if (episode.pain_sessions > 0) {
        episode.baseline_pain = static_cast<int>(row.Int(7));
        episode.latest_pain = static_cast<int>(row.Int(8));
      }
      if (row.Int(9) == 1) {
        pending.push_back(PendingEvaluation{
            result.episodes.size(), row.Text(10), VariantOf(row.Text(11)),
            VariantOf(row.Text(12)), row.Int(13) != 0, static_cast<uint32_t>(row.Int(14)),
            static_cast<uint32_t>(version)});
      }
      rows_of_episode[episode_id].push_back(result.episodes.size());
      result.episodes.push_back(std::move(episode));
      return absl::OkStatus();
    });
    if (!read.ok()) return read;
    if (result.episodes.empty()) return absl::OkStatus();

    if (!pending.empty()) {
      VariantVersions versions = criteria.variant_versions;
      SqlParams version_params(dialect_.placeholder_prefix);
      const std::string versions_sql = VariantVersionsSql(clinic_id, version_params);
      read = ForEachRow(db, versions_sql, version_params, [&](ResultRows& row) {
        // The loaded evaluations come first: emplace keeps them.
        versions.emplace(std::make_pair(row.Text(0), VariantOf(row.Text(1))),
                         static_cast<uint32_t>(row.Int(2)));
        return absl::OkStatus();
      });
      if (!read.ok()) return read;
      for (const PendingEvaluation& each : pending) {
        core::EpisodeRow& episode = result.episodes[each.row];
        episode.evaluation = NameGroups(each, versions, criteria, episode);
      }
    }

    read = ForEachRow(db, cte + ScoreRowsSql(clinic), p, [&](ResultRows& row) {
      core::ScoreChangeRow score{row.Text(1), row.Text(2), row.Double(4), row.Double(5),
                                 static_cast<int>(row.Int(3))};
      for (size_t i : rows_of_episode[row.Text(0)]) result.episodes[i].scores.push_back(score);
      return absl::OkStatus();
    });
    if (!read.ok()) return read;

    read = ForEachRow(db, cte + BaselineProfileSql(clinic), p, [&](ResultRows& row) {
      v1::RecommendProtocolRequest request;
      if (!request.ParseFromString(row.Bytes(1))) return Corrupt("recommendation");
      for (size_t i : rows_of_episode[row.Text(0)]) {
        core::EpisodeRow& episode = result.episodes[i];
        if (request.profile().age_years() > 0) episode.age_years = request.profile().age_years();
        if (request.profile().has_cobb_angle_degrees()) {
          episode.baseline_cobb_degrees = request.profile().cobb_angle_degrees();
        }
      }
      return absl::OkStatus();
    });
    if (!read.ok()) return read;

    // A film, when there is one, is the better baseline Cobb than the
    // profile typed in at check-in.
    read = ForEachRow(db, cte + BaselineFilmSql(clinic), p, [&](ResultRows& row) {
      v1::CurveMeasurement film;
      if (!film.ParseFromString(row.Bytes(1))) return Corrupt("curve measurement");
      for (size_t i : rows_of_episode[row.Text(0)]) {
        result.episodes[i].baseline_cobb_degrees = film.cobb_angle_degrees();
      }
      return absl::OkStatus();
    });
    if (!read.ok()) return read;

    return ForEachRow(db, feedback_sql, feedback_params, [&](ResultRows& row) {
      result.feedback.push_back(core::FeedbackCountRow{row.Text(0), row.Text(1) == "overridden",
                                                       row.Text(2), row.Text(3),
                                                       static_cast<int>(row.Int(4))});
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  if (criteria.by_assigned_variant) {
    // Named after the read: put the groups back in protocol and version
    // order, as the other groupings come.
    std::stable_sort(result.episodes.begin(), result.episodes.end(),
                     [](const core::EpisodeRow& a, const core::EpisodeRow& b) {
                       return GroupOrder(a.group) < GroupOrder(b.group);
                     });
  }
  return result;
}

}  // namespace scoliomassage::storage
