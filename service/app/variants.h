// Protocol evaluations at check-in: which variant (catalog version) of the
// patient's protocol their episode is on (catalog/evaluations.h). Off unless
// the server has an evaluations file; then only the clinic's own evaluated
// protocols are touched.
//
// The assignment: when an episode starts under an evaluation (a check-in
// with no open episode, or with an open one opened on or after the
// evaluation's start_date and not yet assigned), the variant is
//   SHA-256("scoliomassage-variant" 0x00 evaluation name 0x00 pseudonym),
// its first 8 bytes read as a big-endian integer: even is A, odd is B. The
// pseudonym is the patient's HMAC pseudonym (app/pseudonym.h), so a patient
// keeps their variant across calls and servers with the same secret, nobody
// without the secret can predict it from the patient id, and the name makes
// two evaluations independent. The episode stores it: its later sessions
// keep it (even when the hash input would change), and an override replaces
// it, marked as such with who and why.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "app/types.h"
#include "catalog/evaluations.h"

namespace scoliomassage::app {

// The stable hash above.
v1::EvaluationVariant HashVariant(absl::string_view evaluation_name, absl::string_view pseudonym);

// What the check-in decided about a protocol evaluation before the engine
// runs.
struct VariantChoice {
  // Null when no evaluation applies (then nothing below is set).
  const catalog::Evaluation* evaluation = nullptr;
  v1::VariantAssignment assignment;
  // The open episode already holds exactly `assignment`.
  bool stored = false;
};

// The variant for this check-in: the open episode's, the hash's for an
// episode that starts now, or the request's variant_override (recorded with
// caller.principal). `request` has passed core::ValidateRecommendRequest.
// INVALID_ARGUMENT (field variant_override) when the request overrides and
// no evaluation applies.
absl::StatusOr<VariantChoice> ChooseVariant(storage::Store& store,
                                            const catalog::Evaluations* evaluations,
                                            const catalog::Catalog& catalog,
                                            const auth::Caller& caller,
                                            const v1::RecommendProtocolRequest& request,
                                            const std::string& pseudonym, int64_t now_us);

// The basis sentence, e.g. "Protocol evaluation lumbar-2027: variant B
// (assigned by a stable hash of the pseudonym), version 2 of lumbar-c-curve."
std::string DescribeAssignment(const v1::VariantAssignment& assignment);

// "A" or "B".
absl::string_view VariantLetter(v1::EvaluationVariant variant);

}  // namespace scoliomassage::app
