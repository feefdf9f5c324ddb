// The credentials file: who may call, with which role, for which clinic.
// It stores only SHA-256 hashes of bearer tokens, never the tokens.
//
//   # kind   secret-or-identity                                      principal  role       clinic
//   token    sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  frontdesk  host  clinic-a
//   cert     CN=therapist-7.clinic-a                                  t-7        therapist  clinic-a
//
// "token" lines match `authorization: Bearer <token>` by the hash of the
// token; "cert" lines match the subject common name of a verified mTLS client
// certificate. Hash a token with: printf %s "$TOKEN" | sha256sum
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "auth/caller.h"

namespace scoliomassage::auth {

struct CredentialEntry {
  enum class Kind { kToken, kCertificate } kind;
  // Raw 32-byte SHA-256 for tokens; the common name for certificates.
  std::string secret_or_identity;
  Caller caller;
};

// Parses the whole file; any bad line fails the parse, naming the line.
absl::StatusOr<std::vector<CredentialEntry>> ParseCredentialsFile(absl::string_view text);

// The loaded entries, replaceable at run time (SIGHUP) without a restart.
class Authenticator {
 public:
  // Loads `path`; fails when the file is missing or malformed.
  static absl::StatusOr<std::unique_ptr<Authenticator>> Load(const std::string& path);

  // Re-reads the file. On error the old entries stay in force.
  absl::Status Reload();

  // The caller for a bearer token. Compares hashes in constant time and
  // always looks at every entry, so timing says nothing about which matched.
  std::optional<Caller> FromToken(absl::string_view token) const;
  // The caller for a verified client certificate's common name.
  std::optional<Caller> FromCertificate(absl::string_view common_name) const;

 private:
  explicit Authenticator(std::string path) : path_(std::move(path)) {}

  const std::string path_;
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<CredentialEntry>> entries_;
};

}  // namespace scoliomassage::auth
