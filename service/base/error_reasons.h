// google.rpc.ErrorInfo reasons this service sets (domain scoliomassage.v1).
// Clients switch on them, so they are part of the wire contract: add new
// ones, never rename. Reasons raised by core/ and storage/ (for example
// STORE_UNAVAILABLE, STORE_DISK_FULL) are spelled where they are raised.
#pragma once

namespace scoliomassage::base {

// Set explicitly by the layers above the store.
inline constexpr char kReasonOverloaded[] = "OVERLOADED";
inline constexpr char kReasonRoleNotAllowed[] = "ROLE_NOT_ALLOWED";
inline constexpr char kReasonUnauthenticated[] = "UNAUTHENTICATED";
inline constexpr char kReasonNotOwner[] = "NOT_OWNER";

// Defaults by status code, for errors that carry no reason of their own.
inline constexpr char kReasonInvalidRequest[] = "INVALID_REQUEST";
inline constexpr char kReasonNotFound[] = "NOT_FOUND";
inline constexpr char kReasonRequestIdReused[] = "REQUEST_ID_REUSED";
inline constexpr char kReasonPermissionDenied[] = "PERMISSION_DENIED";
inline constexpr char kReasonResourceExhausted[] = "RESOURCE_EXHAUSTED";
inline constexpr char kReasonUnavailable[] = "UNAVAILABLE";
inline constexpr char kReasonFailedPrecondition[] = "FAILED_PRECONDITION";
inline constexpr char kReasonDeadlineExceeded[] = "DEADLINE_EXCEEDED";
inline constexpr char kReasonCancelled[] = "CANCELLED";
inline constexpr char kReasonInternal[] = "INTERNAL";

}  // namespace scoliomassage::base
