// The clinical record: log, amend, read and list session outcomes for one
// caller. Validation happens here, before anything reaches the Store, so a
// rejected request changes nothing.
#pragma once

#include "absl/status/statusor.h"
#include "app/types.h"
#include "scoliomassage/v1/outcome.pb.h"

namespace scoliomassage::app {

class Outcomes {
 public:
  // `recommendations` may be null; when set, an outcome naming a
  // recommendation not yet in the Store waits for it (Flush) once.
  Outcomes(storage::Store& store, const core::ProtocolEngine& engine,
           const Pseudonymizer& pseudonyms, RecommendationLog* recommendations = nullptr);

  // The writes take the call's audit record (`audit`: caller, method, start
  // time) and fill its subject; the Store may commit it with the outcome
  // (then `audit->stored_with_write`).
  absl::StatusOr<v1::Outcome> Log(const auth::Caller& caller, const v1::LogOutcomeRequest& request,
                                  AuditEvent* audit) const;
  absl::StatusOr<v1::Outcome> Amend(const auth::Caller& caller,
                                    const v1::AmendOutcomeRequest& request,
                                    AuditEvent* audit) const;
  absl::StatusOr<v1::Outcome> Get(const auth::Caller& caller, const v1::GetOutcomeRequest& request,
                                  std::string* audit_subject) const;
  absl::StatusOr<v1::ListOutcomesResponse> List(const auth::Caller& caller,
                                                const v1::ListOutcomesRequest& request,
                                                std::string* audit_subject) const;
  // How many sessions (latest revisions) List would page through for
  // `filter`, with the same scoping (a FHIR searchset Bundle's total).
  absl::StatusOr<int64_t> Count(const auth::Caller& caller, const v1::HistoryFilter& filter) const;

 private:
  // A therapist lists only their own sessions: the filter is narrowed to
  // their therapist_id; naming another therapist is PERMISSION_DENIED.
  static absl::StatusOr<v1::HistoryFilter> ScopeToCaller(const auth::Caller& caller,
                                                         const v1::HistoryFilter& filter);
  // Fills what the server derives (spine region from the protocol) and drops
  // output-only fields the client may have echoed back.
  absl::StatusOr<v1::Outcome> Normalize(const v1::Outcome& outcome,
                                        const std::string& field_prefix) const;
  // Therapists may only touch their own outcomes.
  static absl::Status CheckOwnership(const auth::Caller& caller, const v1::Outcome& stored);
  // PERMISSION_DENIED when a therapist writes an outcome under another
  // therapist_id (log, or an amendment that would reassign it).
  static absl::Status CheckAuthorship(const auth::Caller& caller, const v1::Outcome& written);

  // What was done: a recommendation_id must name a recommendation of this
  // clinic for the same patient (NOT_FOUND / INVALID_ARGUMENT), and the
  // step changes must name its steps.
  absl::Status CheckRecommendation(const auth::Caller& caller, const v1::Outcome& outcome) const;

  storage::Store& store_;
  const core::ProtocolEngine& engine_;
  const Pseudonymizer& pseudonyms_;
  RecommendationLog* recommendations_;
};

}  // namespace scoliomassage::app
