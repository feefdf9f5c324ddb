#include "base/random_id.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/ascii.h"

namespace scoliomassage::base {
namespace {

bool IsLowerHex(const std::string& text) {
  for (char c : text) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) || absl::ascii_isupper(c)) {
      return false;
    }
  }
  return true;
}

TEST(RandomHexId, Is32LowercaseHexDigitsAndDoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = RandomHexId();
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(id->size(), 32u);
    EXPECT_TRUE(IsLowerHex(*id)) << *id;
    EXPECT_TRUE(seen.insert(*id).second) << "repeated " << *id;
  }
}

TEST(RandomUuid, IsCanonicalVersion4) {
  for (int i = 0; i < 100; ++i) {
    auto uuid = RandomUuid();
    ASSERT_TRUE(uuid.ok()) << uuid.status();
    ASSERT_EQ(uuid->size(), 36u) << *uuid;
    for (size_t dash : {8u, 13u, 18u, 23u}) EXPECT_EQ((*uuid)[dash], '-') << *uuid;
    EXPECT_EQ((*uuid)[14], '4') << *uuid;  // version
    EXPECT_NE(std::string("89ab").find((*uuid)[19]), std::string::npos) << *uuid;  // variant
    std::string digits = *uuid;
    digits.erase(std::remove(digits.begin(), digits.end(), '-'), digits.end());
    EXPECT_TRUE(IsLowerHex(digits)) << *uuid;
  }
}

}  // namespace
}  // namespace scoliomassage::base
