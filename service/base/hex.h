// The one hex encoder: lowercase, two digits per byte, as ids and pseudonyms
// are written everywhere (stored names, audit subjects, test fixtures).
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace scoliomassage::base {

std::string HexEncode(absl::string_view bytes);

}  // namespace scoliomassage::base
