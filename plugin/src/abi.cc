// The extern "C" surface. Every function here only checks arguments, converts
// JSON, calls Client and records the last error; and catches everything, so
// that no C++ exception ever reaches a C, PHP or Python host.
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "client.h"
#include "config.h"
#include "error_state.h"
#include "json_codec.h"
#include "scoliomassage/plugin.h"

struct smp_client {
  std::unique_ptr<scoliomassage::plugin::Client> client;
};

namespace {

using namespace scoliomassage::plugin;

// Runs `body`, turning any escaping exception into a status code.
template <typename Body>
int Guarded(Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    try { return ReportError(SMP_RESOURCE_EXHAUSTED, "out of memory"); } catch (...) {}
    return SMP_RESOURCE_EXHAUSTED;
  } catch (const std::exception& error) {
    try { return ReportError(SMP_INTERNAL, std::string("unexpected error: ") + error.what()); } catch (...) {}
    return SMP_INTERNAL;
  } catch (...) {
    try { return ReportError(SMP_INTERNAL, "unexpected error"); } catch (...) {}
    return SMP_INTERNAL;
  }
}

int NullArgument(const char* function, const char* argument) {
  return ReportError(SMP_INVALID_ARGUMENT,
                     std::string(function) + ": " + argument + " is NULL");
}

// malloc, so that smp_free can be a plain free() whatever allocator the host uses.
char* CopyOut(const std::string& text) {
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy == nullptr) throw std::bad_alloc();
  std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

int ReturnJson(const google::protobuf::Message& message, char** response_json) {
  std::string json;
  if (grpc::Status status = ToJson(message, &json); !status.ok()) return Report(status);
  *response_json = CopyOut(json);
  return Report(grpc::Status::OK);
}

// The shared shape of the request/response calls: check, parse, call, encode.
template <typename Request, typename Response, typename Call>
int JsonCall(const char* function, smp_client* c, const char* request_json,
             char** response_json, Call&& call) {
  return Guarded([&] {
    if (response_json == nullptr) return NullArgument(function, "response_json");
    *response_json = nullptr;
    if (c == nullptr) return NullArgument(function, "client");
    if (request_json == nullptr) return NullArgument(function, "request_json");
    Request request;
    if (grpc::Status status = ParseJson(request_json, "request_json", &request); !status.ok()) {
      return Report(status);
    }
    Response response;
    if (grpc::Status status = call(*c->client, request, &response); !status.ok()) {
      return Report(status);
    }
    return ReturnJson(response, response_json);
  });
}

}  // namespace

extern "C" {

SMP_API int smp_client_open(const char* config_json, smp_client** out) {
  return Guarded([&] {
    if (out == nullptr) return NullArgument("smp_client_open", "out");
    *out = nullptr;
    if (config_json == nullptr) return NullArgument("smp_client_open", "config_json");
    ClientConfig config;
    if (grpc::Status status = ParseClientConfig(config_json, &config); !status.ok()) {
      return Report(status);
    }
    auto handle = std::make_unique<smp_client>();
    if (grpc::Status status = Client::Create(std::move(config), &handle->client); !status.ok()) {
      return Report(status);
    }
    *out = handle.release();
    return Report(grpc::Status::OK);
  });
}

SMP_API void smp_client_close(smp_client* c) {
  Guarded([&] {
    delete c;
    return SMP_OK;
  });
}

SMP_API int smp_recommend_protocol(smp_client* c, const char* request_json,
                                   char** response_json) {
  return JsonCall<v1::RecommendProtocolRequest, v1::RecommendProtocolResponse>(
      "smp_recommend_protocol", c, request_json, response_json,
      [](Client& client, const auto& request, auto* response) {
        return client.RecommendProtocol(request, response);
      });
}

SMP_API int smp_log_outcome(smp_client* c, const char* request_json, char** response_json) {
  return Guarded([&] {
    const char* function = "smp_log_outcome";
    if (response_json == nullptr) return NullArgument(function, "response_json");
    *response_json = nullptr;
    if (c == nullptr) return NullArgument(function, "client");
    if (request_json == nullptr) return NullArgument(function, "request_json");
    v1::LogOutcomeRequest request;
    if (grpc::Status status = ParseJson(request_json, "request_json", &request); !status.ok()) {
      return Report(status);
    }
    v1::Outcome outcome;
    bool queued = false;
    grpc::Status status = c->client->LogOutcome(&request, &outcome, &queued);
    if (queued) {
      const std::string json =
          "{\"queued\":true,\"requestId\":" + JsonQuote(request.request_id()) + "}";
      *response_json = CopyOut(json);
      return ReportError(SMP_QUEUED, "the service could not be reached (" +
                                         DescribeStatus(status) +
                                         "); the outcome is stored in the outbox as request " +
                                         request.request_id() + " and will be delivered later");
    }
    if (!status.ok()) return Report(status);
    return ReturnJson(outcome, response_json);
  });
}

SMP_API int smp_amend_outcome(smp_client* c, const char* request_json, char** response_json) {
  return JsonCall<v1::AmendOutcomeRequest, v1::Outcome>(
      "smp_amend_outcome", c, request_json, response_json,
      [](Client& client, auto request, auto* response) {
        return client.AmendOutcome(&request, response);
      });
}

SMP_API int smp_get_outcome(smp_client* c, const char* request_json, char** response_json) {
  return JsonCall<v1::GetOutcomeRequest, v1::Outcome>(
      "smp_get_outcome", c, request_json, response_json,
      [](Client& client, const auto& request, auto* response) {
        return client.GetOutcome(request, response);
      });
}

SMP_API int smp_patient_history(smp_client* c, const char* request_json, char** response_json) {
  return JsonCall<v1::ListOutcomesRequest, v1::ListOutcomesResponse>(
      "smp_patient_history", c, request_json, response_json,
      [](Client& client, auto request, auto* response) {
        return client.ListOutcomes(&request, response);
      });
}

SMP_API int smp_record_curve_measurement(smp_client* c, const char* request_json,
                                         char** response_json) {
  return JsonCall<v1::RecordCurveMeasurementRequest, v1::CurveMeasurement>(
      "smp_record_curve_measurement", c, request_json, response_json,
      [](Client& client, auto request, auto* response) {
        return client.RecordCurveMeasurement(&request, response);
      });
}

SMP_API int smp_list_curve_measurements(smp_client* c, const char* request_json,
                                        char** response_json) {
  return JsonCall<v1::ListCurveMeasurementsRequest, v1::ListCurveMeasurementsResponse>(
      "smp_list_curve_measurements", c, request_json, response_json,
      [](Client& client, const auto& request, auto* response) {
        return client.ListCurveMeasurements(request, response);
      });
}

SMP_API int smp_amend_curve_measurement(smp_client* c, const char* request_json,
                                        char** response_json) {
  return JsonCall<v1::AmendCurveMeasurementRequest, v1::CurveMeasurement>(
      "smp_amend_curve_measurement", c, request_json, response_json,
      [](Client& client, auto request, auto* response) {
        return client.AmendCurveMeasurement(&request, response);
      });
}

SMP_API int smp_flush(smp_client* c, char** response_json) {
  return Guarded([&] {
    if (response_json != nullptr) *response_json = nullptr;
    if (c == nullptr) return NullArgument("smp_flush", "client");
    FlushReport report;
    grpc::Status status = c->client->Flush(&report);
    if (!report.outbox_read) return Report(status);  // no outbox, or it cannot be read
    if (response_json != nullptr) {
      std::string json = "{\"delivered\":" + std::to_string(report.delivered) +
                         ",\"pending\":" + std::to_string(report.pending) +
                         ",\"rejected\":" + std::to_string(report.rejected.size()) +
                         ",\"rejectedOutcomes\":[";
      for (std::size_t i = 0; i < report.rejected.size(); ++i) {
        const RejectedRequest& rejected = report.rejected[i];
        json += std::string(i ? "," : "") + "{\"requestId\":" + JsonQuote(rejected.request_id) +
                ",\"code\":" + std::to_string(rejected.code) +
                ",\"error\":" + JsonQuote(rejected.error) + "}";
      }
      json += "]}";
      *response_json = CopyOut(json);
    }
    return Report(status);
  });
}

SMP_API const char* smp_last_error(void) { return LastErrorText(); }

SMP_API const char* smp_strerror(int code) { return CodeName(code); }

SMP_API void smp_free(char* s) { std::free(s); }

SMP_API const char* smp_version(void) { return SMP_VERSION; }

SMP_API int smp_abi_version(void) { return SMP_ABI_VERSION; }

SMP_API int smp_patient_report(smp_client* c, const char* request_json, char** response_json) {
  return JsonCall<v1::GetPatientReportRequest, v1::PatientReport>(
      "smp_patient_report", c, request_json, response_json,
      [](Client& client, const auto& request, auto* response) {
        return client.GetPatientReport(request, response);
      });
}

SMP_API int smp_record_assessment(smp_client* c, const char* request_json,
                                  char** response_json) {
  return JsonCall<v1::RecordAssessmentRequest, v1::Assessment>(
      "smp_record_assessment", c, request_json, response_json,
      [](Client& client, auto request, auto* response) {
        return client.RecordAssessment(&request, response);
      });
}

SMP_API int smp_list_assessments(smp_client* c, const char* request_json,
                                 char** response_json) {
  return JsonCall<v1::ListAssessmentsRequest, v1::ListAssessmentsResponse>(
      "smp_list_assessments", c, request_json, response_json,
      [](Client& client, auto request, auto* response) {
        return client.ListAssessments(&request, response);
      });
}

SMP_API int smp_episode_result(smp_client* c, const char* request_json, char** response_json) {
  return JsonCall<v1::GetEpisodeResultRequest, v1::EpisodeResult>(
      "smp_episode_result", c, request_json, response_json,
      [](Client& client, const auto& request, auto* response) {
        return client.GetEpisodeResult(request, response);
      });
}

}  // extern "C"
