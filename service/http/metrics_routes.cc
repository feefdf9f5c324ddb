#include "http/metrics_routes.h"

#include "http/request_support.h"
#include "observability/metrics.h"

namespace scoliomassage::http {

void InstallMetricsRoutes(httplib::Server& server, const HttpApp& app) {
  server.Get("/metrics", [&app](const httplib::Request& req, httplib::Response& res) {
    SetRoute("GET /metrics");
    auto caller = AuthenticateBearer(req, app);
    if (!caller.ok()) {
      SendError(caller.status(), res);
      return;
    }
    if (absl::Status allowed = CheckRole(*caller, auth::Method::kReadMetrics); !allowed.ok()) {
      SendError(allowed, res);
      return;
    }
    res.set_content(observability::ScrapeMetrics(), observability::kMetricsContentType);
  });
}

}  // namespace scoliomassage::http
