// The fixture every backend-parameterised storage test derives from: a
// fresh store of one backend per test, skipped (not passed) where the backend
// is not available here, and Reopen() to check that acknowledged data
// survives a restart of the store.
#pragma once

#include <memory>
#include <utility>

#include "gtest/gtest.h"
#include "store_backends.h"

namespace scoliomassage::storage::testing {

class StoreBackendTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    auto environment = GetParam().create();
    if (absl::IsFailedPrecondition(environment.status())) {
      GTEST_SKIP() << environment.status().message();
    }
    ASSERT_TRUE(environment.ok()) << environment.status();
    environment_ = std::move(*environment);
    Reopen();
  }

  void TearDown() override {
    store_.reset();
    environment_.reset();
  }

  // Closes the store and opens a new one over the same database.
  void Reopen() {
    store_.reset();
    auto store = environment_->Open();
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  std::unique_ptr<BackendEnvironment> environment_;
  std::unique_ptr<Store> store_;
};

}  // namespace scoliomassage::storage::testing
