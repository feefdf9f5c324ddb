// JWT checks of the CDS Hooks face with keys made by OpenSSL in the test.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "http/jwt.h"

namespace scoliomassage::http {
namespace {

using nlohmann::json;

std::string B64Url(const std::string& in) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

std::string Bn(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(pad ? pad : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

struct Key {
  std::shared_ptr<EVP_PKEY> pkey;
  std::string alg;
  json Jwk(const std::string& kid) const {
    if (alg == "ES384") {
      unsigned char point[97];
      size_t length = 0;
      EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &length);
      std::string raw(reinterpret_cast<char*>(point), length);
      return {{"kty", "EC"}, {"crv", "P-384"}, {"kid", kid}, {"x", B64Url(raw.substr(1, 48))},
              {"y", B64Url(raw.substr(49, 48))}};
    }
    return {{"kty", "RSA"}, {"kid", kid}, {"n", B64Url(Bn(pkey.get(), OSSL_PKEY_PARAM_RSA_N))},
            {"e", B64Url(Bn(pkey.get(), OSSL_PKEY_PARAM_RSA_E))}};
  }
  std::string Sign(const std::string& input) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t length = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha384(), nullptr, pkey.get());
    EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(length, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &length,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    sig.resize(length);
    if (alg != "ES384") return sig;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(96, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), reinterpret_cast<unsigned char*>(raw.data()), 48);
    BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), reinterpret_cast<unsigned char*>(raw.data()) + 48, 48);
    ECDSA_SIG_free(ecdsa);
    return raw;
  }
};

Key MakeKey(const std::string& alg) {
  EVP_PKEY* pkey = alg == "ES384" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384")
                                  : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  return Key{std::shared_ptr<EVP_PKEY>(pkey, EVP_PKEY_free), alg};
}

constexpr char kAud[] = "https://cds.example/cds-services/scoliomassage-checkin";
constexpr char kIss[] = "https://ehr.example.org";
const absl::Time kNow = absl::FromUnixSeconds(1790000000);

std::string Token(const Key& key, json claims, json header = json::object()) {
  json h = {{"alg", key.alg}, {"typ", "JWT"}, {"kid", key.alg == "ES384" ? "ec" : "rsa"}};
  h.update(header);
  const std::string input = B64Url(h.dump()) + "." + B64Url(claims.dump());
  return input + "." + B64Url(key.Sign(input));
}

json Claims() {
  const int64_t now = absl::ToUnixSeconds(kNow);
  return {{"iss", kIss}, {"aud", kAud}, {"iat", now}, {"exp", now + 240}, {"jti", "j-" + std::to_string(rand())}};
}

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    json jwks = {{"keys", {ec_.Jwk("ec"), rsa_.Jwk("rsa")}}};
    auto keys = ParseJwks(jwks.dump());
    ASSERT_TRUE(keys.ok()) << keys.status();
    verifier_ = std::make_unique<JwtVerifier>(std::vector<Issuer>{{kIss, "clinic-a", *keys, {}}});
  }
  std::string Reason(const std::string& token) {
    auto result = verifier_->Verify(token, kAud, kNow);
    if (result.ok()) return "OK";
    auto reason = result.status().GetPayload(core::kReasonTypeUrl);
    return reason ? std::string(*reason) : "none";
  }
  Key ec_ = MakeKey("ES384");
  Key rsa_ = MakeKey("RS384");
  std::unique_ptr<JwtVerifier> verifier_;
};

TEST_F(JwtTest, AcceptsES384AndRS384AndMapsTheClinic) {
  auto es = verifier_->Verify(Token(ec_, Claims()), kAud, kNow);
  ASSERT_TRUE(es.ok()) << es.status();
  EXPECT_EQ(es->clinic_id, "clinic-a");
  EXPECT_EQ(Reason(Token(rsa_, Claims())), "OK");
  json array_aud = Claims();
  array_aud["aud"] = {"https://other", kAud};
  EXPECT_EQ(Reason(Token(ec_, array_aud)), "OK");
}

TEST_F(JwtTest, RefusesEveryKindOfBadToken) {
  const int64_t now = absl::ToUnixSeconds(kNow);
  json claims = Claims();
  const std::string unsigned_part = B64Url(R"({"alg":"none","kid":"ec"})") + "." + B64Url(claims.dump());
  EXPECT_EQ(Reason(unsigned_part + "."), "ALG_NOT_ALLOWED");
  EXPECT_EQ(Reason(Token(ec_, Claims(), {{"alg", "HS256"}})), "ALG_NOT_ALLOWED");
  EXPECT_EQ(Reason(Token(ec_, Claims(), {{"alg", "ES256"}})), "ALG_NOT_ALLOWED");
  EXPECT_EQ(Reason(Token(rsa_, Claims(), {{"kid", "ec"}})), "ALG_NOT_ALLOWED");
  EXPECT_EQ(Reason(Token(ec_, Claims(), {{"kid", "nope"}})), "KID_UNKNOWN");
  json c = Claims();
  c["iss"] = "https://evil";
  EXPECT_EQ(Reason(Token(ec_, c)), "ISSUER_UNKNOWN");
  c = Claims();
  c["aud"] = "https://cds.example/cds-services/scoliomassage-appointment";
  EXPECT_EQ(Reason(Token(ec_, c)), "AUDIENCE_MISMATCH");
  c = Claims();
  c["exp"] = now - 61;
  c["iat"] = now - 200;
  EXPECT_EQ(Reason(Token(ec_, c)), "TOKEN_EXPIRED");
  c["exp"] = now - 59;  // within the skew
  EXPECT_EQ(Reason(Token(ec_, c)), "OK");
  c = Claims();
  c["iat"] = now + 120;
  c["exp"] = now + 200;
  EXPECT_EQ(Reason(Token(ec_, c)), "TOKEN_NOT_YET_VALID");
  c = Claims();
  c["exp"] = now + 3600;
  EXPECT_EQ(Reason(Token(ec_, c)), "TOKEN_LIFETIME_TOO_LONG");
  c = Claims();
  c.erase("jti");
  EXPECT_EQ(Reason(Token(ec_, c)), "TOKEN_MALFORMED");
  const std::string once = Token(ec_, Claims());
  EXPECT_EQ(Reason(once), "OK");
  EXPECT_EQ(Reason(once), "TOKEN_REPLAYED");
  std::string tampered = Token(ec_, Claims());
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Reason(tampered), "SIGNATURE_INVALID");
  EXPECT_EQ(Reason(Token(MakeKey("ES384"), Claims())), "SIGNATURE_INVALID");
  EXPECT_EQ(Reason("a.b"), "TOKEN_MALFORMED");
  EXPECT_EQ(Reason("!!.!!.!!"), "TOKEN_MALFORMED");
}

TEST(Jwks, RefusesKeysItCannotUseSafely) {
  EXPECT_FALSE(ParseJwks("{}").ok());
  EXPECT_FALSE(ParseJwks(R"({"keys":[]})").ok());
  EXPECT_FALSE(ParseJwks(R"({"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]})").ok());
  Key small{std::shared_ptr<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}), EVP_PKEY_free),
            "RS384"};
  EXPECT_FALSE(ParseJwks(json{{"keys", {small.Jwk("small")}}}.dump()).ok());
  json ec = MakeKey("ES384").Jwk("ec");
  ec["crv"] = "P-256";
  EXPECT_FALSE(ParseJwks(json{{"keys", {ec}}}.dump()).ok());
}

TEST(Base64Url, DecodesWithoutPaddingOnly) {
  std::string out;
  EXPECT_TRUE(Base64UrlDecode("aGk", &out));
  EXPECT_EQ(out, "hi");
  EXPECT_FALSE(Base64UrlDecode("aGk=", &out));
  EXPECT_FALSE(Base64UrlDecode("a+/", &out));
}

}  // namespace
}  // namespace scoliomassage::http
