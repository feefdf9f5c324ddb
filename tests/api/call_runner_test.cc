// The CallRunner on a CallbackServerContext whose default reactor is bound to
// grpc's test peer: the handler's work runs on a real WorkQueue, and the
// finished status and the audit event are observed directly.
#include "api/call_runner.h"

#include <grpcpp/test/default_reactor_test_peer.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <vector>

#include "core/errors.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "status_details.h"

namespace scoliomassage::api {
namespace {

class RecordedAudit final : public app::AuditTrail {
 public:
  void Record(app::AuditEvent event) override {
    std::lock_guard<std::mutex> lock(mutex_);
    events_.push_back(std::move(event));
  }
  std::vector<app::AuditEvent> events() {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::vector<app::AuditEvent> events_;
};

using testing::ErrorReason;

class CallRunnerTest : public ::testing::Test {
 protected:
  // Runs `work` as `method` for a dev-mode caller with `role`; returns the
  // status the reactor finished with.
  grpc::Status RunUnary(auth::Role role, auth::Method method, CallRunner::Work work,
                        base::WorkQueue* queue = nullptr) {
    CallRunner runner(queue ? *queue : calls_, audit_, nullptr,
                      auth::Caller{"dev-principal", role, "dev"});
    grpc::CallbackServerContext context;
    std::promise<grpc::Status> finished;
    grpc::testing::DefaultReactorTestPeer peer(
        &context, [&](grpc::Status status) { finished.set_value(std::move(status)); });
    grpc::ServerUnaryReactor* reactor = runner.RunUnary(&context, method, std::move(work));
    EXPECT_EQ(reactor, peer.reactor());
    grpc::Status status = finished.get_future().get();
    (queue ? *queue : calls_).Flush();  // the audit event follows Finish on the worker
    return status;
  }

  base::WorkQueue calls_{2, 16};
  RecordedAudit audit_;
};

TEST_F(CallRunnerTest, RunsTheWorkAndAuditsTheSubjectItSet) {
  bool ran = false;
  const grpc::Status status =
      RunUnary(auth::Role::kAdmin, auth::Method::kGetOutcome, [&](CallScope& scope) {
        ran = true;
        EXPECT_EQ(scope.caller.principal, "dev-principal");
        scope.subject = "outcomes/abc";
        return absl::OkStatus();
      });
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(ran);
  const auto events = audit_.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].method, auth::Method::kGetOutcome);
  EXPECT_EQ(events[0].subject, "outcomes/abc");
  EXPECT_EQ(events[0].caller.clinic_id, "dev");
  EXPECT_EQ(events[0].code, absl::StatusCode::kOk);
}

TEST_F(CallRunnerTest, TheWorksErrorIsConvertedOnce) {
  const grpc::Status status =
      RunUnary(auth::Role::kAdmin, auth::Method::kLogOutcome, [](CallScope&) {
        return core::InvalidField("outcome.pain_before", "must be between 0 and 10");
      });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorReason(status), "INVALID_REQUEST");
  const auto events = audit_.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, absl::StatusCode::kInvalidArgument);
}

TEST_F(CallRunnerTest, AWrongRoleIsDeniedBeforeTheWorkAndStillAudited) {
  bool ran = false;
  const grpc::Status status =
      RunUnary(auth::Role::kAnalytics, auth::Method::kLogOutcome, [&](CallScope&) {
        ran = true;
        return absl::OkStatus();
      });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(status), "ROLE_NOT_ALLOWED");
  EXPECT_FALSE(ran);
  const auto events = audit_.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, absl::StatusCode::kPermissionDenied);
}

TEST_F(CallRunnerTest, AFullQueueIsResourceExhaustedAtOnce) {
  base::WorkQueue full(1, 0);  // never any room
  bool ran = false;
  const grpc::Status status = RunUnary(
      auth::Role::kAdmin, auth::Method::kGetOutcome,
      [&](CallScope&) {
        ran = true;
        return absl::OkStatus();
      },
      &full);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ErrorReason(status), "OVERLOADED");
  EXPECT_FALSE(ran);
  const auto events = audit_.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace scoliomassage::api
