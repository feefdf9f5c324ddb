#pragma once

#include "api/call_runner.h"
#include "app/episodes.h"
#include "scoliomassage/v1/episode.grpc.pb.h"

namespace scoliomassage::api {

// Thin adapter: proto in, app::Episodes, proto out.
class EpisodeServicer final : public v1::EpisodeService::CallbackService {
 public:
  EpisodeServicer(CallRunner& runner, const app::Episodes& episodes)
      : runner_(runner), episodes_(episodes) {}

  grpc::ServerUnaryReactor* OpenEpisode(grpc::CallbackServerContext* context,
                                        const v1::OpenEpisodeRequest* request,
                                        v1::Episode* response) override;
  grpc::ServerUnaryReactor* CloseEpisode(grpc::CallbackServerContext* context,
                                         const v1::CloseEpisodeRequest* request,
                                         v1::Episode* response) override;
  grpc::ServerUnaryReactor* ListEpisodes(grpc::CallbackServerContext* context,
                                         const v1::ListEpisodesRequest* request,
                                         v1::ListEpisodesResponse* response) override;
  grpc::ServerUnaryReactor* GetEpisodeResult(grpc::CallbackServerContext* context,
                                             const v1::GetEpisodeResultRequest* request,
                                             v1::EpisodeResult* response) override;

 private:
  CallRunner& runner_;
  const app::Episodes& episodes_;
};

}  // namespace scoliomassage::api
