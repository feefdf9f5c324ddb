// SqlStore: the protocol evaluation variant of an episode (migration 0006).
// Written once for both dialects, like the episode path it extends.
#include "storage/episode_rows.h"
#include "storage/sql_store.h"

namespace scoliomassage::storage {

absl::StatusOr<v1::Episode> SqlStore::AssignEpisodeVariant(
    const std::string& clinic_id, const std::string& patient_id,
    const v1::VariantAssignment& assignment) {
  v1::Episode result;
  absl::Status status = executor_->Write([&](SqlSession& db, int64_t now_us) -> absl::Status {
    EpisodeRows episodes(db, dialect_);
    // OpenOrFind settles a race with a session or assessment opening the
    // same patient's episode at this moment: both end in one episode.
    absl::StatusOr<std::string> name = episodes.OpenOrFind(clinic_id, patient_id, now_us, now_us);
    if (!name.ok()) return name.status();
    const std::string episode_id = name->substr(name->find('/') + 1);
    absl::StatusOr<v1::Episode> episode = episodes.Get(clinic_id, episode_id);
    if (!episode.ok()) return episode.status();
    if (!episode->has_evaluation() || assignment.overridden()) {
      if (absl::Status set = episodes.SetEvaluation(clinic_id, episode_id, assignment); !set.ok()) {
        return set;
      }
      *episode->mutable_evaluation() = assignment;
    }
    result = *std::move(episode);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

}  // namespace scoliomassage::storage
