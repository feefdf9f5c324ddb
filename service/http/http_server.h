// The HTTP face beside the gRPC one (api/): CDS Hooks 2.0 over cpp-httplib.
// Handlers are thin: authenticate (a JWT per CDS call), turn the hook request
// into the same RecommendProtocolRequest a gRPC caller sends, call
// app::CheckIn::Recommend, convert the status once (status_conversion.h),
// log one JSON line and append the same audit record the gRPC face writes.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "app/checkin.h"
#include "app/audit_trail.h"

namespace scoliomassage::http {

struct HttpServerOptions {
  std::string listen;         // HOST:PORT; port 0 picks a free port
  std::string public_url;     // the base URL clients use (JWT aud); empty: http(s)://HOST:PORT
  std::string issuers_file;   // --cds_issuers_file; empty: CDS only in dev mode on loopback
  std::string mapping_file;   // the FHIR mapping; empty: the shipped one
  std::string tls_cert_file;  // the same PEM files as gRPC; both or neither
  std::string tls_key_file;
  bool insecure = false;   // plaintext on a non-loopback address
  bool loopback = true;    // `listen` is a loopback address (the caller decides, as for gRPC)
  bool dev_mode = false;   // no --tokens_file
  int threads = 16;        // connections served at once
  int max_queued = 512;    // connections that may wait; beyond, 503
  size_t max_body_bytes = 1 << 20;
};

using AuditSink = std::function<void(app::AuditEvent event)>;

class HttpServer {
 public:
  // Loads the mapping and the issuers (a broken file stops the start), binds
  // and starts serving on its own threads.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           const app::CheckIn& checkin,
                                                           AuditSink audit);
  ~HttpServer();  // Stop()

  int port() const;
  const std::string& public_url() const;
  // Stops accepting, lets running requests finish, joins the threads.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace scoliomassage::http
