// Online backup and offline verification of a SQLite store, for
// scoliomassage-admin. No server involved: the tool opens the file itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace scoliomassage::admin {

// What a store file holds, as the backup and verify commands print it.
struct StoreFacts {
  int64_t schema_version = 0;
  int64_t outcome_revisions = 0;
  int64_t outcomes = 0;
  int64_t recommendations = 0;
  int64_t audit_records = 0;
  int64_t idempotency_keys = 0;
  int64_t file_bytes = 0;
};

// Copies the live store at `source_path` to `target_path` while the server
// keeps writing: one read snapshot of the source (WAL readers never block the
// writer) copied in chunks with the SQLite online backup API, into
// `target_path`.tmp, which is switched to a single self-contained file
// (journal_mode=DELETE), fsynced and renamed over `target_path`, and the
// folder fsynced. A crash at any point leaves either the old target or the
// new one, never half a file. FAILED_PRECONDITION when the source is not a
// store (no schema_migrations).
absl::StatusOr<StoreFacts> BackupSqlite(const std::string& source_path,
                                        const std::string& target_path);

// Opens `path` read-only and checks it: PRAGMA integrity_check,
// foreign_key_check, the schema version this build expects (the newest of
// storage/migrations), and that every stored outcome decodes. `problems` lists
// what is wrong, one line each; empty means the file is good. An error status
// only when the file cannot be examined at all.
absl::StatusOr<StoreFacts> VerifySqlite(const std::string& path, std::vector<std::string>* problems);

// The schema version this build writes and expects.
int64_t ExpectedSchemaVersion();

}  // namespace scoliomassage::admin
