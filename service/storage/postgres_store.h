// The PostgreSQL Store: for several stateless scoliomassaged instances on one
// database. Every Store method is SqlStore's, with the same guarantees as on
// SQLite; the executor (postgres_executor.h) brings a bounded connection pool
// (a lost database is UNAVAILABLE STORE_UNAVAILABLE within connect_timeout,
// and the store reconnects by itself once the database is back).
#pragma once

#include <memory>

#include "storage/postgres_options.h"
#include "storage/sql_store.h"

namespace scoliomassage::storage {

class PostgresStore final : public SqlStore {
 public:
  // Connects once to apply pending migrations (so a wrong URL fails at
  // start, not at the first call), then serves from the pool.
  static absl::StatusOr<std::unique_ptr<PostgresStore>> Open(const PostgresOptions& options);

 private:
  using SqlStore::SqlStore;
};

}  // namespace scoliomassage::storage
