#include "core/recommend_validation.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/errors.h"

namespace scoliomassage::core {
namespace {

constexpr size_t kMaxIdBytes = 128;
constexpr size_t kMaxNotesBytes = 2000;
constexpr size_t kMaxOverrideReasonBytes = 500;
constexpr size_t kMaxClearanceNoteBytes = 1000;
constexpr int kMaxClearances = 16;
// Timestamp's valid range (0001-01-01 to 9999-12-31), as google.protobuf
// defines it.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past
// U+10FFFF. Protobuf checks proto3 strings on the wire, but a request built
// in process (the plugin, tests) never went over the wire.
bool IsValidUtf8(const std::string& text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto byte = static_cast<unsigned char>(text[i]);
    size_t length;
    unsigned char min_second = 0x80, max_second = 0xBF;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
      if (byte == 0xE0) min_second = 0xA0;  // overlong
      if (byte == 0xED) max_second = 0x9F;  // surrogates
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
      if (byte == 0xF0) min_second = 0x90;  // overlong
      if (byte == 0xF4) max_second = 0x8F;  // past U+10FFFF
    } else {
      return false;
    }
    if (i + length > n) return false;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < min_second || second > max_second) return false;
    for (size_t k = 2; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if (next < 0x80 || next > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

void ValidateProfile(const v1::PatientProfile& profile, FieldViolations& violations) {
  if (profile.primary_region() == v1::SPINE_REGION_UNSPECIFIED) {
    violations.Add("profile.primary_region", "required, e.g. SPINE_REGION_THORACIC");
  } else if (!v1::SpineRegion_IsValid(profile.primary_region())) {
    violations.Add("profile.primary_region",
                   absl::StrCat("unknown spine region ", profile.primary_region()));
  }
  if (!v1::CurvePattern_IsValid(profile.curve_pattern())) {
    violations.Add("profile.curve_pattern",
                   absl::StrCat("unknown curve pattern ", profile.curve_pattern()));
  }
  // A convexity is on one side; SIDE_BOTH has no meaning here and would hide
  // a host bug. Unspecified is allowed: both sides are then worked evenly.
  if (profile.convex_side() != v1::SIDE_UNSPECIFIED && profile.convex_side() != v1::SIDE_LEFT &&
      profile.convex_side() != v1::SIDE_RIGHT) {
    violations.Add("profile.convex_side", "must be SIDE_LEFT or SIDE_RIGHT, or unspecified");
  }
  if (profile.age_years() < 0 || profile.age_years() > 120) {
    violations.Add("profile.age_years", "must be between 0 and 120");
  }
  if (profile.has_cobb_angle_degrees()) {
    double cobb = profile.cobb_angle_degrees();
    if (!std::isfinite(cobb) || cobb < 0 || cobb > 120) {
      violations.Add("profile.cobb_angle_degrees", "must be between 0 and 120 degrees");
    }
  }
  if (profile.has_risser_grade() && (profile.risser_grade() < 0 || profile.risser_grade() > 5)) {
    violations.Add("profile.risser_grade", "must be between 0 and 5");
  }
}

void ValidateScreening(const v1::Screening& screening, FieldViolations& violations) {
  if (screening.has_pain_nrs() && (screening.pain_nrs() < 0 || screening.pain_nrs() > 10)) {
    violations.Add("screening.pain_nrs", "must be between 0 and 10 (numeric rating scale)");
  }
  for (int i = 0; i < screening.contraindications_size(); ++i) {
    int value = screening.contraindications(i);
    if (value == v1::CONTRAINDICATION_UNSPECIFIED || !v1::Contraindication_IsValid(value)) {
      violations.Add("screening.contraindications",
                     absl::StrCat("entry ", i, " is not a known contraindication (", value, ")"));
    }
  }
  if (screening.notes().size() > kMaxNotesBytes) {
    violations.Add("screening.notes", absl::StrCat("at most ", kMaxNotesBytes, " bytes"));
  } else if (!IsValidUtf8(screening.notes())) {
    violations.Add("screening.notes", "must be valid UTF-8");
  }
}

// A clearance is a clinical record: who cleared what, and when, must all be
// there, or the engine would act on a clearance nobody can audit.
void ValidateClearances(const v1::RecommendProtocolRequest& request,
                        FieldViolations& violations) {
  if (request.clearances_size() > kMaxClearances) {
    violations.Add("clearances", absl::StrCat("at most ", kMaxClearances, " entries"));
    return;
  }
  for (int i = 0; i < request.clearances_size(); ++i) {
    const v1::Clearance& clearance = request.clearances(i);
    const std::string field = absl::StrCat("clearances[", i, "]");
    if (clearance.subject() == v1::CLEARANCE_SUBJECT_UNSPECIFIED ||
        !v1::ClearanceSubject_IsValid(clearance.subject())) {
      violations.Add(field + ".subject",
                     "required: CLEARANCE_SUBJECT_ADVERSE_EVENT or CLEARANCE_SUBJECT_SPINAL_SURGERY");
    }
    if (clearance.cleared_by().empty()) {
      violations.Add(field + ".cleared_by", "required: who cleared the patient");
    } else if (clearance.cleared_by().size() > kMaxIdBytes) {
      violations.Add(field + ".cleared_by", absl::StrCat("at most ", kMaxIdBytes, " bytes"));
    } else if (!IsValidUtf8(clearance.cleared_by())) {
      violations.Add(field + ".cleared_by", "must be valid UTF-8");
    }
    const auto& at = clearance.cleared_at();
    if (!clearance.has_cleared_at()) {
      violations.Add(field + ".cleared_at", "required: when the clearance was given");
    } else if (at.seconds() < kMinTimestampSeconds || at.seconds() > kMaxTimestampSeconds ||
               at.nanos() < 0 || at.nanos() > 999999999) {
      violations.Add(field + ".cleared_at", "not a valid timestamp");
    }
    if (clearance.note().size() > kMaxClearanceNoteBytes) {
      violations.Add(field + ".note", absl::StrCat("at most ", kMaxClearanceNoteBytes, " bytes"));
    } else if (!IsValidUtf8(clearance.note())) {
      violations.Add(field + ".note", "must be valid UTF-8");
    }
  }
}

}  // namespace

absl::Status ValidateRecommendRequest(const v1::RecommendProtocolRequest& request) {
  FieldViolations violations;
  if (request.patient_id().empty()) {
    violations.Add("patient_id", "required");
  } else if (request.patient_id().size() > kMaxIdBytes) {
    violations.Add("patient_id", absl::StrCat("at most ", kMaxIdBytes, " bytes"));
  } else if (!IsValidUtf8(request.patient_id())) {
    violations.Add("patient_id", "must be valid UTF-8");
  }
  if (request.encounter_id().size() > kMaxIdBytes) {
    violations.Add("encounter_id", absl::StrCat("at most ", kMaxIdBytes, " bytes"));
  } else if (!IsValidUtf8(request.encounter_id())) {
    violations.Add("encounter_id", "must be valid UTF-8");
  }
  if (request.has_session_number() &&
      (request.session_number() < 1 || request.session_number() > 1000)) {
    violations.Add("session_number", "must be between 1 and 1000 when present");
  }
  if (!request.has_profile()) {
    violations.Add("profile", "required");
    violations.Add("profile.primary_region", "required, e.g. SPINE_REGION_THORACIC");
  } else {
    ValidateProfile(request.profile(), violations);
  }
  ValidateScreening(request.screening(), violations);
  ValidateClearances(request, violations);
  if (!v1::GuardianConsent_IsValid(request.guardian_consent())) {
    violations.Add("guardian_consent",
                   absl::StrCat("unknown guardian consent ", request.guardian_consent()));
  }
  if (request.has_variant_override()) {
    // Whether an evaluation applies is the check-in's to say (app/variants.h).
    const v1::VariantOverride& chosen = request.variant_override();
    if (chosen.variant() != v1::EVALUATION_VARIANT_A &&
        chosen.variant() != v1::EVALUATION_VARIANT_B) {
      violations.Add("variant_override.variant",
                     "required: EVALUATION_VARIANT_A or EVALUATION_VARIANT_B");
    }
    if (chosen.reason().empty()) {
      violations.Add("variant_override.reason", "required: why the therapist chose the variant");
    } else if (chosen.reason().size() > kMaxOverrideReasonBytes) {
      violations.Add("variant_override.reason",
                     absl::StrCat("at most ", kMaxOverrideReasonBytes, " bytes"));
    } else if (!IsValidUtf8(chosen.reason())) {
      violations.Add("variant_override.reason", "must be valid UTF-8");
    }
  }
  return violations.ToStatus();
}

}  // namespace scoliomassage::core
