#include "cli/status_printer.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace scoliomassage::cli {
namespace {

TEST(StatusCodeNameTest, NamesEveryCanonicalCode) {
  EXPECT_EQ(StatusCodeName(0), "OK");
  EXPECT_EQ(StatusCodeName(3), "INVALID_ARGUMENT");
  EXPECT_EQ(StatusCodeName(6), "ALREADY_EXISTS");
  EXPECT_EQ(StatusCodeName(14), "UNAVAILABLE");
  EXPECT_EQ(StatusCodeName(16), "UNAUTHENTICATED");
  EXPECT_EQ(StatusCodeName(17), "CODE_17");
  EXPECT_EQ(StatusCodeName(-1), "CODE_-1");
}

TEST(FormatStatusTest, CodeAndMessageOnly) {
  const grpc::Status status(grpc::StatusCode::NOT_FOUND, "no outcome outcomes/x");
  EXPECT_EQ(FormatStatus(status), "scoliomassage: NOT_FOUND: no outcome outcomes/x\n");
}

TEST(FormatStatusTest, ListsFieldViolationsAndTheReason) {
  google::rpc::Status details;
  details.set_code(3);
  details.set_message("2 bad fields");
  google::rpc::BadRequest bad_request;
  auto* pain = bad_request.add_field_violations();
  pain->set_field("outcome.pain_before");
  pain->set_description("must be 0-10, got 42");
  auto* minutes = bad_request.add_field_violations();
  minutes->set_field("outcome.minutes");
  minutes->set_description("must be 1-120");
  details.add_details()->PackFrom(bad_request);
  google::rpc::ErrorInfo info;
  info.set_reason("INVALID_REQUEST");
  info.set_domain("scoliomassage.example");
  details.add_details()->PackFrom(info);

  const grpc::Status status(grpc::StatusCode::INVALID_ARGUMENT, "2 bad fields",
                            details.SerializeAsString());
  EXPECT_EQ(FormatStatus(status),
            "scoliomassage: INVALID_ARGUMENT: 2 bad fields\n"
            "  outcome.pain_before: must be 0-10, got 42\n"
            "  outcome.minutes: must be 1-120\n"
            "  reason: INVALID_REQUEST\n");
}

TEST(FormatStatusTest, UnreadableDetailsStillPrintTheCode) {
  const grpc::Status status(grpc::StatusCode::INTERNAL, "boom", "\xff\xff not a proto");
  EXPECT_EQ(FormatStatus(status).rfind("scoliomassage: INTERNAL: boom\n", 0), 0u);
}

}  // namespace
}  // namespace scoliomassage::cli
