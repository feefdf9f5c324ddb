#include "cds_client.h"

#include <httplib.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace scoliomassage::bench {
namespace {

using nlohmann::json;

constexpr char kIssuer[] = "https://ehr.bench.invalid";
constexpr char kKeyId[] = "bench-ec-1";
constexpr char kCheckInPath[] = "/cds-services/scoliomassage-checkin";

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "scoliomassage-bench: CDS client: %s\n", message.c_str());
  std::exit(2);
}

std::string B64Url(const std::string& bytes) {
  std::string out;
  absl::WebSafeBase64Escape(bytes, &out);  // no padding, as JOSE wants
  return out;
}

json Bundle(json resources) {
  json bundle = {{"resourceType", "Bundle"}, {"type", "searchset"}, {"entry", json::array()}};
  for (json& resource : resources) bundle["entry"].push_back({{"resource", std::move(resource)}});
  return bundle;
}

json Coding(const std::string& system, const std::string& code) {
  return {{"coding", json::array({{{"system", system}, {"code", code}}})}};
}

// The prefetch that maps to the bench's RecommendRequest: born on 1 January
// 34 years ago (so 34 on any day of this year), ICD-10-CM M41.126 (lumbar),
// Cobb 18, C-curve convex right, pain 4.
json Prefetch(const std::string& patient_id) {
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  const std::string birth = absl::StrCat(today.year() - 34, "-01-01");
  const std::string codes = "urn:scoliomassage:codes";
  json cobb = {{"resourceType", "Observation"},
               {"status", "final"},
               {"code", Coding(codes, "cobb-angle")},
               {"effectiveDateTime", absl::StrCat(today.year(), "-01-10")},
               {"valueQuantity", {{"value", 18}, {"unit", "deg"}}},
               {"component",
                json::array({{{"code", Coding(codes, "curve-pattern")}, {"valueString", "C"}},
                             {{"code", Coding(codes, "convex-side")}, {"valueString", "right"}}})}};
  json pain = {{"resourceType", "Observation"},
               {"status", "final"},
               {"code", Coding("http://loinc.org", "72514-3")},
               {"effectiveDateTime", absl::StrCat(today.year(), "-02-01")},
               {"valueInteger", 4}};
  json scoliosis = {
      {"resourceType", "Condition"},
      {"subject", {{"reference", "Patient/" + patient_id}}},
      {"clinicalStatus", Coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active")},
      {"code", Coding("http://hl7.org/fhir/sid/icd-10-cm", "M41.126")}};
  return {{"patient", {{"resourceType", "Patient"}, {"id", patient_id}, {"birthDate", birth}}},
          {"scoliosis", Bundle(json::array({std::move(scoliosis)}))},
          {"cobb", Bundle(json::array({std::move(cobb)}))},
          {"pain", Bundle(json::array({std::move(pain)}))},
          {"conditions", Bundle(json::array())}};
}

std::string BigNumber(EVP_PKEY* key, const char* name) {
  BIGNUM* number = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &number) != 1) Fail("cannot read the public key");
  std::string bytes(static_cast<size_t>(BN_num_bytes(number)), '\0');
  BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(number);
  return bytes;
}

// SHA-384 signature of `input`: PKCS #1 v1.5 for RSA, DER for EC. "" on failure.
std::string Sign(EVP_PKEY* key, const std::string& input) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  size_t length = 0;
  std::string signature;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSignInit(context, nullptr, EVP_sha384(), nullptr, key) == 1 &&
      EVP_DigestSign(context, nullptr, &length, data, input.size()) == 1) {
    signature.resize(length);
    if (EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                       input.size()) == 1) {
      signature.resize(length);
    } else {
      signature.clear();
    }
  }
  EVP_MD_CTX_free(context);
  return signature;
}

}  // namespace

double MeasureEs384VerifyUs(int count) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-384"), EVP_PKEY_free);
  if (!key) Fail("cannot make a P-384 key");
  const std::string input(400, 'j');  // about a CDS Hooks token's header and claims
  const std::string signature = Sign(key.get(), input);
  if (signature.empty()) Fail("cannot sign with P-384");
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  const auto* sig = reinterpret_cast<const unsigned char*>(signature.data());
  const absl::Time start = absl::Now();
  for (int i = 0; i < count; ++i) {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    const bool ok = EVP_DigestVerifyInit(context, nullptr, EVP_sha384(), nullptr, key.get()) == 1 &&
                    EVP_DigestVerify(context, sig, signature.size(), data, input.size()) == 1;
    EVP_MD_CTX_free(context);
    if (!ok) Fail("a P-384 signature did not verify");
  }
  return absl::ToDoubleMicroseconds(absl::Now() - start) / count;
}

struct CdsClient::State {
  std::shared_ptr<EVP_PKEY> key;
  std::unique_ptr<httplib::Client> http;
  std::string audience;
  std::deque<std::string> tokens;
  std::mt19937_64 random{std::random_device{}()};
  uint64_t signed_count = 0;
  int64_t unsigned_ahead = 0;
};

CdsClient::CdsClient(const std::string& dir, const std::string& clinic)
    : state_(std::make_unique<State>()) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (key == nullptr) Fail("cannot make an RSA key");
  state_->key.reset(key, EVP_PKEY_free);
  const json jwks = {{"keys", json::array({{{"kty", "RSA"},
                                            {"kid", kKeyId},
                                            {"use", "sig"},
                                            {"alg", "RS384"},
                                            {"n", B64Url(BigNumber(key, OSSL_PKEY_PARAM_RSA_N))},
                                            {"e", B64Url(BigNumber(key, OSSL_PKEY_PARAM_RSA_E))}}})}};
  std::ofstream(dir + "/cds-jwks.json") << jwks.dump();
  issuers_file_ = dir + "/cds-issuers.json";
  const json issuers = {
      {"issuers", json::array({{{"iss", kIssuer}, {"jwks", "cds-jwks.json"}, {"clinic", clinic}}})}};
  std::ofstream out(issuers_file_);
  out << issuers.dump();
  if (!out) Fail("cannot write " + issuers_file_);
}

CdsClient::~CdsClient() = default;

void CdsClient::Connect(int http_port) {
  if (http_port <= 0) Fail("the server has no HTTP face");
  state_->http = std::make_unique<httplib::Client>("127.0.0.1", http_port);
  state_->http->set_keep_alive(true);
  state_->http->set_tcp_nodelay(true);
  state_->http->set_read_timeout(30, 0);
  // aud is the exact endpoint URL (CDS Hooks 2.0); the server's default
  // public URL is http://HOST:PORT.
  state_->audience = absl::StrCat("http://127.0.0.1:", http_port, kCheckInPath);
}

std::string CdsClient::SignToken() {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const json header = {{"alg", "RS384"}, {"typ", "JWT"}, {"kid", kKeyId}};
  const json payload = {{"iss", kIssuer},
                        {"sub", "bench-ehr"},
                        {"aud", state_->audience},
                        {"iat", now},
                        {"exp", now + 240},
                        {"jti", absl::StrCat("bench-", state_->random(), "-", ++state_->signed_count)}};
  const std::string input = B64Url(header.dump()) + "." + B64Url(payload.dump());
  const std::string signature = Sign(state_->key.get(), input);
  if (signature.empty()) Fail("cannot sign a token");
  return input + "." + B64Url(signature);
}

void CdsClient::PresignTokens(int count) {
  state_->tokens.clear();  // older ones may be near their 4-minute expiry
  for (int i = 0; i < count; ++i) state_->tokens.push_back(SignToken());
}

std::string CdsClient::CheckIn(const std::string& patient_id, const std::string& expect_protocol_id) {
  if (!state_->http) return "not connected";
  std::string token;
  if (state_->tokens.empty()) {
    token = SignToken();  // the pool ran dry: this call also times a signature
    ++state_->unsigned_ahead;
  } else {
    token = std::move(state_->tokens.front());
    state_->tokens.pop_front();
  }
  const json body = {{"hook", "encounter-start"},
                     {"hookInstance", absl::StrCat("bench-hook-", state_->random())},
                     {"context", {{"userId", "Practitioner/bench"},
                                  {"patientId", patient_id},
                                  {"encounterId", "bench-encounter"}}},
                     {"prefetch", Prefetch(patient_id)}};
  const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
  httplib::Result result = state_->http->Post(kCheckInPath, headers, body.dump(), "application/json");
  if (!result) return "HTTP error " + httplib::to_string(result.error());
  if (result->status != 200) return absl::StrCat("HTTP ", result->status, ": ", result->body.substr(0, 300));
  if (result->body.find("\"cards\"") == std::string::npos ||
      result->body.find(expect_protocol_id) == std::string::npos) {
    return "a 200 without cards for " + expect_protocol_id + ": " + result->body.substr(0, 300);
  }
  return "";
}

int64_t CdsClient::unsigned_ahead() const { return state_->unsigned_ahead; }

}  // namespace scoliomassage::bench
