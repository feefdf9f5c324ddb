// PostgresStore: connecting and migrating, and the replication questions.
// Every Store method is SqlStore's.
#include "storage/postgres_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "storage/migrations.h"
#include "storage/outcome_ids.h"
#include "storage/postgres_executor.h"

namespace scoliomassage::storage {

int64_t ParseLsn(const std::string& lsn) {
  const size_t slash = lsn.find('/');
  uint32_t high = 0;
  uint32_t low = 0;
  if (slash == std::string::npos ||
      !absl::SimpleHexAtoi(absl::string_view(lsn).substr(0, slash), &high) ||
      !absl::SimpleHexAtoi(absl::string_view(lsn).substr(slash + 1), &low)) {
    return -1;
  }
  return static_cast<int64_t>((static_cast<uint64_t>(high) << 32) | low);
}

std::string FormatLsn(int64_t lsn) {
  const auto value = static_cast<uint64_t>(lsn);
  return absl::StrCat(absl::Hex(value >> 32, absl::kNoPad), "/",
                      absl::Hex(value & 0xffffffffu, absl::kNoPad));
}

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(const PostgresOptions& options) {
  absl::StatusOr<std::unique_ptr<PgConnection>> db = PgConnection::Connect(options.conninfo);
  if (!db.ok()) return db.status();
  // Create times keep rising across restarts even if this clock is behind
  // the newest stored one: the history order and its tokens depend on it.
  absl::StatusOr<int64_t> last_time_us = MigrateAndReadNewestCreateTime(
      *PostgresSessionOn(**db), kPostgresDialect, PostgresMigrations());
  if (!last_time_us.ok()) return last_time_us.status();
  return std::unique_ptr<PostgresStore>(
      new PostgresStore(std::make_unique<PostgresExecutor>(options, *last_time_us)));
}

std::unique_ptr<PostgresStore> PostgresStore::OpenReplica(const PostgresOptions& options) {
  return std::unique_ptr<PostgresStore>(
      new PostgresStore(std::make_unique<PostgresExecutor>(options, 0)));
}

absl::Status PostgresStore::ReadOneRow(const std::string& sql, const SqlParams& params,
                                       const std::function<void(ResultRows&)>& read) {
  return executor().Read([&](SqlSession& db) -> absl::Status {
    absl::StatusOr<std::unique_ptr<ResultRows>> row = db.QueryRow(sql, params);
    if (!row.ok()) return row.status();
    if (*row == nullptr) return absl::InternalError(absl::StrCat("no row from: ", sql));
    read(**row);
    return absl::OkStatus();
  });
}

absl::StatusOr<HistoryHorizon> PostgresStore::SettleHistory() {
  // Taken before the query: a writer that is not in flight when the query
  // runs takes its create time later, so at or after this.
  const int64_t now_us = NowMicros();
  const std::string sql = absl::StrCat(
      "SELECT coalesce((SELECT (extract(epoch FROM "
      "min(a.xact_start)) * 1000000)::bigint FROM pg_locks l JOIN pg_stat_activity a ON a.pid = "
      "l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid = ",
      kWriterLockClassId, " AND l.objid = ", kWriterLockObjId, " AND a.pid <> pg_backend_pid()), -1)");
  HistoryHorizon horizon;
  int64_t oldest_writer_us = -1;
  absl::Status status = ReadOneRow(sql, SqlParams(kPostgresDialect.placeholder_prefix),
                                   [&](ResultRows& row) { oldest_writer_us = row.Int(0); });
  if (!status.ok()) return status;
  horizon.settled_before_us = oldest_writer_us < 0 ? now_us : std::min(now_us, oldest_writer_us);
  // The WAL position comes after that query. A write still running then
  // was running all through the query, so its start was seen; one that had
  // finished had inserted its commit record before this position, so a
  // replica that has replayed up to it has that write (HasReplayedPast).
  // (Read before, it would miss a writer seen holding the lock that
  // committed, and began its next transaction with a later xact_start,
  // before its start time was read.) The insert position, not the flushed
  // one: with synchronous_commit=off a commit may not be flushed yet.
  int64_t insert_lsn = -1;
  int64_t block_size = 0;
  int64_t segment_size = 0;
  status = ReadOneRow(
      "SELECT pg_current_wal_insert_lsn()::text, current_setting('wal_block_size')::bigint, "
      "(SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size')",
      SqlParams(kPostgresDialect.placeholder_prefix), [&](ResultRows& row) {
        insert_lsn = ParseLsn(row.Text(0));
        block_size = row.Int(1);
        segment_size = row.Int(2);
      });
  if (!status.ok()) return status;
  if (insert_lsn < 0 || block_size <= 0 || segment_size <= 0) {
    return absl::InternalError("cannot read the primary's WAL position");
  }
  // At a page boundary the insert position points past the next page's
  // header, where no record can end; a standby's replay position stops at
  // the end of the last record, the boundary itself. (Long header at the
  // start of a segment, short elsewhere: the sizes of XLogLongPageHeaderData
  // and XLogPageHeaderData.)
  const int64_t in_page = insert_lsn % block_size;
  const bool segment_start = (insert_lsn - in_page) % segment_size == 0;
  if ((segment_start && in_page == 40) || (!segment_start && in_page == 24)) insert_lsn -= in_page;
  horizon.primary_lsn = FormatLsn(insert_lsn);
  return horizon;
}

absl::StatusOr<std::string> PostgresStore::CurrentWalLsn() {
  std::string lsn;
  absl::Status status =
      ReadOneRow("SELECT pg_current_wal_lsn()::text", SqlParams(kPostgresDialect.placeholder_prefix),
                 [&](ResultRows& row) { lsn = row.Text(0); });
  if (!status.ok()) return status;
  return lsn;
}

absl::StatusOr<ReplayState> PostgresStore::ReadReplayState() {
  ReplayState state;
  absl::Status status = ReadOneRow(
      "SELECT pg_is_in_recovery()::int, coalesce(pg_last_wal_replay_lsn()::text, ''), "
      "coalesce((extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * "
      "1000000)::bigint, -1)",
      SqlParams(kPostgresDialect.placeholder_prefix), [&](ResultRows& row) {
        state.in_recovery = row.Int(0) != 0;
        state.replay_lsn = row.Text(1);
        state.last_replay_age_us = row.Int(2);
      });
  if (!status.ok()) return status;
  return state;
}

absl::StatusOr<bool> PostgresStore::HasReplayedPast(const HistoryHorizon& horizon) {
  // pg_last_wal_replay_lsn() is the end of the last record applied here,
  // so at or past the primary's position every commit before it is visible.
  // (Not a snapshot comparison: a hot standby's snapshot keeps its running
  // transactions where pg_snapshot_xip cannot see them.)
  SqlParams params(kPostgresDialect.placeholder_prefix);
  const std::string sql = absl::StrCat("SELECT coalesce(pg_last_wal_replay_lsn() >= ",
                                       params.Add(horizon.primary_lsn), "::pg_lsn, false)::int");
  bool replayed = false;
  absl::Status status =
      ReadOneRow(sql, params, [&](ResultRows& row) { replayed = row.Int(0) != 0; });
  if (!status.ok()) return status;
  return replayed;
}

}  // namespace scoliomassage::storage
