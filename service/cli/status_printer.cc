#include "cli/status_printer.h"

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace scoliomassage::cli {

std::string StatusCodeName(int code) {
  static constexpr const char* kNames[] = {
      "OK",
      "CANCELLED",
      "UNKNOWN",
      "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED",
      "NOT_FOUND",
      "ALREADY_EXISTS",
      "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION",
      "ABORTED",
      "OUT_OF_RANGE",
      "UNIMPLEMENTED",
      "INTERNAL",
      "UNAVAILABLE",
      "DATA_LOSS",
      "UNAUTHENTICATED",
  };
  if (code >= 0 && code < static_cast<int>(std::size(kNames))) return kNames[code];
  return absl::StrCat("CODE_", code);
}

std::string FormatStatus(const grpc::Status& status) {
  std::string out = absl::StrCat("scoliomassage: ", StatusCodeName(status.error_code()), ": ",
                                 status.error_message(), "\n");
  if (status.error_details().empty()) return out;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) {
    // A proxy or another server may send details we cannot read; the code
    // and message above still say what happened.
    return out;
  }
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    google::rpc::ErrorInfo info;
    if (any.Is<google::rpc::BadRequest>() && any.UnpackTo(&bad_request)) {
      for (const auto& violation : bad_request.field_violations()) {
        absl::StrAppend(&out, "  ", violation.field(), ": ", violation.description(), "\n");
      }
    } else if (any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info)) {
      if (!info.reason().empty()) absl::StrAppend(&out, "  reason: ", info.reason(), "\n");
    }
  }
  return out;
}

std::string FormatLocalError(const absl::Status& status) {
  return absl::StrCat("scoliomassage: ", status.message(), "\n");
}

}  // namespace scoliomassage::cli
