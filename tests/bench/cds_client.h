// The benchmark's EHR: a CDS Hooks 2.0 client with its own RSA key (RS384),
// the issuers file that makes the server trust it, and encounter-start calls
// over one keep-alive HTTP connection. Tokens are signed before the measured
// window, so the figure times the server's work (and the client's HTTP and
// JSON), not the EHR's signing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace scoliomassage::bench {

class CdsClient {
 public:
  // Makes a key and writes `dir`/cds-jwks.json and `dir`/cds-issuers.json,
  // allowlisting this client for `clinic`. Exits the benchmark on failure.
  CdsClient(const std::string& dir, const std::string& clinic);
  ~CdsClient();
  CdsClient(const CdsClient&) = delete;
  CdsClient& operator=(const CdsClient&) = delete;

  const std::string& issuers_file() const { return issuers_file_; }

  // After the server is up: the HTTP face's port.
  void Connect(int http_port);

  // Signs `count` tokens (each jti is accepted once) for the calls to come,
  // dropping any left from before.
  void PresignTokens(int count);

  // One encounter-start call for `patient_id`, whose prefetch says what the
  // bench's gRPC check-in request says (34 years old, lumbar C-curve convex
  // right, Cobb 18, pain 4). "" on a 200 that names `expect_protocol_id`,
  // else what went wrong. Not thread-safe: one caller thread.
  std::string CheckIn(const std::string& patient_id, const std::string& expect_protocol_id);

  // Calls that found no presigned token and signed their own (timed with
  // the call): 0 in a fair run.
  int64_t unsigned_ahead() const;

 private:
  struct State;
  std::string SignToken();
  std::unique_ptr<State> state_;
  std::string issuers_file_;
};

// What the other algorithm CDS Hooks requires, ES384, costs the server per
// call: microseconds per P-384 signature check with the same OpenSSL, in
// this process (the server checks each token once; RS384 costs ~1/40 of it).
double MeasureEs384VerifyUs(int count);

}  // namespace scoliomassage::bench
