#include "core/engine.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/adverse_events.h"
#include "core/clearances.h"
#include "core/curve_history.h"
#include "core/curve_severity.h"
#include "core/dose.h"
#include "core/episode_review.h"
#include "core/errors.h"
#include "core/explanation.h"
#include "core/minors.h"
#include "core/screening.h"
#include "core/session_modifiers.h"
#include "core/session_plan.h"
#include "core/sources.h"

namespace scoliomassage::core {
namespace {

constexpr char kSessionFromHost[] = "host";
constexpr char kSessionFromHistory[] = "history";

struct SessionNumber {
  int number = 1;
  bool from_host = false;
  const char* source() const { return from_host ? kSessionFromHost : kSessionFromHistory; }
};

SessionNumber ResolveSessionNumber(const v1::RecommendProtocolRequest& request,
                                   const PatientProgress& progress) {
  if (request.has_session_number()) return {request.session_number(), true};
  const int64_t next = std::clamp<int64_t>(progress.sessions_logged + 1, 1,
                                           std::numeric_limits<int>::max());
  return {static_cast<int>(next), false};
}

std::string RegionWord(v1::SpineRegion region) {
  std::string name = v1::SpineRegion_Name(region);
  absl::string_view prefix = "SPINE_REGION_";
  if (absl::string_view(name).substr(0, prefix.size()) == prefix) name.erase(0, prefix.size());
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

std::string SideWord(v1::Side side) {
  switch (side) {
    case v1::SIDE_LEFT: return "left";
    case v1::SIDE_RIGHT: return "right";
    default: return "unknown";
  }
}

const char* DecisionWord(v1::Decision decision) {
  switch (decision) {
    case v1::DECISION_PROCEED: return "proceed";
    case v1::DECISION_PROCEED_MODIFIED: return "proceed with changes";
    case v1::DECISION_DEFER: return "defer the session";
    case v1::DECISION_REFER: return "refer to a physician, no massage";
    default: return "unspecified";
  }
}

std::vector<std::string> RuleIds(const std::vector<const ContraindicationRule*>& rules) {
  std::vector<std::string> ids;
  for (const auto* rule : rules) ids.push_back(v1::Contraindication_Name(rule->contraindication));
  return ids;
}

// Cards for findings that stop the session; both lists are shown when both
// are present, so the clinician sees every finding, but referral decides.
void AddStoppingCards(const ScreeningFindings& findings, Explanation& explanation) {
  for (const auto* rule : findings.refer) {
    explanation.AddCard(v1::INDICATOR_CRITICAL, rule->rule_id, rule->summary, rule->detail,
                        rule->source);
  }
  for (const auto* rule : findings.defer) {
    explanation.AddCard(v1::INDICATOR_WARNING, rule->rule_id, rule->summary, rule->detail,
                        rule->source);
  }
}

void FireDoseRule(const Dose& dose, v1::Basis& basis, Explanation& explanation) {
  basis.set_dose_rule(dose.rule_id);
  explanation.Fire(dose.rule_id, absl::StrCat(dose.total_minutes, " minutes: ", dose.reason),
                   kSourceDose);
}

bool UsesCurveSides(const v1::CatalogProtocol& protocol) {
  return std::any_of(protocol.steps().begin(), protocol.steps().end(), [](const auto& step) {
    return step.curve_side() == v1::CURVE_SIDE_CONCAVE ||
           step.curve_side() == v1::CURVE_SIDE_CONVEX;
  });
}

std::string Summarize(const v1::RecommendProtocolRequest& request, const SessionNumber& session,
                      const PatientProgress& progress, const ScreeningFindings& findings,
                      const v1::Protocol* protocol, const Dose* dose, v1::Decision decision,
                      const google::protobuf::RepeatedPtrField<std::string>& basis_clearances) {
  const v1::PatientProfile& profile = request.profile();
  std::string text = absl::StrCat(
      "Session ", session.number,
      session.from_host ? std::string(" (sent by the host)")
                                         : absl::StrCat(" (", progress.sessions_logged,
                                                        " sessions logged)"),
      " for a ", RegionWord(profile.primary_region()), " ",
      profile.curve_pattern() == v1::CURVE_PATTERN_S_CURVE ? "S-curve" : "C-curve",
      ", convex side ", SideWord(profile.convex_side()), ".");
  if (!findings.refer.empty()) {
    absl::StrAppend(&text, " Red flags: ", absl::StrJoin(RuleIds(findings.refer), ", "), ".");
  }
  if (!findings.defer.empty()) {
    absl::StrAppend(&text, " Acute findings: ", absl::StrJoin(RuleIds(findings.defer), ", "), ".");
  }
  if (!findings.modify.empty()) {
    absl::StrAppend(&text, " Modifiers: ", absl::StrJoin(RuleIds(findings.modify), ", "), ".");
  }
  if (findings.high_pain) {
    absl::StrAppend(&text, " Pain at check-in ", request.screening().pain_nrs(), "/10.");
  }
  if (profile.has_cobb_angle_degrees()) {
    absl::StrAppend(&text, " Cobb ", static_cast<int>(profile.cobb_angle_degrees() + 0.5),
                    " degrees, SOSORT ", SosortBand(profile.cobb_angle_degrees()), ".");
  }
  if (protocol != nullptr && dose != nullptr) {
    absl::StrAppend(&text, " Protocol ", protocol->protocol_id(), " v",
                    protocol->protocol_version(), ", ", protocol->total_minutes(),
                    " minutes in ", protocol->steps_size(), " steps; dose rule ", dose->rule_id,
                    " (", ProgressionName(dose->progression), "): ", dose->reason, ".");
  }
  for (const auto& clearance : basis_clearances) {
    absl::StrAppend(&text, " Clearance used: ", clearance, ".");
  }
  absl::StrAppend(&text, " Decision: ", DecisionWord(decision), ".");
  return text;
}

}  // namespace

ProtocolEngine::ProtocolEngine(std::shared_ptr<const catalog::Catalog> catalog)
    : catalog_(std::move(catalog)) {}

absl::StatusOr<v1::RecommendProtocolResponse> ProtocolEngine::Recommend(
    const v1::RecommendProtocolRequest& sent, const PatientProgress& progress) const {
  // What the request leaves out of the curve comes from the stored films;
  // every rule below then sees the same profile.
  const CurveInputs curve = ResolveCurveInputs(sent.profile(), progress.curve_measurements);
  v1::RecommendProtocolRequest filled;
  const bool use_films = curve.cobb_film != nullptr || curve.risser_film != nullptr;
  if (use_films) {
    filled = sent;
    *filled.mutable_profile() = curve.profile;
  }
  const v1::RecommendProtocolRequest& request = use_films ? filled : sent;
  const v1::PatientProfile& profile = request.profile();
  v1::RecommendProtocolResponse response;
  v1::Basis& basis = *response.mutable_basis();
  Explanation explanation;

  const SessionNumber session = ResolveSessionNumber(request, progress);
  basis.set_session_number(session.number);
  basis.set_session_number_source(session.source());
  if (progress.last_outcome.has_value()) basis.set_last_outcome(progress.last_outcome->name());

  const ScreeningFindings findings = Screen(request.screening());
  const AdverseEventGate events = CheckLastSessionEvents(request, progress, explanation);
  if (events.clearance != nullptr) {
    basis.add_clearances_used(DescribeClearance(*events.clearance));
  }
  const bool consent_refused = CheckGuardianConsent(request, explanation);
  const bool refer = !findings.refer.empty() || events.refer;
  if (refer || !findings.defer.empty() || consent_refused) {
    response.set_decision(refer ? v1::DECISION_REFER : v1::DECISION_DEFER);
    AddStoppingCards(findings, explanation);
    AddCurveSeverityCards(profile, basis, explanation);
    const std::string curve_summary =
        AddCurveHistoryCards(curve, progress.as_of_us, basis, explanation);
    AddSupportiveCareCard(explanation);
    basis.set_summary(Summarize(request, session, progress, findings, nullptr, nullptr,
                                response.decision(), basis.clearances_used()));
    basis.mutable_summary()->append(curve_summary);
    if (events.refer) {
      basis.mutable_summary()->append(
          " The last session was followed by a serious adverse event: no massage until a "
          "clinician clears the patient.");
    }
    if (consent_refused) {
      basis.mutable_summary()->append(" The guardian refused consent.");
    }
    explanation.MoveInto(&response);
    return response;
  }

  bool used_fallback = false;
  const v1::CatalogProtocol* catalog_protocol =
      catalog_->Find(profile.primary_region(), profile.curve_pattern(), &used_fallback);
  if (catalog_protocol == nullptr) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "the protocol catalog has no protocol for ",
                          v1::SpineRegion_Name(profile.primary_region()))),
                      "PROTOCOL_NOT_IN_CATALOG");
  }
  if (progress.protocol_version != 0) {
    // A protocol evaluation variant: another loaded version of the same
    // protocol (the loader checked that the catalog holds it).
    if (const auto* variant =
            catalog_->FindVersion(catalog_protocol->id(), progress.protocol_version)) {
      catalog_protocol = variant;
    }
  }

  const Dose dose = PlanDose(session.number, progress.last_outcome, progress.as_of_us);
  const SessionChanges changes = ApplyModifiers(request, findings, dose, basis, explanation);
  FireDoseRule(dose, basis, explanation);
  std::vector<TechniqueChange> technique_changes;
  absl::StatusOr<std::vector<v1::Step>> steps = PlanSteps(
      *catalog_protocol, changes, profile.convex_side(), dose.total_minutes, &technique_changes);
  if (!steps.ok()) return steps.status();
  AddTechniqueChangeCard(technique_changes, explanation);

  if (steps->empty()) {
    // Only a clinic catalog whose protocol is all back work can get here
    // (e.g. with recent spinal surgery): nothing is left to do safely.
    response.set_decision(v1::DECISION_DEFER);
    explanation.AddCard(v1::INDICATOR_WARNING, "plan.no_steps_left",
                        "Nothing in this protocol is allowed today: defer the session.",
                        absl::StrCat("Every step of protocol `", catalog_protocol->id(),
                                     "` was left out by today's screening."),
                        kSourceContraindications);
  } else {
    const bool modified = !findings.modify.empty() || findings.high_pain ||
                          dose.lower_intensity || !technique_changes.empty() ||
                          events.clearance != nullptr;
    response.set_decision(modified ? v1::DECISION_PROCEED_MODIFIED : v1::DECISION_PROCEED);
    v1::Protocol& protocol = *response.mutable_protocol();
    protocol.set_protocol_id(catalog_protocol->id());
    protocol.set_protocol_version(catalog_protocol->version());
    protocol.set_title(catalog_protocol->title());
    protocol.set_session_number(session.number);
    protocol.set_total_minutes(dose.total_minutes);
    protocol.set_source(catalog_protocol->source());
    protocol.set_evidence_level(catalog_protocol->evidence_level());
    for (auto& step : *steps) *protocol.add_steps() = std::move(step);
  }

  if (profile.convex_side() == v1::SIDE_UNSPECIFIED && UsesCurveSides(*catalog_protocol)) {
    explanation.AddCard(
        v1::INDICATOR_INFO, "side.convex_unspecified",
        "Convex side not given: both sides are worked evenly.",
        "The protocol works the concave and the convex side differently (commonly taught, and "
        "contested), but the patient's convex side was not sent. Both sides are worked evenly "
        "(SIDE_BOTH). Record the convex side from the radiograph to target the work.",
        kSourceClinicPractice);
  }
  if (used_fallback) {
    explanation.AddCard(
        v1::INDICATOR_INFO, "catalog.s_curve_fallback",
        "No S-curve protocol for this region: the C-curve protocol is used.",
        absl::StrCat("The catalog has no S-curve protocol for the ",
                     RegionWord(profile.primary_region()), " region, so `",
                     catalog_protocol->id(),
                     "` is used. The compensatory curve gets no targeted work."),
        catalog_protocol->source());
  }
  if (UsesCurveSides(*catalog_protocol)) {
    explanation.Fire("rationale.curve_sides",
                     "Relax the concave side, stimulate the convex side: commonly taught and "
                     "contested (convex paraspinals often show more EMG activity at the apex); "
                     "massage does not strengthen muscle, scoliosis-specific exercise does",
                     absl::StrCat(kSourceClinicPractice, "; ", kSourceSosort));
  }
  CheckEpisodeProgress(progress, explanation);
  AddCurveSeverityCards(profile, basis, explanation);
  const std::string curve_summary =
      AddCurveHistoryCards(curve, progress.as_of_us, basis, explanation);
  AddSupportiveCareCard(explanation);

  basis.set_protocol_id(catalog_protocol->id());
  basis.set_protocol_version(catalog_protocol->version());
  basis.set_progression(std::string(ProgressionName(dose.progression)));
  basis.set_summary(Summarize(request, session, progress, findings,
                              response.has_protocol() ? &response.protocol() : nullptr, &dose,
                              response.decision(), basis.clearances_used()));
  basis.mutable_summary()->append(curve_summary);
  explanation.MoveInto(&response);
  return response;
}

}  // namespace scoliomassage::core
