// The PostgreSQL Store: for several stateless scoliomassaged replicas on one
// database. Same schema versions and guarantees as the SQLite store:
//  * request_id idempotency across replicas: the idempotency key is claimed
//    with INSERT ... ON CONFLICT DO NOTHING in the transaction that stores
//    the revision, so of two racing retries exactly one commits and the other
//    reads the winner back (and compares fingerprints);
//  * append-only revisions: an amendment locks revision 1 of its outcome
//    (SELECT ... FOR UPDATE), so concurrent amendments of one outcome take
//    turns and each gets the next number;
//  * acknowledged only after COMMIT returned; PostgreSQL's WAL does the
//    group commit itself, so there is no writer thread here;
//  * a bounded connection pool; a lost database is UNAVAILABLE
//    STORE_UNAVAILABLE within connect_timeout, and the store reconnects by
//    itself once the database is back.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "storage/postgres_options.h"
#include "storage/postgres_pool.h"
#include "storage/store.h"
#include "storage/store_common.h"

namespace scoliomassage::storage {

class PostgresStore final : public Store {
 public:
  // Connects once to apply pending migrations (so a wrong URL fails at
  // start, not at the first call), then serves from the pool.
  static absl::StatusOr<std::unique_ptr<PostgresStore>> Open(const PostgresOptions& options);

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

 private:
  using Body = std::function<absl::Status(PgConnection& db)>;

  PostgresStore(const PostgresOptions& options, int64_t last_time_us);

  // Runs `body` on a pooled connection, inside `begin` ... COMMIT when
  // `begin` is non-null (rolled back when the body fails). When a connection
  // that sat idle turns out to be dead (the server restarted meanwhile), the
  // body runs once more on a fresh connection; never after COMMIT was sent,
  // since its outcome is then unknown.
  absl::Status Run(const char* begin, const Body& body);

  // Runs a planned read (store_common.h) outside a transaction; `read_rows`
  // turns its rows into the result, afresh when Run runs the body again.
  template <typename ReadRows>
  auto RunPlannedRead(const PlannedRead& read, ReadRows read_rows)
      -> decltype(read_rows(std::declval<ResultRows&>()));

  // Builds the revision LogOutcome or AmendOutcome stores, inside the
  // transaction (again when the transaction is run again).
  using MakeRevision = std::function<absl::StatusOr<NewRevision>(PgConnection& db)>;

  // The idempotent write both share: a request_id seen before is replayed;
  // otherwise the revision `make` builds is stored and the request_id
  // claimed for it. A lost claim rolls back and replays the winner.
  absl::StatusOr<v1::Outcome> WriteRevision(const std::string& clinic_id,
                                            const std::string& request_id,
                                            const std::string& operation,
                                            const std::string& fingerprint,
                                            const MakeRevision& make);

  // Create times rise strictly within this process, so outcomes logged one
  // after another scan in that order; across replicas ties are broken by id.
  int64_t NextCreateTime();

  PgPool pool_;
  std::atomic<int64_t> last_time_us_;
};

}  // namespace scoliomassage::storage
