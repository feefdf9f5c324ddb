#include "core/curve_severity.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace scoliomassage::core {

void AddCurveSeverityCards(const v1::PatientProfile& profile, Explanation& explanation) {
  if (!profile.has_cobb_angle_degrees()) {
    explanation.AddCard(
        v1::INDICATOR_WARNING, "curve.no_imaging",
        "No Cobb angle on file: curve severity is unknown.",
        "No imaging result (Cobb angle) was sent, so the bracing window and the threshold for a "
        "surgical opinion cannot be checked. Ask for the latest spinal radiograph report.",
        kSourceSosort);
    return;
  }
  const double cobb = profile.cobb_angle_degrees();
  if (cobb < kScoliosisCobbDegrees) {
    explanation.AddCard(
        v1::INDICATOR_INFO, "curve.below_scoliosis_threshold",
        absl::StrFormat("Cobb %.0f degrees is below the 10 degrees that define scoliosis.", cobb),
        "A Cobb angle under 10 degrees is spinal asymmetry rather than scoliosis. Massage may "
        "still ease pain and muscle tension.",
        kSourceSosort);
  }
  const bool growing = profile.has_risser_grade() && profile.risser_grade() <= kGrowingMaxRisser;
  if (growing && cobb >= kBracingWindowLowDegrees && cobb <= kBracingWindowHighDegrees) {
    explanation.AddCard(
        v1::INDICATOR_WARNING, "curve.bracing_window",
        absl::StrFormat("Growing patient (Risser %d) with Cobb %.0f degrees: refer to a scoliosis "
                        "specialist about bracing.",
                        profile.risser_grade(), cobb),
        "A patient who is still growing (Risser 0-2) with a 25-40 degree curve is in the "
        "**bracing window**: a brace can stop progression, massage cannot. Make sure a scoliosis "
        "specialist is following the patient.",
        kSourceSosort);
  }
  if (cobb >= kSurgicalOpinionDegrees) {
    explanation.AddCard(
        v1::INDICATOR_WARNING, "curve.surgical_opinion",
        absl::StrFormat("Cobb %.0f degrees: the patient should have a surgical opinion.", cobb),
        "From about 45 degrees surgery may be considered. Make sure a spine surgeon has assessed "
        "the patient; massage stays supportive care for pain and tension.",
        kSourceSosort);
  }
}

void AddSupportiveCareCard(Explanation& explanation) {
  explanation.AddCard(
      v1::INDICATOR_INFO, "evidence.supportive_care",
      "Massage is supportive care for pain and muscle tension; it does not correct the curve.",
      "SOSORT does not recommend manual therapy alone as a treatment for scoliosis. This "
      "protocol aims at pain relief, relaxing tense muscles and toning weak ones. Do not promise "
      "that massage straightens or adjusts the spine.",
      kSourceSosort);
}

}  // namespace scoliomassage::core
