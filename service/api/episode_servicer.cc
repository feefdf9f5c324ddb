#include "api/episode_servicer.h"

namespace scoliomassage::api {
namespace {

template <typename Request, typename Response, typename Method>
CallRunner::Work Adapt(const app::Episodes& episodes, Method method, const Request* request,
                       Response* response) {
  return [&episodes, method, request, response](CallScope& scope) {
    auto result = (episodes.*method)(scope.caller, *request, &scope.subject);
    if (result.ok()) *response = *std::move(result);
    return result.status();
  };
}

}  // namespace

grpc::ServerUnaryReactor* EpisodeServicer::OpenEpisode(grpc::CallbackServerContext* context,
                                                       const v1::OpenEpisodeRequest* request,
                                                       v1::Episode* response) {
  return runner_.RunUnary(context, auth::Method::kOpenEpisode,
                          Adapt(episodes_, &app::Episodes::Open, request, response));
}

grpc::ServerUnaryReactor* EpisodeServicer::CloseEpisode(grpc::CallbackServerContext* context,
                                                        const v1::CloseEpisodeRequest* request,
                                                        v1::Episode* response) {
  return runner_.RunUnary(context, auth::Method::kCloseEpisode,
                          Adapt(episodes_, &app::Episodes::Close, request, response));
}

grpc::ServerUnaryReactor* EpisodeServicer::ListEpisodes(grpc::CallbackServerContext* context,
                                                        const v1::ListEpisodesRequest* request,
                                                        v1::ListEpisodesResponse* response) {
  return runner_.RunUnary(context, auth::Method::kListEpisodes,
                          Adapt(episodes_, &app::Episodes::List, request, response));
}

grpc::ServerUnaryReactor* EpisodeServicer::GetEpisodeResult(
    grpc::CallbackServerContext* context, const v1::GetEpisodeResultRequest* request,
    v1::EpisodeResult* response) {
  return runner_.RunUnary(context, auth::Method::kGetEpisodeResult,
                          Adapt(episodes_, &app::Episodes::GetResult, request, response));
}

}  // namespace scoliomassage::api
