#include "catalog/default_catalog.h"

#include <filesystem>
#include <system_error>

namespace scoliomassage::catalog {

std::string DefaultCatalogPath() {
  std::error_code error;
  if (std::filesystem::is_directory(kInstalledCatalogDir, error)) return kInstalledCatalogDir;
  return kSourceCatalogDir;
}

}  // namespace scoliomassage::catalog
