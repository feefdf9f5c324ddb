#include "base/data_files.h"

#include <filesystem>
#include <system_error>

namespace scoliomassage::base {

std::string InstalledDataPath(absl::string_view relative) {
  std::error_code error;
  // The real file, so a symlink in another bin folder still finds its share/.
  const std::filesystem::path binary = std::filesystem::canonical("/proc/self/exe", error);
  if (error) return "";
  return (binary.parent_path().parent_path() / "share" / "scoliomassage" / std::string(relative))
      .lexically_normal()
      .string();
}

}  // namespace scoliomassage::base
