#include "auth/credentials_file.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/escaping.h"
#include "absl/strings/strip.h"
#include "base/read_file.h"

namespace scoliomassage::auth {
namespace {

std::string Sha256(absl::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

bool IsHex(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::vector<CredentialEntry>> ParseCredentialsFile(absl::string_view text) {
  std::vector<CredentialEntry> entries;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("credentials file line ", line_number, ": ", why));
    };
    if (fields.size() != 5) return bad("expected: kind secret-or-identity principal role clinic");
    CredentialEntry entry;
    if (fields[0] == "token") {
      entry.kind = CredentialEntry::Kind::kToken;
      absl::string_view hash = fields[1];
      if (!absl::ConsumePrefix(&hash, "sha256:") || hash.size() != 64 || !IsHex(hash)) {
        return bad("a token must be given as sha256:<64 hex digits>, never in clear");
      }
      entry.secret_or_identity = absl::HexStringToBytes(hash);
    } else if (fields[0] == "cert") {
      entry.kind = CredentialEntry::Kind::kCertificate;
      absl::string_view name = fields[1];
      absl::ConsumePrefix(&name, "CN=");
      if (name.empty()) return bad("a cert line needs the certificate's common name");
      entry.secret_or_identity = std::string(name);
    } else {
      return bad("kind must be 'token' or 'cert'");
    }
    entry.caller.principal = std::string(fields[2]);
    if (!ParseRole(fields[3], &entry.caller.role)) {
      return bad("role must be host, therapist, analytics or admin");
    }
    entry.caller.clinic_id = std::string(fields[4]);
    entries.push_back(std::move(entry));
  }
  return entries;
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Load(const std::string& path) {
  std::unique_ptr<Authenticator> authenticator(new Authenticator(path));
  if (absl::Status loaded = authenticator->Reload(); !loaded.ok()) return loaded;
  return authenticator;
}

absl::Status Authenticator::Reload() {
  auto text = base::ReadFileToString(path_, "tokens");
  if (!text.ok()) return text.status();
  auto entries = ParseCredentialsFile(*text);
  if (!entries.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": ", entries.status().message()));
  }
  auto shared = std::make_shared<const std::vector<CredentialEntry>>(*std::move(entries));
  std::lock_guard<std::mutex> lock(mutex_);
  entries_ = std::move(shared);
  return absl::OkStatus();
}

std::optional<Caller> Authenticator::FromToken(absl::string_view token) const {
  std::shared_ptr<const std::vector<CredentialEntry>> entries;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    entries = entries_;
  }
  const std::string hash = Sha256(token);
  const CredentialEntry* match = nullptr;
  for (const auto& entry : *entries) {
    if (entry.kind != CredentialEntry::Kind::kToken) continue;
    const bool equal = CRYPTO_memcmp(entry.secret_or_identity.data(), hash.data(), hash.size()) == 0;
    if (equal && match == nullptr) match = &entry;
  }
  if (match == nullptr) return std::nullopt;
  return match->caller;
}

std::optional<Caller> Authenticator::FromCertificate(absl::string_view common_name) const {
  std::shared_ptr<const std::vector<CredentialEntry>> entries;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    entries = entries_;
  }
  for (const auto& entry : *entries) {
    if (entry.kind == CredentialEntry::Kind::kCertificate && entry.secret_or_identity == common_name) {
      return entry.caller;
    }
  }
  return std::nullopt;
}

}  // namespace scoliomassage::auth
