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
};

// Parses and checks the JSON; reads the TLS files it names. INVALID_ARGUMENT
// naming the offending key on any problem, including unknown keys.
grpc::Status ParseClientConfig(const char* json, ClientConfig* config);

}  // namespace scoliomassage::plugin
