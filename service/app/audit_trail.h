// The records a call leaves behind that nobody waits for: the audit trail
// (who read or wrote patient data) and the record of each recommendation (so
// an outcome can refer to it). The api layer reports calls in app terms; how
// and when they reach the Store is app's business (BackgroundRecords).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "auth/caller.h"
#include "scoliomassage/v1/protocol.pb.h"
#include "storage/store.h"

namespace scoliomassage::app {

// One audited call. Denied and failed calls are audited too.
struct AuditEvent {
  absl::Time start;
  auth::Caller caller;
  auth::Method method = auth::Method::kListProtocols;
  // A patient pseudonym or a resource name; never a patient id.
  std::string subject;
  absl::StatusCode code = absl::StatusCode::kOk;
  // Calls on the HTTP face are filed under their route (e.g.
  // "POST /cds-services/scoliomassage-checkin") instead of a gRPC method path,
  // so the trail says which face served the call. Empty for gRPC calls.
  std::string route;
  // Set by a write that committed this record with itself (storage::
  // WriteAudit); the trail then records nothing more for the call.
  bool stored_with_write = false;
};

// The stored form of `event`.
storage::AuditEntry ToAuditEntry(const AuditEvent& event);

// False for calls that are not audited: the catalog (not patient data) and
// calls whose caller never got a clinic (nothing to scope the record by).
bool IsAudited(const AuditEvent& event);

class AuditTrail {
 public:
  virtual ~AuditTrail() = default;
  // Does not block on the store; a record may be dropped under overload
  // (counted and logged), never an outcome. Records nothing for an event
  // that is not audited or was stored with its write.
  virtual void Record(AuditEvent event) = 0;
};

class RecommendationLog {
 public:
  virtual ~RecommendationLog() = default;
  // Called after a recommendation is answered; does not block on the store.
  virtual void Record(const std::string& clinic_id, const v1::RecommendProtocolRequest& request,
                      const v1::RecommendProtocolResponse& response) = 0;
  // Blocks until what was recorded so far is in the Store: an outcome that
  // names a recommendation answered a moment ago waits for its record
  // instead of being refused.
  virtual void Flush() {}
};

}  // namespace scoliomassage::app
