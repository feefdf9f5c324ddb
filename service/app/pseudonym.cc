#include "app/pseudonym.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/hex.h"

namespace scoliomassage::app {
namespace {

// Past this many clinics keys are derived per call instead of remembered.
constexpr size_t kMaxCachedClinicKeys = 1024;

std::string HmacSha256(absl::string_view key, absl::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace

Pseudonymizer::Pseudonymizer(std::string server_secret) : server_secret_(std::move(server_secret)) {}

std::string Pseudonymizer::ClinicKey(absl::string_view clinic_id) const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = clinic_keys_.find(clinic_id); it != clinic_keys_.end()) return it->second;
  }
  std::string key = HmacSha256(server_secret_, clinic_id);
  std::lock_guard<std::mutex> lock(mutex_);
  if (clinic_keys_.size() < kMaxCachedClinicKeys) clinic_keys_.emplace(clinic_id, key);
  return key;
}

std::string Pseudonymizer::Pseudonym(absl::string_view clinic_id,
                                     absl::string_view patient_id) const {
  const std::string clinic_key = ClinicKey(clinic_id);
  const std::string digest = HmacSha256(clinic_key, patient_id);
  // 16 of the 32 digest bytes: 128 bits is ample against collisions and
  // keeps the pseudonym short in exports.
  return "p_" + base::HexEncode(absl::string_view(digest).substr(0, 16));
}

}  // namespace scoliomassage::app
