// The request_id of a write (AIP-155), shared by log, amend and curve.
#ifndef SCOLIOMASSAGE_CLI_REQUEST_ID_H_
#define SCOLIOMASSAGE_CLI_REQUEST_ID_H_

#include <string>

#include "absl/status/status.h"

namespace scoliomassage::cli {

// Takes --request_id (which must agree with one in the input), or picks a
// UUID and prints it on stderr before sending, so a call that times out can
// be retried with the same id instead of writing twice.
absl::Status SettleRequestId(const std::string& from_flag, std::string* request_id);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_REQUEST_ID_H_
