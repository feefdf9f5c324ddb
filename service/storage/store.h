// The Store: where outcomes, recommendations and audit records live.
//
// Every call is scoped by clinic_id, which the caller takes from the
// authenticated credentials, never from a request field. Outcomes are append
// only: an amendment is a new revision row and the latest revision is derived.
//
// Reads are split in two: "primary" reads must see the caller's latest write
// (GetOutcome, PatientProgress, ListOutcomes); "analytics" reads (ScanHistory,
// Summarize, ListAudit) may be served by a read replica.
//
// Errors: INVALID_ARGUMENT (bad token or name), NOT_FOUND, ALREADY_EXISTS
// (request_id reused with another body), UNAVAILABLE (database down, retry),
// RESOURCE_EXHAUSTED (disk full), INTERNAL.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/progress.h"
#include "scoliomassage/v1/audit.pb.h"
#include "scoliomassage/v1/curve.pb.h"
#include "scoliomassage/v1/history.pb.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::storage {

using core::PatientProgress;

struct HistoryPage {
  // Each record's resume_token is filled in.
  std::vector<v1::HistoryRecord> records;
  // True when the scan reached the end of the selection.
  bool done = false;
};

struct OutcomePage {
  std::vector<v1::Outcome> outcomes;
  std::string next_page_token;  // empty on the last page
};

struct AuditEntry {
  int64_t time_us = 0;  // 0: now
  std::string principal;
  std::string role;
  std::string clinic_id;
  std::string method;
  std::string subject;
  int status_code = 0;
};

struct AuditPage {
  std::vector<v1::AuditRecord> records;
  std::string next_page_token;
};

// A stored recommendation, for checking what an outcome refers to.
struct StoredRecommendation {
  std::string patient_id;
  v1::RecommendProtocolResponse response;
};

struct CurveMeasurementPage {
  std::vector<v1::CurveMeasurement> measurements;
  std::string next_page_token;  // empty on the last page
};

class Store {
 public:
  virtual ~Store() = default;

  // --- writes -------------------------------------------------------------
  // Stores revision 1 of a new outcome and returns it with name, revision and
  // create_time set. Acknowledged only after a durable commit. Idempotent on
  // (clinic_id, request_id): the same request_id with the same outcome returns
  // the first stored outcome and stores nothing; with a different outcome it is
  // ALREADY_EXISTS. `outcome` has been validated by the caller.
  virtual absl::StatusOr<v1::Outcome> LogOutcome(const std::string& clinic_id,
                                                 const std::string& request_id,
                                                 const v1::Outcome& outcome) = 0;

  // Appends the next revision of `name` ("outcomes/{id}") with `reason`.
  // Idempotent on request_id like LogOutcome. NOT_FOUND when the outcome is
  // not in this clinic.
  virtual absl::StatusOr<v1::Outcome> AmendOutcome(const std::string& clinic_id,
                                                   const std::string& request_id,
                                                   const std::string& name,
                                                   const v1::Outcome& corrected,
                                                   const std::string& reason) = 0;

  // Records what was recommended, so an outcome can refer to it.
  virtual absl::Status SaveRecommendation(const std::string& clinic_id,
                                          const v1::RecommendProtocolRequest& request,
                                          const v1::RecommendProtocolResponse& response) = 0;

  // Appends one audit record. Audit records are never changed or deleted.
  virtual absl::Status AppendAudit(const AuditEntry& entry) = 0;

  // --- primary reads ------------------------------------------------------
  // revision 0 means the latest.
  virtual absl::StatusOr<v1::Outcome> GetOutcome(const std::string& clinic_id,
                                                 const std::string& name,
                                                 int32_t revision) = 0;

  virtual absl::StatusOr<PatientProgress> GetPatientProgress(const std::string& clinic_id,
                                                             const std::string& patient_id) = 0;

  // Latest revisions, newest performed_at first. page_size already clamped.
  virtual absl::StatusOr<OutcomePage> ListOutcomes(const std::string& clinic_id,
                                                   const v1::HistoryFilter& filter,
                                                   int page_size,
                                                   const std::string& page_token) = 0;

  // --- analytics reads (may go to a read replica) -------------------------
  // Up to `limit` records after `resume_token` (empty: from the start), in
  // the stable history order. Callers page through with the last record's
  // token, so memory stays bounded by `limit`.
  virtual absl::StatusOr<HistoryPage> ScanHistory(const std::string& clinic_id,
                                                  const v1::HistoryFilter& filter,
                                                  bool include_revisions,
                                                  const std::string& resume_token,
                                                  int limit) = 0;

  // Aggregates over the latest revisions, computed in the database.
  virtual absl::StatusOr<std::vector<v1::SummaryGroup>> Summarize(
      const std::string& clinic_id, const v1::HistoryFilter& filter,
      const std::vector<v1::GroupBy>& group_by) = 0;

  virtual absl::StatusOr<AuditPage> ListAudit(const std::string& clinic_id,
                                              const v1::ListAuditRecordsRequest& request) = 0;

  // --- curve measurements (append-only like outcomes) ---------------------
  // Revision 1 of a new measurement, "curveMeasurements/{id}". Idempotent on
  // (clinic_id, request_id) as LogOutcome is. `measurement` is validated.
  virtual absl::StatusOr<v1::CurveMeasurement> RecordCurveMeasurement(
      const std::string& clinic_id, const std::string& request_id,
      const v1::CurveMeasurement& measurement) = 0;
  // The next revision of `name` with `reason`; idempotent on request_id;
  // NOT_FOUND when the measurement is not in this clinic.
  virtual absl::StatusOr<v1::CurveMeasurement> AmendCurveMeasurement(
      const std::string& clinic_id, const std::string& request_id, const std::string& name,
      const v1::CurveMeasurement& corrected, const std::string& reason) = 0;
  // A primary read; revision 0 means the latest.
  virtual absl::StatusOr<v1::CurveMeasurement> GetCurveMeasurement(const std::string& clinic_id,
                                                                   const std::string& name,
                                                                   int32_t revision) = 0;
  // A primary read: the latest revision of each of the patient's
  // measurements, taken_at descending (then id descending), from one range of
  // an index. page_size already resolved (1 or more).
  virtual absl::StatusOr<CurveMeasurementPage> ListCurveMeasurements(
      const std::string& clinic_id, const std::string& patient_id, int page_size,
      const std::string& page_token) = 0;

  // A primary read of what SaveRecommendation stored; NOT_FOUND when this
  // clinic has no such recommendation.
  virtual absl::StatusOr<StoredRecommendation> GetRecommendation(
      const std::string& clinic_id, const std::string& recommendation_id) = 0;
};

// Opens the store named by a database URL: "sqlite://PATH", a bare path, or
// "postgresql://...". Creates the SQLite file and its folder when missing and
// applies pending schema migrations.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& database_url);

}  // namespace scoliomassage::storage
