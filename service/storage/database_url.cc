#include "storage/database_url.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace scoliomassage::storage {

absl::StatusOr<DatabaseUrl> ParseDatabaseUrl(const std::string& url) {
  DatabaseUrl parsed;
  if (url.empty()) return absl::InvalidArgumentError("the database URL is empty");
  if (absl::StartsWith(url, "postgresql://") || absl::StartsWith(url, "postgres://")) {
    parsed.backend = DatabaseUrl::Backend::kPostgres;
    parsed.postgres_url = url;
    return parsed;
  }
  constexpr absl::string_view kSqlitePrefix = "sqlite://";
  if (!absl::StartsWith(url, kSqlitePrefix)) {
    if (absl::StrContains(url, "://")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unsupported database URL \"", url, "\": use sqlite://PATH or postgresql://..."));
    }
    parsed.sqlite_path = url;  // a bare path, taken as is
    return parsed;
  }
  absl::string_view rest = absl::string_view(url).substr(kSqlitePrefix.size());
  const size_t question = rest.find('?');
  parsed.sqlite_path = std::string(rest.substr(0, question));
  if (question != absl::string_view::npos) {
    for (absl::string_view option : absl::StrSplit(rest.substr(question + 1), '&', absl::SkipEmpty())) {
      std::vector<std::string> key_value = absl::StrSplit(option, absl::MaxSplits('=', 1));
      if (key_value.size() == 2 && key_value[0] == "synchronous") {
        std::string level = absl::AsciiStrToUpper(key_value[1]);
        if (level != "FULL" && level != "NORMAL") {
          return absl::InvalidArgumentError(absl::StrCat(
              "database URL option synchronous must be FULL or NORMAL, got \"", key_value[1], "\""));
        }
        parsed.sqlite_synchronous = level;
      } else {
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown database URL option \"", option, "\"; the SQLite URL accepts synchronous="));
      }
    }
  }
  if (parsed.sqlite_path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the database URL \"", url, "\" has no file path"));
  }
  if (parsed.sqlite_path == ":memory:" || absl::StartsWith(parsed.sqlite_path, "file:")) {
    // Readers and the writer use separate connections, so they must share a file.
    return absl::InvalidArgumentError("the SQLite store needs a file path, not an in-memory or URI database");
  }
  return parsed;
}

}  // namespace scoliomassage::storage
