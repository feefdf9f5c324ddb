// Data files installed beside the programs (the default catalog, the CDS
// mapping), found from where the running binary is: <prefix>/bin/PROGRAM
// reads <prefix>/share/scoliomassage/RELATIVE. So one build works at any
// install prefix: a Debian package's /usr, or `cmake --install --prefix DIR`.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace scoliomassage::base {

// <folder of the running binary>/../share/scoliomassage/<relative>, or ""
// when the running binary cannot be found (/proc not mounted).
std::string InstalledDataPath(absl::string_view relative);

}  // namespace scoliomassage::base
