// Random identifiers from the OS CSPRNG (getrandom(2)). Ids are unguessable,
// so a name leaks nothing about volume or order. One failure policy: when the
// OS cannot supply randomness the call returns UNAVAILABLE; it never throws
// and never falls back to a weak source, so it is safe on writer threads and
// in callbacks.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace scoliomassage::base {

// 128 random bits as 32 lowercase hex digits.
absl::StatusOr<std::string> RandomHexId();

// A random (version 4) UUID in its canonical 36-character lowercase form.
absl::StatusOr<std::string> RandomUuid();

}  // namespace scoliomassage::base
