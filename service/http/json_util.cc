#include "http/json_util.h"

#include <openssl/rand.h>

#include <cstdio>
#include <vector>

namespace scoliomassage::http {
namespace {

bool IsEmptyValue(const nlohmann::json& value) {
  return value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty()) ||
         (value.is_array() && value.empty()) || (value.is_object() && value.empty());
}

}  // namespace

void PruneEmpty(nlohmann::json& value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      PruneEmpty(*it);
      it = IsEmptyValue(*it) ? value.erase(it) : std::next(it);
    }
  } else if (value.is_array()) {
    nlohmann::json kept = nlohmann::json::array();
    for (auto& item : value) {
      PruneEmpty(item);
      if (!IsEmptyValue(item)) kept.push_back(std::move(item));
    }
    value = std::move(kept);
  }
}

std::string TruncateUtf8(absl::string_view text, size_t limit) {
  // Count code points: bytes that are not continuation bytes (10xxxxxx).
  auto code_points = [](absl::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  if (code_points(text) < limit) return std::string(text);
  // Keep limit - 4 code points and add "..." (3 characters): limit - 1 total.
  const size_t keep = limit > 4 ? limit - 4 : 0;
  size_t seen = 0;
  size_t end = 0;
  for (; end < text.size(); ++end) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80) {
      if (seen == keep) break;
      ++seen;
    }
  }
  std::string cut(text.substr(0, end));
  while (!cut.empty() && cut.back() == ' ') cut.pop_back();
  return cut + "...";
}

std::string RandomUuid() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();  // no entropy: nothing safe to do
  bytes[6] = (bytes[6] & 0x0F) | 0x40;
  bytes[8] = (bytes[8] & 0x3F) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return out;
}

}  // namespace scoliomassage::http
