// Request ids for LogOutcome and AmendOutcome (AIP-155): a retry with the
// same id returns the first result instead of storing a second one.
#ifndef SCOLIOMASSAGE_CLI_REQUEST_ID_H_
#define SCOLIOMASSAGE_CLI_REQUEST_ID_H_

#include <string>

namespace scoliomassage::cli {

// A random (version 4) UUID in lowercase canonical form.
std::string NewRequestId();

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_REQUEST_ID_H_
