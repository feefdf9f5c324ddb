// The channel to scoliomassaged and what every call carries: the bearer
// token and the deadline.
#ifndef SCOLIOMASSAGE_CLI_CONNECTION_H_
#define SCOLIOMASSAGE_CLI_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "cli/options.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace scoliomassage::cli {

class Connection {
 public:
  // Reads the TLS files; fails (nothing sent yet) when one cannot be read.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const ConnectionOptions& options);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const std::string& server() const { return options_.server; }

  // For unary calls: the token and --deadline_ms.
  void PrepareUnary(grpc::ClientContext* context) const;
  // For streams: the token, and a deadline only when one was asked for.
  void PrepareStream(grpc::ClientContext* context) const;

 private:
  explicit Connection(ConnectionOptions options, std::shared_ptr<grpc::Channel> channel);
  void AddToken(grpc::ClientContext* context) const;

  ConnectionOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
};

// The file's contents with surrounding whitespace removed (token files
// usually end in a newline).
absl::StatusOr<std::string> ReadSecretFile(const std::string& path, const std::string& flag);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_CONNECTION_H_
