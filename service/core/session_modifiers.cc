#include "core/session_modifiers.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "core/clearances.h"
#include "core/sources.h"

namespace scoliomassage::core {
namespace {

TechniqueLimit Limit(const char* rule_id, const char* reason, LimitScope scope,
                     v1::Intensity max_intensity, bool no_tapotement, bool no_friction) {
  return TechniqueLimit{rule_id, reason, scope, max_intensity, no_tapotement, no_friction};
}

}  // namespace

// Turns today's findings into changes to the plan. Each change is a rule
// over technique classes and intensities, so it holds for any catalog.
SessionChanges ApplyModifiers(const v1::RecommendProtocolRequest& request,
                              const ScreeningFindings& findings, const Dose& dose,
                              v1::Basis& basis, Explanation& explanation) {
  SessionChanges changes;
  for (const auto* rule : findings.modify) {
    const v1::Clearance* surgeon =
        rule->contraindication == v1::CONTRAINDICATION_RECENT_SPINAL_SURGERY
            ? FindClearance(request, v1::CLEARANCE_SUBJECT_SPINAL_SURGERY, {})
            : nullptr;
    if (surgeon == nullptr) {
      explanation.AddCard(v1::INDICATOR_WARNING, rule->rule_id, rule->summary, rule->detail,
                          rule->source);
    }
    switch (rule->contraindication) {
      case v1::CONTRAINDICATION_ANTICOAGULANTS:
        changes.limits.push_back(Limit(rule->rule_id, "anticoagulants",
                                       LimitScope::kAllSteps, v1::INTENSITY_MODERATE, true, false));
        break;
      case v1::CONTRAINDICATION_BLEEDING_DISORDER:
        changes.limits.push_back(Limit(rule->rule_id,
                                       "bleeding disorder",
                                       LimitScope::kAllSteps, v1::INTENSITY_MODERATE, true, false));
        break;
      case v1::CONTRAINDICATION_SEVERE_OSTEOPOROSIS:
        changes.limits.push_back(Limit(rule->rule_id, "severe osteoporosis",
                                       LimitScope::kAllSteps, v1::INTENSITY_LIGHT, true, false));
        changes.limits.push_back(Limit(rule->rule_id,
                                       "severe osteoporosis, over the spine and ribs",
                                       LimitScope::kSpine, v1::INTENSITY_DEEP, false, true));
        break;
      case v1::CONTRAINDICATION_PREGNANCY:
        changes.side_lying_only = true;
        break;
      case v1::CONTRAINDICATION_RECENT_SPINAL_SURGERY:
        if (surgeon == nullptr) {
          changes.leave_out_spine = true;
          break;
        }
        changes.limits.push_back(Limit("clearance.spinal_surgery",
                                       "after spinal surgery, over the spine",
                                       LimitScope::kSpine, v1::INTENSITY_LIGHT, true, true));
        basis.add_clearances_used(DescribeClearance(*surgeon));
        explanation.AddCard(
            v1::INDICATOR_WARNING, "clearance.spinal_surgery",
            "Recent spinal surgery, cleared by the surgeon: light work only over the spine.",
            absl::StrCat("Recent spinal surgery or fusion; ", DescribeClearance(*surgeon),
                         ". Work over the spine resumes at LIGHT pressure with no friction and "
                         "no percussion; avoid the scar and the operated levels if tender."),
            kSourceContraindications);
        break;
      default:
        break;
    }
  }
  if (findings.high_pain) {
    changes.limits.push_back(Limit("modify.high_pain", "pain 8 or more at check-in",
                                   LimitScope::kAllSteps, v1::INTENSITY_LIGHT, true, false));
    explanation.AddCard(
        v1::INDICATOR_WARNING, "modify.high_pain",
        "Pain 8 or more at check-in: gentle work only; light pressure, no percussion.",
        "Very high pain at check-in calls for gentle work only. Every step is LIGHT; percussion "
        "is replaced by gentle stroking and friction by light effleurage. Stop if the pain "
        "rises.",
        kSourceContraindications);
  }
  if (dose.lower_intensity) {
    changes.lower_intensity = true;
    explanation.AddCard(
        v1::INDICATOR_WARNING, "dose.step_back",
        absl::StrCat("Last session was too much: today ", dose.total_minutes,
                     " minutes and one level lighter pressure."),
        absl::StrCat("Step back (", dose.reason,
                     "). Today's session is 5 minutes shorter and every step is one intensity "
                     "level lighter (deep to moderate, moderate to light). Ask how the patient "
                     "felt after the last session."),
        kSourceDose);
  }
  return changes;
}

void AddTechniqueChangeCard(const std::vector<TechniqueChange>& changes,
                            Explanation& explanation) {
  if (changes.empty()) return;
  std::string detail =
      "Today's limits change the technique, not only its pressure. Changed steps:\n";
  for (const TechniqueChange& change : changes) {
    absl::StrAppend(&detail, "\n- Step ", change.order, ": ", change.description, " [",
                    change.rule_id, "]");
  }
  explanation.AddCard(
      v1::INDICATOR_WARNING, "limits.technique_changed",
      absl::StrCat("Techniques changed on ", changes.size(),
                   changes.size() == 1 ? " step" : " steps", " today: see which and why."),
      detail, absl::StrCat(kSourceContraindications, "; ", kSourceAdverseEvents));
}

}  // namespace scoliomassage::core
