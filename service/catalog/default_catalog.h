// Where the default catalog lives, for the server's --catalog default.
#pragma once

#include <string>

namespace scoliomassage::catalog {

// Set by service/catalog/CMakeLists.txt.
inline constexpr char kSourceCatalogDir[] = SCOLIOMASSAGE_DEFAULT_CATALOG_DIR;
inline constexpr char kInstalledCatalogDir[] = SCOLIOMASSAGE_INSTALLED_CATALOG_DIR;

// The installed catalog when it exists (beside the running binary, then at
// the configured prefix), else the one in the source tree, so the server runs
// both installed and straight from a build tree.
std::string DefaultCatalogPath();

}  // namespace scoliomassage::catalog
