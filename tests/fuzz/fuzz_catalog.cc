// The catalog loader: catalog::ParseCatalogFiles on fuzzed textproto, split
// into up to three files at "\n#---\n" so cross-file checks (duplicate ids,
// coverage) run too. A catalog that passes the checks is handed to the
// engine, which must produce a plan for every region and pattern it covers:
// the checks exist so that the engine never meets a catalog it cannot use.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "catalog/loader.h"
#include "core/engine.h"
#include "core/recommend_validation.h"

namespace {

using namespace scoliomassage;  // NOLINT: a fuzz target, brevity wins

void Expect(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<catalog::CatalogFile> files;
  size_t start = 0;
  while (files.size() < 2) {
    const size_t cut = text.find("\n#---\n", start);
    if (cut == std::string::npos) break;
    files.push_back({"part" + std::to_string(files.size()) + ".textproto", text.substr(start, cut - start)});
    start = cut + 6;
  }
  files.push_back({"part" + std::to_string(files.size()) + ".textproto", text.substr(start)});

  auto loaded = catalog::ParseCatalogFiles(files);
  if (!loaded.ok()) {
    Expect(!loaded.status().message().empty(), "a rejected catalog says why");
    return 0;
  }
  const core::ProtocolEngine engine(*loaded);
  for (int region = 1; region <= 6; ++region) {
    for (int pattern = 0; pattern <= 2; ++pattern) {
      for (int side = 0; side <= 2; ++side) {
        v1::RecommendProtocolRequest request;
        request.set_patient_id("fuzz");
        request.mutable_profile()->set_age_years(15);
        request.mutable_profile()->set_primary_region(static_cast<v1::SpineRegion>(region));
        request.mutable_profile()->set_curve_pattern(static_cast<v1::CurvePattern>(pattern));
        request.mutable_profile()->set_convex_side(static_cast<v1::Side>(side));
        request.mutable_screening()->set_pain_nrs((region + pattern) % 11);
        request.set_session_number(1 + region * pattern);
        if (!core::ValidateRecommendRequest(request).ok()) continue;
        auto response = engine.Recommend(request, core::PatientProgress{});
        Expect(response.ok() || response.status().code() == absl::StatusCode::kFailedPrecondition,
               "the engine accepts every catalog that loads");
      }
    }
  }
  return 0;
}
