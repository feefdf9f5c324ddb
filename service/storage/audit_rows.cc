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
  // PostgreSQL) may pick the same next id; ON CONFLICT lets the loser try
  // the next one. The newest id is one step down the primary key from the
  // clinic's end (max(id) over the clinic's range cost several times more
  // on SQLite, which runs it as an aggregate).
  const std::string insert = absl::StrCat(
      "INSERT INTO audit_records (clinic_id, id, time_us, principal, role, method, subject, "
      "status_code) VALUES (",
      clinic, ", coalesce((SELECT id FROM audit_records WHERE clinic_id = ", clinic,
      " ORDER BY id DESC LIMIT 1), 0) + 1, ", p.Add(entry.time_us != 0 ? entry.time_us : now_us),
      ", ", p.Add(entry.principal), ", ", p.Add(entry.role), ", ", p.Add(entry.method), ", ",
      p.Add(entry.subject), ", ", p.Add(int64_t{entry.status_code}),
      ") ON CONFLICT (clinic_id, id) DO NOTHING RETURNING id");
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
