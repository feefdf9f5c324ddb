// The client configuration a host passes to smp_client_open, as JSON.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <grpcpp/support/status.h>

namespace scoliomassage::plugin {

struct TlsConfig {
  std::string root_ca_pem;           // empty: the system roots
  std::string cert_chain_pem;        // client certificate for mTLS
  std::string private_key_pem;
  std::string server_name_override;  // tests with self-made certificates
};

struct ClientConfig {
  std::string target = "127.0.0.1:50051";
  // Budget of one whole smp_* call: every attempt, backoff and outbox
  // delivery fits inside it, so a host's UI thread never waits longer.
  std::chrono::milliseconds deadline{2000};
  int retries = 2;
  std::string token;
  std::optional<TlsConfig> tls;  // absent: plaintext
  std::string outbox_path;       // empty: no outbox
  // The delivery thread's first wait after the service could not take a
  // queued outcome; doubled after each further failed round, up to
  // max(outbox_retry, kMaxOutboxRetry).
  std::chrono::milliseconds outbox_retry{1000};
};

// The longest back-off between delivery rounds while the service is
// unreachable, and how often an idle delivery thread rereads the outbox file
// for rows another process left there.
inline constexpr std::chrono::milliseconds kMaxOutboxRetry{30000};

// Whether a gRPC target names this machine: 127.0.0.0/8, ::1 (also as
// ::ffff:127.x), "localhost", or a unix socket. Understands the target forms
// gRPC does (host:port, [v6]:port, dns:///, ipv4:, ipv6:, unix:,
// unix-abstract:); anything it cannot be sure of is not loopback.
bool IsLoopbackTarget(const std::string& target);

// Parses and checks the JSON; reads the TLS files it names. INVALID_ARGUMENT
// naming the offending key on any problem, including unknown keys, and for a
// token that would travel in clear text to a target off this machine.
grpc::Status ParseClientConfig(const char* json, ClientConfig* config);

}  // namespace scoliomassage::plugin
