// A data-subject export: everything the store holds on one patient of one
// clinic, and the audit records of every call that read or wrote it.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "scoliomassage/v1/outcome.pb.h"
#include "storage/sql_executor.h"

namespace scoliomassage::admin {

struct PatientExportRequest {
  std::string clinic_id;
  std::string patient_id;
  // The patient's pseudonym in this clinic (app::Pseudonymizer with the
  // server's secret): audit records name patients only by it.
  std::string patient_pseudonym;
};

struct PatientRecords {
  // The export as JSON: request fields, "tables" (one array per patient
  // table, see PatientTables() in the .cc), "audit_records".
  nlohmann::json document;
  // Every stored revision of the patient's outcomes, decoded, oldest first:
  // what a FHIR R4 writer maps (Procedure, Observation, AdverseEvent) next to
  // the JSON document.
  std::vector<v1::Outcome> outcome_revisions;
};

// Reads the patient's rows in `db` (one snapshot). A patient with no rows is
// not an error: the export then says the store holds nothing on them.
absl::StatusOr<PatientRecords> CollectPatientRecords(storage::SqlSession& db,
                                                     const storage::SqlDialect& dialect,
                                                     const PatientExportRequest& request);

// The output formats. Only JSON exists so far; FHIR R4 (a Bundle of the
// patient's resources) plugs in here once the service's FHIR mapping does.
enum class ExportFormat { kJson, kFhir };
absl::StatusOr<std::string> RenderPatientExport(const PatientRecords& records, ExportFormat format);

// The tables the export reads, by name: tests compare it with the schema so a
// new patient table cannot be forgotten.
std::vector<std::string> ExportedPatientTables();

}  // namespace scoliomassage::admin
