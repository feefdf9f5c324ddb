#include "base/random_id.h"

#include <sys/random.h>

#include <cerrno>
#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/hex.h"

namespace scoliomassage::base {
namespace {

// Fills `out` with `size` bytes. getrandom(2) blocks only until the kernel's
// pool is first seeded (early boot) and may return short reads on signals.
absl::Status FillRandom(unsigned char* out, size_t size) {
  size_t filled = 0;
  while (filled < size) {
    const ssize_t got = ::getrandom(out + filled, size - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(
          absl::StrCat("the OS random number generator failed (errno ", errno, ")"));
    }
    filled += static_cast<size_t>(got);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> RandomHexId() {
  unsigned char bytes[16];
  if (absl::Status filled = FillRandom(bytes, sizeof bytes); !filled.ok()) return filled;
  return HexEncode(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

absl::StatusOr<std::string> RandomUuid() {
  unsigned char bytes[16];
  if (absl::Status filled = FillRandom(bytes, sizeof bytes); !filled.ok()) return filled;
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex =
      HexEncode(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20));
}

}  // namespace scoliomassage::base
