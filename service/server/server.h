// The scoliomassaged server: builds the store, catalog, engine and services
// from Options and serves them over gRPC with health and reflection.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "server/options.h"

namespace scoliomassage::server {

class Server {
 public:
  // Loads the catalog (a broken one fails here, naming the file and line),
  // opens the store (applying migrations) and starts listening.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const Options& options);
  ~Server();

  // The port actually bound (useful with port 0).
  int port() const;
  // The HTTP face's port, 0 when it is off.
  int http_port() const;
  // Re-reads the tokens file (SIGHUP). On error the old credentials stay.
  absl::Status ReloadCredentials();
  // Health to NOT_SERVING first, so load balancers stop sending, then lets
  // in-flight calls finish until `grace` runs out and cancels the rest.
  void Shutdown(absl::Duration grace);
  // Blocks until Shutdown has completed.
  void Wait();

  struct Parts;

 private:
  explicit Server(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace scoliomassage::server
