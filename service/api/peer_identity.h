// Establishes who is calling from what the transport carries: a bearer token
// in the "authorization" metadata, or the common name of a verified mTLS
// client certificate. Called once per call by the CallRunner, so no handler
// ever looks at credentials.
#pragma once

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "auth/caller.h"
#include "auth/credentials_file.h"

namespace scoliomassage::api {

// UNAUTHENTICATED when neither a known token nor a known certificate is
// presented. A token that is present but unknown is refused even when a
// certificate would match, so a mistake is never silently papered over.
absl::StatusOr<auth::Caller> AuthenticatePeer(const grpc::ServerContextBase& context,
                                              const auth::Authenticator& authenticator);

}  // namespace scoliomassage::api
