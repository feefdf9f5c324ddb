// Input rules for curve measurement requests (CurveService). As for
// outcomes, every bad field is named and all are reported at once, and a
// rejected request changes nothing.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scoliomassage/v1/curve.pb.h"

namespace scoliomassage::core {

// The Cobb angles this service accepts. Curves past 120 degrees are not
// measured reliably on a standing film and are far outside massage practice.
inline constexpr double kMaxCobbAngleDegrees = 120;
// Risser grade on the US scale.
inline constexpr int kMaxRisserGrade = 5;
inline constexpr int kMaxApexBytes = 16;
inline constexpr int kMaxImagingRefBytes = 256;
inline constexpr int kMaxCurveNotesBytes = 2000;

// `now_us` (UTC microseconds) is injected so tests control the clock.
// Field paths look like "measurement.cobb_angle_degrees".
absl::Status ValidateRecordCurveMeasurementRequest(const v1::RecordCurveMeasurementRequest& request,
                                                   int64_t now_us);
absl::Status ValidateAmendCurveMeasurementRequest(const v1::AmendCurveMeasurementRequest& request,
                                                  int64_t now_us);
absl::Status ValidateGetCurveMeasurementRequest(const v1::GetCurveMeasurementRequest& request);
// The page size is checked by the caller (app/page_size.h).
absl::Status ValidateListCurveMeasurementsRequest(const v1::ListCurveMeasurementsRequest& request);

// The id in "curveMeasurements/{id}"; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseCurveMeasurementName(absl::string_view name,
                                                      absl::string_view field = "name");
std::string CurveMeasurementName(absl::string_view id);

// Clears name, revision, create_time and amend_reason, so a measurement
// echoed back (in an amendment or a retry) counts like one that was not.
void ClearOutputOnlyFields(v1::CurveMeasurement* measurement);

}  // namespace scoliomassage::core
