// Identity and time for stored records.
#pragma once

#include <cstdint>
#include <string>

#include "google/protobuf/timestamp.pb.h"

namespace scoliomassage::storage {

// 128 random bits from the OS CSPRNG as 32 lowercase hex digits: ids are
// unguessable, so a name leaks nothing about volume or order.
std::string NewOutcomeId();
std::string OutcomeName(const std::string& outcome_id);

// Wall-clock UTC microseconds.
int64_t NowMicros();
int64_t TimestampToMicros(const google::protobuf::Timestamp& time);
google::protobuf::Timestamp MicrosToTimestamp(int64_t micros);
// "YYYY-MM" of a UTC time.
std::string UtcMonth(int64_t micros);

}  // namespace scoliomassage::storage
