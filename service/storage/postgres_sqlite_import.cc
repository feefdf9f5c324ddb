#include "storage/postgres_sqlite_import.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "storage/outcome_rows.h"
#include "storage/postgres_connection.h"
#include "storage/postgres_options.h"
#include "storage/postgres_store.h"
#include "storage/sqlite_connection.h"
#include "storage/sqlite_store.h"

namespace scoliomassage::storage {
namespace {

// The tables that hold what was written, parents before children
// (idempotency_keys refers to outcome_revisions, curve_request_ids to
// curve_revisions). Columns and keys are read from the SQLite file itself,
// so the import never restates the schema. outcome_latest and
// patient_progress are derived: RebuildReadModel.
constexpr const char* kTables[] = {"outcome_revisions", "idempotency_keys", "recommendations",
                                   "audit_records",     "curve_revisions",  "curve_request_ids",
                                   "episodes",          "assessments",      "assessment_scores",
                                   "cds_feedback"};

// Rows are copied in transactions of this many, so a huge file neither holds
// one giant transaction nor pays a commit per row.
constexpr int kRowsPerTransaction = 500;

struct Table {
  std::string name;
  std::vector<std::string> columns;
  int key_columns = 0;  // the primary key is the first key_columns columns
};

// The columns of `name`, primary key first in key order.
absl::StatusOr<Table> ReadTable(SqliteConnection& source, const std::string& name) {
  absl::StatusOr<SqliteStatement> info =
      source.Prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY pk = 0, pk, cid");
  if (!info.ok()) return info.status();
  info->BindText(1, name);
  Table table{name, {}, 0};
  for (;;) {
    absl::StatusOr<bool> row = info->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    table.columns.push_back(info->ColumnText(0));
    if (info->ColumnInt(1) > 0) ++table.key_columns;
  }
  if (table.columns.empty()) return absl::InternalError(absl::StrCat("no table ", name));
  return table;
}

absl::StatusOr<std::vector<PgParam>> ReadRow(const Table& table, const SqliteStatement& row) {
  std::vector<PgParam> values;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const int column = static_cast<int>(i);
    switch (row.ColumnKind(column)) {
      case SqliteStatement::Kind::kInt:
        values.push_back(PgParam::Int(row.ColumnInt(column)));
        break;
      case SqliteStatement::Kind::kBytes:
        values.push_back(PgParam::Bytes(row.ColumnBlob(column)));
        break;
      case SqliteStatement::Kind::kText:
        values.push_back(PgParam::Text(row.ColumnText(column)));
        break;
      case SqliteStatement::Kind::kDouble:
        // 17 significant digits give the same double back (IEEE 754).
        values.push_back(PgParam::Text(absl::StrFormat("%.17g", row.ColumnDouble(column))));
        break;
      case SqliteStatement::Kind::kNull:  // an open episode's closed_at_us, an unscoreable score
        values.push_back(PgParam::Null());
        break;
    }
  }
  return values;
}

std::string ColumnList(const Table& table, size_t count) {
  return absl::StrJoin(table.columns.begin(), table.columns.begin() + count, ", ");
}

std::string InsertSql(const Table& table) {
  std::vector<std::string> placeholders;
  for (size_t i = 0; i < table.columns.size(); ++i)
    placeholders.push_back(absl::StrCat("$", i + 1));
  return absl::StrCat("INSERT INTO ", table.name, " (", ColumnList(table, table.columns.size()),
                      ") VALUES (", absl::StrJoin(placeholders, ", "), ") ON CONFLICT (",
                      ColumnList(table, table.key_columns), ") DO NOTHING RETURNING 1");
}

std::string SelectExistingSql(const Table& table) {
  std::vector<std::string> conditions;
  for (int i = 0; i < table.key_columns; ++i) {
    conditions.push_back(absl::StrCat(table.columns[i], " = $", i + 1));
  }
  return absl::StrCat("SELECT ", ColumnList(table, table.columns.size()), " FROM ", table.name,
                      " WHERE ", absl::StrJoin(conditions, " AND "));
}

// Equal text, or the same number (PostgreSQL prints a double in its
// shortest form, the copy sent 17 digits).
bool SameValue(const std::string& target, const std::string& source) {
  if (target == source) return true;
  double a = 0;
  double b = 0;
  return absl::SimpleAtod(target, &a) && absl::SimpleAtod(source, &b) && a == b;
}

// A row the target already has must be the same row, or the copy would
// silently keep different data under the same key.
absl::Status CheckIdentical(PgConnection& target, const Table& table,
                            const std::vector<PgParam>& source) {
  std::vector<PgParam> key(source.begin(), source.begin() + table.key_columns);
  absl::StatusOr<PgResult> existing = target.Exec(SelectExistingSql(table), key);
  if (!existing.ok()) return existing.status();
  if (existing->rows() != 1) {
    return absl::InternalError(absl::StrCat(table.name, ": a conflicting row vanished"));
  }
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const int column = static_cast<int>(i);
    const std::string value =
        source[i].binary ? existing->Bytes(0, column) : existing->Text(0, column);
    if (existing->IsNull(0, column) != source[i].null || !SameValue(value, source[i].value)) {
      std::vector<std::string> key_text;
      for (int k = 0; k < table.key_columns; ++k) key_text.push_back(source[k].value);
      return absl::FailedPreconditionError(absl::StrCat(
          table.name, " (", absl::StrJoin(key_text, ", "),
          "): the PostgreSQL row differs from the "
          "SQLite row in column ",
          table.columns[i], "; was the target written to by a server before the copy finished?"));
    }
  }
  return absl::OkStatus();
}

absl::Status CopyTable(SqliteConnection& source, PgConnection& target, const Table& table,
                       TableCopyReport& report) {
  report.table = table.name;
  absl::StatusOr<SqliteStatement> rows =
      source.Prepare(absl::StrCat("SELECT ", ColumnList(table, table.columns.size()), " FROM ",
                                  table.name, " ORDER BY ", ColumnList(table, table.key_columns)));
  if (!rows.ok()) return rows.status();
  const std::string insert = InsertSql(table);
  bool in_transaction = false;
  for (;;) {
    absl::StatusOr<bool> has_row = rows->Step();
    if (!has_row.ok()) return has_row.status();
    if (!*has_row) break;
    if (!in_transaction) {
      if (absl::Status status = target.ExecScript("BEGIN"); !status.ok()) return status;
      in_transaction = true;
    }
    absl::StatusOr<std::vector<PgParam>> values = ReadRow(table, *rows);
    if (!values.ok()) return values.status();
    absl::StatusOr<PgResult> inserted = target.Exec(insert, *values);
    if (!inserted.ok()) return inserted.status();
    ++report.source_rows;
    if (inserted->rows() == 1) {
      ++report.copied;
    } else {
      if (absl::Status same = CheckIdentical(target, table, *values); !same.ok()) return same;
      ++report.already_present;
    }
    if (report.source_rows % kRowsPerTransaction == 0) {
      if (absl::Status status = target.ExecScript("COMMIT"); !status.ok()) return status;
      in_transaction = false;
    }
  }
  if (in_transaction) {
    if (absl::Status status = target.ExecScript("COMMIT"); !status.ok()) return status;
  }
  absl::StatusOr<PgResult> count = target.Exec(absl::StrCat("SELECT count(*) FROM ", table.name));
  if (!count.ok()) return count.status();
  report.target_rows = count->Int(0, 0);
  if (report.copied + report.already_present != report.source_rows ||
      report.target_rows < report.source_rows) {
    return absl::DataLossError(
        absl::StrCat(table.name, ": verification failed: ", report.source_rows, " source rows, ",
                     report.copied, " copied, ", report.already_present, " already present, ",
                     report.target_rows, " in the target"));
  }
  return absl::OkStatus();
}

// The check-in's read model (migration 0002) derived afresh from the copied
// revisions, as that migration's backfill does: a re-run after amendments on
// the source must not keep the first run's rows.
absl::Status RebuildReadModel(PgConnection& target) {
  return target.ExecScript(absl::StrCat("BEGIN; ", kRebuildReadModelSql, " COMMIT"));
}

}  // namespace

absl::StatusOr<std::vector<TableCopyReport>> CopySqliteToPostgres(const std::string& sqlite_path,
                                                                  const std::string& postgres_url) {
  absl::StatusOr<PostgresOptions> target_options = ParsePostgresUrl(postgres_url);
  if (!target_options.ok()) return target_options.status();
  {
    // Opening each store brings its schema to the newest version, so both
    // sides have the same columns before rows move.
    SqliteStoreOptions source_options;
    source_options.path = sqlite_path;
    absl::StatusOr<std::unique_ptr<SqliteStore>> source_store = SqliteStore::Open(source_options);
    if (!source_store.ok()) return source_store.status();
    absl::StatusOr<std::unique_ptr<PostgresStore>> target_store =
        PostgresStore::Open(*target_options);
    if (!target_store.ok()) return target_store.status();
  }
  SqliteConnection::Options read_options;
  read_options.path = sqlite_path;
  read_options.read_only = true;
  absl::StatusOr<std::unique_ptr<SqliteConnection>> source = SqliteConnection::Open(read_options);
  if (!source.ok()) return source.status();
  absl::StatusOr<std::unique_ptr<PgConnection>> target =
      PgConnection::Connect(target_options->conninfo);
  if (!target.ok()) return target.status();

  // One read transaction: every table comes from the same snapshot, so a
  // live SQLite server cannot slip in a key whose revision was not copied.
  if (absl::Status status = (*source)->Exec("BEGIN"); !status.ok()) return status;
  std::vector<TableCopyReport> reports;
  absl::Status status;
  for (const char* name : kTables) {
    absl::StatusOr<Table> table = ReadTable(**source, name);
    TableCopyReport report;
    status = table.ok() ? CopyTable(**source, **target, *table, report) : table.status();
    if (!status.ok()) break;
    reports.push_back(report);
  }
  if (status.ok()) status = RebuildReadModel(**target);
  if (!status.ok()) {
    (*source)->Exec("ROLLBACK").IgnoreError();
    if (!(*target)->broken()) (*target)->ExecScript("ROLLBACK").IgnoreError();
    return status;
  }
  (*source)->Exec("COMMIT").IgnoreError();
  return reports;
}

}  // namespace scoliomassage::storage
