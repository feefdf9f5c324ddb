#include "core/curve_severity.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/sources.h"

namespace scoliomassage::core {
namespace {

// What the growth status is called on cards; "possibly still growing" asks
// for the missing fact instead of assuming it.
std::string GrowthWords(const v1::PatientProfile& profile, Growth growth) {
  switch (growth) {
    case Growth::kGrowing:
      return absl::StrFormat("Growing patient (Risser %d)", profile.risser_grade());
    case Growth::kPossiblyGrowing:
      return absl::StrFormat("Possibly still growing (age %d, Risser unknown)",
                             profile.age_years());
    case Growth::kMature: return "Skeletally mature patient";
    case Growth::kUnknown: return "Patient of unknown skeletal maturity";
  }
  return "Patient";
}

}  // namespace

Growth GrowthOf(const v1::PatientProfile& profile) {
  if (profile.has_risser_grade()) {
    return profile.risser_grade() <= kGrowingMaxRisser ? Growth::kGrowing : Growth::kMature;
  }
  if (profile.age_years() <= 0) return Growth::kUnknown;
  return profile.age_years() < kPossiblyGrowingBelowAge ? Growth::kPossiblyGrowing
                                                        : Growth::kMature;
}

std::string SosortBand(double cobb) {
  if (cobb < kScoliosisCobbDegrees) return "below the scoliosis threshold (under 10 degrees)";
  if (cobb <= 20) return "low (up to 20 degrees)";
  if (cobb <= 35) return "moderate (21-35 degrees)";
  if (cobb <= 40) return "moderate to severe (36-40 degrees)";
  if (cobb <= 50) return "severe (41-50 degrees)";
  if (cobb <= 55) return "severe to very severe (51-55 degrees)";
  return "very severe (56 degrees or more)";
}

void AddCurveSeverityCards(const v1::PatientProfile& profile, v1::Basis& basis,
                           Explanation& explanation) {
  const Growth growth = GrowthOf(profile);
  if (growth == Growth::kPossiblyGrowing) {
    explanation.AddCard(
        v1::INDICATOR_INFO, "curve.confirm_skeletal_maturity",
        absl::StrFormat("Age %d, no Risser grade: possibly still growing. Confirm skeletal "
                        "maturity.",
                        profile.age_years()),
        "Under 16 with no Risser grade on file, the patient may still be growing, when curves "
        "can progress fastest. The growing-patient rules (bracing window, surgical opinion from "
        "45 degrees) are applied until skeletal maturity is confirmed. Ask for the Risser grade "
        "(US scale 0-5) from the latest radiograph.",
        kSourceSosort);
  }
  if (!profile.has_cobb_angle_degrees()) {
    explanation.AddCard(
        v1::INDICATOR_WARNING, "curve.no_imaging",
        "No Cobb angle on file: curve severity is unknown.",
        "No imaging result (Cobb angle) was sent, so the SOSORT severity, the bracing window and "
        "the threshold for a surgical opinion cannot be checked. Ask for the latest spinal "
        "radiograph report.",
        kSourceSosort);
    return;
  }
  const double cobb = profile.cobb_angle_degrees();
  const std::string band = SosortBand(cobb);
  basis.set_curve_severity(band);
  explanation.Fire("curve.sosort_band", absl::StrFormat("Cobb %.0f degrees: %s", cobb, band),
                   kSourceSosort);
  if (cobb < kScoliosisCobbDegrees) {
    explanation.AddCard(
        v1::INDICATOR_INFO, "curve.below_scoliosis_threshold",
        absl::StrFormat("Cobb %.0f degrees is below the 10 degrees that define scoliosis.", cobb),
        "A Cobb angle under 10 degrees is spinal asymmetry rather than scoliosis. Massage may "
        "still ease pain and muscle tension.",
        kSourceSosort);
  }
  const bool may_grow = growth == Growth::kGrowing || growth == Growth::kPossiblyGrowing;
  if (may_grow && cobb >= kBracingWindowLowDegrees && cobb <= kBracingWindowHighDegrees) {
    explanation.AddCard(
        v1::INDICATOR_WARNING, "curve.bracing_window",
        absl::StrFormat("%s, Cobb %.0f degrees: bracing window. Refer to a scoliosis specialist.",
                        GrowthWords(profile, growth), cobb),
        absl::StrCat(
            "A patient who is still growing (Risser 0-2 on the US scale) with a 25-45 degree "
            "curve is in the **bracing window**. A brace **reduces the risk** of progression to "
            "the surgical range (BrAIST: 72% success with a brace against 48% with observation); "
            "it does not stop progression in every patient, and massage does not replace it. "
            "Make sure a scoliosis specialist is following the patient.",
            growth == Growth::kPossiblyGrowing
                ? " The patient is **possibly still growing**: confirm skeletal maturity."
                : ""),
        absl::StrCat(kSourceSosort, "; ", kSourceBraist));
  }
  // With growth unknown the lower (growing) threshold is the safe one.
  const bool adult = growth == Growth::kMature;
  const double surgical = adult ? kSurgicalOpinionAdultDegrees : kSurgicalOpinionGrowingDegrees;
  if (cobb >= surgical) {
    explanation.AddCard(
        v1::INDICATOR_WARNING, "curve.surgical_opinion",
        absl::StrFormat("%s, Cobb %.0f degrees: the patient should have a surgical opinion.",
                        GrowthWords(profile, growth), cobb),
        absl::StrCat(
            "From ", adult ? "50 degrees in an adult" : "45 degrees in a patient who may still "
                                                        "be growing",
            " surgery may be considered (SOSORT). Make sure a spine surgeon has assessed the "
            "patient; massage stays supportive care for pain and tension.",
            growth == Growth::kUnknown
                ? " Neither age nor Risser grade is recorded, so the growing threshold is used."
                : ""),
        kSourceSosort);
  }
}

void AddSupportiveCareCard(Explanation& explanation) {
  explanation.AddCard(
      v1::INDICATOR_INFO, "evidence.supportive_care",
      "Massage is supportive care for pain and muscle tension; it does not correct the curve.",
      "SOSORT does not recommend manual therapy alone as a treatment for scoliosis; "
      "scoliosis-specific exercise (and, while growing, bracing) is the conservative treatment. "
      "This protocol aims at pain relief and relaxing tense muscles. Massage does not strengthen "
      "muscle. Do not promise that massage straightens or adjusts the spine.",
      kSourceSosort);
}

}  // namespace scoliomassage::core
