// Error vocabulary of the core. The core speaks absl::Status only; bad input
// carries a google.rpc.BadRequest payload and every other failure may carry a
// machine-readable reason. api/status_conversion.cc turns both into
// google.rpc.Status details, in one place.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace scoliomassage::core {

inline constexpr char kBadRequestTypeUrl[] = "type.googleapis.com/google.rpc.BadRequest";
inline constexpr char kReasonTypeUrl[] = "scoliomassage/reason";
inline constexpr char kErrorDomain[] = "scoliomassage.v1";

// Collects every bad field of one request so the caller sees them all at once.
class FieldViolations {
 public:
  void Add(std::string field, std::string description);
  bool empty() const { return violations_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& violations() const {
    return violations_;
  }
  // OK when nothing was added; otherwise INVALID_ARGUMENT with a BadRequest
  // payload and a message that lists the fields.
  absl::Status ToStatus() const;

 private:
  std::vector<std::pair<std::string, std::string>> violations_;
};

// A single bad field.
absl::Status InvalidField(std::string field, std::string description);

// Attaches a machine-readable reason (ErrorInfo.reason), e.g. "STORE_UNAVAILABLE".
absl::Status WithReason(absl::Status status, absl::string_view reason);

// The field violations carried by `status`, empty when there are none.
std::vector<std::pair<std::string, std::string>> FieldViolationsOf(const absl::Status& status);

}  // namespace scoliomassage::core
