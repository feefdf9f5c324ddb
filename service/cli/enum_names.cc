#include "cli/enum_names.h"

#include <cctype>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace scoliomassage::cli {
namespace {

// "SpineRegion" -> "SPINE_REGION_": the prefix buf's ENUM_VALUE_PREFIX asks for.
std::string ValuePrefix(const google::protobuf::EnumDescriptor* type) {
  std::string prefix;
  for (char c : type->name()) {
    if (std::isupper(static_cast<unsigned char>(c)) && !prefix.empty()) prefix += '_';
    prefix += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  prefix += '_';
  return prefix;
}

}  // namespace

std::string ShortEnumName(const google::protobuf::EnumDescriptor* type, int value) {
  const auto* descriptor = type->FindValueByNumber(value);
  if (descriptor == nullptr) return absl::StrCat(value);
  const std::string prefix = ValuePrefix(type);
  const std::string& name = descriptor->name();
  if (absl::StartsWith(name, prefix) && name.size() > prefix.size()) {
    return name.substr(prefix.size());
  }
  return name;
}

absl::StatusOr<v1::SpineRegion> ParseSpineRegion(absl::string_view text) {
  const auto* type = v1::SpineRegion_descriptor();
  std::string wanted = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  if (wanted == "SACRAL") wanted = "LUMBOSACRAL";
  const std::string prefix = ValuePrefix(type);
  std::vector<std::string> known;
  for (int i = 0; i < type->value_count(); ++i) {
    const auto* value = type->value(i);
    if (value->number() == v1::SPINE_REGION_UNSPECIFIED) continue;
    const std::string short_name = ShortEnumName(type, value->number());
    if (wanted == value->name() || wanted == short_name) {
      return static_cast<v1::SpineRegion>(value->number());
    }
    known.push_back(absl::AsciiStrToLower(short_name));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown spine region \"", text, "\"; use one of ", absl::StrJoin(known, ", "),
      " (or the full name, e.g. SPINE_REGION_LUMBAR)"));
}

}  // namespace scoliomassage::cli
