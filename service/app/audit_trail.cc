#include "app/audit_trail.h"

namespace scoliomassage::app {

bool IsAudited(const AuditEvent& event) {
  // The catalog and the instrument definitions hold no patient data.
  return event.method != auth::Method::kListProtocols &&
         event.method != auth::Method::kListInstruments && !event.caller.clinic_id.empty();
}

}  // namespace scoliomassage::app
