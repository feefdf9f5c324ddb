#include "storage/sql_executor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace scoliomassage::storage {

std::string SqlParams::Add(Value value) {
  values_.push_back(std::move(value));
  return absl::StrCat(std::string(1, prefix_), values_.size());
}

std::string InsertSql(const char* table, std::initializer_list<SqlColumn> columns,
                      SqlParams& params) {
  std::vector<std::string> names;
  std::vector<std::string> placeholders;
  for (const SqlColumn& column : columns) {
    names.emplace_back(column.name);
    placeholders.push_back(params.Add(column.value));
  }
  return absl::StrCat("INSERT INTO ", table, " (", absl::StrJoin(names, ", "), ") VALUES (",
                      absl::StrJoin(placeholders, ", "), ")");
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
