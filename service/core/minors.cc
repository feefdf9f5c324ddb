#include "core/minors.h"

#include "absl/strings/str_cat.h"
#include "core/sources.h"

namespace scoliomassage::core {
namespace {

constexpr char kSourceMinors[] =
    "professional practice standards for treating minors (expert opinion)";

}  // namespace

bool CheckGuardianConsent(const v1::RecommendProtocolRequest& request, Explanation& explanation) {
  const int age = request.profile().age_years();
  if (age <= 0) {
    explanation.AddCard(
        v1::INDICATOR_INFO, "profile.age_not_recorded",
        "Age not recorded: consent for minors and growth cannot be checked.",
        "No age was sent (age_years 0). If the patient is under 18, a parent's or guardian's "
        "written consent is needed; under 16 without a Risser grade the patient may still be "
        "growing. Record the age.",
        kSourceMinors);
    return false;
  }
  if (age >= kAdultAge) return false;
  switch (request.guardian_consent()) {
    case v1::GUARDIAN_CONSENT_REFUSED:
      explanation.AddCard(
          v1::INDICATOR_WARNING, "minor.guardian_consent_refused",
          absl::StrCat("Patient aged ", age, ": the guardian refused consent. Defer the session."),
          "A parent or guardian has refused consent for massage. **No massage.** Reschedule only "
          "once written consent is given.",
          kSourceMinors);
      return true;
    case v1::GUARDIAN_CONSENT_GIVEN:
      explanation.Fire("minor.guardian_consent_given",
                       absl::StrCat("patient aged ", age, ": guardian consent on file"),
                       kSourceMinors);
      break;
    default:
      explanation.AddCard(
          v1::INDICATOR_WARNING, "minor.guardian_consent_needed",
          absl::StrCat("Patient aged ", age, ": written consent of a parent or guardian is needed."),
          "The patient is under 18 and no guardian consent is recorded. Obtain a parent's or "
          "guardian's written consent before the session and record it "
          "(guardian_consent GUARDIAN_CONSENT_GIVEN).",
          kSourceMinors);
      break;
  }
  if (age <= kGuardianPresentUpToAge) {
    explanation.AddCard(
        v1::INDICATOR_INFO, "minor.guardian_present",
        absl::StrCat("Patient aged ", age, ": a guardian should be present; agree the areas first."),
        "At 15 or under a parent or guardian should be present, and the areas to be massaged "
        "(abdomen, gluteals) should be agreed with the patient and the guardian beforehand.",
        kSourceMinors);
  }
  return false;
}

}  // namespace scoliomassage::core
