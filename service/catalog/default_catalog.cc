#include "catalog/default_catalog.h"

#include <filesystem>
#include <system_error>

#include "base/data_files.h"

namespace scoliomassage::catalog {

std::string DefaultCatalogPath() {
  std::error_code error;
  // Beside the running binary first: a package may be installed at another
  // prefix than the build was configured with.
  const std::string beside_binary = base::InstalledDataPath("catalog");
  if (!beside_binary.empty() && std::filesystem::is_directory(beside_binary, error)) return beside_binary;
  if (std::filesystem::is_directory(kInstalledCatalogDir, error)) return kInstalledCatalogDir;
  return kSourceCatalogDir;
}

}  // namespace scoliomassage::catalog
