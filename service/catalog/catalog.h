// The loaded protocol catalog: immutable after load, shared by every request.
#pragma once

#include <vector>

#include "absl/strings/string_view.h"
#include "scoliomassage/v1/catalog.pb.h"
#include "scoliomassage/v1/common.pb.h"

namespace scoliomassage::catalog {

class Catalog {
 public:
  // `protocols` must already have passed the checks in catalog/checks.h;
  // LoadCatalog is the usual way to get a Catalog.
  explicit Catalog(std::vector<v1::CatalogProtocol> protocols);

  // The protocol for a region and pattern. An S-curve falls back to the
  // region's C-curve protocol when the catalog has no S-curve protocol for
  // the region (a clinic catalog may ship only C-curves); `used_fallback`
  // says so, so the engine can tell the clinician. An unspecified pattern
  // means C_CURVE. Null when the region has no protocol at all.
  const v1::CatalogProtocol* Find(v1::SpineRegion region, v1::CurvePattern pattern,
                                  bool* used_fallback = nullptr) const;

  // Null when no protocol has this id. A catalog may hold several versions
  // of one protocol (for a protocol evaluation, catalog/evaluations.h): Find
  // and FindById return the latest, which everyone outside an evaluation
  // gets.
  const v1::CatalogProtocol* FindById(absl::string_view id) const;

  // One version of a protocol; null when the catalog does not hold it.
  const v1::CatalogProtocol* FindVersion(absl::string_view id, uint32_t version) const;

  // Every protocol, ordered by (spine_region, curve_pattern, version) so
  // listings are stable whatever the file layout.
  const std::vector<v1::CatalogProtocol>& protocols() const { return protocols_; }

 private:
  const v1::CatalogProtocol* FindExact(v1::SpineRegion region, v1::CurvePattern pattern) const;

  std::vector<v1::CatalogProtocol> protocols_;
};

}  // namespace scoliomassage::catalog
