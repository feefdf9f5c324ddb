#include "api/peer_identity.h"

#include <string>

#include "absl/strings/strip.h"
#include "absl/strings/string_view.h"
#include "base/error_reasons.h"
#include "core/errors.h"

namespace scoliomassage::api {
namespace {

absl::Status Unauthenticated(absl::string_view why) {
  return core::WithReason(absl::UnauthenticatedError(why), base::kReasonUnauthenticated);
}

}  // namespace

absl::StatusOr<auth::Caller> AuthenticatePeer(const grpc::ServerContextBase& context,
                                              const auth::Authenticator& authenticator) {
  const auto& metadata = context.client_metadata();
  if (auto header = metadata.find("authorization"); header != metadata.end()) {
    absl::string_view value(header->second.data(), header->second.size());
    if (!absl::ConsumePrefix(&value, "Bearer ") && !absl::ConsumePrefix(&value, "bearer ")) {
      return Unauthenticated("the authorization metadata must be 'Bearer <token>'");
    }
    if (auto caller = authenticator.FromToken(value)) return *caller;
    return Unauthenticated("unknown bearer token");
  }
  if (auto auth_context = context.auth_context(); auth_context && auth_context->IsPeerAuthenticated()) {
    for (const auto& name : auth_context->FindPropertyValues("x509_common_name")) {
      if (auto caller = authenticator.FromCertificate(absl::string_view(name.data(), name.size()))) {
        return *caller;
      }
    }
    return Unauthenticated("the client certificate is not in the tokens file");
  }
  return Unauthenticated("credentials required: 'authorization: Bearer <token>' or a client certificate");
}

}  // namespace scoliomassage::api
