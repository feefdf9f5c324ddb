// Loads the protocol catalog at server start. All or nothing: any problem in
// any file means no catalog, so a server never runs on half a catalog.
//
// Errors:
//   NOT_FOUND         the path does not exist (the message names it);
//   FAILED_PRECONDITION  the path cannot be read, or a directory holds no
//                     *.textproto file;
//   INVALID_ARGUMENT  a file does not parse or breaks a rule of
//                     catalog/checks.h. The message has one line per problem,
//                     "file:line:column: ...".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "catalog/catalog.h"

namespace scoliomassage::catalog {

// `path` is one .textproto file (a v1.Catalog message) or a directory whose
// *.textproto files are read in name order; other files are ignored so a
// README can live beside the data.
absl::StatusOr<std::shared_ptr<const Catalog>> LoadCatalog(const std::string& path);

// One catalog file already in memory; `name` is used in error messages.
struct CatalogFile {
  std::string name;
  std::string text;
};

// What LoadCatalog does once the files are read. For tests and fuzzing.
absl::StatusOr<std::shared_ptr<const Catalog>> ParseCatalogFiles(
    const std::vector<CatalogFile>& files);

}  // namespace scoliomassage::catalog
