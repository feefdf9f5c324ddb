#include "cli/connection.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace scoliomassage::cli {

absl::StatusOr<std::string> ReadSecretFile(const std::string& path, const std::string& flag) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::InvalidArgumentError(absl::StrCat("cannot open ", flag, " ", path));
  std::ostringstream contents;
  contents << file.rdbuf();
  std::string text(absl::StripAsciiWhitespace(contents.str()));
  if (text.empty()) return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, " is empty"));
  return text;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const ConnectionOptions& options) {
  if (options.server.empty()) return absl::InvalidArgumentError("--server is empty");
  if (options.deadline_ms <= 0) {
    return absl::InvalidArgumentError("--deadline_ms must be a positive number of milliseconds");
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert and --tls_key go together: mutual TLS needs both the certificate and its key");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  grpc::ChannelArguments arguments;
  if (options.tls) {
    grpc::SslCredentialsOptions ssl;
    if (!options.tls_ca.empty()) {
      auto ca = ReadSecretFile(options.tls_ca, "--tls_ca");
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = *ca;
    }
    if (!options.tls_cert.empty()) {
      auto cert = ReadSecretFile(options.tls_cert, "--tls_cert");
      if (!cert.ok()) return cert.status();
      auto key = ReadSecretFile(options.tls_key, "--tls_key");
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *cert;
      ssl.pem_private_key = *key;
    }
    credentials = grpc::SslCredentials(ssl);
    if (!options.tls_server_name.empty()) {
      arguments.SetSslTargetNameOverride(options.tls_server_name);
    }
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  auto channel = grpc::CreateCustomChannel(options.server, credentials, arguments);
  return std::unique_ptr<Connection>(new Connection(options, std::move(channel)));
}

Connection::Connection(ConnectionOptions options, std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)), channel_(std::move(channel)) {}

void Connection::AddToken(grpc::ClientContext* context) const {
  // Plain metadata rather than call credentials: gRPC refuses to send call
  // credentials over a plaintext channel, and the server's dev mode on
  // loopback is plaintext.
  if (!options_.token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", options_.token));
  }
}

void Connection::PrepareUnary(grpc::ClientContext* context) const {
  AddToken(context);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(options_.deadline_ms));
}

void Connection::PrepareStream(grpc::ClientContext* context) const {
  AddToken(context);
  if (options_.deadline_explicit) {
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::milliseconds(options_.deadline_ms));
  }
}

}  // namespace scoliomassage::cli
