#include "http/cds_mapping.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "base/data_files.h"
#include "core/errors.h"
#include "http/status_conversion.h"

namespace scoliomassage::http {
namespace {

using nlohmann::json;

std::string Str(const json& object, const char* name) {
  if (!object.is_object()) return {};
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> StrList(const json& object, const char* name) {
  std::vector<std::string> out;
  if (auto it = object.find(name); it != object.end() && it->is_array()) {
    for (const json& item : *it) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

absl::Status Missing(const std::string& key) {
  return core::WithReason(
      absl::FailedPreconditionError(absl::StrCat(
          "prefetch '", key, "' is missing: send it (see GET /cds-services for the template)")),
      kReasonPrefetchMissing);
}

// The resources of a prefetch value: a searchset Bundle's entries or one resource.
std::vector<const json*> Resources(const json& value, absl::string_view type) {
  std::vector<const json*> out;
  if (!value.is_object()) return out;
  if (Str(value, "resourceType") == "Bundle") {
    if (auto entries = value.find("entry"); entries != value.end() && entries->is_array()) {
      for (const json& entry : *entries) {
        if (entry.is_object() && entry.contains("resource") && Str(entry["resource"], "resourceType") == type) {
          out.push_back(&entry["resource"]);
        }
      }
    }
  } else if (Str(value, "resourceType") == type) {
    out.push_back(&value);
  }
  return out;
}

// (system, code) pairs of a CodeableConcept.
std::vector<std::pair<std::string, std::string>> Codings(const json& concept) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!concept.is_object()) return out;
  if (auto codings = concept.find("coding"); codings != concept.end() && codings->is_array()) {
    for (const json& coding : *codings) out.emplace_back(Str(coding, "system"), Str(coding, "code"));
  }
  return out;
}

bool HasCoding(const json& concept, const std::string& system, const std::string& code) {
  for (const auto& [s, c] : Codings(concept)) {
    if (s == system && c == code) return true;
  }
  return false;
}

// FHIR Condition: clinicalStatus absent or active/recurrence/relapse, and not
// refuted or entered in error.
bool IsActiveCondition(const json& condition) {
  if (condition.contains("clinicalStatus")) {
    bool active = false;
    for (const auto& [system, code] : Codings(condition["clinicalStatus"])) {
      active |= code == "active" || code == "recurrence" || code == "relapse";
    }
    if (!active) return false;
  }
  if (condition.contains("verificationStatus")) {
    for (const auto& [system, code] : Codings(condition["verificationStatus"])) {
      if (code == "refuted" || code == "entered-in-error") return false;
    }
  }
  return true;
}

bool IsUsableObservation(const json& observation) {
  const std::string status = Str(observation, "status");
  return status != "entered-in-error" && status != "cancelled";
}

// The newest observation with the code (by effectiveDateTime, then issued).
const json* Latest(const json& value, const std::string& system, const std::string& code) {
  const json* best = nullptr;
  std::string best_time;
  for (const json* observation : Resources(value, "Observation")) {
    if (!IsUsableObservation(*observation) || !observation->contains("code") ||
        !HasCoding((*observation)["code"], system, code)) {
      continue;
    }
    std::string time = Str(*observation, "effectiveDateTime");
    if (time.empty()) time = Str(*observation, "issued");
    if (!best || time > best_time) {
      best = observation;
      best_time = time;
    }
  }
  return best;
}

// A component's value as lowercase text (valueString or the first coding's code).
std::string ComponentText(const json& observation, const std::string& system, const std::string& code) {
  if (auto components = observation.find("component"); components != observation.end() && components->is_array()) {
    for (const json& component : *components) {
      if (!component.contains("code") || !HasCoding(component["code"], system, code)) continue;
      std::string text = Str(component, "valueString");
      if (text.empty() && component.contains("valueCodeableConcept")) {
        auto codings = Codings(component["valueCodeableConcept"]);
        if (!codings.empty()) text = codings.front().second;
      }
      if (text.empty() && component.contains("valueInteger") && component["valueInteger"].is_number_integer()) {
        text = std::to_string(component["valueInteger"].get<int>());
      }
      return absl::AsciiStrToLower(text);
    }
  }
  return {};
}

// valueQuantity.value or valueInteger.
bool NumericValue(const json& observation, double* out) {
  if (auto it = observation.find("valueInteger"); it != observation.end() && it->is_number()) {
    *out = it->get<double>();
    return true;
  }
  if (auto it = observation.find("valueQuantity"); it != observation.end() && it->is_object()) {
    if (auto value = it->find("value"); value != it->end() && value->is_number()) {
      *out = value->get<double>();
      return true;
    }
  }
  return false;
}

// Whole years from a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD) to `now` (UTC).
// A partial date counts from its first day.
bool AgeYears(const std::string& birth_date, absl::Time now, int* age) {
  int year = 0, month = 1, day = 1;
  if (birth_date.size() < 4 || !absl::SimpleAtoi(birth_date.substr(0, 4), &year)) return false;
  if (birth_date.size() >= 7 && !absl::SimpleAtoi(birth_date.substr(5, 2), &month)) return false;
  if (birth_date.size() >= 10 && !absl::SimpleAtoi(birth_date.substr(8, 2), &day)) return false;
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
  int years = static_cast<int>(today.year()) - year;
  if (today.month() < month || (today.month() == month && today.day() < day)) --years;
  if (years < 0) return false;
  *age = years;
  return true;
}

}  // namespace

std::string DefaultCdsMappingPath() {
  std::error_code error;
  // As the catalog (catalog/default_catalog.cc): beside the binary first.
  const std::string beside_binary = base::InstalledDataPath("cds_mapping.json");
  if (!beside_binary.empty() && std::filesystem::is_regular_file(beside_binary, error)) {
    return beside_binary;
  }
  if (std::filesystem::is_regular_file(SCOLIOMASSAGE_CDS_MAPPING_INSTALLED, error)) {
    return SCOLIOMASSAGE_CDS_MAPPING_INSTALLED;
  }
  return SCOLIOMASSAGE_CDS_MAPPING_SOURCE;
}

absl::StatusOr<CdsMapping> CdsMapping::Load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::FailedPreconditionError(absl::StrCat("cannot read the CDS mapping '", path, "'"));
  std::ostringstream text;
  text << file.rdbuf();
  return Parse(text.str(), path);
}

absl::StatusOr<CdsMapping> CdsMapping::Parse(const std::string& text, const std::string& origin) {
  auto fail = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("CDS mapping ", origin, ": ", why));
  };
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& error) {
    return fail(error.what());
  }
  if (!document.is_object()) return fail("must be a JSON object");
  auto region = [](const std::string& name, v1::SpineRegion* out) {
    return v1::SpineRegion_Parse(name, out) && *out != v1::SPINE_REGION_UNSPECIFIED;
  };
  CdsMapping m;
  const json scoliosis = document.value("scoliosis", json::object());
  m.icd10_system_ = Str(scoliosis, "icd10cmSystem");
  m.icd10_prefix_ = Str(scoliosis, "icd10cmPrefix");
  m.icd10_stems_ = StrList(scoliosis, "icd10cmStems");
  m.snomed_system_ = Str(scoliosis, "snomedSystem");
  m.snomed_codes_ = StrList(scoliosis, "snomedCodes");
  if (m.icd10_system_.empty() || m.icd10_prefix_.empty() || m.icd10_stems_.empty() ||
      m.snomed_system_.empty() || m.snomed_codes_.empty()) {
    return fail("scoliosis needs icd10cmSystem, icd10cmPrefix, icd10cmStems, snomedSystem, snomedCodes");
  }
  for (const std::string& stem : m.icd10_stems_) {
    if (!absl::StartsWith(stem, m.icd10_prefix_)) return fail(absl::StrCat("stem '", stem, "' lacks the prefix"));
  }
  const json digits = scoliosis.value("regionByLastDigit", json::object());
  if (!digits.is_object() || digits.empty()) return fail("scoliosis.regionByLastDigit is required");
  for (auto it = digits.begin(); it != digits.end(); ++it) {
    v1::SpineRegion r;
    if (it.key().size() != 1 || !it.value().is_string() || !region(it.value().get<std::string>(), &r)) {
      return fail(absl::StrCat("regionByLastDigit '", it.key(), "' needs one digit and a SpineRegion name"));
    }
    m.region_by_digit_[it.key()[0]] = r;
  }
  for (const json& rule : scoliosis.value("regionByBodySite", json::array())) {
    RegionRule r{Str(rule, "system"), Str(rule, "code"), v1::SPINE_REGION_UNSPECIFIED};
    if (r.system.empty() || r.code.empty() || !region(Str(rule, "region"), &r.region)) {
      return fail("each regionByBodySite entry needs system, code and a SpineRegion name");
    }
    m.region_by_body_site_.push_back(r);
  }
  const json rules = document.value("contraindications", json::array());
  if (!rules.is_array() || rules.empty()) return fail("contraindications must be a non-empty array");
  for (const json& rule : rules) {
    ContraindicationRule r;
    if (!v1::Contraindication_Parse(Str(rule, "contraindication"), &r.contraindication) ||
        r.contraindication == v1::CONTRAINDICATION_UNSPECIFIED) {
      return fail(absl::StrCat("unknown contraindication '", Str(rule, "contraindication"), "'"));
    }
    r.system = Str(rule, "system");
    r.codes = StrList(rule, "codes");
    r.prefixes = StrList(rule, "prefixes");
    if (r.system.empty() || (r.codes.empty() && r.prefixes.empty())) {
      return fail(absl::StrCat(Str(rule, "contraindication"), ": needs a system and codes or prefixes"));
    }
    m.contraindications_.push_back(std::move(r));
  }
  const json cobb = document.value("cobbObservation", json::object());
  m.cobb_system_ = Str(cobb, "system");
  m.cobb_code_ = Str(cobb, "code");
  m.curve_pattern_component_ = Str(cobb, "curvePatternComponent");
  m.convex_side_component_ = Str(cobb, "convexSideComponent");
  m.risser_component_ = Str(cobb, "risserComponent");
  const json pain = document.value("painObservation", json::object());
  m.pain_system_ = Str(pain, "system");
  m.pain_code_ = Str(pain, "code");
  if (m.cobb_system_.empty() || m.cobb_code_.empty() || m.pain_system_.empty() || m.pain_code_.empty()) {
    return fail("cobbObservation and painObservation need system and code");
  }
  return m;
}

json CdsMapping::PrefetchTemplates() const {
  std::vector<std::string> codes;
  for (const std::string& stem : icd10_stems_) {
    for (const auto& [digit, region] : region_by_digit_) codes.push_back(absl::StrCat(icd10_system_, "|", stem, std::string(1, digit)));
  }
  for (const std::string& code : snomed_codes_) codes.push_back(absl::StrCat(snomed_system_, "|", code));
  const std::string patient = "{{context.patientId}}";
  return {
      {kPrefetchPatient, "Patient/" + patient},
      {kPrefetchScoliosis, absl::StrCat("Condition?patient=", patient, "&code=", absl::StrJoin(codes, ","))},
      {kPrefetchCobb, absl::StrCat("Observation?patient=", patient, "&code=", cobb_system_, "|", cobb_code_,
                                   "&_sort=-date&_count=1")},
      {kPrefetchPain, absl::StrCat("Observation?patient=", patient, "&code=", pain_system_, "|", pain_code_,
                                   "&_sort=-date&_count=1")},
      {kPrefetchConditions, absl::StrCat("Condition?patient=", patient, "&clinical-status=active")},
  };
}

const std::vector<std::string>& CdsMapping::RequiredPrefetchKeys() {
  static const std::vector<std::string> keys = {kPrefetchPatient, kPrefetchScoliosis, kPrefetchConditions};
  return keys;
}

v1::SpineRegion CdsMapping::RegionOf(const json& condition) const {
  if (!condition.contains("code")) return v1::SPINE_REGION_UNSPECIFIED;
  bool snomed_scoliosis = false;
  for (const auto& [system, code] : Codings(condition["code"])) {
    if (system == icd10_system_ && absl::StartsWith(code, icd10_prefix_) && code.size() > icd10_prefix_.size()) {
      if (auto it = region_by_digit_.find(code.back()); it != region_by_digit_.end()) return it->second;
    }
    if (system == snomed_system_ &&
        std::find(snomed_codes_.begin(), snomed_codes_.end(), code) != snomed_codes_.end()) {
      snomed_scoliosis = true;
    }
  }
  if (snomed_scoliosis) {
    if (auto sites = condition.find("bodySite"); sites != condition.end() && sites->is_array()) {
      for (const json& site : *sites) {
        for (const RegionRule& rule : region_by_body_site_) {
          if (HasCoding(site, rule.system, rule.code)) return rule.region;
        }
      }
    }
  }
  return v1::SPINE_REGION_UNSPECIFIED;
}

absl::StatusOr<v1::RecommendProtocolRequest> CdsMapping::ToRequest(const json& context,
                                                                  const json& prefetch,
                                                                  absl::Time now) const {
  auto item = [&](const char* key) -> const json* {
    if (!prefetch.is_object()) return nullptr;
    auto it = prefetch.find(key);
    return it == prefetch.end() || it->is_null() ? nullptr : &*it;
  };
  for (const std::string& key : RequiredPrefetchKeys()) {
    if (!item(key.c_str())) return Missing(key);
  }
  v1::RecommendProtocolRequest request;
  request.set_patient_id(Str(context, "patientId"));
  request.set_encounter_id(Str(context, "encounterId"));
  core::FieldViolations violations;

  const auto patients = Resources(*item(kPrefetchPatient), "Patient");
  if (patients.empty()) {
    violations.Add("prefetch.patient", "must be a Patient resource");
  } else {
    if (std::string id = Str(*patients.front(), "id"); !id.empty() && id != request.patient_id()) {
      violations.Add("prefetch.patient.id", "is not context.patientId");
    }
    int age = 0;
    const std::string birth_date = Str(*patients.front(), "birthDate");
    if (birth_date.empty()) {
      violations.Add("prefetch.patient.birthDate", "is required (the protocol depends on age)");
    } else if (!AgeYears(birth_date, now, &age)) {
      violations.Add("prefetch.patient.birthDate", "must be a FHIR date in the past");
    } else {
      request.mutable_profile()->set_age_years(age);
    }
  }

  // Region: the first active scoliosis Condition that names one.
  for (const json* condition : Resources(*item(kPrefetchScoliosis), "Condition")) {
    if (!IsActiveCondition(*condition)) continue;
    if (v1::SpineRegion region = RegionOf(*condition); region != v1::SPINE_REGION_UNSPECIFIED) {
      request.mutable_profile()->set_primary_region(region);
      break;
    }
  }
  if (request.profile().primary_region() == v1::SPINE_REGION_UNSPECIFIED) {
    violations.Add("prefetch.scoliosis",
                   "no active scoliosis Condition names a spine region (ICD-10-CM M41.x with a region "
                   "digit, or SNOMED 298382003 with a bodySite)");
  }

  // Contraindications from every active Condition the EHR sent.
  std::set<int> found;
  for (const char* key : {kPrefetchConditions, kPrefetchScoliosis}) {
    for (const json* condition : Resources(*item(key), "Condition")) {
      if (!IsActiveCondition(*condition) || !condition->contains("code")) continue;
      for (const auto& [system, code] : Codings((*condition)["code"])) {
        for (const ContraindicationRule& rule : contraindications_) {
          if (system != rule.system) continue;
          bool match = std::find(rule.codes.begin(), rule.codes.end(), code) != rule.codes.end();
          for (const std::string& prefix : rule.prefixes) match |= absl::StartsWith(code, prefix);
          if (match) found.insert(rule.contraindication);
        }
      }
    }
  }
  for (int contraindication : found) {
    request.mutable_screening()->add_contraindications(static_cast<v1::Contraindication>(contraindication));
  }

  if (const json* cobb_value = item(kPrefetchCobb)) {
    if (const json* cobb = Latest(*cobb_value, cobb_system_, cobb_code_)) {
      double degrees = 0;
      if (!NumericValue(*cobb, &degrees)) {
        violations.Add("prefetch.cobb.valueQuantity", "the Cobb Observation needs a value in degrees");
      } else {
        request.mutable_profile()->set_cobb_angle_degrees(degrees);
      }
      const std::string pattern = ComponentText(*cobb, cobb_system_, curve_pattern_component_);
      if (pattern == "c" || pattern == "c-curve") request.mutable_profile()->set_curve_pattern(v1::CURVE_PATTERN_C_CURVE);
      if (pattern == "s" || pattern == "s-curve") request.mutable_profile()->set_curve_pattern(v1::CURVE_PATTERN_S_CURVE);
      const std::string side = ComponentText(*cobb, cobb_system_, convex_side_component_);
      if (side == "left") request.mutable_profile()->set_convex_side(v1::SIDE_LEFT);
      if (side == "right") request.mutable_profile()->set_convex_side(v1::SIDE_RIGHT);
      int risser = 0;
      if (absl::SimpleAtoi(ComponentText(*cobb, cobb_system_, risser_component_), &risser)) {
        request.mutable_profile()->set_risser_grade(risser);
      }
    }
  }
  if (const json* pain_value = item(kPrefetchPain)) {
    if (const json* pain = Latest(*pain_value, pain_system_, pain_code_)) {
      double nrs = 0;
      if (!NumericValue(*pain, &nrs) || nrs != static_cast<int>(nrs)) {
        violations.Add("prefetch.pain.valueInteger", "the pain Observation needs a whole number 0-10");
      } else {
        request.mutable_screening()->set_pain_nrs(static_cast<int>(nrs));
      }
    }
  }
  if (!violations.empty()) return violations.ToStatus();
  return request;
}

}  // namespace scoliomassage::http
