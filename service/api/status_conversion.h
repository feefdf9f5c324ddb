// The one place where an absl::Status from the core or the store becomes a
// grpc::Status. INVALID_ARGUMENT carries google.rpc.BadRequest field
// violations; every error carries google.rpc.ErrorInfo with a reason, both in
// the standard grpc-status-details-bin trailer (AIP-193).
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace scoliomassage::api {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace scoliomassage::api
