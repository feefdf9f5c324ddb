// Page sizes: the one place that checks what a client asks for and turns it
// into the exact number the Store reads. The Store trusts it (AIP-158: 0
// means the default; above the maximum is an error here, not a silent clamp).
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace scoliomassage::app {

struct PageSizeRule {
  int default_size;
  int max_size;
};

// ListOutcomes: a bounded page for the host's patient view.
inline constexpr PageSizeRule kOutcomePageSize{20, 100};
// ListAuditRecords.
inline constexpr PageSizeRule kAuditPageSize{100, 1000};
// QueryHistory reads the store this many records at a time: large enough to
// amortise the query, small enough that a stream's memory does not depend on
// the history's length. Not client-visible.
inline constexpr int kHistoryScanPageSize = 256;

// INVALID_ARGUMENT with a `field` violation when `requested` is negative or
// above the maximum; otherwise the size to read (the default for 0).
absl::StatusOr<int> ResolvePageSize(int requested, const PageSizeRule& rule,
                                    const std::string& field);

}  // namespace scoliomassage::app
