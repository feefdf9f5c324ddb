// Helpers for tests that need their own PostgreSQL database.
#pragma once

#include <string>

namespace scoliomassage::storage::testing {

// `url` with its database name replaced: postgresql://u@h:p/old?x=1 ->
// postgresql://u@h:p/<database>?x=1.
inline std::string PostgresUrlWithDatabase(const std::string& url, const std::string& database) {
  const size_t query = url.find('?');
  const std::string base = url.substr(0, query);
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  const size_t authority = base.find("://");
  const size_t slash = base.find('/', authority == std::string::npos ? 0 : authority + 3);
  return (slash == std::string::npos ? base : base.substr(0, slash)) + "/" + database + rest;
}

}  // namespace scoliomassage::storage::testing
