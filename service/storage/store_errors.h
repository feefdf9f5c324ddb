// The machine-readable reasons (google.rpc.ErrorInfo.reason) every backend
// gives its failures, so a caller sees the same reason whichever database is
// behind the store.
#pragma once

namespace scoliomassage::storage {

inline constexpr char kReasonStoreUnavailable[] = "STORE_UNAVAILABLE";  // down or unreachable
inline constexpr char kReasonStoreBusy[] = "STORE_BUSY";                // contention: retry
inline constexpr char kReasonDiskFull[] = "STORE_DISK_FULL";
inline constexpr char kReasonStoreCorrupt[] = "STORE_CORRUPT";
inline constexpr char kReasonStoreError[] = "STORE_ERROR";  // anything else

}  // namespace scoliomassage::storage
