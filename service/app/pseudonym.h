// Stable pseudonyms for analytics callers (HIPAA minimum necessary): the
// patient id is replaced with HMAC-SHA256(clinic key, patient id), where the
// clinic key is HMAC-SHA256(server secret, clinic id). The same patient keeps
// the same pseudonym across calls, clinics cannot correlate each other's
// pseudonyms, and without the secret the id cannot be recovered.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "absl/strings/string_view.h"

namespace scoliomassage::app {

class Pseudonymizer {
 public:
  explicit Pseudonymizer(std::string server_secret);
  // 32 lowercase hex characters prefixed with "p_".
  std::string Pseudonym(absl::string_view clinic_id, absl::string_view patient_id) const;

 private:
  std::string ClinicKey(absl::string_view clinic_id) const;

  std::string server_secret_;
  // Clinic keys already derived (a server serves a few clinics; every
  // patient call needs one): half the HMACs of a pseudonym.
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::string, std::less<>> clinic_keys_;
};

}  // namespace scoliomassage::app
