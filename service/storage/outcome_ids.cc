#include "storage/outcome_ids.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace scoliomassage::storage {

std::string OutcomeName(const std::string& outcome_id) { return absl::StrCat("outcomes/", outcome_id); }

std::string UtcMonth(int64_t micros) {
  return absl::FormatTime("%Y-%m", absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

}  // namespace scoliomassage::storage
