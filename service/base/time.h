// The one time conversion. Stored times are UTC microseconds (the data
// model's precision); the API speaks google.protobuf.Timestamp. Conversions
// floor, so nanos stay in [0, 1e9) for times before 1970 too.
#pragma once

#include <cstdint>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace scoliomassage::base {

// Wall-clock UTC microseconds.
int64_t NowMicros();

google::protobuf::Timestamp MicrosToTimestamp(int64_t micros);
// Sub-microsecond nanos are dropped (floored).
int64_t TimestampToMicros(const google::protobuf::Timestamp& time);

google::protobuf::Timestamp TimeToTimestamp(absl::Time time);
absl::Time TimestampToTime(const google::protobuf::Timestamp& time);

}  // namespace scoliomassage::base
