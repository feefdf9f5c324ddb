#include "base/time.h"

#include <gtest/gtest.h>

#include "absl/time/clock.h"

namespace scoliomassage::base {
namespace {

TEST(Time, MicrosRoundTripThroughTimestamp) {
  for (int64_t micros : {int64_t{0}, int64_t{1}, int64_t{1767225600123456}, int64_t{-1},
                         int64_t{-1000001}}) {
    const auto time = MicrosToTimestamp(micros);
    EXPECT_GE(time.nanos(), 0) << micros;
    EXPECT_LT(time.nanos(), 1000000000) << micros;
    EXPECT_EQ(TimestampToMicros(time), micros);
  }
}

TEST(Time, BeforeTheEpochFloorsSoNanosStayPositive) {
  const auto time = MicrosToTimestamp(-1);
  EXPECT_EQ(time.seconds(), -1);
  EXPECT_EQ(time.nanos(), 999999000);
}

TEST(Time, SubMicrosecondNanosAreDropped) {
  google::protobuf::Timestamp time;
  time.set_seconds(10);
  time.set_nanos(1999);
  EXPECT_EQ(TimestampToMicros(time), 10000001);
}

TEST(Time, AbslTimeRoundTrip) {
  const absl::Time now = absl::FromUnixMicros(absl::ToUnixMicros(absl::Now()));
  EXPECT_EQ(TimestampToTime(TimeToTimestamp(now)), now);
  const int64_t before = absl::ToUnixMicros(absl::Now());
  const int64_t micros = NowMicros();
  EXPECT_GE(micros, before);
  EXPECT_LT(micros - before, 10 * 1000000);
}

}  // namespace
}  // namespace scoliomassage::base
