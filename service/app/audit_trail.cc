#include "app/audit_trail.h"

namespace scoliomassage::app {

bool IsAudited(const AuditEvent& event) {
  // The catalog and the instrument definitions hold no patient data.
  return event.method != auth::Method::kListProtocols &&
         event.method != auth::Method::kListInstruments && !event.caller.clinic_id.empty();
}

storage::AuditEntry ToAuditEntry(const AuditEvent& event) {
  storage::AuditEntry entry;
  entry.time_us = absl::ToUnixMicros(event.start);
  entry.principal = event.caller.principal;
  entry.role = std::string(auth::RoleName(event.caller.role));
  entry.clinic_id = event.caller.clinic_id;
  entry.method = event.route.empty() ? std::string(auth::MethodPath(event.method)) : event.route;
  entry.subject = event.subject;
  entry.status_code = static_cast<int>(event.code);
  return entry;
}

}  // namespace scoliomassage::app
