#include "http/cds_prefetch.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/errors.h"
#include "http/fhir_search.h"
#include "http/status_conversion.h"

namespace scoliomassage::http {
namespace {

using nlohmann::json;

absl::Status BadUrl(const std::string& why) { return absl::InvalidArgumentError(why); }

// "Patient/x" -> "Patient", "Observation?..." -> "Observation"; empty when
// the query does not start with a resource type.
std::string QueryType(const std::string& query) {
  size_t end = 0;
  while (end < query.size() && absl::ascii_isalpha(static_cast<unsigned char>(query[end]))) ++end;
  if (end == 0 || !absl::ascii_isupper(static_cast<unsigned char>(query[0]))) return {};
  if (end < query.size() && query[end] != '/' && query[end] != '?') return {};
  return query.substr(0, end);
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  const std::string lower = absl::AsciiStrToLower(host);
  return lower == "localhost" || lower == "::1" || absl::StartsWith(lower, "127.");
}

absl::StatusOr<FhirServerUrl> ParseFhirServerUrl(const std::string& url) {
  FhirServerUrl out;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "https://")) {
    out.scheme = "https";
    out.port = 443;
  } else if (absl::ConsumePrefix(&rest, "http://")) {
    out.scheme = "http";
    out.port = 80;
  } else {
    return BadUrl("is not an http(s) URL");
  }
  if (rest.find_first_of("?#") != absl::string_view::npos) return BadUrl("has a query or fragment");
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  absl::string_view path = slash == absl::string_view::npos ? absl::string_view() : rest.substr(slash);
  if (authority.find('@') != absl::string_view::npos) return BadUrl("carries user info");
  absl::string_view host = authority;
  absl::string_view port;
  if (absl::ConsumePrefix(&host, "[")) {
    const size_t close = host.find(']');
    if (close == absl::string_view::npos) return BadUrl("has a bad IPv6 host");
    absl::string_view after = host.substr(close + 1);
    host = host.substr(0, close);
    if (!after.empty() && !absl::ConsumePrefix(&after, ":")) return BadUrl("has a bad port");
    port = after;
  } else if (const size_t colon = host.find(':'); colon != absl::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) return BadUrl("has no host");
  for (char c : host) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':')) {
      return BadUrl("has a bad host");
    }
  }
  if (!port.empty() && (!absl::SimpleAtoi(port, &out.port) || out.port < 1 || out.port > 65535)) {
    return BadUrl("has a bad port");
  }
  out.host = absl::AsciiStrToLower(host);
  while (absl::ConsumeSuffix(&path, "/")) {
  }
  out.path = std::string(path);
  if (out.scheme == "http" && !IsLoopbackHost(out.host)) {
    return BadUrl("is plaintext http to a host that is not loopback (use https)");
  }
  const std::string shown_host = out.host.find(':') != std::string::npos ? "[" + out.host + "]" : out.host;
  out.origin = absl::StrCat(out.scheme, "://", shown_host, ":", out.port);
  out.base = out.origin + out.path;
  return out;
}

bool FhirServerAllowed(const FhirServerUrl& fhir_server, const std::vector<std::string>& allowed) {
  for (const std::string& entry : allowed) {
    auto parsed = ParseFhirServerUrl(entry);
    if (parsed.ok() && parsed->base == fhir_server.base) return true;
  }
  return false;
}

absl::StatusOr<std::string> SubstitutePrefetchTokens(const std::string& templ, const json& context) {
  std::string out;
  size_t at = 0;
  while (at < templ.size()) {
    const size_t open = templ.find("{{", at);
    if (open == std::string::npos) {
      out.append(templ, at, std::string::npos);
      break;
    }
    const size_t close = templ.find("}}", open + 2);
    if (close == std::string::npos) return absl::InvalidArgumentError("an unclosed {{ token");
    out.append(templ, at, open - at);
    const std::string token(absl::StripAsciiWhitespace(templ.substr(open + 2, close - open - 2)));
    std::string value;
    absl::string_view name = token;
    if (absl::ConsumePrefix(&name, "context.")) {
      if (context.is_object()) {
        auto it = context.find(std::string(name));
        if (it != context.end() && it->is_string()) value = it->get<std::string>();
      }
    } else {
      // CDS Hooks 2.0: the user tokens are the id of context.userId when it
      // is a reference to that resource type.
      static const std::pair<const char*, const char*> kUserTokens[] = {
          {"userPractitionerId", "Practitioner/"},
          {"userPractitionerRoleId", "PractitionerRole/"},
          {"userPatientId", "Patient/"},
          {"userRelatedPersonId", "RelatedPerson/"}};
      for (const auto& [user_token, prefix] : kUserTokens) {
        if (token != user_token || !context.is_object() || !context.contains("userId") ||
            !context["userId"].is_string()) {
          continue;
        }
        absl::string_view user = context["userId"].get_ref<const std::string&>();
        if (absl::ConsumePrefix(&user, prefix)) value = std::string(user);
      }
    }
    if (value.empty()) return absl::InvalidArgumentError(absl::StrCat("the token {{", token, "}} has no value"));
    out += UrlEncode(value);
    at = close + 2;
  }
  if (QueryType(out).empty()) {
    return absl::InvalidArgumentError("is not a relative FHIR query (Type/id or Type?params)");
  }
  return out;
}

absl::StatusOr<json> ParseFetchedResource(const std::string& query, const std::string& body) {
  json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object() || !value.contains("resourceType") ||
      !value["resourceType"].is_string()) {
    return absl::InvalidArgumentError("the FHIR server's answer is not a FHIR JSON resource");
  }
  const std::string type = value["resourceType"].get<std::string>();
  if (type == "OperationOutcome") {
    return absl::InvalidArgumentError("the FHIR server answered an OperationOutcome");
  }
  const bool search = query.find('?') != std::string::npos;
  const std::string want = search ? "Bundle" : QueryType(query);
  if (type != want) {
    return absl::InvalidArgumentError(absl::StrCat("the FHIR server answered a ", type, ", not a ", want));
  }
  if (search && value.contains("entry") && !value["entry"].is_array()) {
    return absl::InvalidArgumentError("the FHIR server's Bundle has a bad entry list");
  }
  return value;
}

absl::Status PrefetchFetchFailed(const std::string& key, const std::string& why) {
  return core::WithReason(
      absl::FailedPreconditionError(absl::StrCat("prefetch '", key, "' is missing and could not be fetched "
                                                 "from fhirServer: ", why)),
      kReasonPrefetchFetchFailed);
}

}  // namespace scoliomassage::http
