#include "base/hex.h"

#include <gtest/gtest.h>

#include <string>

namespace scoliomassage::base {
namespace {

TEST(HexEncode, LowercaseTwoDigitsPerByte) {
  EXPECT_EQ(HexEncode(std::string("\x00\x01\x7f\x80\xab\xff", 6)), "00017f80abff");
  EXPECT_EQ(HexEncode(""), "");
}

}  // namespace
}  // namespace scoliomassage::base
