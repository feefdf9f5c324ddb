#include "catalog/catalog.h"

#include <algorithm>
#include <utility>

namespace scoliomassage::catalog {

Catalog::Catalog(std::vector<v1::CatalogProtocol> protocols) : protocols_(std::move(protocols)) {
  std::stable_sort(protocols_.begin(), protocols_.end(),
                   [](const v1::CatalogProtocol& a, const v1::CatalogProtocol& b) {
                     return std::make_pair(a.spine_region(), a.curve_pattern()) <
                            std::make_pair(b.spine_region(), b.curve_pattern());
                   });
}

const v1::CatalogProtocol* Catalog::FindExact(v1::SpineRegion region,
                                              v1::CurvePattern pattern) const {
  for (const auto& protocol : protocols_) {
    if (protocol.spine_region() == region && protocol.curve_pattern() == pattern) {
      return &protocol;
    }
  }
  return nullptr;
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
  for (const auto& protocol : protocols_) {
    if (protocol.id() == id) return &protocol;
  }
  return nullptr;
}

}  // namespace scoliomassage::catalog
