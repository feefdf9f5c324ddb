// The thread-local "last error" behind smp_last_error(), and the one place
// that turns a grpc::Status into the text a host developer reads.
#pragma once

#include <string>

#include <grpcpp/support/status.h>

namespace scoliomassage::plugin {

// Records the outcome of the current smp_* call for this thread and returns
// its code, so an ABI function can end with `return Report(status);`.
int Report(const grpc::Status& status);

// Records a plugin-side failure that has no grpc::Status.
int ReportError(int code, const std::string& message);

// The text smp_last_error() returns; "" after a success.
const char* LastErrorText();

// "INVALID_ARGUMENT: <message>" followed by one "<field>: <description>" line
// per google.rpc.BadRequest violation in the status details.
std::string DescribeStatus(const grpc::Status& status);

// The static name of a code, for smp_strerror().
const char* CodeName(int code);

}  // namespace scoliomassage::plugin
