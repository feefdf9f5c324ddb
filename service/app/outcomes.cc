#include "app/outcomes.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "app/page_size.h"
#include "base/error_reasons.h"
#include "base/time.h"
#include "core/errors.h"
#include "core/outcome_validation.h"

namespace scoliomassage::app {
Outcomes::Outcomes(storage::Store& store, const core::ProtocolEngine& engine,
                   const Pseudonymizer& pseudonyms, RecommendationLog* recommendations)
    : store_(store), engine_(engine), pseudonyms_(pseudonyms), recommendations_(recommendations) {}

absl::Status Outcomes::CheckRecommendation(const auth::Caller& caller,
                                           const v1::Outcome& outcome) const {
  if (outcome.recommendation_id().empty()) return absl::OkStatus();
  auto stored = store_.GetRecommendation(caller.clinic_id, outcome.recommendation_id());
  if (absl::IsNotFound(stored.status()) && recommendations_ != nullptr) {
    // Recommendations are written in the background (app/background_records.h):
    // one answered a moment ago may still be queued.
    recommendations_->Flush();
    stored = store_.GetRecommendation(caller.clinic_id, outcome.recommendation_id());
  }
  if (absl::IsNotFound(stored.status())) {
    return absl::NotFoundError(absl::StrCat("outcome.recommendation_id: recommendation ",
                                            outcome.recommendation_id(),
                                            " not found in this clinic"));
  }
  if (!stored.ok()) return stored.status();
  core::FieldViolations violations;
  if (stored->request.patient_id() != outcome.patient_id()) {
    violations.Add("outcome.recommendation_id", "is a recommendation for another patient");
    return violations.ToStatus();
  }
  const v1::RecommendProtocolResponse& recommended = stored->response;
  const v1::Decision decision = recommended.decision();
  if (outcome.adherence() == v1::ADHERENCE_AS_RECOMMENDED &&
      (decision == v1::DECISION_DEFER || decision == v1::DECISION_REFER)) {
    violations.Add("outcome.adherence",
                   absl::StrCat("the recommendation was ", v1::Decision_Name(decision),
                                " (no massage today): a session that took place did not follow "
                                "it (ADHERENCE_NOT_FOLLOWED)"));
  }
  const auto& steps = recommended.protocol().steps();
  for (int i = 0; i < outcome.step_changes_size(); ++i) {
    const v1::StepChange& change = outcome.step_changes(i);
    const std::string field = absl::StrCat("outcome.step_changes[", i, "]");
    if (change.step_order() > 0) {
      const v1::Step* step = nullptr;
      for (const auto& candidate : steps) {
        if (static_cast<int>(candidate.order()) == change.step_order()) step = &candidate;
      }
      if (step == nullptr) {
        violations.Add(field + ".step_order",
                       absl::StrCat("the recommendation has no step ", change.step_order(), " (",
                                    steps.size(), " steps)"));
      } else if (change.body_area() != v1::BODY_AREA_UNSPECIFIED &&
                 change.body_area() != step->body_area()) {
        violations.Add(field + ".body_area",
                       absl::StrCat("step ", change.step_order(), " is ",
                                    v1::BodyArea_Name(step->body_area())));
      }
    } else {
      const bool any = std::any_of(steps.begin(), steps.end(), [&](const v1::Step& step) {
        return step.body_area() == change.body_area();
      });
      if (!any) {
        violations.Add(field + ".body_area", "the recommendation has no step for this body area");
      }
    }
  }
  return violations.ToStatus();
}

absl::StatusOr<v1::Outcome> Outcomes::Normalize(const v1::Outcome& outcome,
                                                const std::string& field_prefix) const {
  v1::Outcome normalized = outcome;
  normalized.clear_name();
  normalized.clear_revision();
  normalized.clear_create_time();
  normalized.clear_amend_reason();
  normalized.clear_patient_pseudonym();
  normalized.clear_episode();
  if (normalized.spine_region() == v1::SPINE_REGION_UNSPECIFIED) {
    const v1::CatalogProtocol* protocol = engine_.catalog().FindById(normalized.protocol_id());
    if (protocol == nullptr) {
      return core::InvalidField(field_prefix + "spine_region",
                                "required when protocol_id is not in the loaded catalog");
    }
    normalized.set_spine_region(protocol->spine_region());
  }
  return normalized;
}

absl::Status Outcomes::CheckOwnership(const auth::Caller& caller, const v1::Outcome& stored) {
  if (caller.role == auth::Role::kTherapist && stored.therapist_id() != caller.principal) {
    return core::WithReason(
        absl::PermissionDeniedError("a therapist may only amend or read their own outcomes"),
        base::kReasonNotOwner);
  }
  return absl::OkStatus();
}

absl::Status Outcomes::CheckAuthorship(const auth::Caller& caller, const v1::Outcome& written) {
  // A therapist writes as themselves. Hosts (the clinic's own software) and
  // admins log on behalf of the clinic's therapists, so they may name any
  // therapist_id of their clinic; the audit trail records who really called.
  if (caller.role == auth::Role::kTherapist && written.therapist_id() != caller.principal) {
    return core::WithReason(
        absl::PermissionDeniedError(
            "a therapist may only log or amend outcomes under their own therapist_id"),
        base::kReasonNotOwner);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Outcome> Outcomes::Log(const auth::Caller& caller,
                                          const v1::LogOutcomeRequest& request,
                                          AuditEvent* audit) const {
  const int64_t now_us = base::NowMicros();
  if (absl::Status valid = core::ValidateLogOutcomeRequest(request, now_us); !valid.ok()) {
    return valid;
  }
  if (absl::Status author = CheckAuthorship(caller, request.outcome()); !author.ok()) {
    return author;
  }
  auto outcome = Normalize(request.outcome(), "outcome.");
  if (!outcome.ok()) return outcome.status();
  if (absl::Status linked = CheckRecommendation(caller, *outcome); !linked.ok()) return linked;
  // The subject is the outcome's name, known once it is stored.
  storage::WriteAudit write_audit{ToAuditEntry(*audit)};
  auto stored = store_.LogOutcome(caller.clinic_id, request.request_id(), *outcome, &write_audit);
  if (stored.ok()) {
    audit->subject = stored->name();
    audit->stored_with_write = write_audit.stored;
  }
  return stored;
}

absl::StatusOr<v1::Outcome> Outcomes::Amend(const auth::Caller& caller,
                                            const v1::AmendOutcomeRequest& request,
                                            AuditEvent* audit) const {
  const int64_t now_us = base::NowMicros();
  if (absl::Status valid = core::ValidateAmendOutcomeRequest(request, now_us); !valid.ok()) {
    return valid;
  }
  audit->subject = request.name();
  auto current = store_.GetOutcome(caller.clinic_id, request.name(), 0);
  if (!current.ok()) return current.status();
  if (absl::Status owner = CheckOwnership(caller, *current); !owner.ok()) return owner;
  // Owning the outcome is not enough: the correction may not hand it to
  // someone else.
  if (absl::Status author = CheckAuthorship(caller, request.outcome()); !author.ok()) {
    return author;
  }
  auto corrected = Normalize(request.outcome(), "outcome.");
  if (!corrected.ok()) return corrected.status();
  if (absl::Status linked = CheckRecommendation(caller, *corrected); !linked.ok()) return linked;
  storage::WriteAudit write_audit{ToAuditEntry(*audit)};
  auto stored = store_.AmendOutcome(caller.clinic_id, request.request_id(), request.name(),
                                    *corrected, request.reason(), &write_audit);
  if (stored.ok()) audit->stored_with_write = write_audit.stored;
  return stored;
}

absl::StatusOr<v1::Outcome> Outcomes::Get(const auth::Caller& caller,
                                          const v1::GetOutcomeRequest& request,
                                          std::string* audit_subject) const {
  if (absl::Status valid = core::ValidateGetOutcomeRequest(request); !valid.ok()) return valid;
  *audit_subject = request.name();
  auto outcome = store_.GetOutcome(caller.clinic_id, request.name(), request.revision());
  if (!outcome.ok()) return outcome.status();
  if (absl::Status owner = CheckOwnership(caller, *outcome); !owner.ok()) return owner;
  return outcome;
}

absl::StatusOr<v1::ListOutcomesResponse> Outcomes::List(const auth::Caller& caller,
                                                        const v1::ListOutcomesRequest& request,
                                                        std::string* audit_subject) const {
  auto page_size = ResolvePageSize(request.page_size(), kOutcomePageSize, "page_size");
  if (!page_size.ok()) return page_size.status();
  if (absl::Status valid = core::ValidateHistoryFilter(request.filter(), "filter");
      !valid.ok()) {
    return valid;
  }
  *audit_subject = request.filter().patient_id().empty()
                       ? "outcomes"
                       : pseudonyms_.Pseudonym(caller.clinic_id, request.filter().patient_id());
  auto filter = ScopeToCaller(caller, request.filter());
  if (!filter.ok()) return filter.status();
  auto page = store_.ListOutcomes(caller.clinic_id, *filter, *page_size, request.page_token());
  if (!page.ok()) return page.status();
  v1::ListOutcomesResponse response;
  for (auto& outcome : page->outcomes) *response.add_outcomes() = std::move(outcome);
  response.set_next_page_token(page->next_page_token);
  return response;
}

absl::StatusOr<v1::HistoryFilter> Outcomes::ScopeToCaller(const auth::Caller& caller,
                                                          const v1::HistoryFilter& filter) {
  v1::HistoryFilter scoped = filter;
  if (caller.role != auth::Role::kTherapist) return scoped;
  if (!filter.therapist_id().empty() && filter.therapist_id() != caller.principal) {
    return core::WithReason(
        absl::PermissionDeniedError("a therapist may only list their own outcomes"),
        base::kReasonNotOwner);
  }
  scoped.set_therapist_id(caller.principal);
  return scoped;
}

absl::StatusOr<int64_t> Outcomes::Count(const auth::Caller& caller,
                                        const v1::HistoryFilter& filter) const {
  if (absl::Status valid = core::ValidateHistoryFilter(filter, "filter"); !valid.ok()) return valid;
  auto scoped = ScopeToCaller(caller, filter);
  if (!scoped.ok()) return scoped.status();
  auto groups = store_.Summarize(caller.clinic_id, *scoped, {});
  if (!groups.ok()) return groups.status();
  int64_t count = 0;
  for (const auto& group : *groups) count += group.session_count();
  return count;
}

}  // namespace scoliomassage::app
