#include "storage/sql_executor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace scoliomassage::storage {

std::string SqlParams::Add(Value value) {
  values_.push_back(std::move(value));
  return absl::StrCat(absl::string_view(&prefix_, 1), values_.size());
}

std::string InsertSql(const char* table, std::initializer_list<SqlColumn> columns,
                      SqlParams& params) {
  // Built in place: the statement cache is keyed by this text, so it is
  // made on every write (per call, not per prepare).
  std::string names;
  std::string placeholders;
  names.reserve(columns.size() * 20);
  placeholders.reserve(columns.size() * 5);
  for (const SqlColumn& column : columns) {
    if (!names.empty()) {
      names.append(", ");
      placeholders.append(", ");
    }
    names.append(column.name);
    placeholders.append(params.Add(column.value));
  }
  return absl::StrCat("INSERT INTO ", table, " (", names, ") VALUES (", placeholders, ")");
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
