#include "catalog/catalog.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace scoliomassage::catalog {

Catalog::Catalog(std::vector<v1::CatalogProtocol> protocols) : protocols_(std::move(protocols)) {
  std::stable_sort(protocols_.begin(), protocols_.end(),
                   [](const v1::CatalogProtocol& a, const v1::CatalogProtocol& b) {
                     return std::make_tuple(a.spine_region(), a.curve_pattern(), a.version()) <
                            std::make_tuple(b.spine_region(), b.curve_pattern(), b.version());
                   });
}

const v1::CatalogProtocol* Catalog::FindExact(v1::SpineRegion region,
                                              v1::CurvePattern pattern) const {
  // Versions of one protocol sort together, oldest first: the last match is
  // the latest.
  const v1::CatalogProtocol* latest = nullptr;
  for (const auto& protocol : protocols_) {
    if (protocol.spine_region() == region && protocol.curve_pattern() == pattern) {
      latest = &protocol;
    }
  }
  return latest;
}

const v1::CatalogProtocol* Catalog::Find(v1::SpineRegion region, v1::CurvePattern pattern,
                                         bool* used_fallback) const {
  if (used_fallback != nullptr) *used_fallback = false;
  if (pattern == v1::CURVE_PATTERN_UNSPECIFIED) pattern = v1::CURVE_PATTERN_C_CURVE;
  if (const auto* exact = FindExact(region, pattern)) return exact;
  if (pattern != v1::CURVE_PATTERN_S_CURVE) return nullptr;
  const auto* fallback = FindExact(region, v1::CURVE_PATTERN_C_CURVE);
  if (fallback != nullptr && used_fallback != nullptr) *used_fallback = true;
  return fallback;
}

const v1::CatalogProtocol* Catalog::FindById(absl::string_view id) const {
  const v1::CatalogProtocol* latest = nullptr;
  for (const auto& protocol : protocols_) {
    if (protocol.id() == id) latest = &protocol;
  }
  return latest;
}

const v1::CatalogProtocol* Catalog::FindVersion(absl::string_view id, uint32_t version) const {
  for (const auto& protocol : protocols_) {
    if (protocol.id() == id && protocol.version() == version) return &protocol;
  }
  return nullptr;
}

}  // namespace scoliomassage::catalog
