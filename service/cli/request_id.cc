#include "cli/request_id.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "base/random_id.h"

namespace scoliomassage::cli {

// The request_id makes a retry safe (AIP-155). When the operator gave none,
// pick one and show it before sending, so that a call that times out can be
// retried with the same id instead of logging the session twice.
absl::Status SettleRequestId(const std::string& from_flag, std::string* request_id) {
  if (!from_flag.empty()) {
    if (!request_id->empty() && *request_id != from_flag) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--request_id=", from_flag, " differs from the requestId in the input (", *request_id,
          "); give only one"));
    }
    *request_id = from_flag;
  }
  if (request_id->empty()) {
    auto fresh = base::RandomUuid();
    if (!fresh.ok()) return fresh.status();
    *request_id = *std::move(fresh);
    std::fprintf(stderr,
                 "scoliomassage: request_id %s (to retry safely, run again with "
                 "--request_id=%s)\n",
                 request_id->c_str(), request_id->c_str());
  }
  return absl::OkStatus();
}

}  // namespace scoliomassage::cli
