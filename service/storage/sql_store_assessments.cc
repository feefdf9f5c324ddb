// SqlStore: assessments (scored questionnaires) and episodes of care
// (migration 0004). Written once for both dialects, like the outcome path.
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/random_id.h"
#include "core/errors.h"
#include "storage/assessment_fingerprint.h"
#include "storage/episode_rows.h"
#include "storage/outcome_ids.h"
#include "storage/page_tokens.h"
#include "storage/sql_store.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {
namespace {

// A retry that loses the race for its request_id reads the winner back on
// the next attempt.
constexpr int kAttempts = 3;
// An episode result reads at most this many assessments (years of monthly
// questionnaires for every instrument).
constexpr int kMaxEpisodeAssessments = 2000;

std::string AssessmentName(const std::string& id) { return absl::StrCat("assessments/", id); }

absl::StatusOr<v1::Assessment> ParseAssessment(const std::string& bytes) {
  v1::Assessment assessment;
  if (!assessment.ParseFromString(bytes)) {
    return core::WithReason(absl::DataLossError("a stored assessment cannot be decoded"),
                            kReasonStoreCorrupt);
  }
  return assessment;
}

absl::StatusOr<std::vector<v1::Assessment>> ReadAssessments(ResultRows& rows, int column) {
  std::vector<v1::Assessment> assessments;
  while (true) {
    absl::StatusOr<bool> next = rows.Next();
    if (!next.ok()) return next.status();
    if (!*next) break;
    absl::StatusOr<v1::Assessment> assessment = ParseAssessment(rows.Bytes(column));
    if (!assessment.ok()) return assessment.status();
    assessments.push_back(*std::move(assessment));
  }
  return assessments;
}

absl::Status Busy() {
  return core::WithReason(
      absl::UnavailableError("another request stored this request_id at the same moment; retry"),
      kReasonStoreBusy);
}

}  // namespace

absl::StatusOr<v1::Assessment> SqlStore::RecordAssessment(const std::string& clinic_id,
                                                          const std::string& request_id,
                                                          const v1::Assessment& scored) {
  if (absl::Status status = RequireRequestId(request_id); !status.ok()) return status;
  const std::string fingerprint = AssessmentFingerprint(scored);
  const int64_t performed_at_us = TimestampToMicros(scored.performed_at());
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    v1::Assessment result;
    bool lost = false;
    absl::Status status = executor_->Write([&](SqlSession& db, int64_t now_us) -> absl::Status {
      lost = false;
      {
        SqlParams p(dialect_.placeholder_prefix);
        absl::StatusOr<std::unique_ptr<ResultRows>> first = db.QueryRow(
            absl::StrCat("SELECT fingerprint, assessment_proto FROM assessments WHERE clinic_id = ",
                         p.Add(clinic_id), " AND request_id = ", p.Add(request_id)),
            p);
        if (!first.ok()) return first.status();
        if (*first != nullptr) {
          if ((*first)->Text(0) != fingerprint) {
            return absl::AlreadyExistsError(absl::StrCat(
                "request_id ", request_id,
                " was already used by RecordAssessment with a different request body; a retry "
                "must resend the identical request, and a new request needs a new request_id"));
          }
          absl::StatusOr<v1::Assessment> replay = ParseAssessment((*first)->Bytes(1));
          if (!replay.ok()) return replay.status();
          result = *std::move(replay);
          return absl::OkStatus();
        }
      }
      absl::StatusOr<std::string> id = base::RandomHexId();
      if (!id.ok()) return id.status();
      absl::StatusOr<std::string> episode = EpisodeRows(db, dialect_).OpenOrFind(
          clinic_id, scored.patient_id(), performed_at_us, now_us);
      if (!episode.ok()) return episode.status();
      v1::Assessment stored = scored;
      stored.clear_patient_pseudonym();
      stored.set_name(AssessmentName(*id));
      *stored.mutable_create_time() = MicrosToTimestamp(now_us);
      *stored.mutable_performed_at() = MicrosToTimestamp(performed_at_us);
      stored.set_episode(*episode);
      const std::string episode_id = episode->substr(sizeof("episodes/") - 1);
      std::string bytes;
      if (!stored.SerializeToString(&bytes)) return absl::InternalError("cannot serialize the assessment");
      SqlParams p(dialect_.placeholder_prefix);
      const std::string insert = absl::StrCat(
          InsertSql("assessments",
                    {{"clinic_id", clinic_id}, {"assessment_id", *id}, {"request_id", request_id},
                     {"fingerprint", fingerprint}, {"patient_id", stored.patient_id()},
                     {"instrument_id", stored.instrument_id()},
                     {"instrument_version", stored.instrument_version()},
                     {"episode_id", episode_id}, {"performed_at_us", performed_at_us},
                     {"create_time_us", now_us}, {"assessment_proto", SqlBytes{bytes}}},
                    p),
          " ON CONFLICT (clinic_id, request_id) DO NOTHING RETURNING 1");
      absl::StatusOr<std::unique_ptr<ResultRows>> inserted = db.QueryRow(insert, p);
      if (!inserted.ok()) return inserted.status();
      if (*inserted == nullptr) {
        lost = true;
        return Busy();  // rolls back; the next attempt replays the winner
      }
      if (absl::StatusOr<bool> end = (*inserted)->Next(); !end.ok()) return end.status();
      for (const v1::AssessmentScore& score : stored.scores()) {
        SqlParams s(dialect_.placeholder_prefix);
        const std::string row = InsertSql(
            "assessment_scores",
            {{"clinic_id", clinic_id}, {"assessment_id", *id}, {"domain", score.domain()},
             {"instrument_id", stored.instrument_id()}, {"patient_id", stored.patient_id()},
             {"episode_id", episode_id}, {"performed_at_us", performed_at_us},
             {"value", score.scoreable() ? SqlParams::Value(absl::StrFormat("%.17g", score.value()))
                                         : SqlParams::Value(std::monostate())}},
            s);
        if (absl::Status written = db.Run(row, s); !written.ok()) return written;
      }
      result = std::move(stored);
      return absl::OkStatus();
    });
    if (lost) continue;
    if (!status.ok()) return status;
    return result;
  }
  return Busy();
}

absl::StatusOr<AssessmentPage> SqlStore::ListAssessments(const std::string& clinic_id,
                                                         const v1::ListAssessmentsRequest& request,
                                                         int page_size) {
  SqlParams p(dialect_.placeholder_prefix);
  std::string sql = absl::StrCat(
      "SELECT performed_at_us, assessment_id, assessment_proto FROM assessments WHERE clinic_id = ",
      p.Add(clinic_id), " AND patient_id = ", p.Add(request.patient_id()));
  if (!request.instrument_id().empty()) {
    absl::StrAppend(&sql, " AND instrument_id = ", p.Add(request.instrument_id()));
  }
  if (!request.episode().empty()) {
    absl::StrAppend(&sql, " AND episode_id = ",
                    p.Add(request.episode().substr(sizeof("episodes/") - 1)));
  }
  if (!request.page_token().empty()) {
    absl::StatusOr<OutcomeListPosition> after = DecodeOutcomeListToken(request.page_token());
    if (!after.ok()) return after.status();
    const std::string at = p.Add(after->performed_at_us);
    absl::StrAppend(&sql, " AND (performed_at_us < ", at, " OR (performed_at_us = ", at,
                    " AND assessment_id < ", p.Add(after->outcome_id), "))");
  }
  absl::StrAppend(&sql, " ORDER BY performed_at_us DESC, assessment_id DESC LIMIT ",
                  p.Add(int64_t{page_size} + 1));
  AssessmentPage page;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    page = AssessmentPage();
    absl::StatusOr<std::unique_ptr<ResultRows>> rows = db.Query(sql, p);
    if (!rows.ok()) return rows.status();
    OutcomeListPosition last;
    while (true) {
      absl::StatusOr<bool> next = (*rows)->Next();
      if (!next.ok()) return next.status();
      if (!*next) break;
      if (static_cast<int>(page.assessments.size()) == page_size) {
        page.next_page_token = EncodeOutcomeListToken(last);
        break;
      }
      last = OutcomeListPosition{(*rows)->Int(0), (*rows)->Text(1)};
      absl::StatusOr<v1::Assessment> assessment = ParseAssessment((*rows)->Bytes(2));
      if (!assessment.ok()) return assessment.status();
      page.assessments.push_back(*std::move(assessment));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<std::vector<v1::Assessment>> ReadLatestAssessmentPair(
    SqlSession& db, const SqlDialect& dialect, const std::string& clinic_id,
    const std::string& patient_id) {
  std::vector<v1::Assessment> pair;
  SqlParams p(dialect.placeholder_prefix);
  const std::string patient =
      absl::StrCat("clinic_id = ", p.Add(clinic_id), " AND patient_id = ", p.Add(patient_id));
  absl::StatusOr<std::unique_ptr<ResultRows>> latest = db.Query(
      absl::StrCat("SELECT assessment_proto FROM assessments WHERE ", patient,
                   " ORDER BY performed_at_us DESC, assessment_id DESC LIMIT 1"),
      p);
  if (!latest.ok()) return latest.status();
  absl::StatusOr<std::vector<v1::Assessment>> first = ReadAssessments(**latest, 0);
  if (!first.ok()) return first.status();
  if (first->empty()) return pair;
  pair.push_back(first->front());
  const v1::Assessment& newest = pair.front();
  const std::string newest_id = newest.name().substr(sizeof("assessments/") - 1);
  SqlParams q(dialect.placeholder_prefix);
  const std::string at = q.Add(TimestampToMicros(newest.performed_at()));
  absl::StatusOr<std::unique_ptr<ResultRows>> previous = db.Query(
      absl::StrCat("SELECT assessment_proto FROM assessments WHERE clinic_id = ",
                   q.Add(clinic_id), " AND patient_id = ", q.Add(patient_id),
                   " AND instrument_id = ", q.Add(newest.instrument_id()),
                   " AND (performed_at_us < ", at, " OR (performed_at_us = ", at,
                   " AND assessment_id < ", q.Add(newest_id), "))",
                   " ORDER BY performed_at_us DESC, assessment_id DESC LIMIT 1"),
      q);
  if (!previous.ok()) return previous.status();
  absl::StatusOr<std::vector<v1::Assessment>> before = ReadAssessments(**previous, 0);
  if (!before.ok()) return before.status();
  if (!before->empty()) pair.push_back(before->front());
  return pair;
}

absl::StatusOr<std::vector<v1::Assessment>> SqlStore::LatestAssessmentPair(
    const std::string& clinic_id, const std::string& patient_id) {
  absl::StatusOr<std::vector<v1::Assessment>> pair;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    pair = ReadLatestAssessmentPair(db, dialect_, clinic_id, patient_id);
    return pair.status();
  });
  if (!status.ok()) return status;
  return pair;
}

absl::StatusOr<v1::Episode> SqlStore::OpenEpisode(const std::string& clinic_id,
                                                  const std::string& request_id,
                                                  const std::string& patient_id,
                                                  int64_t opened_at_us) {
  if (absl::Status status = RequireRequestId(request_id); !status.ok()) return status;
  v1::Episode result;
  absl::Status status = executor_->Write([&](SqlSession& db, int64_t now_us) -> absl::Status {
    EpisodeRows episodes(db, dialect_);
    absl::StatusOr<std::optional<v1::Episode>> first = episodes.FindByRequest(clinic_id, request_id);
    if (!first.ok()) return first.status();
    if (first->has_value()) {
      if ((*first)->patient_id() != patient_id) {
        return absl::AlreadyExistsError(absl::StrCat(
            "request_id ", request_id, " was already used to open another patient's episode"));
      }
      result = **first;
      return absl::OkStatus();
    }
    absl::StatusOr<v1::Episode> opened =
        episodes.Insert(clinic_id, patient_id, opened_at_us != 0 ? opened_at_us : now_us, now_us,
                        request_id);
    if (!opened.ok()) return opened.status();
    result = *std::move(opened);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<v1::Episode> SqlStore::CloseEpisode(const std::string& clinic_id,
                                                   const std::string& episode_id,
                                                   int64_t closed_at_us) {
  v1::Episode result;
  absl::Status status = executor_->Write([&](SqlSession& db, int64_t now_us) -> absl::Status {
    EpisodeRows episodes(db, dialect_);
    absl::StatusOr<v1::Episode> episode = episodes.Get(clinic_id, episode_id);
    if (!episode.ok()) return episode.status();
    if (!episode->open()) {
      result = *std::move(episode);
      return absl::OkStatus();
    }
    const int64_t at = closed_at_us != 0 ? closed_at_us : now_us;
    if (at < TimestampToMicros(episode->opened_at())) {
      return core::InvalidField("closed_at", "must not be before the episode's opened_at");
    }
    if (absl::Status closed = episodes.Close(clinic_id, episode_id, at); !closed.ok()) return closed;
    episode->set_open(false);
    *episode->mutable_closed_at() = MicrosToTimestamp(at);
    result = *std::move(episode);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<std::vector<v1::Episode>> SqlStore::ListEpisodes(const std::string& clinic_id,
                                                                const std::string& patient_id) {
  absl::StatusOr<std::vector<v1::Episode>> result;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    result = EpisodeRows(db, dialect_).List(clinic_id, patient_id);
    return result.status();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<EpisodeRecord> SqlStore::GetEpisodeRecord(const std::string& clinic_id,
                                                         const std::string& episode_id) {
  EpisodeRecord record;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    record = EpisodeRecord();
    absl::StatusOr<v1::Episode> episode = EpisodeRows(db, dialect_).Get(clinic_id, episode_id);
    if (!episode.ok()) return episode.status();
    record.episode = *std::move(episode);
    SqlParams p(dialect_.placeholder_prefix);
    const std::string in_episode = absl::StrCat("clinic_id = ", p.Add(clinic_id),
                                                " AND episode_id = ", p.Add(episode_id),
                                                " AND pain_before IS NOT NULL");
    // Both walk outcome_latest_episode from one end.
    for (bool latest : {false, true}) {
      absl::StatusOr<std::unique_ptr<ResultRows>> row = db.QueryRow(
          absl::StrCat("SELECT pain_before, performed_at_us FROM outcome_latest WHERE ",
                       in_episode, latest ? " ORDER BY performed_at_us DESC, "
                                            "first_create_time_us DESC, outcome_id DESC LIMIT 1"
                                          : " ORDER BY performed_at_us, first_create_time_us, "
                                            "outcome_id LIMIT 1"),
          p);
      if (!row.ok()) return row.status();
      if (*row == nullptr) continue;
      EpisodeRecord::Pain pain{static_cast<int32_t>((*row)->Int(0)), (*row)->Int(1)};
      (latest ? record.latest_pain : record.first_pain) = pain;
    }
    absl::StatusOr<std::unique_ptr<ResultRows>> count =
        db.QueryRow(absl::StrCat("SELECT count(*) FROM outcome_latest WHERE ", in_episode), p);
    if (!count.ok()) return count.status();
    record.pain_sessions = *count != nullptr ? (*count)->Int(0) : 0;
    count->reset();
    SqlParams q(dialect_.placeholder_prefix);
    absl::StatusOr<std::unique_ptr<ResultRows>> rows = db.Query(
        absl::StrCat("SELECT assessment_proto FROM assessments WHERE clinic_id = ",
                     q.Add(clinic_id), " AND episode_id = ", q.Add(episode_id),
                     " ORDER BY performed_at_us, assessment_id LIMIT ",
                     q.Add(int64_t{kMaxEpisodeAssessments})),
        q);
    if (!rows.ok()) return rows.status();
    absl::StatusOr<std::vector<v1::Assessment>> assessments = ReadAssessments(**rows, 0);
    if (!assessments.ok()) return assessments.status();
    record.assessments = *std::move(assessments);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return record;
}

}  // namespace scoliomassage::storage
