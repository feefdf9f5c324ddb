#include "error_state.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "scoliomassage/plugin.h"

namespace scoliomassage::plugin {
namespace {

// thread_local so that concurrent calls on one client never see each other's
// errors (the sqlite3_errmsg problem, avoided).
thread_local std::string last_error;

}  // namespace

const char* CodeName(int code) {
  switch (code) {
    case SMP_OK: return "OK";
    case SMP_CANCELLED: return "CANCELLED";
    case SMP_UNKNOWN: return "UNKNOWN";
    case SMP_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case SMP_DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case SMP_NOT_FOUND: return "NOT_FOUND";
    case SMP_ALREADY_EXISTS: return "ALREADY_EXISTS";
    case SMP_PERMISSION_DENIED: return "PERMISSION_DENIED";
    case SMP_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case SMP_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case SMP_ABORTED: return "ABORTED";
    case SMP_OUT_OF_RANGE: return "OUT_OF_RANGE";
    case SMP_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case SMP_INTERNAL: return "INTERNAL";
    case SMP_UNAVAILABLE: return "UNAVAILABLE";
    case SMP_DATA_LOSS: return "DATA_LOSS";
    case SMP_UNAUTHENTICATED: return "UNAUTHENTICATED";
    case SMP_QUEUED: return "QUEUED";
    default: return "UNRECOGNIZED_CODE";
  }
}

std::string DescribeStatus(const grpc::Status& status) {
  std::string text = CodeName(status.error_code());
  if (!status.error_message().empty()) text += ": " + status.error_message();
  if (status.error_details().empty()) return text;

  // The service puts google.rpc.Status in the grpc-status-details-bin
  // trailer; BadRequest says which field was wrong, ErrorInfo why else.
  google::rpc::Status rich;
  if (!rich.ParseFromString(status.error_details())) return text;
  for (const google::protobuf::Any& detail : rich.details()) {
    google::rpc::BadRequest bad_request;
    google::rpc::ErrorInfo info;
    if (detail.UnpackTo(&bad_request)) {
      for (const auto& violation : bad_request.field_violations()) {
        text += "\n" + violation.field() + ": " + violation.description();
      }
    } else if (detail.UnpackTo(&info) && !info.reason().empty()) {
      text += "\nreason: " + info.reason();
    }
  }
  return text;
}

int Report(const grpc::Status& status) {
  if (status.ok()) {
    last_error.clear();
    return SMP_OK;
  }
  last_error = DescribeStatus(status);
  return status.error_code();
}

int ReportError(int code, const std::string& message) {
  last_error = std::string(CodeName(code)) + ": " + message;
  return code;
}

const char* LastErrorText() { return last_error.c_str(); }

}  // namespace scoliomassage::plugin
