// Bearer-token authentication as the CallRunner sees it, on a ServerContext
// filled by grpc's test spouse (no server, no socket). Certificates need a
// real TLS handshake and are covered by tests/security.
#include "api/peer_identity.h"

#include <grpcpp/test/server_context_test_spouse.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/errors.h"

namespace scoliomassage::api {
namespace {

// printf %s test | sha256sum
constexpr char kTestTokenHash[] =
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

class PeerIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("scoliomassage-peer-" + std::to_string(::getpid()) + ".tokens");
    std::ofstream(path_) << "token sha256:" << kTestTokenHash << " frontdesk host clinic-a\n"
                         << "cert CN=therapist-7.clinic-a t-7 therapist clinic-a\n";
    auto loaded = auth::Authenticator::Load(path_.string());
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    authenticator_ = *std::move(loaded);
  }
  void TearDown() override { std::filesystem::remove(path_); }

  absl::StatusOr<auth::Caller> Authenticate(const char* authorization) {
    grpc::ServerContext context;
    grpc::testing::ServerContextTestSpouse spouse(&context);
    if (authorization != nullptr) spouse.AddClientMetadata("authorization", authorization);
    return AuthenticatePeer(context, *authenticator_);
  }

  static std::string Reason(const absl::Status& status) {
    auto reason = status.GetPayload(core::kReasonTypeUrl);
    return reason ? std::string(*reason) : "";
  }

  std::filesystem::path path_;
  std::unique_ptr<auth::Authenticator> authenticator_;
};

TEST_F(PeerIdentityTest, AKnownBearerTokenIsItsCaller) {
  for (const char* header : {"Bearer test", "bearer test"}) {
    auto caller = Authenticate(header);
    ASSERT_TRUE(caller.ok()) << header << ": " << caller.status();
    EXPECT_EQ(caller->principal, "frontdesk");
    EXPECT_EQ(caller->role, auth::Role::kHost);
    EXPECT_EQ(caller->clinic_id, "clinic-a");
  }
}

TEST_F(PeerIdentityTest, AnUnknownTokenIsUnauthenticated) {
  auto caller = Authenticate("Bearer not-the-token");
  ASSERT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(caller.status().message(), "unknown bearer token");
  EXPECT_EQ(Reason(caller.status()), "UNAUTHENTICATED");
}

TEST_F(PeerIdentityTest, AnotherSchemeIsUnauthenticated) {
  for (const char* header : {"Basic dGVzdA==", "test", "Bearer"}) {
    auto caller = Authenticate(header);
    ASSERT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated) << header;
    EXPECT_EQ(Reason(caller.status()), "UNAUTHENTICATED") << header;
  }
}

TEST_F(PeerIdentityTest, NoCredentialsIsUnauthenticated) {
  auto caller = Authenticate(nullptr);
  ASSERT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(caller.status().message().find("credentials required"), absl::string_view::npos);
  EXPECT_EQ(Reason(caller.status()), "UNAUTHENTICATED");
}

TEST_F(PeerIdentityTest, AReloadedFileTakesEffect) {
  std::ofstream(path_) << "token sha256:" << kTestTokenHash << " job-1 analytics clinic-b\n";
  ASSERT_TRUE(authenticator_->Reload().ok());
  auto caller = Authenticate("Bearer test");
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->role, auth::Role::kAnalytics);
  EXPECT_EQ(caller->clinic_id, "clinic-b");
}

}  // namespace
}  // namespace scoliomassage::api
