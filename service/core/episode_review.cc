#include "core/episode_review.h"

#include "absl/strings/str_cat.h"
#include "core/dose.h"
#include "core/sources.h"

namespace scoliomassage::core {

void CheckEpisodeProgress(const PatientProgress& progress, Explanation& explanation) {
  if (progress.sessions_logged < kEpisodeReviewAfterSessions) return;
  if (!progress.first_pain_before.has_value() || !progress.last_outcome.has_value() ||
      !progress.last_outcome->has_pain_before()) {
    return;
  }
  const int first = *progress.first_pain_before;
  const int latest = progress.last_outcome->pain_before();
  const std::string change = absl::StrCat("pre-session pain ", first, " at the first session, ",
                                          latest, " at the latest, after ",
                                          progress.sessions_logged, " sessions");
  // No pain to begin with: nothing for the pain measure to show.
  if (first == 0) return;
  if (MeaningfulFall(first, latest)) {
    explanation.Fire("episode.meaningful_improvement", change, kSourcePainChange);
    return;
  }
  explanation.AddCard(
      v1::INDICATOR_WARNING, "episode.review",
      absl::StrCat("No meaningful fall in pain over ", progress.sessions_logged,
                   " sessions: review the plan."),
      absl::StrCat(
          "Episode outcome: ", change,
          ". A meaningful improvement is a fall of 2 points or 30% (higher baselines need "
          "larger falls). Review the plan with the patient's clinician. SOSORT recommends "
          "**scoliosis-specific exercise** as the conservative treatment; massage is supportive "
          "care only."),
      absl::StrCat(kSourcePainChange, "; ", kSourceSosort));
}

}  // namespace scoliomassage::core
