#include "base/read_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace scoliomassage::base {
namespace {

TEST(ReadFileToString, ReadsTheWholeFileByteForByte) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("scoliomassage-read-" + std::to_string(::getpid()));
  const std::string contents("line 1\r\nline 2\0binary", 21);
  std::ofstream(path, std::ios::binary) << contents;
  auto read = ReadFileToString(path.string(), "test");
  std::filesystem::remove(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, contents);
}

TEST(ReadFileToString, AMissingFileNamesWhatAndWhere) {
  auto read = ReadFileToString("/nonexistent/secret", "pseudonym secret");
  ASSERT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(read.status().message(), "cannot read pseudonym secret file '/nonexistent/secret'");
}

}  // namespace
}  // namespace scoliomassage::base
