#include "app/episodes.h"

#include "base/time.h"
#include "core/assessment_validation.h"
#include "core/episode_result.h"
#include "core/errors.h"

namespace scoliomassage::app {

Episodes::Episodes(storage::Store& store, const catalog::Instruments& instruments,
                   const Pseudonymizer& pseudonyms)
    : store_(store), instruments_(instruments), pseudonyms_(pseudonyms) {}

absl::StatusOr<v1::Episode> Episodes::Open(const auth::Caller& caller,
                                           const v1::OpenEpisodeRequest& request,
                                           std::string* audit_subject) const {
  if (absl::Status valid = core::ValidateOpenEpisodeRequest(request, base::NowMicros());
      !valid.ok()) {
    return valid;
  }
  *audit_subject = pseudonyms_.Pseudonym(caller.clinic_id, request.patient_id());
  const int64_t opened_at_us =
      request.has_opened_at() ? base::TimestampToMicros(request.opened_at()) : 0;
  return store_.OpenEpisode(caller.clinic_id, request.request_id(), request.patient_id(),
                            opened_at_us);
}

absl::StatusOr<v1::Episode> Episodes::Close(const auth::Caller& caller,
                                            const v1::CloseEpisodeRequest& request,
                                            std::string* audit_subject) const {
  if (absl::Status valid = core::ValidateCloseEpisodeRequest(request, base::NowMicros());
      !valid.ok()) {
    return valid;
  }
  *audit_subject = request.name();
  auto id = core::ParseRecordName(request.name(), "episodes", "name");
  if (!id.ok()) return id.status();
  const int64_t closed_at_us =
      request.has_closed_at() ? base::TimestampToMicros(request.closed_at()) : 0;
  return store_.CloseEpisode(caller.clinic_id, *id, closed_at_us);
}

absl::StatusOr<v1::ListEpisodesResponse> Episodes::List(const auth::Caller& caller,
                                                        const v1::ListEpisodesRequest& request,
                                                        std::string* audit_subject) const {
  if (request.patient_id().empty()) return core::InvalidField("patient_id", "is required");
  *audit_subject = pseudonyms_.Pseudonym(caller.clinic_id, request.patient_id());
  auto episodes = store_.ListEpisodes(caller.clinic_id, request.patient_id());
  if (!episodes.ok()) return episodes.status();
  v1::ListEpisodesResponse response;
  for (v1::Episode& episode : *episodes) *response.add_episodes() = std::move(episode);
  return response;
}

absl::StatusOr<v1::EpisodeResult> Episodes::GetResult(const auth::Caller& caller,
                                                      const v1::GetEpisodeResultRequest& request,
                                                      std::string* audit_subject) const {
  auto id = core::ParseRecordName(request.name(), "episodes", "name");
  if (!id.ok()) return id.status();
  *audit_subject = request.name();
  auto record = store_.GetEpisodeRecord(caller.clinic_id, *id);
  if (!record.ok()) return record.status();
  return core::ComputeEpisodeResult(*record, [this](const std::string& instrument_id) {
    return instruments_.FindById(instrument_id);
  });
}

}  // namespace scoliomassage::app
