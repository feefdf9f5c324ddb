// Loads the instrument definitions at server start, like the protocol
// catalog (catalog/loader.h): all or nothing, so a server never scores with
// half a definition.
//
// Errors:
//   NOT_FOUND            the path does not exist;
//   FAILED_PRECONDITION  unreadable, or a directory without *.textproto files;
//   INVALID_ARGUMENT     a file does not parse or breaks a rule of
//                        catalog/instrument_checks.h; one line per problem,
//                        "file:line:column: instrument "id": field: what".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "catalog/instruments.h"
#include "catalog/loader.h"  // CatalogFile

namespace scoliomassage::catalog {

// Set by service/catalog/CMakeLists.txt.
inline constexpr char kSourceInstrumentsDir[] = SCOLIOMASSAGE_DEFAULT_INSTRUMENTS_DIR;
inline constexpr char kInstalledInstrumentsDir[] = SCOLIOMASSAGE_INSTALLED_INSTRUMENTS_DIR;

// The installed instruments when they exist, else the source tree's.
std::string DefaultInstrumentsPath();

// `path` is one .textproto file (a v1.InstrumentCatalog) or a directory whose
// *.textproto files are read in name order.
absl::StatusOr<std::shared_ptr<const Instruments>> LoadInstruments(const std::string& path);

// What LoadInstruments does once the files are read. For tests.
absl::StatusOr<std::shared_ptr<const Instruments>> ParseInstrumentFiles(
    const std::vector<CatalogFile>& files);

}  // namespace scoliomassage::catalog
