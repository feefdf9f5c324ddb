// The embedded SQLite Store: one file, WAL, one group-committing writer
// thread, a pool of read connections.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/sqlite_reader_pool.h"
#include "storage/sqlite_writer.h"
#include "storage/store.h"

namespace scoliomassage::storage {

struct SqliteStoreOptions {
  std::string path;
  // "FULL" (default) or "NORMAL"; see open_store.cc for the trade-off.
  std::string synchronous = "FULL";
  int busy_timeout_ms = 5000;
  // Read connections kept open between calls. As many as the server's
  // worker threads (16 by default) can read at once; a connection opened
  // beyond this is closed after one call, and opening one (schema parse,
  // pragmas) plus re-preparing its statements cost more than the read
  // itself (tests/bench/RESULTS.md). Each idle connection holds at most
  // SQLite's default page cache (2 MiB).
  int max_idle_readers = 16;
  // Most units of work committed together in one transaction.
  int max_batch = 256;
  // Test hook: when > 0, caps the database at about this many pages so tests
  // can provoke SQLITE_FULL ("disk full") without filling a real disk.
  int64_t max_page_count = 0;
};

class SqliteStore final : public Store {
 public:
  // Creates the file when missing and applies pending migrations.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options);

  absl::StatusOr<v1::Outcome> LogOutcome(const std::string& clinic_id,
                                         const std::string& request_id,
                                         const v1::Outcome& outcome) override;
  absl::StatusOr<v1::Outcome> AmendOutcome(const std::string& clinic_id,
                                           const std::string& request_id, const std::string& name,
                                           const v1::Outcome& corrected,
                                           const std::string& reason) override;
  absl::Status SaveRecommendation(const std::string& clinic_id,
                                  const v1::RecommendProtocolRequest& request,
                                  const v1::RecommendProtocolResponse& response) override;
  absl::Status AppendAudit(const AuditEntry& entry) override;

  absl::StatusOr<v1::Outcome> GetOutcome(const std::string& clinic_id, const std::string& name,
                                         int32_t revision) override;
  absl::StatusOr<PatientProgress> GetPatientProgress(const std::string& clinic_id,
                                                     const std::string& patient_id) override;
  absl::StatusOr<OutcomePage> ListOutcomes(const std::string& clinic_id,
                                           const v1::HistoryFilter& filter, int page_size,
                                           const std::string& page_token) override;
  absl::StatusOr<HistoryPage> ScanHistory(const std::string& clinic_id,
                                          const v1::HistoryFilter& filter, bool include_revisions,
                                          const std::string& resume_token, int limit) override;
  absl::StatusOr<std::vector<v1::SummaryGroup>> Summarize(
      const std::string& clinic_id, const v1::HistoryFilter& filter,
      const std::vector<v1::GroupBy>& group_by) override;
  absl::StatusOr<AuditPage> ListAudit(const std::string& clinic_id,
                                      const v1::ListAuditRecordsRequest& request) override;

  // Test hook: caps the file at about `pages` pages (SQLite never goes below
  // the current size); 0 lifts the cap. Later writes that need more space
  // fail with RESOURCE_EXHAUSTED, as on a full disk.
  absl::Status SetMaxPageCountForTesting(int64_t pages);
  WriterStats writer_stats() const { return writer_->stats(); }

 private:
  SqliteStore(std::unique_ptr<SqliteWriter> writer, SqliteConnection::Options read_options,
              int max_idle_readers, int64_t default_max_page_count);

  std::unique_ptr<SqliteWriter> writer_;
  SqliteReaderPool readers_;
  const int64_t default_max_page_count_;
};

}  // namespace scoliomassage::storage
