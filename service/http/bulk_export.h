// FHIR Bulk Data Access 2.0 export jobs: state in memory, NDJSON files on
// disk. A job streams its clinic's record from app::History page by page
// (the QueryHistory stream: flat memory, never a whole clinic in RAM) on a
// small fixed pool of threads, writing one file per resource type. For a
// clinical (admin) export, Observation.ndjson also gets the curve and
// questionnaire Observations of every patient the sessions name, read per
// patient after the scan (record_observations.h); the set of those patient
// ids is the one thing that grows with the clinic. Finished
// jobs' files expire and are deleted; nothing survives a restart (a client
// then gets 404 on its status URL and kicks off again, as the IG allows).
//
// Limits: one job per clinic at a time, and at most `max_export_jobs` in the
// whole server; beyond either, RESOURCE_EXHAUSTED (HTTP 429 with
// Retry-After). A job counts from kick-off until it is DELETEd or its files
// expire, which bounds the disk exports hold as well as the threads. A job belongs to the clinic and principal that started it:
// anyone else gets NOT_FOUND for its status, files and DELETE.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "auth/caller.h"
#include "http/fhir_routes.h"
#include "http/fhir_search.h"
#include "http/http_app.h"

namespace scoliomassage::http {

struct ExportJobStatus {
  bool done = false;
  // While running: "37% (1100 of 2950 sessions)".
  std::string progress;
  // When done: the manifest (transactionTime, request, requiresAccessToken,
  // output[{type,url,count}], error[]).
  nlohmann::json manifest;
};

class BulkExporter {
 public:
  static absl::StatusOr<std::unique_ptr<BulkExporter>> Create(const FhirRoutesOptions& options,
                                                              const HttpApp& app);
  ~BulkExporter();  // stops the jobs, joins the threads, deletes every file

  void SetPublicUrl(const std::string& public_url);

  // Queues a job; its id (32 hex digits) names the status URL.
  // `request_url` is the kick-off URL the manifest repeats.
  absl::StatusOr<std::string> Start(const auth::Caller& caller, const ExportParams& params,
                                    const std::string& request_url);
  // The job's progress or manifest; a failed job's error.
  absl::StatusOr<ExportJobStatus> Get(const auth::Caller& caller, const std::string& id) const;
  // Cancels a running job or forgets a finished one; its files are deleted.
  absl::Status Cancel(const auth::Caller& caller, const std::string& id);
  // The path of a finished job's file ("Procedure.ndjson").
  absl::StatusOr<std::string> FilePath(const auth::Caller& caller, const std::string& id,
                                       const std::string& file) const;

  // Runs a job (the pool threads) and removes expired ones (the janitor).
  struct Impl;

 private:
  explicit BulkExporter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace scoliomassage::http
