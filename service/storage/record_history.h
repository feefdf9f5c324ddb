// The history stream over every kind of record (QueryHistoryRequest.include):
// outcomes, curve measurements and assessments in one stable order, written
// once for every backend.
//
// The order is (first create time, kind, id, revision), kinds numbered as
// v1.HistoryRecordKind (outcome, curve measurement, assessment). Create
// times come from the one writer clock of every write (sql_executor.h), so
// the history horizon (store.h) bounds all three kinds alike. An outcome's
// token is the outcome stream's own ("h1", page_tokens.h), so a token from
// an outcome-only stream resumes a mixed one at the same place; curve
// measurements and assessments get "r1|<time>|<kind>|<id>|<revision>".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scoliomassage/v1/history.pb.h"
#include "storage/sql_executor.h"
#include "storage/store.h"

namespace scoliomassage::storage {

struct RecordPosition {
  int64_t first_create_time_us = 0;
  v1::HistoryRecordKind kind = v1::HISTORY_RECORD_KIND_OUTCOME;
  std::string id;
  int32_t revision = 1;
};
bool operator<(const RecordPosition& a, const RecordPosition& b);

std::string EncodeRecordToken(const RecordPosition& position);
absl::StatusOr<RecordPosition> DecodeRecordToken(absl::string_view token,
                                                 absl::string_view field = "resume_token");

// INVALID_ARGUMENT naming "include[i]" (unspecified, unknown, repeated) or a
// filter field the included kinds do not have.
absl::Status ValidateRecordScan(const RecordScan& scan);

// Up to limit + 1 rows of one kind after `after` (nullptr: from the start)
// in the stream order. Columns: the record's proto, first create time, id,
// revision.
std::string RecordScanSql(v1::HistoryRecordKind kind, const std::string& clinic_id,
                          const RecordScan& scan, const RecordPosition* after, int limit,
                          SqlParams& params);

// A page from the rows of each included kind: merged in the stream order,
// cut at `limit`, each record's kind and resume_token set.
struct ScannedRecord {
  RecordPosition position;
  v1::HistoryRecord record;
};
absl::StatusOr<ScannedRecord> ReadScannedRecord(v1::HistoryRecordKind kind, ResultRows& rows);
HistoryPage MergeRecordPages(std::vector<ScannedRecord> scanned, int limit);

}  // namespace scoliomassage::storage
