// Names and months of stored records. Ids, time and hex come from base/.
#pragma once

#include <cstdint>
#include <string>

#include "base/time.h"

namespace scoliomassage::storage {

using base::MicrosToTimestamp;
using base::NowMicros;
using base::TimestampToMicros;

std::string OutcomeName(const std::string& outcome_id);
// "YYYY-MM" of a UTC time.
std::string UtcMonth(int64_t micros);

}  // namespace scoliomassage::storage
