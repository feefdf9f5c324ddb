#include "storage/postgres_options.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace scoliomassage::storage {
namespace {

constexpr int kDefaultConnectTimeoutSeconds = 3;

absl::StatusOr<int> ParseBoundedInt(absl::string_view name, absl::string_view value, int low,
                                    int high) {
  int number = 0;
  if (!absl::SimpleAtoi(value, &number) || number < low || number > high) {
    return absl::InvalidArgumentError(absl::StrCat("database URL option ", name, " must be ", low,
                                                   "..", high, ", got \"", value, "\""));
  }
  return number;
}

}  // namespace

absl::StatusOr<PostgresOptions> ParsePostgresUrl(const std::string& url) {
  if (!absl::StartsWith(url, "postgresql://") && !absl::StartsWith(url, "postgres://")) {
    return absl::InvalidArgumentError("a PostgreSQL URL starts with postgresql:// or postgres://");
  }
  PostgresOptions options;
  const size_t question = url.find('?');
  const std::string base = url.substr(0, question);
  std::vector<std::string> passed_on;
  bool has_connect_timeout = false;
  if (question != std::string::npos) {
    for (absl::string_view option :
         absl::StrSplit(absl::string_view(url).substr(question + 1), '&', absl::SkipEmpty())) {
      std::vector<absl::string_view> key_value = absl::StrSplit(option, absl::MaxSplits('=', 1));
      const absl::string_view key = key_value[0];
      const absl::string_view value = key_value.size() == 2 ? key_value[1] : "";
      if (key == "pool_size") {
        absl::StatusOr<int> size = ParseBoundedInt(key, value, 1, 256);
        if (!size.ok()) return size.status();
        options.pool_size = *size;
      } else if (key == "pool_wait_ms") {
        absl::StatusOr<int> wait = ParseBoundedInt(key, value, 0, 600000);
        if (!wait.ok()) return wait.status();
        options.pool_wait = absl::Milliseconds(*wait);
      } else {
        if (key == "connect_timeout") has_connect_timeout = true;
        passed_on.emplace_back(option);
      }
    }
  }
  if (!has_connect_timeout) {
    passed_on.push_back(absl::StrCat("connect_timeout=", kDefaultConnectTimeoutSeconds));
  }
  options.conninfo = absl::StrCat(base, "?", absl::StrJoin(passed_on, "&"));
  return options;
}

}  // namespace scoliomassage::storage
