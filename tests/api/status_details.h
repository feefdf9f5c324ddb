// What a gRPC client reads from the standard error-details trailer: the
// ErrorInfo reason and the BadRequest field violations.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>
#include <utility>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace scoliomassage::testing {

// "" when the status carries no ErrorInfo.
inline std::string ErrorReason(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

// (field, description) pairs, in the order the server sent them.
inline std::vector<std::pair<std::string, std::string>> FieldViolations(
    const grpc::Status& status) {
  std::vector<std::pair<std::string, std::string>> result;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return result;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (any.UnpackTo(&bad_request)) {
      for (const auto& violation : bad_request.field_violations()) {
        result.emplace_back(violation.field(), violation.description());
      }
    }
  }
  return result;
}

}  // namespace scoliomassage::testing
