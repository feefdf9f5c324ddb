// The rows of episodes of care (migration 0004), written once for every
// backend. Used inside the write transactions of LogOutcome, AmendOutcome and
// RecordAssessment, so a session or assessment and the episode it opens
// commit together.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scoliomassage/v1/episode.pb.h"
#include "storage/sql_executor.h"

namespace scoliomassage::storage {

std::string EpisodeName(const std::string& episode_id);

class EpisodeRows {
 public:
  EpisodeRows(SqlSession& db, SqlDialect dialect) : db_(db), dialect_(dialect) {}

  // The patient's open episode, if any.
  absl::StatusOr<std::optional<v1::Episode>> FindOpen(const std::string& clinic_id,
                                                      const std::string& patient_id);
  // The open episode's id, or a new episode opened at `opened_at_us` (a
  // record that starts care). `request_id` names an explicit OpenEpisode.
  absl::StatusOr<std::string> OpenOrFind(const std::string& clinic_id,
                                         const std::string& patient_id, int64_t opened_at_us,
                                         int64_t now_us);
  // Inserts a new open episode. ALREADY_EXISTS (reason EPISODE_ALREADY_OPEN)
  // when the patient has one.
  absl::StatusOr<v1::Episode> Insert(const std::string& clinic_id, const std::string& patient_id,
                                     int64_t opened_at_us, int64_t now_us,
                                     const std::string& request_id);
  // NOT_FOUND when the clinic has no such episode.
  absl::StatusOr<v1::Episode> Get(const std::string& clinic_id, const std::string& episode_id);
  absl::StatusOr<std::optional<v1::Episode>> FindByRequest(const std::string& clinic_id,
                                                           const std::string& request_id);
  absl::Status Close(const std::string& clinic_id, const std::string& episode_id,
                     int64_t closed_at_us);
  // Writes the protocol evaluation variant the episode is on (migration
  // 0006), replacing any before.
  absl::Status SetEvaluation(const std::string& clinic_id, const std::string& episode_id,
                             const v1::VariantAssignment& assignment);
  // Newest first.
  absl::StatusOr<std::vector<v1::Episode>> List(const std::string& clinic_id,
                                                const std::string& patient_id);

 private:
  SqlParams Params() const { return SqlParams(dialect_.placeholder_prefix); }
  absl::StatusOr<std::vector<v1::Episode>> Select(const std::string& where_sql,
                                                  const SqlParams& params);

  SqlSession& db_;
  const SqlDialect dialect_;
};

}  // namespace scoliomassage::storage
