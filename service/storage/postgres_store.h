// The PostgreSQL Store: for several stateless scoliomassaged instances on one
// database. Every Store method is SqlStore's, with the same guarantees as on
// SQLite; the executor (postgres_executor.h) brings a bounded connection pool
// (a lost database is UNAVAILABLE STORE_UNAVAILABLE within connect_timeout,
// and the store reconnects by itself once the database is back).
//
// It also answers the questions a streaming-replication pair needs
// (analytics_store.h): the primary's WAL position and history horizon, and a
// hot standby's replay state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/postgres_options.h"
#include "storage/sql_store.h"

namespace scoliomassage::storage {

// What a hot standby has replayed.
struct ReplayState {
  bool in_recovery = false;      // false: not (or no longer) a standby
  std::string replay_lsn;        // pg_last_wal_replay_lsn(); empty when none
  int64_t last_replay_age_us = -1;  // now - pg_last_xact_replay_timestamp(); -1 unknown
};

// "16/B374D848" as a number; -1 when malformed. FormatLsn is the inverse.
int64_t ParseLsn(const std::string& lsn);
std::string FormatLsn(int64_t lsn);

class PostgresStore final : public SqlStore {
 public:
  // Connects once to apply pending migrations (so a wrong URL fails at
  // start, not at the first call), then serves from the pool.
  static absl::StatusOr<std::unique_ptr<PostgresStore>> Open(const PostgresOptions& options);
  // A read-only store on a hot standby: no migrations (the primary applies
  // them and replication brings them), and no connection at open, so a
  // standby that is down does not stop the service from starting.
  static std::unique_ptr<PostgresStore> OpenReplica(const PostgresOptions& options);

  // A stream's horizon on the primary: the earliest start of a write
  // transaction still in flight (each holds kWriterLockKey), or now, and the
  // WAL position a replica must have replayed to serve the stream. Assumes
  // the clocks of the service hosts and the database agree (NTP).
  absl::StatusOr<HistoryHorizon> SettleHistory() override;

  // On the primary: pg_current_wal_lsn().
  absl::StatusOr<std::string> CurrentWalLsn();
  // On a standby.
  absl::StatusOr<ReplayState> ReadReplayState();
  // On a standby: true once every transaction the horizon needs (one that
  // had finished on the primary when the horizon was taken) has been
  // replayed here.
  absl::StatusOr<bool> HasReplayedPast(const HistoryHorizon& horizon);

 private:
  using SqlStore::SqlStore;
  // One row of `sql` (no bind values), read by `read`.
  absl::Status ReadOneRow(const std::string& sql, const SqlParams& params,
                          const std::function<void(ResultRows&)>& read);
};

}  // namespace scoliomassage::storage
