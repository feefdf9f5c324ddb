// How a failed call reads on stderr:
//   scoliomassage: INVALID_ARGUMENT: the outcome has 1 bad field
//     outcome.pain_before: must be 0-10
//     reason: INVALID_REQUEST
// The field lines come from google.rpc.BadRequest in the status details.
#ifndef SCOLIOMASSAGE_CLI_STATUS_PRINTER_H_
#define SCOLIOMASSAGE_CLI_STATUS_PRINTER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace scoliomassage::cli {

// "INVALID_ARGUMENT" for 3, and so on; the number for codes gRPC lacks.
std::string StatusCodeName(int code);

// The whole message, each line ending in '\n'.
std::string FormatStatus(const grpc::Status& status);

// For local problems found before anything was sent.
std::string FormatLocalError(const absl::Status& status);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_STATUS_PRINTER_H_
