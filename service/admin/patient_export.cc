#include "admin/patient_export.h"

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "scoliomassage/v1/assessment.pb.h"
#include "scoliomassage/v1/curve.pb.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::admin {
namespace {

std::string FormatMicros(int64_t micros) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

// One column of a patient table and how it appears in the export.
struct Column {
  enum class Kind { kText, kInt, kTime, kProto };
  const char* name;
  const char* key;  // its JSON key
  Kind kind;
  const google::protobuf::Message* prototype = nullptr;  // kProto: the message stored
};
Column Text(const char* name) { return {name, name, Column::Kind::kText}; }
Column Int(const char* name) { return {name, name, Column::Kind::kInt}; }
// A *_us column, written as an RFC 3339 UTC time under `key`.
Column Time(const char* name, const char* key) { return {name, key, Column::Kind::kTime}; }
// A serialized message, written as its proto3 JSON under `key`.
template <typename Message>
Column Proto(const char* name, const char* key) {
  return {name, key, Column::Kind::kProto, &Message::default_instance()};
}

// A table with clinic_id and patient_id columns, read whole for the patient.
struct PatientTable {
  const char* table;
  const char* order_by;
  std::vector<Column> columns;
};

// Every table that holds rows about a patient, one entry each. A table added
// by a migration (curve measurements, assessments, ...) is one more line
// here; tests/admin checks the schema against this list.
const std::vector<PatientTable>& PatientTables() {
  static const auto* tables = new std::vector<PatientTable>{
      {"outcome_revisions", "first_create_time_us, outcome_id, revision",
       {Text("outcome_id"), Int("revision"), Time("create_time_us", "create_time"),
        Text("request_id"), Text("amend_reason"), Proto<v1::Outcome>("outcome_proto", "outcome")}},
      {"recommendations", "create_time_us, recommendation_id",
       {Text("recommendation_id"), Time("create_time_us", "create_time"),
        Proto<v1::RecommendProtocolRequest>("request_proto", "request"),
        Proto<v1::RecommendProtocolResponse>("response_proto", "response")}},
      // The check-in's read model, derived from outcome_revisions.
      {"outcome_latest", "performed_at_us, outcome_id",
       {Text("outcome_id"), Int("revision"), Time("performed_at_us", "performed_at")}},
      {"patient_progress", "patient_id", {Int("sessions_logged")}},
      // An open episode has no close time: exported as "" rather than a date.
      {"episodes", "opened_at_us, episode_id",
       {Text("episode_id"), Time("opened_at_us", "opened_at"),
        {"coalesce(CAST(closed_at_us AS TEXT), '')", "closed_at_us", Column::Kind::kText},
        Time("create_time_us", "create_time")}},
      {"assessments", "performed_at_us, assessment_id",
       {Text("assessment_id"), Text("request_id"), Time("create_time_us", "create_time"),
        Proto<v1::Assessment>("assessment_proto", "assessment")}},
      // The scores again, one row per domain (the summaries' copy); a NULL
      // value is an unscoreable domain.
      {"assessment_scores", "performed_at_us, assessment_id, domain",
       {Text("assessment_id"), Text("domain"),
        {"coalesce(CAST(value AS TEXT), '')", "value", Column::Kind::kText}}},
      {"curve_revisions", "taken_at_us, measurement_id, revision",
       {Text("measurement_id"), Int("revision"), Time("create_time_us", "create_time"),
        Text("request_id"), Text("amend_reason"),
        Proto<v1::CurveMeasurement>("measurement_proto", "measurement")}},
      // What the clinician did with each decision-support card.
      {"cds_feedback", "outcome_time_us, card_uuid, outcome",
       {Text("card_uuid"), Text("outcome"), Text("service_id"), Text("recommendation_id"),
        Text("rule_id"), Text("reason_system"), Text("reason_code"), Text("user_comment"),
        Time("outcome_time_us", "outcome_time"), Text("principal")}},
  };
  return *tables;
}

absl::StatusOr<nlohmann::json> ProtoJson(const google::protobuf::Message& prototype,
                                         const std::string& bytes, absl::string_view where) {
  std::unique_ptr<google::protobuf::Message> message(prototype.New());
  if (!message->ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat(where, " does not decode as ", prototype.GetTypeName()));
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;  // the API's proto3 JSON names
  if (auto status = google::protobuf::util::MessageToJsonString(*message, &json, options); !status.ok()) {
    return absl::InternalError(absl::StrCat(where, ": ", status.ToString()));
  }
  return nlohmann::json::parse(json);
}

absl::StatusOr<nlohmann::json> ReadTable(storage::SqlSession& db, const storage::SqlDialect& dialect,
                                         const PatientTable& table,
                                         const PatientExportRequest& request) {
  std::vector<std::string> names;
  for (const Column& column : table.columns) names.push_back(column.name);
  storage::SqlParams params(dialect.placeholder_prefix);
  const std::string sql = absl::StrCat("SELECT ", absl::StrJoin(names, ", "), " FROM ", table.table,
                                       " WHERE clinic_id = ", params.Add(request.clinic_id),
                                       " AND patient_id = ", params.Add(request.patient_id),
                                       " ORDER BY ", table.order_by);
  auto rows = db.Query(sql, params);
  if (!rows.ok()) return rows.status();
  nlohmann::json out = nlohmann::json::array();
  while (true) {
    absl::StatusOr<bool> next = (*rows)->Next();
    if (!next.ok()) return next.status();
    if (!*next) break;
    nlohmann::json row = nlohmann::json::object();
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const Column& column = table.columns[i];
      const int index = static_cast<int>(i);
      switch (column.kind) {
        case Column::Kind::kText: row[column.key] = (*rows)->Text(index); break;
        case Column::Kind::kInt: row[column.key] = (*rows)->Int(index); break;
        case Column::Kind::kTime: row[column.key] = FormatMicros((*rows)->Int(index)); break;
        case Column::Kind::kProto: {
          absl::StatusOr<nlohmann::json> value = ProtoJson(
              *column.prototype, (*rows)->Bytes(index), absl::StrCat(table.table, ".", column.name));
          if (!value.ok()) return value.status();
          row[column.key] = *std::move(value);
          break;
        }
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

// Audit subjects name a patient by pseudonym (check-ins, patient lists) or a
// call by the outcome it touched (log, get, amend): both kinds are the
// patient's.
absl::StatusOr<nlohmann::json> ReadAudit(storage::SqlSession& db, const storage::SqlDialect& dialect,
                                         const PatientExportRequest& request) {
  storage::SqlParams params(dialect.placeholder_prefix);
  const std::string clinic = params.Add(request.clinic_id);
  const std::string sql = absl::StrCat(
      "SELECT id, time_us, principal, role, method, subject, status_code FROM audit_records"
      " WHERE clinic_id = ", clinic, " AND (subject = ", params.Add(request.patient_pseudonym),
      " OR subject IN (SELECT 'outcomes/' || outcome_id FROM outcome_revisions WHERE clinic_id = ",
      clinic, " AND patient_id = ", params.Add(request.patient_id), ")) ORDER BY id");
  auto rows = db.Query(sql, params);
  if (!rows.ok()) return rows.status();
  nlohmann::json out = nlohmann::json::array();
  while (true) {
    absl::StatusOr<bool> next = (*rows)->Next();
    if (!next.ok()) return next.status();
    if (!*next) break;
    const int64_t code = (*rows)->Int(6);
    out.push_back({{"id", (*rows)->Int(0)},
                   {"time", FormatMicros((*rows)->Int(1))},
                   {"principal", (*rows)->Text(2)},
                   {"role", (*rows)->Text(3)},
                   {"method", (*rows)->Text(4)},
                   {"subject", (*rows)->Text(5)},
                   {"status_code", code},
                   {"status", absl::StatusCodeToString(static_cast<absl::StatusCode>(code))}});
  }
  return out;
}

}  // namespace

std::vector<std::string> ExportedPatientTables() {
  std::vector<std::string> names;
  for (const PatientTable& table : PatientTables()) names.push_back(table.table);
  return names;
}

absl::StatusOr<PatientRecords> CollectPatientRecords(storage::SqlSession& db,
                                                     const storage::SqlDialect& dialect,
                                                     const PatientExportRequest& request) {
  PatientRecords records;
  nlohmann::json& document = records.document;
  auto version = db.QueryRow("SELECT coalesce(max(version), 0) FROM schema_migrations",
                             storage::SqlParams(dialect.placeholder_prefix));
  if (!version.ok()) return version.status();
  document["export"] = "scoliomassage.patient_export";
  document["export_version"] = 1;
  document["exported_at"] = FormatMicros(absl::ToUnixMicros(absl::Now()));
  document["schema_version"] = *version == nullptr ? 0 : (*version)->Int(0);
  document["clinic_id"] = request.clinic_id;
  document["patient_id"] = request.patient_id;
  document["patient_pseudonym"] = request.patient_pseudonym;
  document["tables"] = nlohmann::json::object();
  for (const PatientTable& table : PatientTables()) {
    absl::StatusOr<nlohmann::json> rows = ReadTable(db, dialect, table, request);
    if (!rows.ok()) return rows.status();
    document["tables"][table.table] = *std::move(rows);
  }
  absl::StatusOr<nlohmann::json> audit = ReadAudit(db, dialect, request);
  if (!audit.ok()) return audit.status();
  document["audit_records"] = *std::move(audit);

  // The typed revisions for other writers (FHIR), from the rows just read.
  for (const nlohmann::json& row : document["tables"]["outcome_revisions"]) {
    v1::Outcome outcome;
    if (!google::protobuf::util::JsonStringToMessage(row["outcome"].dump(), &outcome).ok()) {
      return absl::InternalError("an exported outcome does not read back");
    }
    records.outcome_revisions.push_back(std::move(outcome));
  }
  return records;
}

absl::StatusOr<std::string> RenderPatientExport(const PatientRecords& records, ExportFormat format) {
  switch (format) {
    case ExportFormat::kJson:
      return records.document.dump(2) + "\n";
    case ExportFormat::kFhir:
      break;
  }
  return absl::UnimplementedError(
      "--format=fhir is not available in this release: export JSON, whose outcome revisions are "
      "the v1 Outcome messages the FHIR mapping will read");
}

}  // namespace scoliomassage::admin
