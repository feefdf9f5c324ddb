// The audit_records table's one insert, run inside a write transaction:
// by AppendAudit (a record on its own) and by a write that stores its own
// audit record (WriteAudit).
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "storage/sql_executor.h"
#include "storage/store.h"

namespace scoliomassage::storage {

// Appends `entry` with the clinic's next id; `now_us` when entry.time_us is 0.
absl::Status AppendAuditRow(SqlSession& db, const SqlDialect& dialect, const AuditEntry& entry,
                            int64_t now_us);

}  // namespace scoliomassage::storage
