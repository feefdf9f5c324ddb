// CDS Hooks 2.0, "prefetch not provided": the service GETs what it needs from
// the EHR's fhirServer with the fhirAuthorization access token. The rules of
// which server, which query and which answer are in cds_prefetch.h; this
// file does the GETs with cpp-httplib's client (HTTPS verified against the
// system's CAs), bounded in time and size, never following a redirect, and
// sending only the EHR's token (never a credential of ours).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"

namespace scoliomassage::http {

struct PrefetchFetchPolicy {
  // The calling issuer's "fhir_servers" (the issuers file).
  std::vector<std::string> allowed_servers;
  // Dev mode (no issuers file, loopback listener): any loopback fhirServer.
  bool allow_loopback = false;
};

// Fills each key of `templates` that `*prefetch` lacks (or has as null).
// Nothing is fetched when no key is missing or the hook request names no
// fhirServer (a missing required key is then PREFETCH_MISSING, as before).
// With a fhirServer, a key that cannot be fetched (server not allowlisted, no
// fhirAuthorization, unreachable, 401, a redirect, a body that is not the
// FHIR resource asked for, too big or too slow) is PREFETCH_FETCH_FAILED
// (412) naming the key, and nothing is filled: the call stores nothing.
// Optional keys (not in `required`) are fetched too when a fetch is
// possible at all, but a server the policy refuses is only an error when a
// required key is missing.
absl::Status FetchMissingPrefetch(const nlohmann::json& templates, const nlohmann::json& body,
                                  const std::vector<std::string>& required,
                                  const PrefetchFetchPolicy& policy, nlohmann::json* prefetch);

}  // namespace scoliomassage::http
