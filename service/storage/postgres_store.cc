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
  // The snapshot comes after that query. A transaction still running in it
  // was running all through the query, so its start was seen; one that
  // finished earlier is no longer running in it, and a replica must have
  // replayed it (HasReplayedPast). (A snapshot taken before would miss a
  // writer seen holding the lock that committed, and began its next
  // transaction with a later xact_start, before its start time was read.)
  status = ReadOneRow("SELECT pg_current_snapshot()::text",
                      SqlParams(kPostgresDialect.placeholder_prefix),
                      [&](ResultRows& row) { horizon.primary_snapshot = row.Text(0); });
  if (!status.ok()) return status;
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
  // Every transaction below the primary snapshot's xmax that was not running
  // in it had finished there; it has been replayed here once this standby's
  // snapshot reaches that xmax and no longer lists it as running. (One still
  // running then was seen by the horizon, so its records are past it.)
  SqlParams params(kPostgresDialect.placeholder_prefix);
  const std::string primary = params.Add(horizon.primary_snapshot);
  const std::string sql = absl::StrCat(
      "SELECT (pg_snapshot_xmax(pg_current_snapshot()) >= pg_snapshot_xmax(", primary,
      "::pg_snapshot) AND NOT EXISTS (SELECT 1 FROM pg_snapshot_xip(pg_current_snapshot()) x "
      "WHERE x < pg_snapshot_xmax(", primary, "::pg_snapshot) AND x NOT IN (SELECT "
      "pg_snapshot_xip(", primary, "::pg_snapshot))))::int");
  bool replayed = false;
  absl::Status status =
      ReadOneRow(sql, params, [&](ResultRows& row) { replayed = row.Int(0) != 0; });
  if (!status.ok()) return status;
  return replayed;
}

}  // namespace scoliomassage::storage
