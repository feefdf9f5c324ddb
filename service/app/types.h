// Shared types of the application layer: it joins the core (engine, validation)
// with the Store for one caller. No gRPC includes, so it is tested directly.
#pragma once

#include <functional>
#include <string>

#include "app/pseudonym.h"
#include "auth/caller.h"
#include "core/engine.h"
#include "scoliomassage/v1/protocol.pb.h"
#include "storage/store.h"

namespace scoliomassage::app {

// Where a recommendation is recorded after it is answered (not waited for).
using RecommendationSink = std::function<void(const std::string& clinic_id,
                                              const v1::RecommendProtocolRequest& request,
                                              const v1::RecommendProtocolResponse& response)>;

// Random 128-bit lowercase hex, for recommendation ids.
std::string RandomHexId();

}  // namespace scoliomassage::app
