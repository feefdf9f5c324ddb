// Everything the server is configured with. Filled by main.cc from flags and
// environment variables; tests fill it directly.
#pragma once

#include <set>
#include <string>

#include "absl/time/time.h"

namespace scoliomassage::server {

struct Options {
  // HOST:PORT. Port 0 picks a free port (tests); Server::port() tells which.
  std::string listen = "127.0.0.1:50051";
  // sqlite://PATH, a bare path, or postgresql://...
  std::string database = "sqlite://var/scoliomassage.db";
  // A catalog .textproto file or a folder of them.
  std::string catalog;
  // Calls run on this many worker threads...
  int worker_threads = 16;
  // ...and at most this many wait for one; beyond it, RESOURCE_EXHAUSTED.
  int max_queued_calls = 512;
  // How long in-flight calls may take to finish on SIGTERM.
  absl::Duration shutdown_grace = absl::Seconds(10);

  // Transport security.
  std::string tls_cert_file;
  std::string tls_key_file;
  // When set, clients must present a certificate signed by this CA (mTLS).
  std::string tls_client_ca_file;
  // Allow plaintext on a non-loopback address.
  bool insecure = false;

  // Authentication: a tokens file (hashes only). Empty means dev mode, which
  // is allowed on loopback only.
  std::string tokens_file;
  // Secret for analytics pseudonyms (HMAC-SHA256); read from a file.
  std::string pseudonym_secret_file;
  // Clinics whose admins granted analytics the free-text notes.
  std::set<std::string> analytics_free_text_clinics;

  // The HTTP face (CDS Hooks); off when http_listen is empty. It uses the TLS
  // files above and the same plaintext rule as gRPC.
  std::string http_listen;
  // Base URL clients use (JWT aud); empty means http(s)://HOST:PORT of http_listen.
  std::string http_public_url;
  // CDS Hooks issuers: {"issuers":[{"iss", "jwks", "clinic"}]}.
  std::string cds_issuers_file;
  // FHIR Bulk Data export: where job files go (empty: a temp folder), how
  // long a finished export's files are kept, and jobs at once.
  std::string export_dir;
  absl::Duration export_expiry = absl::Hours(1);
  int max_export_jobs = 2;

  // Analytics on a PostgreSQL hot standby of `database` (docs/deployment.md);
  // empty: analytics reads go to `database` too.
  std::string analytics_database;
  // The standby serves analytics while at most this far behind...
  absl::Duration analytics_max_lag = absl::Seconds(30);
  // ...else analytics reads go to the primary ("primary") or fail
  // UNAVAILABLE ("unavailable").
  std::string analytics_fallback = "primary";

  // Questionnaire definitions: a .textproto file or a folder of them; empty
  // means the shipped ones (catalog::DefaultInstrumentsPath()).
  std::string instruments;

  // Protocol evaluations (catalog/evaluations.h): a textproto file checked
  // against the catalog at start; empty means none (off by default).
  std::string evaluations_file;
};

}  // namespace scoliomassage::server
