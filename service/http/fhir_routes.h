// The FHIR R4 routes under /fhir: the CapabilityStatement, searchset Bundles
// for Procedure, Observation and AdverseEvent, and the Bulk Data $export
// (bulk_export.h runs the jobs). Thin: authenticate the bearer token, check
// the role, call the same app/ reads as gRPC (Outcomes::List for clinical
// callers, who must see their latest write; History's stream for analytics,
// with its pseudonyms), map with fhir_resources.h, convert errors once
// (status_conversion.h's OperationOutcome), audit.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "http/http_app.h"

namespace scoliomassage::http {

class BulkExporter;

struct FhirRoutesOptions {
  // Where export jobs write their NDJSON files (a folder per job under it);
  // empty: a folder under the system's temp directory.
  std::string export_dir;
  // How long a finished export's files stay downloadable.
  absl::Duration export_expiry = absl::Hours(1);
  // Export jobs running or waiting at once, across clinics; one per clinic.
  int max_export_jobs = 2;
};

class FhirRoutes {
 public:
  static absl::StatusOr<std::unique_ptr<FhirRoutes>> Create(const FhirRoutesOptions& options,
                                                            const HttpApp& app);
  ~FhirRoutes();

  void Install(httplib::Server& server, std::string public_url);

 private:
  explicit FhirRoutes(const HttpApp& app);
  void Search(const std::string& type, const httplib::Request& req, httplib::Response& res) const;
  void Read(const std::string& type, const std::string& id, const httplib::Request& req,
            httplib::Response& res) const;
  void KickOff(bool patient_level, const httplib::Request& req, httplib::Response& res);
  void Status(const std::string& job_id, const httplib::Request& req, httplib::Response& res);
  void Cancel(const std::string& job_id, const httplib::Request& req, httplib::Response& res);
  void File(const std::string& job_id, const std::string& file, const httplib::Request& req,
            httplib::Response& res);

  const HttpApp& app_;
  std::string public_url_;
  std::unique_ptr<BulkExporter> exporter_;
};

}  // namespace scoliomassage::http
