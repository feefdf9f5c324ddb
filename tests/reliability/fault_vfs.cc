#include "fault_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>

namespace scoliomassage::testing {
namespace {

struct FaultState {
  std::mutex mutex;
  // One-shot fault.
  bool armed = false;
  FaultKind kind = FaultKind::kWriteIoError;
  int64_t countdown = 0;
  // Random faults.
  uint32_t random_mask = 0;
  int one_in = 0;
  std::mt19937_64 random;
};

FaultState& State() {
  static FaultState* state = new FaultState;
  return *state;
}
std::atomic<int64_t> fired{0};
sqlite3_vfs* base_vfs = nullptr;

enum class Op { kWrite, kSync, kRead };

bool KindIsOp(FaultKind kind, Op op) {
  switch (kind) {
    case FaultKind::kWriteIoError:
    case FaultKind::kWriteFull:
    case FaultKind::kShortWrite:
      return op == Op::kWrite;
    case FaultKind::kSyncIoError:
      return op == Op::kSync;
    case FaultKind::kReadIoError:
      return op == Op::kRead;
  }
  return false;
}

// Whether this call fails, and how.
bool ShouldFail(Op op, FaultKind* kind) {
  FaultState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.armed && KindIsOp(state.kind, op) && --state.countdown == 0) {
    state.armed = false;
    *kind = state.kind;
    ++fired;
    return true;
  }
  if (state.one_in > 0) {
    for (int k = 0; k < 5; ++k) {
      const FaultKind candidate = static_cast<FaultKind>(k);
      if ((state.random_mask & (1u << k)) == 0 || !KindIsOp(candidate, op)) continue;
      if (state.random() % static_cast<uint64_t>(state.one_in) == 0) {
        *kind = candidate;
        ++fired;
        return true;
      }
    }
  }
  return false;
}

// Our file: the base VFS's file follows it in the same allocation.
struct FaultFile {
  sqlite3_file base;  // pMethods = our methods
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* file) { return reinterpret_cast<FaultFile*>(file)->real; }

int Close(sqlite3_file* file) {
  sqlite3_file* real = Real(file);
  const int rc = real->pMethods != nullptr ? real->pMethods->xClose(real) : SQLITE_OK;
  return rc;
}
int Read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  FaultKind kind;
  if (ShouldFail(Op::kRead, &kind)) return SQLITE_IOERR_READ;
  return Real(file)->pMethods->xRead(Real(file), buffer, amount, offset);
}
int Write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
  FaultKind kind;
  if (ShouldFail(Op::kWrite, &kind)) {
    if (kind == FaultKind::kWriteIoError) return SQLITE_IOERR_WRITE;
    if (kind == FaultKind::kShortWrite && amount > 1) {
      // A torn write: the first half reached the disk, then it filled.
      Real(file)->pMethods->xWrite(Real(file), buffer, amount / 2, offset);
    }
    return SQLITE_FULL;
  }
  return Real(file)->pMethods->xWrite(Real(file), buffer, amount, offset);
}
int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  return Real(file)->pMethods->xTruncate(Real(file), size);
}
int Sync(sqlite3_file* file, int flags) {
  FaultKind kind;
  if (ShouldFail(Op::kSync, &kind)) return SQLITE_IOERR_FSYNC;
  return Real(file)->pMethods->xSync(Real(file), flags);
}
int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  return Real(file)->pMethods->xFileSize(Real(file), size);
}
int Lock(sqlite3_file* file, int level) { return Real(file)->pMethods->xLock(Real(file), level); }
int Unlock(sqlite3_file* file, int level) {
  return Real(file)->pMethods->xUnlock(Real(file), level);
}
int CheckReservedLock(sqlite3_file* file, int* out) {
  return Real(file)->pMethods->xCheckReservedLock(Real(file), out);
}
int FileControl(sqlite3_file* file, int op, void* arg) {
  return Real(file)->pMethods->xFileControl(Real(file), op, arg);
}
int SectorSize(sqlite3_file* file) { return Real(file)->pMethods->xSectorSize(Real(file)); }
int DeviceCharacteristics(sqlite3_file* file) {
  return Real(file)->pMethods->xDeviceCharacteristics(Real(file));
}
int ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return Real(file)->pMethods->xShmMap(Real(file), region, size, extend, out);
}
int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return Real(file)->pMethods->xShmLock(Real(file), offset, n, flags);
}
void ShmBarrier(sqlite3_file* file) { Real(file)->pMethods->xShmBarrier(Real(file)); }
int ShmUnmap(sqlite3_file* file, int delete_flag) {
  return Real(file)->pMethods->xShmUnmap(Real(file), delete_flag);
}
int Fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  // No memory-mapped reads: every read goes through Read, where faults are.
  (void)file;
  (void)offset;
  (void)amount;
  *out = nullptr;
  return SQLITE_OK;
}
int Unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  (void)file;
  (void)offset;
  (void)page;
  return SQLITE_OK;
}

const sqlite3_io_methods kMethods = {
    3,           Close,       Read,       Write,    Truncate, Sync,  FileSize,
    Lock,        Unlock,      CheckReservedLock, FileControl, SectorSize,
    DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier, ShmUnmap, Fetch, Unfetch};

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  (void)vfs;
  auto* ours = reinterpret_cast<FaultFile*>(file);
  ours->real = reinterpret_cast<sqlite3_file*>(ours + 1);
  std::memset(ours->real, 0, static_cast<size_t>(base_vfs->szOsFile));
  file->pMethods = nullptr;
  const int rc = base_vfs->xOpen(base_vfs, name, ours->real, flags, out_flags);
  if (ours->real->pMethods != nullptr) file->pMethods = &kMethods;
  return rc;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return base_vfs->xDelete(base_vfs, name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return base_vfs->xAccess(base_vfs, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return base_vfs->xFullPathname(base_vfs, name, size, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return base_vfs->xDlOpen(base_vfs, name); }
void DlError(sqlite3_vfs*, int size, char* out) { base_vfs->xDlError(base_vfs, size, out); }
void (*DlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return base_vfs->xDlSym(base_vfs, handle, symbol);
}
void DlClose(sqlite3_vfs*, void* handle) { base_vfs->xDlClose(base_vfs, handle); }
int Randomness(sqlite3_vfs*, int size, char* out) {
  return base_vfs->xRandomness(base_vfs, size, out);
}
int Sleep(sqlite3_vfs*, int micros) { return base_vfs->xSleep(base_vfs, micros); }
int CurrentTime(sqlite3_vfs*, double* out) { return base_vfs->xCurrentTime(base_vfs, out); }
int GetLastError(sqlite3_vfs*, int size, char* out) {
  return base_vfs->xGetLastError != nullptr ? base_vfs->xGetLastError(base_vfs, size, out) : 0;
}
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

}  // namespace

const char* FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kWriteIoError: return "write EIO";
    case FaultKind::kWriteFull: return "write ENOSPC";
    case FaultKind::kShortWrite: return "short write + ENOSPC";
    case FaultKind::kSyncIoError: return "fsync EIO";
    case FaultKind::kReadIoError: return "read EIO";
  }
  return "?";
}

void InstallFaultVfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_initialize();
    base_vfs = sqlite3_vfs_find(nullptr);
    static sqlite3_vfs vfs;
    std::memset(&vfs, 0, sizeof vfs);
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + base_vfs->szOsFile;
    vfs.mxPathname = base_vfs->mxPathname;
    vfs.zName = "scoliomassage-fault";
    vfs.xOpen = Open;
    vfs.xDelete = Delete;
    vfs.xAccess = Access;
    vfs.xFullPathname = FullPathname;
    vfs.xDlOpen = DlOpen;
    vfs.xDlError = DlError;
    vfs.xDlSym = DlSym;
    vfs.xDlClose = DlClose;
    vfs.xRandomness = Randomness;
    vfs.xSleep = Sleep;
    vfs.xCurrentTime = CurrentTime;
    vfs.xGetLastError = GetLastError;
    vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    if (sqlite3_vfs_register(&vfs, 1) != SQLITE_OK) std::abort();
  });
}

void ArmFaultAt(FaultKind kind, int64_t countdown) {
  FaultState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.armed = true;
  state.kind = kind;
  state.countdown = countdown;
  state.one_in = 0;
}

void ArmRandomFaults(uint32_t kinds_mask, int one_in, uint64_t seed) {
  FaultState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.armed = false;
  state.random_mask = kinds_mask;
  state.one_in = one_in;
  state.random.seed(seed);
}

void DisarmFaults() {
  FaultState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.armed = false;
  state.one_in = 0;
}

int64_t FaultsFired() { return fired.load(); }

}  // namespace scoliomassage::testing
