#include "cli/command_line.h"

#include <vector>

#include "absl/flags/flag.h"
#include "gtest/gtest.h"

// The parser works on whatever flags the binary registers; these stand in
// for main.cc's.
ABSL_FLAG(std::string, test_server, "default", "");
ABSL_FLAG(bool, test_json, false, "");
ABSL_FLAG(int32_t, test_revision, 0, "");

namespace scoliomassage::cli {
namespace {

absl::StatusOr<ParsedArgs> Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "scoliomassage");
  return ParseArgs(static_cast<int>(args.size()), args.data());
}

class CommandLineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::SetFlag(&FLAGS_test_server, "default");
    absl::SetFlag(&FLAGS_test_json, false);
    absl::SetFlag(&FLAGS_test_revision, 0);
  }
};

TEST_F(CommandLineTest, FlagsAnywhereAroundPositionals) {
  auto parsed = Parse({"--test_server=a:1", "get", "outcomes/x", "--test_revision", "3"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->positional, (std::vector<std::string>{"get", "outcomes/x"}));
  EXPECT_EQ(absl::GetFlag(FLAGS_test_server), "a:1");
  EXPECT_EQ(absl::GetFlag(FLAGS_test_revision), 3);
  EXPECT_EQ(parsed->given, (std::set<std::string>{"test_server", "test_revision"}));
  EXPECT_FALSE(parsed->help);
}

TEST_F(CommandLineTest, BooleansTakeNoValueOrAnExplicitOne) {
  auto on = Parse({"summary", "--test_json"});
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE(absl::GetFlag(FLAGS_test_json));
  auto off = Parse({"summary", "--notest_json"});
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(absl::GetFlag(FLAGS_test_json));
  auto explicit_value = Parse({"-test_json=true", "summary"});
  ASSERT_TRUE(explicit_value.ok());
  EXPECT_TRUE(absl::GetFlag(FLAGS_test_json));
  // A boolean never swallows the next word.
  EXPECT_EQ(explicit_value->positional, (std::vector<std::string>{"summary"}));
}

TEST_F(CommandLineTest, DashIsPositionalAndDoubleDashEndsFlags) {
  auto parsed = Parse({"log", "-", "--", "--test_json"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->positional, (std::vector<std::string>{"log", "-", "--test_json"}));
  EXPECT_FALSE(absl::GetFlag(FLAGS_test_json));
}

TEST_F(CommandLineTest, HelpIsRecognized) {
  for (const char* help : {"-h", "--help", "-help"}) {
    auto parsed = Parse({"history", help});
    ASSERT_TRUE(parsed.ok()) << help;
    EXPECT_TRUE(parsed->help) << help;
  }
}

TEST_F(CommandLineTest, VersionFlagIsTheVersionSubcommand) {
  auto parsed = Parse({"--version"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->positional, (std::vector<std::string>{"version"}));
  parsed = Parse({"history", "--version"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->positional.front(), "version");
}

TEST_F(CommandLineTest, UsageErrors) {
  EXPECT_FALSE(Parse({"--no_such_flag=1"}).ok());
  EXPECT_FALSE(Parse({"--test_revision"}).ok()) << "missing value";
  EXPECT_FALSE(Parse({"--test_revision=abc"}).ok()) << "not a number";
  EXPECT_FALSE(Parse({"--test_json=maybe"}).ok());
  EXPECT_FALSE(Parse({"--notest_server"}).ok()) << "--no only negates booleans";
  auto unknown = Parse({"--bogus"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("--bogus"), absl::string_view::npos);
}

}  // namespace
}  // namespace scoliomassage::cli
