// GET /patients/{patient_id}/report: the patient progress report as one HTML
// page, or with ?format=svg the pain chart alone. Bearer tokens and roles as
// on gRPC; app::Reports applies the access rules and draws the page.
#pragma once

#include <httplib.h>

#include "http/http_app.h"

namespace scoliomassage::http {

// `app` must outlive the server.
void InstallReportRoutes(httplib::Server& server, const HttpApp& app);

}  // namespace scoliomassage::http
