// Request ids for idempotent mutations (AIP-155).
#pragma once

#include <string>

namespace scoliomassage::plugin {

// A random UUID version 4, lower-case, e.g.
// "3f0c2a9e-6b1d-4c8e-9f7a-2d5e8b1c0a47". The bits come from the operating
// system's random source, so two host processes never pick the same id.
std::string NewRequestId();

}  // namespace scoliomassage::plugin
