// Fingerprints of mutating requests, for AIP-155 idempotency: a retry with
// the same request_id must carry the same body. Output-only fields are left
// out, so echoing a returned outcome back does not count as a change.
#pragma once

#include <string>

#include "scoliomassage/v1/curve.pb.h"
#include "scoliomassage/v1/outcome.pb.h"

namespace scoliomassage::storage {

// Hex SHA-256 over the operation name and the canonical (deterministic)
// serialization of the request body. Same inputs, same fingerprint, on every
// backend and every run.
std::string LogOutcomeFingerprint(const v1::Outcome& outcome);
std::string AmendOutcomeFingerprint(const std::string& name, const v1::Outcome& corrected,
                                    const std::string& reason);
std::string RecordCurveFingerprint(const v1::CurveMeasurement& measurement);
std::string AmendCurveFingerprint(const std::string& name, const v1::CurveMeasurement& corrected,
                                  const std::string& reason);

}  // namespace scoliomassage::storage
