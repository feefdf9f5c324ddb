// A fault-injecting SQLite VFS for tests: a shim over the default VFS (as
// SQLite's own test suite does with its test_vfs/test_devsym shims) that can
// fail writes, fsyncs and reads at a chosen call or at random, tear a write
// (write part of it, then report SQLITE_FULL), or report SQLITE_FULL
// (ENOSPC). Test-only; registered as the default VFS so the real store opens
// through it with no production change.
#pragma once

#include <cstdint>
#include <string>

namespace scoliomassage::testing {

enum class FaultKind {
  kWriteIoError,  // xWrite -> SQLITE_IOERR_WRITE, nothing written
  kWriteFull,     // xWrite -> SQLITE_FULL (ENOSPC), nothing written
  kShortWrite,    // xWrite writes the first half, then -> SQLITE_FULL
  kSyncIoError,   // xSync -> SQLITE_IOERR_FSYNC
  kReadIoError,   // xRead -> SQLITE_IOERR_READ
};
const char* FaultKindName(FaultKind kind);

// Registers the shim as the default VFS (once).
void InstallFaultVfs();

// The next fault: the `countdown`-th call (1 = the next one) of the kind's
// operation fails, once. Replaces any armed fault.
void ArmFaultAt(FaultKind kind, int64_t countdown);
// Random faults: each call of an operation in `kinds_mask` (bit per
// FaultKind) fails with probability 1/one_in, drawn from `seed`.
void ArmRandomFaults(uint32_t kinds_mask, int one_in, uint64_t seed);
void DisarmFaults();
// Faults that fired since the process started.
int64_t FaultsFired();

}  // namespace scoliomassage::testing
