#include "base/hex.h"

#include "absl/strings/escaping.h"

namespace scoliomassage::base {

std::string HexEncode(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

}  // namespace scoliomassage::base
