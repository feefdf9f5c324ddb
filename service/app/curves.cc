#include "app/curves.h"

#include <utility>

#include "base/time.h"
#include "core/curve_validation.h"

namespace scoliomassage::app {

Curves::Curves(storage::Store& store, const Pseudonymizer& pseudonyms)
    : store_(store), pseudonyms_(pseudonyms) {}

absl::StatusOr<v1::CurveMeasurement> Curves::Record(
    const auth::Caller& caller, const v1::RecordCurveMeasurementRequest& request,
    std::string* audit_subject) const {
  if (absl::Status valid =
          core::ValidateRecordCurveMeasurementRequest(request, base::NowMicros());
      !valid.ok()) {
    return valid;
  }
  *audit_subject = pseudonyms_.Pseudonym(caller.clinic_id, request.measurement().patient_id());
  v1::CurveMeasurement measurement = request.measurement();
  core::ClearOutputOnlyFields(&measurement);
  auto stored = store_.RecordCurveMeasurement(caller.clinic_id, request.request_id(), measurement);
  if (stored.ok()) *audit_subject = stored->name();
  return stored;
}

absl::StatusOr<v1::CurveMeasurement> Curves::Amend(const auth::Caller& caller,
                                                   const v1::AmendCurveMeasurementRequest& request,
                                                   std::string* audit_subject) const {
  if (absl::Status valid = core::ValidateAmendCurveMeasurementRequest(request, base::NowMicros());
      !valid.ok()) {
    return valid;
  }
  *audit_subject = request.name();
  v1::CurveMeasurement corrected = request.measurement();
  core::ClearOutputOnlyFields(&corrected);
  return store_.AmendCurveMeasurement(caller.clinic_id, request.request_id(), request.name(),
                                      corrected, request.reason());
}

absl::StatusOr<v1::CurveMeasurement> Curves::Get(const auth::Caller& caller,
                                                 const v1::GetCurveMeasurementRequest& request,
                                                 std::string* audit_subject) const {
  if (absl::Status valid = core::ValidateGetCurveMeasurementRequest(request); !valid.ok()) {
    return valid;
  }
  *audit_subject = request.name();
  return store_.GetCurveMeasurement(caller.clinic_id, request.name(), request.revision());
}

absl::StatusOr<v1::ListCurveMeasurementsResponse> Curves::List(
    const auth::Caller& caller, const v1::ListCurveMeasurementsRequest& request,
    std::string* audit_subject) const {
  auto page_size = ResolvePageSize(request.page_size(), kCurvePageSize, "page_size");
  if (!page_size.ok()) return page_size.status();
  if (absl::Status valid = core::ValidateListCurveMeasurementsRequest(request); !valid.ok()) {
    return valid;
  }
  *audit_subject = pseudonyms_.Pseudonym(caller.clinic_id, request.patient_id());
  auto page = store_.ListCurveMeasurements(caller.clinic_id, request.patient_id(), *page_size,
                                           request.page_token());
  if (!page.ok()) return page.status();
  v1::ListCurveMeasurementsResponse response;
  for (auto& measurement : page->measurements) *response.add_measurements() = std::move(measurement);
  response.set_next_page_token(page->next_page_token);
  return response;
}

}  // namespace scoliomassage::app
