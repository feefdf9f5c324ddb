#include "http/jwt.h"

#include <algorithm>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/errors.h"
#include "http/cds_prefetch.h"

namespace scoliomassage::http {
namespace {

using nlohmann::json;

absl::Status Refused(absl::string_view reason, absl::string_view why) {
  return core::WithReason(absl::UnauthenticatedError(absl::StrCat("CDS Hooks JWT refused: ", why)),
                          reason);
}

struct PkeyCtxDeleter { void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); } };
struct BnDeleter { void operator()(BIGNUM* p) const { BN_free(p); } };
struct ParamBldDeleter { void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); } };
struct ParamDeleter { void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); } };
struct MdCtxDeleter { void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); } };
struct SigDeleter { void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); } };

std::shared_ptr<EVP_PKEY> FromData(const char* type, OSSL_PARAM* params) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return nullptr;
  }
  return std::shared_ptr<EVP_PKEY>(pkey, EVP_PKEY_free);
}

std::string StringMember(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

absl::StatusOr<Jwk> ParseJwk(const json& key) {
  if (!key.is_object()) return absl::InvalidArgumentError("a JWKS key must be an object");
  Jwk jwk;
  jwk.kid = StringMember(key, "kid");
  if (jwk.kid.empty()) return absl::InvalidArgumentError("a JWKS key has no \"kid\"");
  const std::string kty = StringMember(key, "kty");
  const std::string use = StringMember(key, "use");
  if (!use.empty() && use != "sig") {
    return absl::InvalidArgumentError(absl::StrCat("key '", jwk.kid, "': \"use\" must be \"sig\""));
  }
  const std::string alg = StringMember(key, "alg");
  std::string a, b;
  if (kty == "EC") {
    if (StringMember(key, "crv") != "P-384") {
      return absl::InvalidArgumentError(absl::StrCat("key '", jwk.kid, "': only EC P-384 (ES384)"));
    }
    if (!Base64UrlDecode(StringMember(key, "x"), &a) || !Base64UrlDecode(StringMember(key, "y"), &b) ||
        a.size() != 48 || b.size() != 48) {
      return absl::InvalidArgumentError(absl::StrCat("key '", jwk.kid, "': bad \"x\" or \"y\""));
    }
    std::string point = "\x04" + a + b;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("P-384"), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
        OSSL_PARAM_construct_end()};
    jwk.key = FromData("EC", params);
    jwk.alg = "ES384";
  } else if (kty == "RSA") {
    if (!Base64UrlDecode(StringMember(key, "n"), &a) || !Base64UrlDecode(StringMember(key, "e"), &b) ||
        a.empty() || b.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("key '", jwk.kid, "': bad \"n\" or \"e\""));
    }
    std::unique_ptr<BIGNUM, BnDeleter> n(BN_bin2bn(reinterpret_cast<const unsigned char*>(a.data()),
                                                   static_cast<int>(a.size()), nullptr));
    std::unique_ptr<BIGNUM, BnDeleter> e(BN_bin2bn(reinterpret_cast<const unsigned char*>(b.data()),
                                                   static_cast<int>(b.size()), nullptr));
    std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> builder(OSSL_PARAM_BLD_new());
    if (!n || !e || !builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
      return absl::InternalError("cannot build an RSA key");
    }
    std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(builder.get()));
    jwk.key = params ? FromData("RSA", params.get()) : nullptr;
    if (jwk.key && EVP_PKEY_get_bits(jwk.key.get()) < 2048) {
      return absl::InvalidArgumentError(absl::StrCat("key '", jwk.kid, "': RSA keys need 2048 bits or more"));
    }
    jwk.alg = "RS384";
  } else {
    return absl::InvalidArgumentError(absl::StrCat("key '", jwk.kid, "': \"kty\" must be EC or RSA"));
  }
  if (!jwk.key) return absl::InvalidArgumentError(absl::StrCat("key '", jwk.kid, "': not a valid public key"));
  if (!alg.empty() && alg != jwk.alg) {
    return absl::InvalidArgumentError(
        absl::StrCat("key '", jwk.kid, "': \"alg\" must be ", jwk.alg, " for this key type"));
  }
  return jwk;
}

bool VerifySignature(const Jwk& jwk, absl::string_view signed_part, const std::string& signature) {
  std::string der;
  const std::string* sig = &signature;
  if (jwk.alg == "ES384") {
    // JWS carries R || S (48 bytes each); OpenSSL wants a DER ECDSA-Sig-Value.
    if (signature.size() != 96) return false;
    std::unique_ptr<ECDSA_SIG, SigDeleter> ecdsa(ECDSA_SIG_new());
    const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
    BIGNUM* r = BN_bin2bn(raw, 48, nullptr);
    BIGNUM* s = BN_bin2bn(raw + 48, 48, nullptr);
    if (!ecdsa || !r || !s || ECDSA_SIG_set0(ecdsa.get(), r, s) != 1) {
      BN_free(r);
      BN_free(s);
      return false;
    }
    unsigned char* out = nullptr;
    const int length = i2d_ECDSA_SIG(ecdsa.get(), &out);
    if (length <= 0) return false;
    der.assign(reinterpret_cast<char*>(out), static_cast<size_t>(length));
    OPENSSL_free(out);
    sig = &der;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(), nullptr, jwk.key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                          reinterpret_cast<const unsigned char*>(signed_part.data()),
                          signed_part.size()) == 1;
}

absl::StatusOr<json> DecodeJsonPart(absl::string_view part, absl::string_view what) {
  std::string text;
  if (!Base64UrlDecode(part, &text)) {
    return Refused("TOKEN_MALFORMED", absl::StrCat("the ", what, " is not base64url"));
  }
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return Refused("TOKEN_MALFORMED", absl::StrCat("the ", what, " is not a JSON object"));
  return value;
}

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::FailedPreconditionError(absl::StrCat("cannot read ", what, " '", path, "'"));
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

}  // namespace

bool Base64UrlDecode(absl::string_view in, std::string* out) {
  out->clear();
  unsigned int buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-') v = 62;
    else if (c == '_') v = 63;
    else return false;  // padding, '+', '/' and whitespace are not base64url
    buffer = (buffer << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return bits < 6 && (buffer & ((1u << bits) - 1)) == 0;
}

absl::StatusOr<std::map<std::string, Jwk>> ParseJwks(absl::string_view text) {
  json document = json::parse(text, nullptr, false);
  if (!document.is_object() || !document.contains("keys") || !document["keys"].is_array()) {
    return absl::InvalidArgumentError("a JWKS must be an object with a \"keys\" array");
  }
  std::map<std::string, Jwk> keys;
  for (const json& key : document["keys"]) {
    auto jwk = ParseJwk(key);
    if (!jwk.ok()) return jwk.status();
    if (keys.count(jwk->kid)) return absl::InvalidArgumentError(absl::StrCat("kid '", jwk->kid, "' appears twice"));
    keys[jwk->kid] = *std::move(jwk);
  }
  if (keys.empty()) return absl::InvalidArgumentError("the JWKS has no keys");
  return keys;
}

absl::StatusOr<std::vector<Issuer>> LoadIssuers(const std::string& path) {
  auto text = ReadFile(path, "--cds_issuers_file");
  if (!text.ok()) return text.status();
  auto fail = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("--cds_issuers_file '", path, "': ", why));
  };
  json document = json::parse(*text, nullptr, false);
  if (!document.is_object() || !document.contains("issuers") || !document["issuers"].is_array()) {
    return fail("must be {\"issuers\":[{\"iss\":...,\"jwks\":...,\"clinic\":...}]}");
  }
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  std::vector<Issuer> issuers;
  for (const json& entry : document["issuers"]) {
    if (!entry.is_object()) return fail("each issuer must be an object");
    Issuer issuer;
    issuer.iss = StringMember(entry, "iss");
    issuer.clinic_id = StringMember(entry, "clinic");
    const std::string jwks = StringMember(entry, "jwks");
    if (issuer.iss.empty() || issuer.clinic_id.empty() || jwks.empty()) {
      return fail("each issuer needs non-empty \"iss\", \"jwks\" and \"clinic\"");
    }
    for (const Issuer& other : issuers) {
      if (other.iss == issuer.iss) return fail(absl::StrCat("issuer '", issuer.iss, "' appears twice"));
    }
    const std::string jwks_path = (base / jwks).string();
    auto jwks_text = ReadFile(jwks_path, "JWKS file");
    if (!jwks_text.ok()) return fail(jwks_text.status().message());
    auto keys = ParseJwks(*jwks_text);
    if (!keys.ok()) return fail(absl::StrCat(jwks_path, ": ", keys.status().message()));
    issuer.keys = *std::move(keys);
    if (entry.contains("fhir_servers")) {
      if (!entry["fhir_servers"].is_array()) return fail("\"fhir_servers\" must be an array of URLs");
      for (const json& server : entry["fhir_servers"]) {
        const std::string url = server.is_string() ? server.get<std::string>() : std::string();
        auto parsed = ParseFhirServerUrl(url);
        if (!parsed.ok()) {
          return fail(absl::StrCat("fhir_servers entry '", url, "' ", parsed.status().message()));
        }
        issuer.fhir_servers.push_back(parsed->base);
      }
    }
    issuers.push_back(std::move(issuer));
  }
  if (issuers.empty()) return fail("lists no issuers");
  return issuers;
}

JwtVerifier::JwtVerifier(std::vector<Issuer> issuers) {
  for (auto& issuer : issuers) issuers_[issuer.iss] = std::move(issuer);
}

absl::StatusOr<CdsPrincipal> JwtVerifier::Verify(absl::string_view token, absl::string_view audience,
                                                 absl::Time now) {
  return Verify(token, std::vector<std::string>{std::string(audience)}, now);
}

absl::StatusOr<CdsPrincipal> JwtVerifier::Verify(absl::string_view token,
                                                 const std::vector<std::string>& audiences,
                                                 absl::Time now) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty()) {
    return Refused("TOKEN_MALFORMED", "not a compact JWS (header.payload.signature)");
  }
  auto header = DecodeJsonPart(parts[0], "header");
  if (!header.ok()) return header.status();
  const std::string alg = StringMember(*header, "alg");
  if (alg != "ES384" && alg != "RS384") {
    return Refused("ALG_NOT_ALLOWED", absl::StrCat("alg '", alg, "' is not allowed: ES384 or RS384 only"));
  }
  if (header->contains("typ") && StringMember(*header, "typ") != "JWT") {
    return Refused("TOKEN_MALFORMED", "typ must be JWT");
  }
  if (header->contains("crit")) return Refused("TOKEN_MALFORMED", "no critical header extension is supported");
  const std::string kid = StringMember(*header, "kid");
  if (kid.empty()) return Refused("KID_MISSING", "the header has no kid");
  auto claims = DecodeJsonPart(parts[1], "payload");
  if (!claims.ok()) return claims.status();
  const std::string iss = StringMember(*claims, "iss");
  auto issuer = issuers_.find(iss);
  if (issuer == issuers_.end()) return Refused("ISSUER_UNKNOWN", "iss is not an allowlisted issuer");
  auto key = issuer->second.keys.find(kid);
  if (key == issuer->second.keys.end()) return Refused("KID_UNKNOWN", "kid is not in the issuer's JWKS");
  if (key->second.alg != alg) return Refused("ALG_NOT_ALLOWED", "alg does not match the key's type");
  std::string signature;
  if (!Base64UrlDecode(parts[2], &signature) ||
      !VerifySignature(key->second, token.substr(0, parts[0].size() + 1 + parts[1].size()), signature)) {
    return Refused("SIGNATURE_INVALID", "the signature does not verify with the issuer's key");
  }

  // Claims, only now that they are known to come from the issuer.
  bool audience_ok = false;
  auto accepted = [&](const json& one) {
    return one.is_string() &&
           std::find(audiences.begin(), audiences.end(), one.get<std::string>()) != audiences.end();
  };
  if (auto aud = claims->find("aud"); aud != claims->end()) {
    if (aud->is_string()) audience_ok = accepted(*aud);
    if (aud->is_array()) {
      for (const json& one : *aud) audience_ok |= accepted(one);
    }
  }
  if (!audience_ok) {
    return Refused("AUDIENCE_MISMATCH", absl::StrCat("aud must be ", absl::StrJoin(audiences, " or ")));
  }
  auto exp_it = claims->find("exp");
  auto iat_it = claims->find("iat");
  if (exp_it == claims->end() || !exp_it->is_number() || iat_it == claims->end() || !iat_it->is_number()) {
    return Refused("TOKEN_MALFORMED", "exp and iat are required numbers");
  }
  const absl::Time exp = absl::FromUnixSeconds(exp_it->get<int64_t>());
  const absl::Time iat = absl::FromUnixSeconds(iat_it->get<int64_t>());
  if (exp + kClockSkew < now) return Refused("TOKEN_EXPIRED", "the token has expired");
  if (iat - kClockSkew > now) return Refused("TOKEN_NOT_YET_VALID", "iat is in the future");
  if (exp - iat > kMaxTokenLifetime || exp > now + kMaxTokenLifetime + kClockSkew) {
    return Refused("TOKEN_LIFETIME_TOO_LONG", "exp may be at most 5 minutes after iat");
  }
  const std::string jti = StringMember(*claims, "jti");
  if (jti.empty()) return Refused("TOKEN_MALFORMED", "jti is required");
  if (absl::Status fresh = Remember(iss, jti, exp + kClockSkew, now); !fresh.ok()) return fresh;
  return CdsPrincipal{iss, StringMember(*claims, "sub"), issuer->second.clinic_id,
                      issuer->second.fhir_servers};
}

absl::Status JwtVerifier::Remember(const std::string& iss, const std::string& jti, absl::Time exp,
                                   absl::Time now) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string key = iss + " " + jti;
  if (auto it = seen_jti_.find(key); it != seen_jti_.end() && it->second >= now) {
    return Refused("TOKEN_REPLAYED", "this jti was already used");
  }
  if (seen_jti_.size() >= kMaxRememberedJti) {
    for (auto it = seen_jti_.begin(); it != seen_jti_.end();) {
      it = it->second < now ? seen_jti_.erase(it) : std::next(it);
    }
    if (seen_jti_.size() >= kMaxRememberedJti) {
      // Forgetting a live jti would open a replay window: refuse instead.
      return core::WithReason(absl::UnavailableError("too many live CDS tokens to track; retry shortly"),
                              "OVERLOADED");
    }
  }
  seen_jti_[key] = exp;
  return absl::OkStatus();
}

}  // namespace scoliomassage::http
