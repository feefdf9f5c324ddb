// SqlStore: the history stream over several kinds (record_history.h). One
// read snapshot runs one keyset query per included kind, each asking for a
// page and one row more, and the rows are merged in the stream order.
#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "storage/record_history.h"
#include "storage/sql_store.h"

namespace scoliomassage::storage {

namespace {
constexpr int kDefaultRecordLimit = 100;
constexpr int kMaxRecordLimit = 1000;
}  // namespace

absl::StatusOr<HistoryPage> SqlStore::ScanRecords(const std::string& clinic_id,
                                                  const RecordScan& scan) {
  if (absl::Status valid = ValidateRecordScan(scan); !valid.ok()) return valid;
  std::optional<RecordPosition> after;
  if (!scan.resume_token.empty()) {
    absl::StatusOr<RecordPosition> position = DecodeRecordToken(scan.resume_token);
    if (!position.ok()) return position.status();
    after = *std::move(position);
  }
  const int limit = scan.limit <= 0 ? kDefaultRecordLimit : std::min(scan.limit, kMaxRecordLimit);
  std::vector<v1::HistoryRecordKind> kinds = scan.kinds;
  if (kinds.empty()) kinds.push_back(v1::HISTORY_RECORD_KIND_OUTCOME);
  absl::StatusOr<HistoryPage> result;
  absl::Status status = executor_->Read([&](SqlSession& db) -> absl::Status {
    std::vector<ScannedRecord> scanned;
    for (v1::HistoryRecordKind kind : kinds) {
      SqlParams params(dialect_.placeholder_prefix);
      const std::string sql =
          RecordScanSql(kind, clinic_id, scan, after ? &*after : nullptr, limit, params);
      absl::StatusOr<std::unique_ptr<ResultRows>> rows = db.Query(sql, params);
      if (!rows.ok()) return rows.status();
      for (;;) {
        absl::StatusOr<bool> more = (*rows)->Next();
        if (!more.ok()) return more.status();
        if (!*more) break;
        absl::StatusOr<ScannedRecord> record = ReadScannedRecord(kind, **rows);
        if (!record.ok()) return record.status();
        scanned.push_back(*std::move(record));
      }
    }
    result = MergeRecordPages(std::move(scanned), limit);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

}  // namespace scoliomassage::storage
