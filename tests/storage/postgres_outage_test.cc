// The PostgreSQL store through a database outage, with no restart of the
// store: the throwaway server from tests/support/postgres.sh is stopped
// while a store is open (calls must fail fast with UNAVAILABLE
// STORE_UNAVAILABLE), then started again (calls must succeed again, on fresh
// connections). The server is always left running for the other tests; the
// test is RUN_SERIAL so nothing else sees the outage.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/errors.h"
#include "gtest/gtest.h"
#include "outcome_samples.h"
#include "postgres_test_database.h"
#include "storage/postgres_connection.h"
#include "storage/store.h"
#include <unistd.h>

namespace scoliomassage::storage::testing {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string ReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(core::kReasonTypeUrl);
  return payload ? std::string(*payload) : "";
}

// pg_ctl for the throwaway server, run as the postgres user when we are root
// (postgres refuses to run as root).
class ThrowawayServer {
 public:
  ThrowawayServer()
      : dir_(Env("PG_TEST_DIR")), bin_(Env("PG_TEST_BIN")), admin_url_(Env("SCOLIOMASSAGE_TEST_POSTGRES_URL")) {}

  bool available() const { return !dir_.empty() && !bin_.empty() && !admin_url_.empty(); }
  const std::string& admin_url() const { return admin_url_; }

  // Remembers the server's command line (postmaster.opts) so Start() can
  // bring it back on the same port and socket folder.
  void RememberOptions() {
    std::ifstream opts(dir_ + "/data/postmaster.opts");
    std::stringstream text;
    text << opts.rdbuf();
    // "BIN/postgres" "-D" "DIR" "-c" "x=y" ... -> everything after the data dir.
    std::string line = text.str();
    const std::string data_flag = "\"-D\" \"" + dir_ + "/data\"";
    const size_t at = line.find(data_flag);
    options_ = at == std::string::npos ? "" : line.substr(at + data_flag.size());
    while (!options_.empty() && (options_.back() == '\n' || options_.back() == ' ')) options_.pop_back();
  }

  int Stop() { return PgCtl("-m fast -w stop"); }
  int Start() { return PgCtl(absl::StrCat("-w -t 60 -l ", dir_, "/server.log -o '", options_, "' start")); }
  bool Running() { return PgCtl("status") == 0; }

 private:
  int PgCtl(const std::string& arguments) {
    const std::string as_postgres = geteuid() == 0 ? "runuser -u postgres -- " : "";
    const std::string command = absl::StrCat(as_postgres, bin_, "/pg_ctl -D ", dir_, "/data ",
                                             arguments, " >/dev/null 2>&1");
    return std::system(command.c_str());
  }

  std::string dir_, bin_, admin_url_, options_;
};

class PostgresOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!server_.available()) {
      GTEST_SKIP() << "PG_TEST_DIR, PG_TEST_BIN or SCOLIOMASSAGE_TEST_POSTGRES_URL not set "
                      "(source tests/support/postgres.sh; postgres_start)";
    }
    server_.RememberOptions();
    absl::StatusOr<std::unique_ptr<PgConnection>> admin = PgConnection::Connect(server_.admin_url());
    ASSERT_TRUE(admin.ok()) << admin.status();
    std::random_device random;
    database_ = absl::StrFormat("scoliomassage_outage_%08x", random());
    ASSERT_TRUE((*admin)->ExecScript("CREATE DATABASE " + database_).ok());
    // A small pool and a short wait keep the failing calls quick.
    url_ = PostgresUrlWithDatabase(server_.admin_url(), database_) + "?pool_size=4&connect_timeout=2";
  }

  void TearDown() override {
    if (!server_.available()) return;
    if (!server_.Running()) {
      EXPECT_EQ(server_.Start(), 0) << "could not restart PostgreSQL";
    }
    absl::StatusOr<std::unique_ptr<PgConnection>> admin = PgConnection::Connect(server_.admin_url());
    if (admin.ok() && !database_.empty()) {
      (*admin)->ExecScript("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)").IgnoreError();
    }
  }

  ThrowawayServer server_;
  std::string database_;
  std::string url_;
};

TEST_F(PostgresOutageTest, CallsAreUnavailableDuringTheOutageAndSucceedAfterItWithoutRestart) {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(url_);
  ASSERT_TRUE(store.ok()) << store.status();
  // Warm the pool, so the outage also has to be noticed on idle connections.
  absl::StatusOr<v1::Outcome> before = (*store)->LogOutcome("dev", NewRequestId(), SampleOutcome());
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE((*store)->GetOutcome("dev", before->name(), 0).ok());

  ASSERT_EQ(server_.Stop(), 0) << "pg_ctl stop failed";

  const std::string failed_request_id = NewRequestId();
  const v1::Outcome failed_outcome = SampleOutcome("patient-outage");
  for (int call = 0; call < 3; ++call) {
    const auto started = std::chrono::steady_clock::now();
    absl::StatusOr<v1::Outcome> logged = (*store)->LogOutcome("dev", failed_request_id, failed_outcome);
    absl::StatusOr<v1::Outcome> read = (*store)->GetOutcome("dev", before->name(), 0);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(logged.status().code(), absl::StatusCode::kUnavailable) << logged.status();
    EXPECT_EQ(ReasonOf(logged.status()), "STORE_UNAVAILABLE") << logged.status();
    EXPECT_EQ(read.status().code(), absl::StatusCode::kUnavailable) << read.status();
    EXPECT_LT(elapsed, std::chrono::seconds(5)) << "failing calls must not hang";
  }
  absl::StatusOr<HistoryPage> scan = (*store)->ScanHistory("dev", {}, false, "", 10);
  EXPECT_EQ(scan.status().code(), absl::StatusCode::kUnavailable) << scan.status();

  ASSERT_EQ(server_.Start(), 0) << "pg_ctl start failed";

  // The very first calls succeed: the store reconnects by itself.
  absl::StatusOr<v1::Outcome> read = (*store)->GetOutcome("dev", before->name(), 0);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->name(), before->name());
  absl::StatusOr<v1::Outcome> retried = (*store)->LogOutcome("dev", failed_request_id, failed_outcome);
  ASSERT_TRUE(retried.ok()) << retried.status();
  absl::StatusOr<v1::Outcome> again = (*store)->LogOutcome("dev", failed_request_id, failed_outcome);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->name(), retried->name()) << "the retry after the outage is still idempotent";
  absl::StatusOr<HistoryPage> all = (*store)->ScanHistory("dev", {}, false, "", 10);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->records.size(), 2u) << "the call that failed during the outage stored nothing";
}

TEST_F(PostgresOutageTest, ARestartWhileTheStoreIsIdleIsInvisibleToTheNextCall) {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(url_);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<v1::Outcome> before = (*store)->LogOutcome("dev", NewRequestId(), SampleOutcome());
  ASSERT_TRUE(before.ok()) << before.status();

  // Every pooled connection is now dead, but no call noticed.
  ASSERT_EQ(server_.Stop(), 0);
  ASSERT_EQ(server_.Start(), 0);

  absl::StatusOr<v1::Outcome> read = (*store)->GetOutcome("dev", before->name(), 0);
  EXPECT_TRUE(read.ok()) << "a stale pooled connection must be replaced, not reported: "
                         << read.status();
  absl::StatusOr<v1::Outcome> logged = (*store)->LogOutcome("dev", NewRequestId(), SampleOutcome());
  EXPECT_TRUE(logged.ok()) << logged.status();
}

}  // namespace
}  // namespace scoliomassage::storage::testing
