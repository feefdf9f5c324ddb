#include "storage/postgres_connection.h"

#include <libpq-fe.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/errors.h"
#include "storage/store_errors.h"

namespace scoliomassage::storage {
namespace {

// Distinct SQL texts prepared per connection. Filters combine into a bounded
// set of texts, but a cap keeps a pathological caller from growing it.
constexpr size_t kMaxPreparedStatements = 256;

bool IsConnectionLoss(absl::string_view sqlstate) {
  // Class 08: connection exception. 57P01/02/03: admin or crash shutdown,
  // cannot connect now (starting up or shutting down).
  return absl::StartsWith(sqlstate, "08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

}  // namespace

absl::Status PostgresStatus(absl::string_view sqlstate, absl::string_view message,
                            bool connection_broken, absl::string_view context) {
  const std::string text = absl::StrCat(context, ": ", absl::StripTrailingAsciiWhitespace(message));
  if (connection_broken || IsConnectionLoss(sqlstate) || sqlstate == "53300") {
    return core::WithReason(
        absl::UnavailableError(absl::StrCat("the database is unavailable (", text, ")")),
        kReasonStoreUnavailable);
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "57014") {
    return core::WithReason(absl::UnavailableError(absl::StrCat("the database is busy (", text, ")")),
                            kReasonStoreBusy);
  }
  if (sqlstate == "53100") {
    return core::WithReason(absl::ResourceExhaustedError(absl::StrCat("the database disk is full (",
                                                                      text, ")")),
                            kReasonDiskFull);
  }
  return core::WithReason(absl::InternalError(absl::StrCat("database error ", sqlstate, " (", text, ")")),
                          kReasonStoreError);
}

PgResult::~PgResult() {
  if (result_ != nullptr) PQclear(result_);
}
int PgResult::rows() const { return PQntuples(result_); }
std::string PgResult::Text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<size_t>(PQgetlength(result_, row, column)));
}
bool PgResult::IsNull(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}
int64_t PgResult::Int(int row, int column) const {
  int64_t value = 0;
  if (!absl::SimpleAtoi(Text(row, column), &value)) return 0;
  return value;
}
double PgResult::Double(int row, int column) const {
  double value = 0;
  if (!absl::SimpleAtod(Text(row, column), &value)) return 0;
  return value;
}
std::string PgResult::Bytes(int row, int column) const {
  size_t length = 0;
  unsigned char* raw = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, column)), &length);
  if (raw == nullptr) return std::string();
  std::string bytes(reinterpret_cast<const char*>(raw), length);
  PQfreemem(raw);
  return bytes;
}

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& conninfo) {
  pg_conn* connection = PQconnectdb(conninfo.c_str());
  if (connection == nullptr) {
    return core::WithReason(absl::UnavailableError("cannot allocate a PostgreSQL connection"),
                            kReasonStoreUnavailable);
  }
  if (PQstatus(connection) != CONNECTION_OK) {
    absl::Status status = PostgresStatus("", PQerrorMessage(connection), true, "connecting");
    PQfinish(connection);
    return status;
  }
  // Notices ("relation already exists, skipping") are expected chatter, not
  // errors; libpq would print them to stderr.
  PQsetNoticeProcessor(connection, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(connection));
}

PgConnection::~PgConnection() { PQfinish(connection_); }

bool PgConnection::broken() const { return broken_ || PQstatus(connection_) != CONNECTION_OK; }

absl::Status PgConnection::ErrorFrom(pg_result* result, absl::string_view context) {
  const char* sqlstate = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message == nullptr || *message == '\0') message = PQerrorMessage(connection_);
  if (PQstatus(connection_) != CONNECTION_OK || (sqlstate != nullptr && IsConnectionLoss(sqlstate))) {
    broken_ = true;
  }
  absl::Status status = PostgresStatus(sqlstate != nullptr ? sqlstate : "", message,
                                       broken_, context);
  if (result != nullptr) PQclear(result);
  return status;
}

absl::StatusOr<std::string> PgConnection::PreparedName(const std::string& sql, int param_count) {
  if (auto found = prepared_.find(sql); found != prepared_.end()) return found->second;
  if (prepared_.size() >= kMaxPreparedStatements) return std::string();
  std::string name = absl::StrCat("s", prepared_.size() + 1);
  pg_result* result = PQprepare(connection_, name.c_str(), sql.c_str(), param_count, nullptr);
  if (result == nullptr || PQresultStatus(result) != PGRES_COMMAND_OK) {
    return ErrorFrom(result, "preparing a statement");
  }
  PQclear(result);
  prepared_.emplace(sql, name);
  return name;
}

absl::StatusOr<PgResult> PgConnection::Exec(const std::string& sql,
                                            const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const PgParam& param : params) {
    values.push_back(param.null ? nullptr : param.value.data());
    lengths.push_back(static_cast<int>(param.value.size()));
    formats.push_back(param.binary ? 1 : 0);
  }
  const int count = static_cast<int>(params.size());
  absl::StatusOr<std::string> name = PreparedName(sql, count);
  if (!name.ok()) return name.status();
  pg_result* result =
      name->empty()
          ? PQexecParams(connection_, sql.c_str(), count, nullptr, values.data(), lengths.data(),
                         formats.data(), 0)
          : PQexecPrepared(connection_, name->c_str(), count, values.data(), lengths.data(),
                           formats.data(), 0);
  if (result == nullptr) return ErrorFrom(nullptr, "running a statement");
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return ErrorFrom(result, "running a statement");
  }
  return PgResult(result);
}

absl::Status PgConnection::ExecScript(const std::string& sql) {
  pg_result* result = PQexec(connection_, sql.c_str());
  if (result == nullptr) return ErrorFrom(nullptr, "running SQL");
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return ErrorFrom(result, "running SQL");
  PQclear(result);
  return absl::OkStatus();
}

}  // namespace scoliomassage::storage
