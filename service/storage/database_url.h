// Parsing of --database URLs.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace scoliomassage::storage {

struct DatabaseUrl {
  enum class Backend { kSqlite, kPostgres };
  Backend backend = Backend::kSqlite;
  // SQLite: the file path, exactly as given after "sqlite://" (so
  // "sqlite:///srv/x.db" is absolute and "sqlite://var/x.db" relative).
  std::string sqlite_path;
  // SQLite: "FULL" (default) or "NORMAL", from "?synchronous=".
  std::string sqlite_synchronous = "FULL";
  // PostgreSQL: the URL, unchanged, for libpq.
  std::string postgres_url;
};

// "sqlite://PATH[?synchronous=FULL|NORMAL]", a bare path (SQLite, taken
// verbatim), "postgresql://..." or "postgres://...". INVALID_ARGUMENT
// otherwise.
absl::StatusOr<DatabaseUrl> ParseDatabaseUrl(const std::string& url);

}  // namespace scoliomassage::storage
