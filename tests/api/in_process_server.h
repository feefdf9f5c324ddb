// A fixture that runs the real server in-process on 127.0.0.1:0 over a fresh
// SQLite file, and a channel to it over a real socket. Each test gets its
// own folder, removed afterwards.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "server/server.h"

namespace scoliomassage {

class InProcessServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("scoliomassage-api-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
    server::Options options;
    options.listen = "127.0.0.1:0";
    options.database = "sqlite://" + (directory_ / "test.db").string();
    options.catalog = SCOLIOMASSAGE_TEST_CATALOG_DIR;
    options.worker_threads = 4;
    Configure(options);
    auto started = server::Server::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  // A test's own settings (e.g. files it wrote to directory_), before start.
  virtual void Configure(server::Options& /*options*/) {}

  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(directory_);
  }

  std::filesystem::path directory_;
  std::unique_ptr<server::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace scoliomassage
