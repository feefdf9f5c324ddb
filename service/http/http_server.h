// The HTTP face beside the gRPC one (api/), over cpp-httplib. This file owns
// the server: TLS, limits, the bounded thread pool, CORS, the JSON log line
// and the error body for what httplib answers itself. The routes live in one
// file per standard (cds_routes.h, ...) and are thin: authenticate, call the
// same app/ function as gRPC, convert the status once (status_conversion.h),
// and file the same audit record (request_support.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "http/http_app.h"

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
  // FHIR Bulk Data export (fhir_routes.h).
  std::string export_dir;
  absl::Duration export_expiry = absl::Hours(1);
  int max_export_jobs = 2;
};

class HttpServer {
 public:
  // Loads what the routes need (a broken file stops the start), binds and
  // starts serving on its own threads. `app` must outlive the server.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           HttpApp app);
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
