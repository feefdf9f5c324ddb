// Copying a SQLite store into a PostgreSQL store: the move from one machine
// to several instances. Every row is copied as it is (ids, revisions, create times,
// idempotency keys, recommendations, audit ids; films, episodes, assessments
// and their scores, CDS feedback), so names, resume tokens and request_id
// retries keep working after the switch.
//
// Idempotent: rows are inserted with ON CONFLICT DO NOTHING on their primary
// key, and a row already in the target must be identical column for column
// (otherwise FAILED_PRECONDITION names it and the copy stops). Re-running
// copies only what is new, e.g. the tail written after a first copy of a
// live server.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace scoliomassage::storage {

struct TableCopyReport {
  std::string table;
  int64_t source_rows = 0;     // rows in the SQLite file
  int64_t copied = 0;          // inserted into PostgreSQL by this run
  int64_t already_present = 0;  // identical rows the target had already
  int64_t target_rows = 0;     // rows in the PostgreSQL table afterwards
};

// Applies pending migrations to both sides, copies every table in one
// consistent read of the SQLite file, then verifies the counts: every source
// row is copied or already present, and the target holds at least as many
// rows as the source.
absl::StatusOr<std::vector<TableCopyReport>> CopySqliteToPostgres(const std::string& sqlite_path,
                                                                  const std::string& postgres_url);

}  // namespace scoliomassage::storage
