// Reads a whole small file (certificates, keys, secrets, the tokens file).
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace scoliomassage::base {

// FAILED_PRECONDITION "cannot read <what> file '<path>'" when it cannot be
// read: a start-up or reload problem for the operator, not for a client.
absl::StatusOr<std::string> ReadFileToString(const std::string& path, const std::string& what);

}  // namespace scoliomassage::base
