#include "base/time.h"

#include "absl/time/clock.h"

namespace scoliomassage::base {

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

google::protobuf::Timestamp MicrosToTimestamp(int64_t micros) {
  int64_t seconds = micros / 1000000;
  int64_t remainder = micros % 1000000;
  if (remainder < 0) {
    remainder += 1000000;
    --seconds;
  }
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  time.set_nanos(static_cast<int32_t>(remainder * 1000));
  return time;
}

int64_t TimestampToMicros(const google::protobuf::Timestamp& time) {
  return time.seconds() * 1000000 + time.nanos() / 1000;
}

google::protobuf::Timestamp TimeToTimestamp(absl::Time time) {
  return MicrosToTimestamp(absl::ToUnixMicros(time));
}

absl::Time TimestampToTime(const google::protobuf::Timestamp& time) {
  return absl::FromUnixMicros(TimestampToMicros(time));
}

}  // namespace scoliomassage::base
