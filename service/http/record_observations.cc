#include "http/record_observations.h"

#include "base/time.h"
#include "http/fhir_record_resources.h"

namespace scoliomassage::http {

using nlohmann::json;

absl::StatusOr<std::vector<json>> RecordObservations(const HttpApp& app, const auth::Caller& caller,
                                                     const std::string& patient_id, FhirView view,
                                                     const KeepRecord& keep) {
  std::vector<json> out;
  std::string subject;  // the caller audits the FHIR request as a whole
  // Analytics callers may list neither (auth/caller.cc): they get the
  // sessions' resources only.
  if (view != FhirView::kClinical) return out;
  if (app.curves != nullptr) {
    v1::ListCurveMeasurementsRequest list;
    list.set_patient_id(patient_id);
    list.set_page_size(app::kCurvePageSize.max_size);
    for (int read = 0; read < kMaxRecordItemsPerPatient;) {
      auto page = app.curves->List(caller, list, &subject);
      if (!page.ok()) return page.status();
      for (const v1::CurveMeasurement& m : page->measurements()) {
        if (keep(base::TimestampToTime(m.taken_at()), base::TimestampToTime(m.create_time()))) {
          out.push_back(ObservationFromCurve(m));
        }
      }
      read += page->measurements_size();
      if (page->next_page_token().empty() || page->measurements_size() == 0) break;
      list.set_page_token(page->next_page_token());
    }
  }
  if (app.assessments != nullptr) {
    v1::ListAssessmentsRequest list;
    list.set_patient_id(patient_id);
    list.set_page_size(100);  // ListAssessments' maximum
    for (int read = 0; read < kMaxRecordItemsPerPatient;) {
      auto page = app.assessments->List(caller, list, &subject);
      if (!page.ok()) return page.status();
      for (const v1::Assessment& a : page->assessments()) {
        if (keep(base::TimestampToTime(a.performed_at()), base::TimestampToTime(a.create_time()))) {
          for (json& observation : ObservationsFromAssessment(a, view)) out.push_back(std::move(observation));
        }
      }
      read += page->assessments_size();
      if (page->next_page_token().empty() || page->assessments_size() == 0) break;
      list.set_page_token(page->next_page_token());
    }
  }
  return out;
}

}  // namespace scoliomassage::http
