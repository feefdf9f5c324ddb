#include "storage/sqlite_connection.h"

#include <sqlite3.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/errors.h"

namespace scoliomassage::storage {

absl::Status SqliteStatus(int result_code, sqlite3* db, absl::string_view context) {
  const std::string message = absl::StrCat(
      context, ": ", db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result_code));
  switch (result_code & 0xff) {  // the primary code of an extended code
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return absl::OkStatus();
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return core::WithReason(absl::UnavailableError(message), kReasonStoreBusy);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_READONLY:
    case SQLITE_NOLFS:
    case SQLITE_AUTH:
      return core::WithReason(absl::UnavailableError(message), kReasonStoreUnavailable);
    case SQLITE_FULL:
      return core::WithReason(
          absl::ResourceExhaustedError(absl::StrCat(message, " (the database disk is full)")),
          kReasonDiskFull);
    case SQLITE_NOMEM:
      return core::WithReason(absl::ResourceExhaustedError(message), kReasonStoreError);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return core::WithReason(absl::DataLossError(message), kReasonStoreCorrupt);
    default:
      return core::WithReason(absl::InternalError(message), kReasonStoreError);
  }
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : owner_(other.owner_),
      db_(other.db_),
      statement_(std::exchange(other.statement_, nullptr)),
      slot_(other.slot_) {}

SqliteStatement::~SqliteStatement() {
  if (statement_ == nullptr) return;
  if (owner_ != nullptr) {
    SqliteConnection::Recycle(statement_, slot_);
  } else {
    sqlite3_finalize(statement_);
  }
}

void SqliteStatement::BindInt(int index, int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
}
void SqliteStatement::BindText(int index, absl::string_view value) {
  sqlite3_bind_text64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
void SqliteStatement::BindBlob(int index, absl::string_view value) {
  sqlite3_bind_blob64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT);
}
void SqliteStatement::BindNull(int index) { sqlite3_bind_null(statement_, index); }

absl::StatusOr<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(rc, db_, "database step failed");
}

absl::Status SqliteStatement::Run() {
  for (;;) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

SqliteStatement::Kind SqliteStatement::ColumnKind(int column) const {
  switch (sqlite3_column_type(statement_, column)) {
    case SQLITE_INTEGER: return Kind::kInt;
    case SQLITE_FLOAT: return Kind::kDouble;
    case SQLITE_TEXT: return Kind::kText;
    case SQLITE_BLOB: return Kind::kBytes;
    default: return Kind::kNull;
  }
}
int64_t SqliteStatement::ColumnInt(int column) const {
  return sqlite3_column_int64(statement_, column);
}
double SqliteStatement::ColumnDouble(int column) const {
  return sqlite3_column_double(statement_, column);
}
std::string SqliteStatement::ColumnText(int column) const {
  const auto* text = sqlite3_column_text(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), size);
}
std::string SqliteStatement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  return blob == nullptr ? std::string() : std::string(static_cast<const char*>(blob), size);
}

absl::StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const Options& options) {
  sqlite3* db = nullptr;
  // NOMUTEX: each connection is used by one thread at a time (the writer
  // thread, or a reader borrowed from the pool).
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(options.path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = SqliteStatus(rc, db, absl::StrCat("cannot open database ", options.path));
    sqlite3_close(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db));
  const std::string setup = absl::StrCat(
      // WAL lets readers run while the writer commits.
      "PRAGMA journal_mode=WAL;",
      "PRAGMA synchronous=", options.synchronous, ";",
      "PRAGMA foreign_keys=ON;",
      options.read_only ? "PRAGMA query_only=ON;" : "");
  if (absl::Status status = connection->Exec(setup); !status.ok()) return status;
  return connection;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close_v2(db_);
}

absl::Status SqliteConnection::Exec(absl::string_view sql) {
  if (sql.find(';') == absl::string_view::npos) {
    // One statement (BEGIN, SAVEPOINT, COMMIT... on every write and read
    // snapshot): run it from the statement cache. Errors read as they did
    // from sqlite3_exec.
    absl::StatusOr<SqliteStatement> statement = Prepare(sql);
    if (!statement.ok()) {
      return SqliteStatus(sqlite3_extended_errcode(db_), db_, "database statement failed");
    }
    if (statement->statement_ == nullptr) return absl::OkStatus();  // only white space
    for (;;) {
      const int rc = sqlite3_step(statement->statement_);
      if (rc == SQLITE_DONE) return absl::OkStatus();
      if (rc != SQLITE_ROW) return SqliteStatus(rc, db_, "database statement failed");
    }
  }
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_, "database statement failed");
  return absl::OkStatus();
}

absl::StatusOr<SqliteStatement> SqliteConnection::Prepare(absl::string_view sql) {
  auto cached = statements_.find(sql);
  if (cached != statements_.end() && cached->second != nullptr) {
    return SqliteStatement(this, db_, std::exchange(cached->second, nullptr), &cached->second);
  }
  sqlite3_stmt* statement = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(statement);
    return SqliteStatus(rc, db_, "cannot prepare a database statement");
  }
  if (statement == nullptr) {
    // Only a comment or white space: nothing to run and nothing to cache.
    return SqliteStatement(db_, statement);
  }
  if (cached == statements_.end() && statements_.size() < kMaxCachedStatements) {
    cached = statements_.emplace(std::string(sql), nullptr).first;
  }
  // A text in use twice at once shares its one slot: whichever statement
  // comes back second is finalized.
  return SqliteStatement(this, db_, statement,
                         cached == statements_.end() ? nullptr : &cached->second);
}

void SqliteConnection::Recycle(sqlite3_stmt* statement, sqlite3_stmt** slot) {
  // Reset ends the statement's read of the database (a WAL reader must not
  // hold its snapshot while idle) and clear drops the bound copies.
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  if (slot != nullptr && *slot == nullptr) {
    *slot = statement;
  } else {
    sqlite3_finalize(statement);
  }
}

bool SqliteConnection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace scoliomassage::storage
