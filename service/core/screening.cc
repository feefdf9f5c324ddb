#include "core/screening.h"

#include <set>

#include "core/sources.h"

namespace scoliomassage::core {
namespace {

constexpr ContraindicationRule kRules[] = {
    // Refer: red flags.
    {v1::CONTRAINDICATION_NEUROLOGICAL_DEFICIT, ScreeningAction::kRefer,
     "screening.refer.neurological_deficit",
     "Refer to a physician: new or progressing neurological signs. No massage today.",
     "New or progressing numbness or weakness may mean nerve or spinal cord compression. "
     "**Do not massage.** Refer the patient to a physician today.",
     kSourceContraindications},
    {v1::CONTRAINDICATION_BOWEL_BLADDER_CHANGE, ScreeningAction::kRefer,
     "screening.refer.bowel_bladder_change",
     "Refer to a physician now: bowel or bladder change. No massage today.",
     "A change in bowel or bladder control can be a sign of cauda equina compression, an "
     "emergency. **Do not massage.** Refer the patient to a physician at once.",
     kSourceContraindications},
    {v1::CONTRAINDICATION_SUSPECTED_FRACTURE, ScreeningAction::kRefer,
     "screening.refer.suspected_fracture",
     "Refer to a physician: suspected fracture or acute trauma. No massage today.",
     "Pressure over a fracture can displace it. **Do not massage.** Refer the patient for "
     "assessment and imaging.",
     kSourceContraindications},
    {v1::CONTRAINDICATION_MALIGNANCY_UNCLEARED, ScreeningAction::kRefer,
     "screening.refer.malignancy_uncleared",
     "Refer to a physician: cancer history without clearance. No massage until cleared.",
     "Back pain with a history of cancer needs a physician's assessment first. **Do not "
     "massage** until the patient's physician clears it.",
     kSourceContraindications},
    {v1::CONTRAINDICATION_UNEXPLAINED_WEIGHT_LOSS, ScreeningAction::kRefer,
     "screening.refer.unexplained_weight_loss",
     "Refer to a physician: unexplained weight loss. No massage today.",
     "Unexplained weight loss with back pain is a red flag for serious disease. **Do not "
     "massage.** Refer the patient to a physician.",
     kSourceContraindications},
    {v1::CONTRAINDICATION_SUSPECTED_DVT, ScreeningAction::kRefer,
     "screening.refer.suspected_dvt",
     "Refer today: suspected deep vein thrombosis. No massage; same-day medical assessment.",
     "Massage can dislodge a clot into the lungs (pulmonary embolism). **Do not massage.** The "
     "patient needs a medical assessment the same day; massage resumes only once a physician has "
     "excluded or treated the thrombosis.",
     kSourceContraindications},
    // Defer: acute conditions.
    {v1::CONTRAINDICATION_FEVER, ScreeningAction::kDefer, "screening.defer.fever",
     "Defer the session: fever. Reschedule when it has passed.",
     "Massage increases circulation and is not given with a fever. **No massage today**; "
     "reschedule once the patient is well.",
     kSourceContraindications},
    {v1::CONTRAINDICATION_ACUTE_INFECTION, ScreeningAction::kDefer,
     "screening.defer.acute_infection",
     "Defer the session: acute infection. Reschedule when it has passed.",
     "Massage can spread or worsen an acute infection. **No massage today**; reschedule once "
     "it has resolved.",
     kSourceContraindications},
    {v1::CONTRAINDICATION_SKIN_LESION_AT_SITE, ScreeningAction::kDefer,
     "screening.defer.skin_lesion_at_site",
     "Defer the session: skin lesion or wound at the site.",
     "Do not work over broken or inflamed skin. **No massage today**; reschedule once the skin "
     "has healed.",
     kSourceContraindications},
    {v1::CONTRAINDICATION_ACUTE_INFLAMMATION, ScreeningAction::kDefer,
     "screening.defer.acute_inflammation",
     "Defer the session: acute inflammation at the site.",
     "Massage over acutely inflamed tissue worsens it. **No massage today**; reschedule once "
     "the inflammation has settled.",
     kSourceContraindications},
    // Modify the session.
    {v1::CONTRAINDICATION_ANTICOAGULANTS, ScreeningAction::kModify, "modify.anticoagulants",
     "Anticoagulants: no deep pressure, no percussion, no deep friction.",
     "Deep pressure, percussion and deep friction risk bruising and bleeding on anticoagulants. "
     "No step goes past MODERATE; percussion is replaced by gentle stroking and deep friction by "
     "light effleurage. The steps below show the changed techniques.",
     kSourceContraindications},
    {v1::CONTRAINDICATION_BLEEDING_DISORDER, ScreeningAction::kModify,
     "modify.bleeding_disorder",
     "Bleeding disorder: no deep pressure, no percussion, no deep friction.",
     "Deep pressure, percussion and deep friction risk bruising and bleeding. No step goes past "
     "MODERATE; percussion is replaced by gentle stroking and deep friction by light "
     "effleurage. The steps below show the changed techniques.",
     kSourceContraindications},
    {v1::CONTRAINDICATION_SEVERE_OSTEOPOROSIS, ScreeningAction::kModify,
     "modify.severe_osteoporosis",
     "Severe osteoporosis: light pressure only; no percussion, no friction over spine or ribs.",
     "Fragile bone can fracture under pressure, ribs and vertebrae first. Every step is LIGHT; "
     "percussion is replaced by gentle stroking and friction over the spine or ribs by light "
     "effleurage. The steps below show the changed techniques.",
     kSourceContraindications},
    {v1::CONTRAINDICATION_PREGNANCY, ScreeningAction::kModify, "modify.pregnancy",
     "Pregnancy: side-lying only, no abdominal work; the patient's provider should agree.",
     "No prone position in pregnancy, so prone (and supine) steps are done **side-lying**, "
     "without the ankle roller. The abdominal step is left out: the protocol has no abdominal "
     "technique known to be safe in pregnancy, so its time goes to the other steps. Lying on "
     "the back late in pregnancy can also press on the great vessels. **The patient's "
     "obstetric provider should agree to massage.**",
     kSourceContraindications},
    {v1::CONTRAINDICATION_RECENT_SPINAL_SURGERY, ScreeningAction::kModify,
     "modify.recent_spinal_surgery",
     "Recent spinal surgery: no work over the spine until the surgeon clears it.",
     "Nothing is done over the operated spine without the surgeon's clearance. The back and neck "
     "steps are left out and their time goes to the legs, hips and abdomen. **Ask the surgeon "
     "for clearance** and record it (a clearance of CLEARANCE_SUBJECT_SPINAL_SURGERY) before "
     "work over the spine resumes.",
     kSourceContraindications},
};

}  // namespace

const ContraindicationRule* RuleFor(v1::Contraindication contraindication) {
  for (const auto& rule : kRules) {
    if (rule.contraindication == contraindication) return &rule;
  }
  return nullptr;
}

bool ScreeningFindings::Has(v1::Contraindication contraindication) const {
  for (const auto* list : {&refer, &defer, &modify}) {
    for (const auto* rule : *list) {
      if (rule->contraindication == contraindication) return true;
    }
  }
  return false;
}

ScreeningFindings Screen(const v1::Screening& screening) {
  std::set<int> distinct(screening.contraindications().begin(),
                         screening.contraindications().end());
  ScreeningFindings findings;
  for (int value : distinct) {
    const ContraindicationRule* rule = RuleFor(static_cast<v1::Contraindication>(value));
    if (rule == nullptr) continue;
    switch (rule->action) {
      case ScreeningAction::kRefer: findings.refer.push_back(rule); break;
      case ScreeningAction::kDefer: findings.defer.push_back(rule); break;
      case ScreeningAction::kModify: findings.modify.push_back(rule); break;
    }
  }
  findings.high_pain = screening.has_pain_nrs() && screening.pain_nrs() >= kHighPainNrs;
  return findings;
}

}  // namespace scoliomassage::core
