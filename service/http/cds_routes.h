// The CDS Hooks 2.0 routes: discovery, and a hook call that becomes the same
// RecommendProtocolRequest a gRPC caller sends (cds_hooks.h maps it). A CDS
// call authenticates with the EHR's JWT (jwt.h), not a bearer token.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "http/cds_mapping.h"
#include "http/http_app.h"
#include "http/jwt.h"
#include "http/prefetch_fetcher.h"

namespace scoliomassage::http {

struct CdsRoutesOptions {
  std::string issuers_file;  // --cds_issuers_file; empty: CDS only in dev mode on loopback
  std::string mapping_file;  // the FHIR mapping; empty: the shipped one
  bool dev_mode = false;     // no --tokens_file
  bool loopback = true;      // the HTTP face listens on loopback
};

class CdsRoutes {
 public:
  // Loads the mapping and the issuers; a broken file stops the start.
  static absl::StatusOr<std::unique_ptr<CdsRoutes>> Load(const CdsRoutesOptions& options,
                                                         const HttpApp& app);

  // `public_url` is the base every JWT's aud is checked against.
  void Install(httplib::Server& server, std::string public_url);

 private:
  CdsRoutes(const HttpApp& app) : app_(app) {}
  void Call(const httplib::Request& req, httplib::Response& res) const;
  void Feedback(const httplib::Request& req, httplib::Response& res) const;
  // `audiences`: the URLs a token's aud may name (any one of them).
  // `fetch_policy` (may be null): which fhirServer this caller may have us
  // fetch missing prefetch from.
  absl::StatusOr<auth::Caller> Authenticate(const httplib::Request& req,
                                            const std::vector<std::string>& audiences,
                                            PrefetchFetchPolicy* fetch_policy = nullptr) const;

  const HttpApp& app_;
  CdsMapping mapping_;
  std::unique_ptr<JwtVerifier> verifier_;  // null: no --cds_issuers_file
  bool dev_cds_ = false;                   // CDS calls as clinic dev (dev mode on loopback)
  std::string public_url_;
};

}  // namespace scoliomassage::http
