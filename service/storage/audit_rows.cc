#include "storage/audit_rows.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "storage/store_common.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {
namespace {

// Audit ids are max + 1 per clinic; appenders in other instances may take
// the same id first, and each collision costs one retry.
constexpr int kAuditAttempts = 32;

}  // namespace

absl::Status AppendAuditRow(SqlSession& db, const SqlDialect& dialect, const AuditEntry& entry,
                            int64_t now_us) {
  SqlParams p(dialect.placeholder_prefix);
  const std::string clinic = p.Add(entry.clinic_id);
  // Ids increase within a clinic. Racing appenders (other instances on
  // PostgreSQL) may pick the same max + 1; ON CONFLICT lets the loser try
  // the next id. The casts type the SELECT list for PostgreSQL.
  const std::string insert = absl::StrCat(
      "INSERT INTO audit_records (clinic_id, id, time_us, principal, role, method, subject, "
      "status_code) SELECT CAST(",
      clinic, " AS TEXT), coalesce(max(id), 0) + 1, CAST(",
      p.Add(entry.time_us != 0 ? entry.time_us : now_us), " AS BIGINT), CAST(",
      p.Add(entry.principal), " AS TEXT), CAST(", p.Add(entry.role), " AS TEXT), CAST(",
      p.Add(entry.method), " AS TEXT), CAST(", p.Add(entry.subject), " AS TEXT), CAST(",
      p.Add(int64_t{entry.status_code}),
      " AS INTEGER) FROM audit_records WHERE clinic_id = ", clinic,
      " ON CONFLICT (clinic_id, id) DO NOTHING RETURNING id");
  for (int attempt = 0; attempt < kAuditAttempts; ++attempt) {
    if (absl::Status inserted = InsertIfAbsent(db, insert, p); !absl::IsAlreadyExists(inserted)) {
      return inserted;
    }
  }
  return core::WithReason(
      absl::UnavailableError("too many concurrent audit appends for this clinic; retry"),
      kReasonStoreBusy);
}

}  // namespace scoliomassage::storage
