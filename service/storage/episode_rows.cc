#include "storage/episode_rows.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/random_id.h"
#include "core/errors.h"
#include "storage/outcome_ids.h"

namespace scoliomassage::storage {
namespace {

constexpr char kColumns[] =
    "SELECT episode_id, patient_id, opened_at_us, coalesce(closed_at_us, -1), create_time_us, "
    "evaluation, evaluation_protocol_id, evaluation_variant, evaluation_protocol_version, "
    "evaluation_assigned_variant, evaluation_overridden, evaluation_override_by, "
    "evaluation_override_reason "
    "FROM episodes WHERE ";

// Stored as 'A' or 'B' so the column reads plainly in SQL.
v1::EvaluationVariant VariantFromText(const std::string& text) {
  if (text == "A") return v1::EVALUATION_VARIANT_A;
  if (text == "B") return v1::EVALUATION_VARIANT_B;
  return v1::EVALUATION_VARIANT_UNSPECIFIED;
}

std::string VariantText(v1::EvaluationVariant variant) {
  switch (variant) {
    case v1::EVALUATION_VARIANT_A: return "A";
    case v1::EVALUATION_VARIANT_B: return "B";
    default: return "";
  }
}

v1::Episode EpisodeFromRow(ResultRows& row) {
  v1::Episode episode;
  episode.set_name(EpisodeName(row.Text(0)));
  episode.set_patient_id(row.Text(1));
  *episode.mutable_opened_at() = MicrosToTimestamp(row.Int(2));
  const int64_t closed = row.Int(3);
  episode.set_open(closed < 0);
  if (closed >= 0) *episode.mutable_closed_at() = MicrosToTimestamp(closed);
  *episode.mutable_create_time() = MicrosToTimestamp(row.Int(4));
  if (!row.Text(5).empty()) {  // migration 0006: in a protocol evaluation
    v1::VariantAssignment& assignment = *episode.mutable_evaluation();
    assignment.set_evaluation(row.Text(5));
    assignment.set_protocol_id(row.Text(6));
    assignment.set_variant(VariantFromText(row.Text(7)));
    assignment.set_protocol_version(static_cast<uint32_t>(row.Int(8)));
    assignment.set_assigned_variant(VariantFromText(row.Text(9)));
    assignment.set_overridden(row.Int(10) != 0);
    assignment.set_override_by(row.Text(11));
    assignment.set_override_reason(row.Text(12));
  }
  return episode;
}

}  // namespace

std::string EpisodeName(const std::string& episode_id) { return absl::StrCat("episodes/", episode_id); }

absl::StatusOr<std::vector<v1::Episode>> EpisodeRows::Select(const std::string& where_sql,
                                                             const SqlParams& params) {
  absl::StatusOr<std::unique_ptr<ResultRows>> rows =
      db_.Query(absl::StrCat(kColumns, where_sql), params);
  if (!rows.ok()) return rows.status();
  std::vector<v1::Episode> episodes;
  while (true) {
    absl::StatusOr<bool> next = (*rows)->Next();
    if (!next.ok()) return next.status();
    if (!*next) break;
    episodes.push_back(EpisodeFromRow(**rows));
  }
  return episodes;
}

absl::StatusOr<std::optional<v1::Episode>> EpisodeRows::FindOpen(const std::string& clinic_id,
                                                                 const std::string& patient_id) {
  SqlParams p = Params();
  auto found = Select(absl::StrCat("clinic_id = ", p.Add(clinic_id), " AND patient_id = ",
                                   p.Add(patient_id), " AND closed_at_us IS NULL"),
                      p);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<v1::Episode>();
  return std::optional<v1::Episode>(std::move(found->front()));
}

absl::StatusOr<std::optional<v1::Episode>> EpisodeRows::FindByRequest(
    const std::string& clinic_id, const std::string& request_id) {
  SqlParams p = Params();
  auto found = Select(
      absl::StrCat("clinic_id = ", p.Add(clinic_id), " AND request_id = ", p.Add(request_id)), p);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<v1::Episode>();
  return std::optional<v1::Episode>(std::move(found->front()));
}

absl::StatusOr<v1::Episode> EpisodeRows::Get(const std::string& clinic_id,
                                             const std::string& episode_id) {
  SqlParams p = Params();
  auto found = Select(
      absl::StrCat("clinic_id = ", p.Add(clinic_id), " AND episode_id = ", p.Add(episode_id)), p);
  if (!found.ok()) return found.status();
  // Another clinic's episode looks like a missing one.
  if (found->empty()) return absl::NotFoundError(absl::StrCat(EpisodeName(episode_id), " not found"));
  return std::move(found->front());
}

absl::StatusOr<v1::Episode> EpisodeRows::Insert(const std::string& clinic_id,
                                                const std::string& patient_id,
                                                int64_t opened_at_us, int64_t now_us,
                                                const std::string& request_id) {
  absl::StatusOr<std::string> id = base::RandomHexId();
  if (!id.ok()) return id.status();
  SqlParams p = Params();
  const std::string insert = absl::StrCat(
      InsertSql("episodes",
                {{"clinic_id", clinic_id}, {"episode_id", *id}, {"patient_id", patient_id},
                 {"opened_at_us", opened_at_us}, {"closed_at_us", std::monostate()},
                 {"create_time_us", now_us},
                 {"request_id", request_id.empty() ? SqlParams::Value(std::monostate())
                                                   : SqlParams::Value(request_id)}},
                p),
      " ON CONFLICT (clinic_id, patient_id) WHERE closed_at_us IS NULL DO NOTHING RETURNING 1");
  absl::StatusOr<std::unique_ptr<ResultRows>> row = db_.QueryRow(insert, p);
  if (!row.ok()) return row.status();
  if (*row == nullptr) {
    return core::WithReason(
        absl::FailedPreconditionError("the patient already has an open episode; close it first"),
        "EPISODE_ALREADY_OPEN");
  }
  if (absl::StatusOr<bool> end = (*row)->Next(); !end.ok()) return end.status();
  v1::Episode episode;
  episode.set_name(EpisodeName(*id));
  episode.set_patient_id(patient_id);
  *episode.mutable_opened_at() = MicrosToTimestamp(opened_at_us);
  episode.set_open(true);
  *episode.mutable_create_time() = MicrosToTimestamp(now_us);
  return episode;
}

absl::StatusOr<std::string> EpisodeRows::OpenOrFind(const std::string& clinic_id,
                                                    const std::string& patient_id,
                                                    int64_t opened_at_us, int64_t now_us) {
  absl::StatusOr<std::optional<v1::Episode>> open = FindOpen(clinic_id, patient_id);
  if (!open.ok()) return open.status();
  if (open->has_value()) return (*open)->name();
  // Another transaction may open one at the same moment: the insert then
  // waits for it and does nothing, and (statements see what committed before
  // they started, PostgreSQL's READ COMMITTED) the second look finds theirs.
  // On SQLite the single writer never races.
  absl::StatusOr<v1::Episode> opened = Insert(clinic_id, patient_id, opened_at_us, now_us, "");
  if (absl::IsFailedPrecondition(opened.status())) {
    absl::StatusOr<std::optional<v1::Episode>> theirs = FindOpen(clinic_id, patient_id);
    if (!theirs.ok()) return theirs.status();
    if (theirs->has_value()) return (*theirs)->name();
    return core::WithReason(
        absl::UnavailableError(
            "another request opened and closed this patient's episode at the same moment; retry"),
        "STORE_BUSY");
  }
  if (!opened.ok()) return opened.status();
  return opened->name();
}

absl::Status EpisodeRows::Close(const std::string& clinic_id, const std::string& episode_id,
                                int64_t closed_at_us) {
  SqlParams p = Params();
  return db_.Run(absl::StrCat("UPDATE episodes SET closed_at_us = ", p.Add(closed_at_us),
                              " WHERE clinic_id = ", p.Add(clinic_id), " AND episode_id = ",
                              p.Add(episode_id), " AND closed_at_us IS NULL"),
                 p);
}

absl::Status EpisodeRows::SetEvaluation(const std::string& clinic_id,
                                        const std::string& episode_id,
                                        const v1::VariantAssignment& assignment) {
  SqlParams p = Params();
  return db_.Run(
      absl::StrCat(
          "UPDATE episodes SET evaluation = ", p.Add(assignment.evaluation()),
          ", evaluation_protocol_id = ", p.Add(assignment.protocol_id()),
          ", evaluation_variant = ", p.Add(VariantText(assignment.variant())),
          ", evaluation_protocol_version = ", p.Add(int64_t{assignment.protocol_version()}),
          ", evaluation_assigned_variant = ", p.Add(VariantText(assignment.assigned_variant())),
          ", evaluation_overridden = ", p.Add(int64_t{assignment.overridden() ? 1 : 0}),
          ", evaluation_override_by = ", p.Add(assignment.override_by()),
          ", evaluation_override_reason = ", p.Add(assignment.override_reason()),
          " WHERE clinic_id = ", p.Add(clinic_id), " AND episode_id = ", p.Add(episode_id)),
      p);
}

absl::StatusOr<std::vector<v1::Episode>> EpisodeRows::List(const std::string& clinic_id,
                                                           const std::string& patient_id) {
  SqlParams p = Params();
  return Select(absl::StrCat("clinic_id = ", p.Add(clinic_id), " AND patient_id = ",
                             p.Add(patient_id),
                             " ORDER BY opened_at_us DESC, episode_id DESC LIMIT 1000"),
                p);
}

}  // namespace scoliomassage::storage
