#include "storage/sql_executor.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace scoliomassage::storage {

std::string SqlParams::Add(Value value) {
  values_.push_back(std::move(value));
  return absl::StrCat(std::string(1, prefix_), values_.size());
}

absl::StatusOr<std::unique_ptr<ResultRows>> SqlSession::QueryRow(const std::string& sql,
                                                                 const SqlParams& params) {
  absl::StatusOr<std::unique_ptr<ResultRows>> rows = Query(sql, params);
  if (!rows.ok()) return rows.status();
  absl::StatusOr<bool> row = (*rows)->Next();
  if (!row.ok()) return row.status();
  if (!*row) return std::unique_ptr<ResultRows>();
  return rows;
}

absl::Status SqlSession::Run(const std::string& sql, const SqlParams& params) {
  absl::StatusOr<std::unique_ptr<ResultRows>> rows = Query(sql, params);
  if (!rows.ok()) return rows.status();
  // SQLite runs a statement as it is stepped: step it to the end.
  for (;;) {
    absl::StatusOr<bool> row = (*rows)->Next();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

}  // namespace scoliomassage::storage
