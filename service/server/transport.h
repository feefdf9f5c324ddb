// Server transport security: TLS, optional mTLS, and the rule that plaintext
// is only for loopback unless the operator explicitly says --insecure.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"
#include "server/options.h"

namespace scoliomassage::server {

// True for 127.0.0.0/8, ::1, localhost and unix sockets.
bool IsLoopbackAddress(const std::string& listen);

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> BuildServerCredentials(
    const Options& options);

}  // namespace scoliomassage::server
