#include "app/audit_trail.h"

namespace scoliomassage::app {

bool IsAudited(const AuditEvent& event) {
  return event.method != auth::Method::kListProtocols && !event.caller.clinic_id.empty();
}

}  // namespace scoliomassage::app
