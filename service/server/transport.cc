#include "server/transport.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/read_file.h"
#include "observability/log.h"

namespace scoliomassage::server {

bool IsLoopbackAddress(const std::string& listen) {
  if (absl::StartsWith(listen, "unix:")) return true;
  std::string host = listen;
  if (absl::StartsWith(host, "[")) {
    host = host.substr(1, host.find(']') - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> BuildServerCredentials(
    const Options& options) {
  const bool has_tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
  if (!has_tls) {
    if (!options.tls_client_ca_file.empty()) {
      return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert and --tls_key");
    }
    if (!IsLoopbackAddress(options.listen) && !options.insecure) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to serve health data in plaintext on ", options.listen,
          ": give --tls_cert and --tls_key, or --insecure if a proxy terminates TLS"));
    }
    if (!IsLoopbackAddress(options.listen)) {
      observability::Log(observability::LogLevel::kWarning,
                         "INSECURE: plaintext on a non-loopback address (--insecure); "
                         "health data crosses the network unencrypted unless a proxy encrypts it",
                         {{"listen", options.listen}});
    }
    return grpc::InsecureServerCredentials();
  }
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("TLS needs both --tls_cert and --tls_key");
  }
  auto cert = base::ReadFileToString(options.tls_cert_file, "TLS certificate");
  if (!cert.ok()) return cert.status();
  auto key = base::ReadFileToString(options.tls_key_file, "TLS key");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  if (!options.tls_client_ca_file.empty()) {
    auto ca = base::ReadFileToString(options.tls_client_ca_file, "TLS client CA");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

}  // namespace scoliomassage::server
