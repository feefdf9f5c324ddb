// Stable pseudonyms for analytics callers (HIPAA minimum necessary): the
// patient id is replaced with HMAC-SHA256(clinic key, patient id), where the
// clinic key is HMAC-SHA256(server secret, clinic id). The same patient keeps
// the same pseudonym across calls, clinics cannot correlate each other's
// pseudonyms, and without the secret the id cannot be recovered.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace scoliomassage::app {

class Pseudonymizer {
 public:
  explicit Pseudonymizer(std::string server_secret);
  // 32 lowercase hex characters prefixed with "p_".
  std::string Pseudonym(absl::string_view clinic_id, absl::string_view patient_id) const;

 private:
  std::string server_secret_;
};

}  // namespace scoliomassage::app
