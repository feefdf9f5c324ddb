#include "storage/request_claims.h"

#include <memory>

#include "absl/strings/str_cat.h"

namespace scoliomassage::storage {

absl::StatusOr<std::optional<IdempotencyRecord>> FindClaim(SqlSession& db, const SqlDialect& dialect,
                                                           const ClaimTable& table,
                                                           const std::string& clinic_id,
                                                           const std::string& request_id) {
  SqlParams p(dialect.placeholder_prefix);
  const std::string sql = absl::StrCat("SELECT operation, fingerprint, ", table.id_column,
                                       ", revision FROM ", table.table, " WHERE clinic_id = ",
                                       p.Add(clinic_id), " AND request_id = ", p.Add(request_id));
  absl::StatusOr<std::unique_ptr<ResultRows>> rows = db.QueryRow(sql, p);
  if (!rows.ok()) return rows.status();
  if (*rows == nullptr) return std::optional<IdempotencyRecord>();
  return std::optional<IdempotencyRecord>(IdempotencyRecord{
      (*rows)->Text(0), (*rows)->Text(1), (*rows)->Text(2), static_cast<int32_t>((*rows)->Int(3))});
}

absl::StatusOr<bool> InsertClaim(SqlSession& db, const SqlDialect& dialect, const ClaimTable& table,
                                 const std::string& clinic_id, const std::string& request_id,
                                 const std::string& operation, const std::string& fingerprint,
                                 const std::string& record_id, int32_t revision,
                                 int64_t create_time_us) {
  SqlParams p(dialect.placeholder_prefix);
  const std::string sql = absl::StrCat(
      InsertSql(table.table,
                {{"clinic_id", clinic_id}, {"request_id", request_id}, {"operation", operation},
                 {"fingerprint", fingerprint}, {table.id_column, record_id},
                 {"revision", int64_t{revision}}, {"create_time_us", create_time_us}},
                p),
      " ON CONFLICT (clinic_id, request_id) DO NOTHING RETURNING 1");
  absl::StatusOr<std::unique_ptr<ResultRows>> rows = db.QueryRow(sql, p);
  if (!rows.ok()) return rows.status();
  const bool claimed = *rows != nullptr;
  // Step to the end, so SQLite finishes the statement before the next one.
  if (claimed) {
    if (absl::StatusOr<bool> end = (*rows)->Next(); !end.ok()) return end.status();
  }
  return claimed;
}

}  // namespace scoliomassage::storage
