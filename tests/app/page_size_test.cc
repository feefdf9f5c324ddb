#include "app/page_size.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/errors.h"

namespace scoliomassage::app {
namespace {

TEST(ResolvePageSize, ZeroIsTheDefault) {
  EXPECT_EQ(*ResolvePageSize(0, kOutcomePageSize, "page_size"), 20);
  EXPECT_EQ(*ResolvePageSize(0, kAuditPageSize, "page_size"), 100);
}

TEST(ResolvePageSize, InRangeIsKept) {
  EXPECT_EQ(*ResolvePageSize(1, kOutcomePageSize, "page_size"), 1);
  EXPECT_EQ(*ResolvePageSize(100, kOutcomePageSize, "page_size"), 100);
  EXPECT_EQ(*ResolvePageSize(1000, kAuditPageSize, "page_size"), 1000);
}

TEST(ResolvePageSize, OutOfRangeIsAFieldViolationNotAClamp) {
  for (int size : {-1, 101}) {
    auto resolved = ResolvePageSize(size, kOutcomePageSize, "page_size");
    ASSERT_EQ(resolved.status().code(), absl::StatusCode::kInvalidArgument) << size;
    const auto violations = core::FieldViolationsOf(resolved.status());
    ASSERT_EQ(violations.size(), 1u);
    EXPECT_EQ(violations[0].first, "page_size");
    EXPECT_EQ(violations[0].second, "must be between 0 and 100 (0 means 20)");
  }
}

}  // namespace
}  // namespace scoliomassage::app
