// GET /metrics: the Prometheus text exposition (format 0.0.4) of
// observability/metrics.h, on the HTTP face. Scrapers authenticate like any
// HTTP caller, with `Authorization: Bearer <token>` from the tokens file, and
// need the admin role (Prometheus' `authorization` / `bearer_token_file`);
// in dev mode (no tokens file, loopback only) every caller may scrape.
// Metrics hold no patient data (route templates, method names, principals,
// counts), so scrapes are not audited, which keeps a 15 s scrape interval
// out of the audit trail.
#pragma once

#include <httplib.h>

#include "http/http_app.h"

namespace scoliomassage::http {

void InstallMetricsRoutes(httplib::Server& server, const HttpApp& app);

}  // namespace scoliomassage::http
