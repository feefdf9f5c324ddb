// The one conversion point of the HTTP face: absl::Status to an HTTP status
// code and a JSON error body. It mirrors api/status_conversion.cc, so a
// caller sees the same reason and field violations on both faces.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace scoliomassage::http {

struct HttpError {
  int status = 500;
  // {"error":{"status":400,"code":"INVALID_ARGUMENT","reason":"...","message":"...",
  //           "fieldViolations":[{"field":"...","description":"..."}]}}
  std::string body;
};

// Reasons with an HTTP status of their own (the rest follow the code).
inline constexpr char kReasonPrefetchMissing[] = "PREFETCH_MISSING";      // 412
// A missing prefetch that could not be fetched from the EHR's fhirServer
// either (cds_prefetch.h); 412 like a missing one, the key in the message.
inline constexpr char kReasonPrefetchFetchFailed[] = "PREFETCH_FETCH_FAILED";  // 412
inline constexpr char kReasonPayloadTooLarge[] = "PAYLOAD_TOO_LARGE";     // 413
inline constexpr char kReasonUnsupportedMedia[] = "UNSUPPORTED_MEDIA_TYPE";  // 415
inline constexpr char kReasonOverloaded[] = "OVERLOADED";                 // 503

int HttpStatusOf(const absl::Status& status);
HttpError ToHttpError(const absl::Status& status);
// The same status for the FHIR routes: the same HTTP status, and the body a
// FHIR OperationOutcome (issue code from the status, the reason as a coding in
// details, one issue per field violation with the parameter in `expression`
// and why in `diagnostics`), so FHIR clients read errors the FHIR way.
HttpError ToFhirError(const absl::Status& status);

}  // namespace scoliomassage::http
