#include "core/curve_validation.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "core/outcome_validation.h"
#include "scoliomassage/v1/common.pb.h"

namespace scoliomassage::core {
namespace {

constexpr absl::string_view kNamePrefix = "curveMeasurements/";
// google.protobuf.Timestamp's documented range: 0001-01-01 to 9999-12-31.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

void CheckText(FieldViolations& violations, const std::string& field, const std::string& value,
               size_t max_bytes, bool required) {
  if (value.empty()) {
    if (required) violations.Add(field, "is required");
  } else if (!IsValidUtf8(value)) {
    violations.Add(field, "must be valid UTF-8");
  } else if (value.size() > max_bytes) {
    violations.Add(field, absl::StrCat("must be at most ", max_bytes, " bytes, got ", value.size()));
  }
}

void CheckRequestId(FieldViolations& violations, const std::string& request_id) {
  if (request_id.empty()) {
    violations.Add("request_id", "is required: a UUID chosen by the caller and reused on retries");
  } else if (!IsUuid(request_id)) {
    violations.Add("request_id", "must be a UUID (8-4-4-4-12 hexadecimal digits)");
  }
}

void CheckName(FieldViolations& violations, const std::string& name) {
  if (auto id = ParseCurveMeasurementName(name); !id.ok()) {
    for (auto& [field, description] : FieldViolationsOf(id.status())) {
      violations.Add(field, description);
    }
  }
}

void CheckMeasurement(FieldViolations& violations, const v1::CurveMeasurement& m, int64_t now_us) {
  const std::string p = "measurement.";
  CheckText(violations, p + "patient_id", m.patient_id(), kMaxIdBytes, true);
  if (!m.has_taken_at()) {
    violations.Add(p + "taken_at", "is required: when the film was taken");
  } else if (m.taken_at().seconds() < kMinTimestampSeconds ||
             m.taken_at().seconds() > kMaxTimestampSeconds || m.taken_at().nanos() < 0 ||
             m.taken_at().nanos() > 999999999) {
    violations.Add(p + "taken_at", "is not a valid timestamp");
  } else if (m.taken_at().seconds() * 1000000 + m.taken_at().nanos() / 1000 >
             now_us + kAllowedClockSkewUs) {
    violations.Add(p + "taken_at", "must not be in the future (1 minute of clock skew is allowed)");
  }
  if (m.spine_region() == v1::SPINE_REGION_UNSPECIFIED) {
    violations.Add(p + "spine_region", "is required: the region of the measured curve");
  } else if (!v1::SpineRegion_IsValid(m.spine_region())) {
    violations.Add(p + "spine_region", absl::StrCat("unknown spine region ", m.spine_region()));
  }
  const double cobb = m.cobb_angle_degrees();
  if (!std::isfinite(cobb) || cobb < 0 || cobb > kMaxCobbAngleDegrees) {
    violations.Add(p + "cobb_angle_degrees",
                   absl::StrCat("must be between 0 and ", kMaxCobbAngleDegrees, " degrees, got ",
                                cobb));
  }
  if (m.convex_side() == v1::SIDE_BOTH) {
    violations.Add(p + "convex_side", "a curve is convex to one side: SIDE_LEFT or SIDE_RIGHT");
  } else if (!v1::Side_IsValid(m.convex_side())) {
    violations.Add(p + "convex_side", absl::StrCat("unknown side ", m.convex_side()));
  }
  CheckText(violations, p + "apex", m.apex(), kMaxApexBytes, false);
  if (m.has_risser_grade() && (m.risser_grade() < 0 || m.risser_grade() > kMaxRisserGrade)) {
    violations.Add(p + "risser_grade",
                   absl::StrCat("must be between 0 and 5 (US scale), got ", m.risser_grade()));
  }
  CheckText(violations, p + "measured_by", m.measured_by(), kMaxIdBytes, true);
  CheckText(violations, p + "imaging_ref", m.imaging_ref(), kMaxImagingRefBytes, false);
  CheckText(violations, p + "notes", m.notes(), kMaxCurveNotesBytes, false);
}

}  // namespace

absl::StatusOr<std::string> ParseCurveMeasurementName(absl::string_view name,
                                                      absl::string_view field) {
  if (name.empty()) {
    return InvalidField(std::string(field), "is required: \"curveMeasurements/{id}\"");
  }
  bool well_formed = absl::StartsWith(name, kNamePrefix) &&
                     name.size() == kNamePrefix.size() + kOutcomeIdHexLength;
  if (well_formed) {
    for (char c : name.substr(kNamePrefix.size())) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) well_formed = false;
    }
  }
  if (!well_formed) {
    return InvalidField(std::string(field),
                        absl::StrCat("must look like \"curveMeasurements/{id}\" with a ",
                                     kOutcomeIdHexLength, "-digit lowercase hexadecimal id"));
  }
  return std::string(name.substr(kNamePrefix.size()));
}

std::string CurveMeasurementName(absl::string_view id) { return absl::StrCat(kNamePrefix, id); }

void ClearOutputOnlyFields(v1::CurveMeasurement* measurement) {
  measurement->clear_name();
  measurement->clear_revision();
  measurement->clear_create_time();
  measurement->clear_amend_reason();
}

absl::Status ValidateRecordCurveMeasurementRequest(const v1::RecordCurveMeasurementRequest& request,
                                                   int64_t now_us) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  if (!request.has_measurement()) {
    violations.Add("measurement", "is required");
  } else {
    CheckMeasurement(violations, request.measurement(), now_us);
  }
  return violations.ToStatus();
}

absl::Status ValidateAmendCurveMeasurementRequest(const v1::AmendCurveMeasurementRequest& request,
                                                  int64_t now_us) {
  FieldViolations violations;
  CheckRequestId(violations, request.request_id());
  CheckName(violations, request.name());
  if (!request.has_measurement()) {
    violations.Add("measurement", "is required: the whole corrected measurement");
  } else {
    CheckMeasurement(violations, request.measurement(), now_us);
  }
  CheckText(violations, "reason", request.reason(), kMaxAmendReasonBytes, true);
  return violations.ToStatus();
}

absl::Status ValidateGetCurveMeasurementRequest(const v1::GetCurveMeasurementRequest& request) {
  FieldViolations violations;
  CheckName(violations, request.name());
  if (request.revision() < 0) {
    violations.Add("revision", "must be 0 (latest) or a positive revision number");
  }
  return violations.ToStatus();
}

absl::Status ValidateListCurveMeasurementsRequest(
    const v1::ListCurveMeasurementsRequest& request) {
  FieldViolations violations;
  CheckText(violations, "patient_id", request.patient_id(), kMaxIdBytes, true);
  return violations.ToStatus();
}

}  // namespace scoliomassage::core
