#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "auth/credentials_file.h"

namespace scoliomassage::auth {
namespace {

std::string HashOf(const std::string& token) {
  std::string command = "printf %s '" + token + "' | sha256sum";
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[65] = {};
  size_t read = fread(buffer, 1, 64, pipe);
  pclose(pipe);
  EXPECT_EQ(read, 64u);
  return std::string("sha256:") + buffer;
}

TEST(CredentialsFileTest, ParsesTokensAndCertificatesIgnoringComments) {
  const std::string text = "# comment\n\ntoken " + HashOf("abc") +
                           " frontdesk host clinic-a\ncert CN=t7.clinic-a t-7 therapist clinic-a\n";
  auto entries = ParseCredentialsFile(text);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].caller.principal, "frontdesk");
  EXPECT_EQ((*entries)[0].caller.role, Role::kHost);
  EXPECT_EQ((*entries)[1].kind, CredentialEntry::Kind::kCertificate);
  EXPECT_EQ((*entries)[1].secret_or_identity, "t7.clinic-a");
}

TEST(CredentialsFileTest, RejectsClearTextTokensBadRolesAndShortLinesNamingTheLine) {
  for (const std::string& bad : {std::string("token plain-secret p host c\n"),
                                 "token " + HashOf("x") + " p superuser c\n",
                                 std::string("\n\ntoken sha256:abcd p host\n"),
                                 std::string("key x p host c\n")}) {
    auto entries = ParseCredentialsFile(bad);
    ASSERT_FALSE(entries.ok()) << bad;
    EXPECT_NE(entries.status().message().find("line"), std::string::npos);
  }
  auto entries = ParseCredentialsFile("\n\ntoken sha256:abcd p host\n");
  EXPECT_NE(entries.status().message().find("line 3"), std::string::npos) << entries.status();
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  void Write(const std::string& text) {
    std::ofstream(path_) << text;
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_ = (std::filesystem::temp_directory_path() /
                       ("scoliomassage-tokens-" + std::to_string(::getpid()))).string();
};

TEST_F(AuthenticatorTest, FindsTheCallerByTokenAndNeverByItsHash) {
  Write("token " + HashOf("host-token") + " frontdesk host clinic-a\n");
  auto authenticator = Authenticator::Load(path_);
  ASSERT_TRUE(authenticator.ok()) << authenticator.status();
  auto caller = (*authenticator)->FromToken("host-token");
  ASSERT_TRUE(caller.has_value());
  EXPECT_EQ(caller->clinic_id, "clinic-a");
  EXPECT_FALSE((*authenticator)->FromToken("host-token ").has_value());
  EXPECT_FALSE((*authenticator)->FromToken(HashOf("host-token").substr(7)).has_value());
  EXPECT_FALSE((*authenticator)->FromToken("").has_value());
}

TEST_F(AuthenticatorTest, ReloadSwapsTokensAndKeepsOldOnesWhenTheNewFileIsBroken) {
  Write("token " + HashOf("old") + " a host clinic-a\n");
  auto authenticator = Authenticator::Load(path_);
  ASSERT_TRUE(authenticator.ok());
  Write("token " + HashOf("new") + " b admin clinic-a\n");
  ASSERT_TRUE((*authenticator)->Reload().ok());
  EXPECT_FALSE((*authenticator)->FromToken("old").has_value());
  EXPECT_TRUE((*authenticator)->FromToken("new").has_value());
  Write("token broken\n");
  EXPECT_FALSE((*authenticator)->Reload().ok());
  EXPECT_TRUE((*authenticator)->FromToken("new").has_value()) << "old entries stay in force";
}

TEST_F(AuthenticatorTest, MissingFileFailsToLoad) {
  EXPECT_FALSE(Authenticator::Load(path_ + "-missing").ok());
}

}  // namespace
}  // namespace scoliomassage::auth
