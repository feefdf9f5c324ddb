// The curve over time: record, amend, read and list a patient's curve
// measurements for one caller. Validation happens here, before anything
// reaches the Store, so a rejected request changes nothing. Hosts,
// therapists and admins read and write their own clinic's measurements
// (the role table in auth/caller.cc); analytics callers get none, because a
// measurement carries the patient id and free text.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "app/page_size.h"
#include "app/types.h"
#include "scoliomassage/v1/curve.pb.h"

namespace scoliomassage::app {

// ListCurveMeasurements: a patient has a few films a year.
inline constexpr PageSizeRule kCurvePageSize{20, 100};
// The check-in reads at most this many of a patient's newest films.
inline constexpr int kCheckInFilms = 50;

class Curves {
 public:
  Curves(storage::Store& store, const Pseudonymizer& pseudonyms);

  absl::StatusOr<v1::CurveMeasurement> Record(const auth::Caller& caller,
                                              const v1::RecordCurveMeasurementRequest& request,
                                              std::string* audit_subject) const;
  absl::StatusOr<v1::CurveMeasurement> Amend(const auth::Caller& caller,
                                             const v1::AmendCurveMeasurementRequest& request,
                                             std::string* audit_subject) const;
  absl::StatusOr<v1::CurveMeasurement> Get(const auth::Caller& caller,
                                           const v1::GetCurveMeasurementRequest& request,
                                           std::string* audit_subject) const;
  absl::StatusOr<v1::ListCurveMeasurementsResponse> List(
      const auth::Caller& caller, const v1::ListCurveMeasurementsRequest& request,
      std::string* audit_subject) const;

 private:
  storage::Store& store_;
  const Pseudonymizer& pseudonyms_;
};

}  // namespace scoliomassage::app
