// CDS Hooks prefetch (FHIR R4 resources) -> RecommendProtocolRequest. The
// codes are data (data/cds_mapping.json, installed beside the binary and
// checked at start), so a clinic's coding habits change a file, not code.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::http {

// The installed mapping when present, else the one in the source tree.
std::string DefaultCdsMappingPath();

// Prefetch keys (the discovery document's templates use the same names).
inline constexpr char kPrefetchPatient[] = "patient";
inline constexpr char kPrefetchScoliosis[] = "scoliosis";
inline constexpr char kPrefetchCobb[] = "cobb";
inline constexpr char kPrefetchPain[] = "pain";
inline constexpr char kPrefetchConditions[] = "conditions";

class CdsMapping {
 public:
  static absl::StatusOr<CdsMapping> Load(const std::string& path);
  // `origin` names the text in error messages.
  static absl::StatusOr<CdsMapping> Parse(const std::string& text, const std::string& origin);

  // {"patient": "Patient/{{context.patientId}}", ...}
  nlohmann::json PrefetchTemplates() const;
  // The keys ToRequest cannot do without (the others only add detail).
  static const std::vector<std::string>& RequiredPrefetchKeys();

  // The request for a CDS call's context and prefetch. Needed prefetch that is
  // missing (or null) is FAILED_PRECONDITION with reason PREFETCH_MISSING (412);
  // present but unusable data is INVALID_ARGUMENT naming the field.
  absl::StatusOr<v1::RecommendProtocolRequest> ToRequest(const nlohmann::json& context,
                                                         const nlohmann::json& prefetch,
                                                         absl::Time now) const;

 private:
  struct RegionRule { std::string system, code; v1::SpineRegion region; };
  struct ContraindicationRule {
    v1::Contraindication contraindication;
    std::string system;
    std::vector<std::string> codes, prefixes;
  };
  std::string icd10_system_, icd10_prefix_, snomed_system_;
  std::vector<std::string> icd10_stems_, snomed_codes_;
  std::map<char, v1::SpineRegion> region_by_digit_;
  std::vector<RegionRule> region_by_body_site_;
  std::vector<ContraindicationRule> contraindications_;
  std::string cobb_system_, cobb_code_, curve_pattern_component_, convex_side_component_,
      risser_component_;
  std::string pain_system_, pain_code_;

  v1::SpineRegion RegionOf(const nlohmann::json& condition) const;
};

}  // namespace scoliomassage::http
