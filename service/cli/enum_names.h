// Enum names for people: SPINE_REGION_LUMBAR reads as LUMBAR in tables, and
// operators may type "lumbar" where the API wants SPINE_REGION_LUMBAR.
#ifndef SCOLIOMASSAGE_CLI_ENUM_NAMES_H_
#define SCOLIOMASSAGE_CLI_ENUM_NAMES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "scoliomassage/v1/common.pb.h"

namespace scoliomassage::cli {

// The value's name without its enum's prefix ("LUMBAR" for
// SPINE_REGION_LUMBAR). Unknown numbers come back as the number.
std::string ShortEnumName(const google::protobuf::EnumDescriptor* type, int value);

template <typename E>
std::string ShortName(E value) {
  return ShortEnumName(google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}

// Accepts the full name (SPINE_REGION_LUMBAR) or the short one (lumbar), in
// any case. "sacral" means LUMBOSACRAL, as in the seed text.
absl::StatusOr<v1::SpineRegion> ParseSpineRegion(absl::string_view text);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_ENUM_NAMES_H_
