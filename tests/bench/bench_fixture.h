// What every benchmark executable shares: the callers' credentials and the
// requests they send, so the bench, the profile and the plugin JSON bench
// measure the very same check-in and the very same log.
#pragma once

#include <random>
#include <string>

#include "scoliomassage/v1/outcome.pb.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::bench {

// Bearer tokens of the benchmark's callers (clinic "bench"); the tokens file
// holds their SHA-256 (printf %s TOKEN | sha256sum).
inline constexpr char kHostToken[] = "bench-host-token";
inline constexpr char kAnalyticsToken[] = "bench-analytics-token";

// Writes `dir`/tokens and, beside it, the pseudonym secret a server with a
// tokens file needs (what ServerProcess passes); returns the tokens path.
std::string WriteCredentials(const std::string& dir);

// A random version-4 UUID, for request ids.
std::string NewUuid(std::mt19937_64& random);

// The check-in every figure uses: 34 years old, lumbar C-curve convex right,
// Cobb 18, pain 4, no red flags (cds_client.cc's prefetch says the same).
v1::RecommendProtocolRequest RecommendRequest(const std::string& patient_id);

// A durable session log for `patient` (lumbar-c-curve v1, 15 minutes, pain
// 5 -> 3), new request id.
v1::LogOutcomeRequest LogRequest(const std::string& patient, int session, std::mt19937_64& random);

}  // namespace scoliomassage::bench
