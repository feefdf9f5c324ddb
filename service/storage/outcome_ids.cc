#include "storage/outcome_ids.h"

#include <openssl/rand.h>

#include <chrono>
#include <stdexcept>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace scoliomassage::storage {

std::string NewOutcomeId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    // Never fall back to a weak generator for record ids.
    throw std::runtime_error("the OS random number generator failed");
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

std::string OutcomeName(const std::string& outcome_id) { return absl::StrCat("outcomes/", outcome_id); }

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t TimestampToMicros(const google::protobuf::Timestamp& time) {
  return time.seconds() * 1000000 + time.nanos() / 1000;
}

google::protobuf::Timestamp MicrosToTimestamp(int64_t micros) {
  google::protobuf::Timestamp time;
  int64_t seconds = micros / 1000000;
  int64_t remainder = micros % 1000000;
  if (remainder < 0) {  // floor, so nanos stay in [0, 1e9)
    remainder += 1000000;
    --seconds;
  }
  time.set_seconds(seconds);
  time.set_nanos(static_cast<int32_t>(remainder * 1000));
  return time;
}

std::string UtcMonth(int64_t micros) {
  return absl::FormatTime("%Y-%m", absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

}  // namespace scoliomassage::storage
