// JSON helpers shared by the CDS Hooks handlers.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "absl/strings/string_view.h"

namespace scoliomassage::http {

// Removes every null, "", [] and {} value, recursively, so a response never
// carries one (CDS Hooks: leave a field out rather than send it empty). An
// object or array that becomes empty is removed from its parent as well.
void PruneEmpty(nlohmann::json& value);

// `text` cut to fewer than `limit` characters (UTF-8 code points), ending in
// "..." when anything was cut; never splits a multi-byte character.
std::string TruncateUtf8(absl::string_view text, size_t limit);

// A random RFC 4122 version 4 UUID in lowercase hex.
std::string RandomUuid();

}  // namespace scoliomassage::http
