// CDS Hooks 2.0 "prefetch not provided": the pure half of fetching it from
// the EHR's fhirServer ourselves. Which servers may be asked (the issuer's
// allowlist, https or loopback http), how a template's tokens become a
// query, and what counts as a FHIR answer. No sockets here (prefetch_fetcher
// does the GETs), so each rule is unit-tested directly.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace scoliomassage::http {

// One answer's limits: CDS Hooks wants an answer in about 500 ms, so a slow
// or huge FHIR server fails the call instead of holding an HTTP worker.
inline constexpr int kPrefetchConnectTimeoutMs = 2000;
inline constexpr int kPrefetchReadTimeoutMs = 3000;
inline constexpr int kPrefetchTotalBudgetMs = 8000;      // all keys of one call
inline constexpr size_t kPrefetchMaxBodyBytes = 1 << 20;  // per key

// A fhirServer base URL: https://host[:port][/path], or http only to a
// loopback host (127.0.0.0/8, ::1, localhost), as the server's own listeners.
// No user info, query or fragment. `base` has no trailing slash.
struct FhirServerUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets
  int port = 0;
  std::string path;    // "" or "/r4", no trailing slash
  std::string origin;  // scheme://host:port, what httplib's client takes
  std::string base;    // origin + path
};
absl::StatusOr<FhirServerUrl> ParseFhirServerUrl(const std::string& url);
bool IsLoopbackHost(const std::string& host);

// Whether `fhir_server` (from the hook request) is one of `allowed` (an
// issuer's "fhir_servers", compared after parsing, so a trailing slash or a
// default port does not matter).
bool FhirServerAllowed(const FhirServerUrl& fhir_server, const std::vector<std::string>& allowed);

// CDS Hooks 2.0 prefetch tokens: "{{context.NAME}}" (a string context field)
// and "{{userPractitionerId}}", "{{userPractitionerRoleId}}",
// "{{userPatientId}}", "{{userRelatedPersonId}}" (the id of context.userId
// when it names that resource type). Each value is percent-encoded, so an
// id can neither add query parameters nor leave the server's base path.
// A token with no value is an error (the template cannot be fetched).
absl::StatusOr<std::string> SubstitutePrefetchTokens(const std::string& templ,
                                                     const nlohmann::json& context);

// The body of a fetch of `query` as a prefetch value: JSON with a
// resourceType; a search ("Type?...") must answer a Bundle, a read
// ("Type/id") that resource type. An OperationOutcome or anything else is an
// error whose message says what came back.
absl::StatusOr<nlohmann::json> ParseFetchedResource(const std::string& query, const std::string& body);

// The error for `key` (names the key, reason PREFETCH_FETCH_FAILED, 412).
absl::Status PrefetchFetchFailed(const std::string& key, const std::string& why);

}  // namespace scoliomassage::http
