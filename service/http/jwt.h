// CDS Hooks authentication: the EHR signs a JWT per call (CDS Hooks 2.0,
// "Trusting CDS Clients"). Only ES384 and RS384 are accepted ("none" and
// HMAC never: an HMAC key would be a shared secret the service must hold),
// the key is the issuer's JWKS entry named by `kid` (keys come from files the
// operator installed, never from a `jku` URL in the token), `iss` must be
// allowlisted, `aud` must be this endpoint's exact URL, `exp`/`iat` are
// checked with kClockSkew, and each `jti` is accepted once.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace scoliomassage::http {

// Tolerated clock difference between the EHR and this server.
inline constexpr absl::Duration kClockSkew = absl::Seconds(60);
// CDS Hooks: exp SHALL be no more than 5 minutes after iat. Longer-lived
// tokens are refused, which also bounds how long a jti is remembered.
inline constexpr absl::Duration kMaxTokenLifetime = absl::Minutes(5);
// jti values remembered at most (each until its token expires).
inline constexpr size_t kMaxRememberedJti = 100000;

// A public key from a JWKS file.
struct Jwk {
  std::string kid;
  std::string alg;  // "ES384" or "RS384": what this key verifies
  std::shared_ptr<EVP_PKEY> key;
};

// One allowlisted EHR.
struct Issuer {
  std::string iss;
  std::string clinic_id;
  std::map<std::string, Jwk> keys;  // by kid
  // The FHIR servers (base URLs) a hook call from this issuer may name as
  // fhirServer for fetching missing prefetch; none: no fetching.
  std::vector<std::string> fhir_servers;
};

// Parses a JWKS document ({"keys":[...]}); EC P-384 and RSA (2048+ bits) keys
// for signatures. Keys for other curves or uses are refused, not skipped, so a
// typo does not silently disable an issuer.
absl::StatusOr<std::map<std::string, Jwk>> ParseJwks(absl::string_view text);

// Loads the --cds_issuers_file: {"issuers":[{"iss":..., "jwks":"file", "clinic":...,
// "fhir_servers":["https://..."]}]}, each "jwks" relative to the issuers file;
// "fhir_servers" is optional, each an https URL (http only to loopback).
absl::StatusOr<std::vector<Issuer>> LoadIssuers(const std::string& path);

// Who the EHR is, once its token checked out.
struct CdsPrincipal {
  std::string iss;
  std::string sub;  // may be empty
  std::string clinic_id;
  std::vector<std::string> fhir_servers;  // the issuer's allowlist
};

class JwtVerifier {
 public:
  explicit JwtVerifier(std::vector<Issuer> issuers);

  // `token` is the compact JWS (no "Bearer "). `audience` is the exact URL
  // the token must name. UNAUTHENTICATED with a reason when it is refused.
  absl::StatusOr<CdsPrincipal> Verify(absl::string_view token, absl::string_view audience,
                                      absl::Time now);
  // The same with several acceptable audiences (any one of them).
  absl::StatusOr<CdsPrincipal> Verify(absl::string_view token,
                                      const std::vector<std::string>& audiences, absl::Time now);

 private:
  absl::Status Remember(const std::string& iss, const std::string& jti, absl::Time exp,
                        absl::Time now);

  std::map<std::string, Issuer> issuers_;  // by iss
  std::mutex mutex_;
  std::unordered_map<std::string, absl::Time> seen_jti_;  // "iss jti" -> expiry
};

// base64url without padding (RFC 7515); nullopt-like failure as false.
bool Base64UrlDecode(absl::string_view in, std::string* out);

}  // namespace scoliomassage::http
