// From a postgresql:// URL to libpq's conninfo plus the store's own options.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace scoliomassage::storage {

struct PostgresOptions {
  // The URL handed to libpq: the store's own query parameters removed and
  // connect_timeout added when missing, so a dead server is noticed quickly.
  std::string conninfo;
  // Most connections open at once (URL ?pool_size=N, 1..256, default 8).
  int pool_size = 8;
  // How long a call waits for a free pooled connection before UNAVAILABLE
  // (URL ?pool_wait_ms=N, default 5000).
  absl::Duration pool_wait = absl::Seconds(5);
};

// Accepts "postgresql://..." and "postgres://...". The store's parameters
// (pool_size, pool_wait_ms) are taken out; every other parameter (sslmode,
// sslrootcert, application_name, options, ...) passes through to libpq.
// INVALID_ARGUMENT for a bad value of the store's parameters.
absl::StatusOr<PostgresOptions> ParsePostgresUrl(const std::string& url);

}  // namespace scoliomassage::storage
