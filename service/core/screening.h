// What today's screening findings mean for the session (red flags,
// contraindications, referral: Batavia 2004; NCCIH). One table, so the rule for each
// finding is in one place and each has a stable rule id and its card.
#pragma once

#include <vector>

#include "scoliomassage/v1/common.pb.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

enum class ScreeningAction {
  kRefer,   // red flag: no massage, see a physician (CRITICAL card)
  kDefer,   // acute condition: no massage today (WARNING card)
  kModify,  // massage with changes to the steps (WARNING card)
};

struct ContraindicationRule {
  v1::Contraindication contraindication;
  ScreeningAction action;
  const char* rule_id;
  const char* summary;  // under 140 characters
  const char* detail;   // Markdown
  const char* source;   // the published source
};

// Pain at check-in at or above this (NRS) means gentle work only.
inline constexpr int kHighPainNrs = 8;

// The rule for a finding; null for CONTRAINDICATION_UNSPECIFIED and values
// this build does not know (validation rejects those first).
const ContraindicationRule* RuleFor(v1::Contraindication contraindication);

struct ScreeningFindings {
  // Each list in enum order, duplicates in the request counted once.
  std::vector<const ContraindicationRule*> refer;
  std::vector<const ContraindicationRule*> defer;
  std::vector<const ContraindicationRule*> modify;
  bool high_pain = false;

  bool Has(v1::Contraindication contraindication) const;
};

ScreeningFindings Screen(const v1::Screening& screening);

}  // namespace scoliomassage::core
