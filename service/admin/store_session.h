// One read snapshot of a store named by a --database URL, SQLite or
// PostgreSQL, for the admin commands that read rows directly.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "storage/sql_executor.h"

namespace scoliomassage::admin {

// Opens the store read-only (never creating or migrating it) and runs `body`
// in one snapshot, so everything it reads is from the same moment.
absl::Status ReadStore(const std::string& database_url,
                       const std::function<absl::Status(storage::SqlSession&, const storage::SqlDialect&)>& body);

// Appends one record to the store's audit trail for an operator command that
// read patient data (the role is "admin", the principal names the operating
// system user), durably, before the command hands the data out.
absl::Status RecordOperatorAccess(const std::string& database_url, const std::string& clinic_id,
                                  const std::string& command, const std::string& subject);

}  // namespace scoliomassage::admin
