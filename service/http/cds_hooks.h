// CDS Hooks 2.0: the services this server offers, the check of an incoming
// hook request, and the cards made from a RecommendProtocolResponse. Pure
// functions over JSON and protos; the socket side is http_server.cc.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "http/cds_mapping.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::http {

struct CdsService {
  std::string id;
  std::string hook;
  std::string title;
  std::string description;
};

// scoliomassage-checkin (encounter-start) and scoliomassage-appointment (appointment-book).
const std::vector<CdsService>& CdsServices();
const CdsService* FindCdsService(const std::string& id);

// GET /cds-services.
nlohmann::json DiscoveryDocument(const CdsMapping& mapping);

// Called once the request checked out, before the prefetch is mapped: may
// fill missing prefetch keys (prefetch_fetcher.h); an error ends the call.
using FillPrefetch = std::function<absl::Status(nlohmann::json* prefetch)>;

// The hook request checked against `service` and turned into the request the
// gRPC face would get. INVALID_ARGUMENT names the field; PREFETCH_MISSING (412).
absl::StatusOr<v1::RecommendProtocolRequest> ParseHookRequest(const CdsService& service,
                                                              const nlohmann::json& body,
                                                              const CdsMapping& mapping,
                                                              absl::Time now,
                                                              const FillPrefetch& fill = nullptr);

// {"cards":[...]}: one INFO card with today's protocol (or the decision when
// there are no steps) and one card per card of the response. Never a null,
// "", [] or {} value.
nlohmann::json CardsResponse(const v1::RecommendProtocolResponse& response);

// CDS Hooks: summary "<140 characters".
inline constexpr size_t kSummaryLimit = 140;

}  // namespace scoliomassage::http
