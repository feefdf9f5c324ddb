// Episodes of care for one caller: open, close (discharge), list, and the
// episode result (core/episode_result.h). Sessions and assessments join the
// patient's open episode in the Store, in their own write transaction.
#pragma once

#include "absl/status/statusor.h"
#include "app/types.h"
#include "catalog/instruments.h"
#include "scoliomassage/v1/episode.pb.h"

namespace scoliomassage::app {

class Episodes {
 public:
  Episodes(storage::Store& store, const catalog::Instruments& instruments,
           const Pseudonymizer& pseudonyms);

  absl::StatusOr<v1::Episode> Open(const auth::Caller& caller, const v1::OpenEpisodeRequest& request,
                                   std::string* audit_subject) const;
  absl::StatusOr<v1::Episode> Close(const auth::Caller& caller,
                                    const v1::CloseEpisodeRequest& request,
                                    std::string* audit_subject) const;
  absl::StatusOr<v1::ListEpisodesResponse> List(const auth::Caller& caller,
                                                const v1::ListEpisodesRequest& request,
                                                std::string* audit_subject) const;
  absl::StatusOr<v1::EpisodeResult> GetResult(const auth::Caller& caller,
                                              const v1::GetEpisodeResultRequest& request,
                                              std::string* audit_subject) const;

 private:
  storage::Store& store_;
  const catalog::Instruments& instruments_;
  const Pseudonymizer& pseudonyms_;
};

}  // namespace scoliomassage::app
