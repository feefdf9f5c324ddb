#include "http/prefetch_fetcher.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "http/cds_prefetch.h"

namespace scoliomassage::http {
namespace {

using nlohmann::json;

bool Missing(const json& prefetch, const std::string& key) {
  auto it = prefetch.find(key);
  return it == prefetch.end() || it->is_null();
}

// A header value the EHR gave us: printable ASCII only, so it cannot split
// the request's headers.
bool IsHeaderSafe(const std::string& value) {
  if (value.empty() || value.size() > 8192) return false;
  for (unsigned char c : value) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// The access token of fhirAuthorization (CDS Hooks 2.0: access_token, with
// token_type "Bearer"); empty with `why` when unusable.
std::string AccessToken(const json& body, std::string* why) {
  auto it = body.find("fhirAuthorization");
  if (it == body.end() || !it->is_object()) {
    *why = "the request has no fhirAuthorization";
    return {};
  }
  const json& auth = *it;
  if (auth.contains("token_type") &&
      (!auth["token_type"].is_string() || absl::AsciiStrToLower(auth["token_type"].get<std::string>()) != "bearer")) {
    *why = "fhirAuthorization.token_type must be Bearer";
    return {};
  }
  if (!auth.contains("access_token") || !auth["access_token"].is_string() ||
      !IsHeaderSafe(auth["access_token"].get<std::string>())) {
    *why = "fhirAuthorization.access_token is missing or not a token";
    return {};
  }
  return auth["access_token"].get<std::string>();
}

std::string ErrorText(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection: return "the FHIR server is unreachable";
    case httplib::Error::Read: return "reading the FHIR server's answer failed or timed out";
    case httplib::Error::Write: return "sending to the FHIR server failed";
    case httplib::Error::Canceled: return "the FHIR server's answer is too large";
    case httplib::Error::SSLConnection: return "the TLS connection to the FHIR server failed";
    case httplib::Error::SSLServerVerification: return "the FHIR server's TLS certificate is not trusted";
    case httplib::Error::ConnectionTimeout: return "connecting to the FHIR server timed out";
    default: return "the request to the FHIR server failed";
  }
}

}  // namespace

absl::Status FetchMissingPrefetch(const json& templates, const json& body, const std::vector<std::string>& required,
                                  const PrefetchFetchPolicy& policy, json* prefetch) {
  if (!prefetch->is_object()) *prefetch = json::object();
  // Required keys first, in their order, so an error names the one that matters.
  std::vector<std::string> missing;
  for (const std::string& key : required) {
    if (templates.contains(key) && Missing(*prefetch, key)) missing.push_back(key);
  }
  for (auto it = templates.begin(); it != templates.end(); ++it) {
    if (std::find(required.begin(), required.end(), it.key()) == required.end() && Missing(*prefetch, it.key())) {
      missing.push_back(it.key());
    }
  }
  if (missing.empty() || !body.contains("fhirServer") || !body["fhirServer"].is_string()) {
    return absl::OkStatus();
  }
  const bool required_missing = std::any_of(missing.begin(), missing.end(), [&](const std::string& key) {
    return std::find(required.begin(), required.end(), key) != required.end();
  });
  const std::string& named = missing.front();  // a required key when one is missing
  // A refusal by policy fails the call only when it needs the data.
  auto refuse = [&](const std::string& why) {
    return required_missing ? PrefetchFetchFailed(named, why) : absl::OkStatus();
  };
  auto server = ParseFhirServerUrl(body["fhirServer"].get<std::string>());
  if (!server.ok()) return refuse(absl::StrCat("fhirServer ", server.status().message()));
  const bool allowed = FhirServerAllowed(*server, policy.allowed_servers) ||
                       (policy.allow_loopback && IsLoopbackHost(server->host));
  if (!allowed) return refuse("fhirServer is not on this issuer's fhir_servers allowlist");
  std::string why;
  const std::string token = AccessToken(body, &why);
  if (token.empty()) return refuse(why);

  const json& context = body.contains("context") ? body["context"] : json::object();
  httplib::Client client(server->origin);
  client.set_follow_location(false);  // a redirect could leave the allowed origin
  client.enable_server_certificate_verification(true);
  client.set_keep_alive(true);        // several keys, one connection
  client.set_connection_timeout(std::chrono::milliseconds(kPrefetchConnectTimeoutMs));
  client.set_write_timeout(std::chrono::milliseconds(kPrefetchReadTimeoutMs));
  const httplib::Headers headers = {{"Accept", "application/fhir+json"},
                                    {"Authorization", "Bearer " + token}};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kPrefetchTotalBudgetMs);
  json fetched = json::object();
  for (const std::string& key : missing) {
    auto query = SubstitutePrefetchTokens(templates[key].get<std::string>(), context);
    if (!query.ok()) return PrefetchFetchFailed(key, absl::StrCat("the template ", query.status().message()));
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return PrefetchFetchFailed(key, "the time for fetching prefetch ran out");
    client.set_read_timeout(std::min(left, std::chrono::milliseconds(kPrefetchReadTimeoutMs)));
    std::string received;
    bool too_big = false;
    auto result = client.Get(
        server->path + "/" + *query, headers,
        [&](const httplib::Response& response) {
          // A declared length over the limit is refused before any of it is read.
          const std::string length = response.get_header_value("Content-Length");
          uint64_t declared = 0;
          too_big = !length.empty() && absl::SimpleAtoi(length, &declared) && declared > kPrefetchMaxBodyBytes;
          return !too_big;
        },
        [&](const char* data, size_t size) {
          if (received.size() + size > kPrefetchMaxBodyBytes) {
            too_big = true;
            return false;
          }
          received.append(data, size);
          return true;
        });
    if (too_big) return PrefetchFetchFailed(key, "the FHIR server's answer is too large");
    if (!result) return PrefetchFetchFailed(key, ErrorText(result.error()));
    const int status = result->status;
    if (status == 401 || status == 403) {
      return PrefetchFetchFailed(key, absl::StrCat("the FHIR server refused the access token (HTTP ", status, ")"));
    }
    if (status >= 300 && status < 400) {
      return PrefetchFetchFailed(key, absl::StrCat("the FHIR server redirected (HTTP ", status,
                                                   "); redirects are not followed"));
    }
    if (status != 200) return PrefetchFetchFailed(key, absl::StrCat("the FHIR server answered HTTP ", status));
    const std::string type = absl::AsciiStrToLower(result->get_header_value("Content-Type"));
    if (!type.empty() && !absl::StrContains(type, "json")) {
      return PrefetchFetchFailed(key, "the FHIR server's answer is not JSON");
    }
    auto resource = ParseFetchedResource(*query, received);
    if (!resource.ok()) return PrefetchFetchFailed(key, std::string(resource.status().message()));
    fetched[key] = *std::move(resource);
  }
  // All or nothing: the prefetch changes only when every key came back.
  for (auto it = fetched.begin(); it != fetched.end(); ++it) (*prefetch)[it.key()] = std::move(it.value());
  return absl::OkStatus();
}

}  // namespace scoliomassage::http
