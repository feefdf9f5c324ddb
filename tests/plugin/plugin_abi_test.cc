// Tests of the C ABI as a host sees it. This binary links only
// libscoliomassage_plugin.so and the public header, never the proto library:
// two copies of the generated code in one process abort at start.
//
// Tests named *WithServer* need a running scoliomassaged and read its address
// from SMP_TARGET (run_with_server.py sets it); without it they skip.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "scoliomassage/plugin.h"

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Owns a string the library returned.
struct Json {
  char* text = nullptr;
  ~Json() { smp_free(text); }
  std::string str() const { return text ? text : ""; }
  char** out() {
    smp_free(text);
    text = nullptr;
    return &text;
  }
};

// Owns a client.
struct Client {
  smp_client* handle = nullptr;
  ~Client() { smp_client_close(handle); }
};

// A loopback port with no listener.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  close(fd);
  return ntohs(address.sin_port);
}

// A socket that accepts TCP connections (the kernel does, via the backlog)
// but never speaks HTTP/2: the shape of a hung service.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::string Config(int port, int deadline_ms, const std::string& extra = "") {
  return "{\"target\":\"127.0.0.1:" + std::to_string(port) +
         "\",\"deadlineMs\":" + std::to_string(deadline_ms) + extra + "}";
}

std::string TempPath(const std::string& stem) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto path = std::filesystem::temp_directory_path() /
              ("smp-" + stem + "-" + info->name() + "-" + std::to_string(getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

// 8-4-4-4-12 lower-case hex, version 4, RFC 4122 variant.
bool IsUuidV4(const std::string& id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (id[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(id[i]))) return false;
    if (!dash && std::isupper(static_cast<unsigned char>(id[i]))) return false;
  }
  return id[14] == '4' && std::string("89ab").find(id[19]) != std::string::npos;
}

std::string NowMinus(int seconds) {
  std::time_t t = std::time(nullptr) - seconds;
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

std::string OutcomeRequest(const std::string& patient, int pain_after,
                           const std::string& request_id = "",
                           const std::string& protocol_id = "lumbar-c-curve",
                           int protocol_version = 1) {
  std::string json = "{";
  if (!request_id.empty()) json += "\"requestId\":\"" + request_id + "\",";
  return json + "\"outcome\":{\"patientId\":\"" + patient +
         "\",\"therapistId\":\"t-abi-test\",\"protocolId\":\"" + protocol_id +
         "\",\"protocolVersion\":" + std::to_string(protocol_version) +
         ",\"sessionNumber\":1,\"minutes\":15,\"painBefore\":5,\"painAfter\":" +
         std::to_string(pain_after) + ",\"performedAt\":\"" + NowMinus(60) + "\"}}";
}

// Every call that takes a request, so each rule is checked on all of them.
struct NamedCall {
  const char* name;
  int (*call)(smp_client*, const char*, char**);
};
const NamedCall kCalls[] = {
    {"smp_recommend_protocol", smp_recommend_protocol},
    {"smp_log_outcome", smp_log_outcome},
    {"smp_amend_outcome", smp_amend_outcome},
    {"smp_get_outcome", smp_get_outcome},
    {"smp_patient_history", smp_patient_history},
    {"smp_record_assessment", smp_record_assessment},
    {"smp_list_assessments", smp_list_assessments},
    {"smp_episode_result", smp_episode_result},
};

TEST(PluginVersion, RuntimeMatchesHeader) {
  EXPECT_STREQ(smp_version(), SMP_VERSION);
  EXPECT_EQ(smp_abi_version(), SMP_ABI_VERSION);
}

TEST(PluginStrerror, NamesEveryCodeAndNeverReturnsNull) {
  EXPECT_STREQ(smp_strerror(SMP_OK), "OK");
  EXPECT_STREQ(smp_strerror(SMP_INVALID_ARGUMENT), "INVALID_ARGUMENT");
  EXPECT_STREQ(smp_strerror(SMP_DEADLINE_EXCEEDED), "DEADLINE_EXCEEDED");
  EXPECT_STREQ(smp_strerror(SMP_UNAVAILABLE), "UNAVAILABLE");
  EXPECT_STREQ(smp_strerror(SMP_UNAUTHENTICATED), "UNAUTHENTICATED");
  EXPECT_STREQ(smp_strerror(SMP_QUEUED), "QUEUED");
  for (int code = 0; code <= 16; ++code) {
    ASSERT_NE(smp_strerror(code), nullptr);
    EXPECT_STRNE(smp_strerror(code), "UNRECOGNIZED_CODE") << code;
  }
  EXPECT_STREQ(smp_strerror(-1), "UNRECOGNIZED_CODE");
  EXPECT_STREQ(smp_strerror(17), "UNRECOGNIZED_CODE");
}

TEST(PluginNullArguments, EveryFunctionRejectsNullWithoutCrashing) {
  smp_client* client = reinterpret_cast<smp_client*>(0x1);  // must be overwritten
  EXPECT_EQ(smp_client_open(nullptr, &client), SMP_INVALID_ARGUMENT);
  EXPECT_EQ(client, nullptr);
  EXPECT_NE(std::string(smp_last_error()).find("config_json"), std::string::npos)
      << smp_last_error();
  EXPECT_EQ(smp_client_open("{}", nullptr), SMP_INVALID_ARGUMENT);
  EXPECT_NE(std::string(smp_last_error()).find("out"), std::string::npos);

  Client open;
  ASSERT_EQ(smp_client_open(Config(ClosedPort(), 300).c_str(), &open.handle), SMP_OK)
      << smp_last_error();
  for (const NamedCall& call : kCalls) {
    Json response;
    EXPECT_EQ(call.call(nullptr, "{}", response.out()), SMP_INVALID_ARGUMENT) << call.name;
    EXPECT_NE(std::string(smp_last_error()).find("client is NULL"), std::string::npos)
        << call.name << ": " << smp_last_error();
    EXPECT_EQ(response.text, nullptr);
    EXPECT_EQ(call.call(open.handle, nullptr, response.out()), SMP_INVALID_ARGUMENT) << call.name;
    EXPECT_NE(std::string(smp_last_error()).find("request_json is NULL"), std::string::npos)
        << call.name << ": " << smp_last_error();
    EXPECT_EQ(call.call(open.handle, "{}", nullptr), SMP_INVALID_ARGUMENT) << call.name;
    EXPECT_NE(std::string(smp_last_error()).find("response_json is NULL"), std::string::npos)
        << call.name << ": " << smp_last_error();
    EXPECT_EQ(call.call(nullptr, nullptr, nullptr), SMP_INVALID_ARGUMENT) << call.name;
  }
  Json flushed;
  EXPECT_EQ(smp_flush(nullptr, flushed.out()), SMP_INVALID_ARGUMENT);
  EXPECT_EQ(smp_flush(nullptr, nullptr), SMP_INVALID_ARGUMENT);
  smp_free(nullptr);
  smp_client_close(nullptr);
  ASSERT_NE(smp_last_error(), nullptr);
}

TEST(PluginConfig, AcceptsEveryDocumentedKey) {
  const std::string outbox = TempPath("config");
  Client client;
  EXPECT_EQ(smp_client_open(("{\"target\":\"127.0.0.1:1\",\"deadlineMs\":1500,\"retries\":0,"
                             "\"token\":\"secret\",\"outboxPath\":\"" + outbox +
                             "\",\"outboxRetryMs\":250}")
                                .c_str(),
                            &client.handle),
            SMP_OK)
      << smp_last_error();
  EXPECT_STREQ(smp_last_error(), "");
  Client tls;
  EXPECT_EQ(smp_client_open("{\"tls\":{\"serverNameOverride\":\"localhost\"}}", &tls.handle),
            SMP_OK)
      << smp_last_error();
}

TEST(PluginConfig, RejectsUnknownKeysAndBadValuesNamingTheKey) {
  const struct {
    const char* config;
    const char* must_mention;
  } cases[] = {
      {"{\"target\":\"x:1\",\"deadline\":5}", "deadline"},
      {"{\"tls\":{\"rootCa\":\"x\"}}", "tls.rootCa"},
      {"{\"tls\":{\"rootCaFile\":\"/nonexistent/ca.pem\"}}", "tls.rootCaFile"},
      {"{\"tls\":{\"certChainFile\":\"/etc/hostname\"}}", "privateKeyFile"},
      {"{\"deadlineMs\":\"soon\"}", "deadlineMs"},
      {"{\"deadlineMs\":0}", "deadlineMs"},
      {"{\"deadlineMs\":1.5}", "deadlineMs"},
      {"{\"retries\":-1}", "retries"},
      {"{\"target\":\"\"}", "target"},
      {"{\"target\":7}", "target"},
      {"{\"tls\":true}", "tls"},
      {"{\"outboxRetryMs\":5}", "outboxRetryMs"},
      {"{\"target\":", "JSON"},
      {"[1,2]", "JSON"},
      {"", "JSON"},
  };
  for (const auto& c : cases) {
    smp_client* client = nullptr;
    EXPECT_EQ(smp_client_open(c.config, &client), SMP_INVALID_ARGUMENT) << c.config;
    EXPECT_EQ(client, nullptr);
    EXPECT_NE(std::string(smp_last_error()).find(c.must_mention), std::string::npos)
        << c.config << " -> " << smp_last_error();
    smp_client_close(client);
  }
}

// Issue 18: a bearer token never travels in clear text off this machine.
// Refused at open, before a channel exists, so nothing is ever sent.
TEST(PluginConfig, RefusesATokenInClearTextToATargetOffLoopback) {
  for (const char* target :
       {"192.0.2.10:50051", "scoliomassage.example:50051", "dns:///scoliomassage.example:443",
        "dns://127.0.0.1/localhost:50051", "ipv4:127.0.0.1:1,192.0.2.10:1",
        "[2001:db8::1]:50051", "128.0.0.1:50051", "127.0.0.1.example:50051",
        "localhost.example:50051", "ipv6:[2001:db8::1]:1", "vsock:3:50051"}) {
    smp_client* client = nullptr;
    const std::string config =
        std::string("{\"target\":\"") + target + "\",\"token\":\"secret\"}";
    EXPECT_EQ(smp_client_open(config.c_str(), &client), SMP_INVALID_ARGUMENT) << target;
    EXPECT_EQ(client, nullptr);
    const std::string error = smp_last_error();
    EXPECT_NE(error.find("refusing to send the token in clear text"), std::string::npos)
        << target << " -> " << error;
    EXPECT_NE(error.find(target), std::string::npos) << error;
    EXPECT_NE(error.find("\"tls\""), std::string::npos) << error;
    EXPECT_NE(error.find("loopback"), std::string::npos) << error;
    EXPECT_EQ(error.find("secret"), std::string::npos) << "the token leaked into: " << error;
    smp_client_close(client);
  }
}

TEST(PluginConfig, AllowsATokenOverLoopbackAUnixSocketOrTls) {
  for (const char* target :
       {"127.0.0.1:50051", "127.8.9.10:50051", "localhost:50051", "LOCALHOST", "[::1]:50051",
        "::1", "[::ffff:127.0.0.1]:50051", "dns:///localhost:50051", "dns:localhost:50051",
        "ipv4:127.0.0.1:1,127.0.0.2:1", "ipv6:[::1]:50051", "unix:/run/scoliomassage.sock",
        "unix:///run/scoliomassage.sock", "unix-abstract:scoliomassage"}) {
    Client client;
    const std::string config =
        std::string("{\"target\":\"") + target + "\",\"token\":\"secret\"}";
    EXPECT_EQ(smp_client_open(config.c_str(), &client.handle), SMP_OK)
        << target << " -> " << smp_last_error();
  }
  // TLS to anywhere, and plaintext without a token to anywhere (the service
  // itself refuses plaintext off loopback). Neither contacts the target:
  // channels connect on the first call.
  for (const char* config : {"{\"target\":\"192.0.2.10:50051\",\"token\":\"secret\",\"tls\":{}}",
                             "{\"target\":\"192.0.2.10:50051\"}"}) {
    Client client;
    EXPECT_EQ(smp_client_open(config, &client.handle), SMP_OK) << config << smp_last_error();
  }
}

TEST(PluginMalformedJson, IsInvalidArgumentWithAMessageOnEveryCall) {
  Client client;
  ASSERT_EQ(smp_client_open(Config(ClosedPort(), 300).c_str(), &client.handle), SMP_OK);
  const char* bad_requests[] = {"", "{", "[]", "42", "{\"patientId\":}", "{\"noSuchField\":1}",
                                "not json at all", "{\"filter\":{\"spineRegion\":\"NOPE\"}}"};
  for (const NamedCall& call : kCalls) {
    for (const char* request : bad_requests) {
      Json response;
      const auto started = Clock::now();
      EXPECT_EQ(call.call(client.handle, request, response.out()), SMP_INVALID_ARGUMENT)
          << call.name << " " << request;
      EXPECT_EQ(response.text, nullptr);
      const std::string error = smp_last_error();
      EXPECT_NE(error.find("INVALID_ARGUMENT"), std::string::npos) << error;
      EXPECT_NE(error.find("request_json"), std::string::npos) << error;
      // Rejected locally: the closed port is never tried.
      EXPECT_LT(Clock::now() - started, milliseconds(100));
    }
  }
  Json response;
  ASSERT_EQ(smp_patient_history(client.handle, "{\"noSuchField\":1}", response.out()),
            SMP_INVALID_ARGUMENT);
  EXPECT_NE(std::string(smp_last_error()).find("noSuchField"), std::string::npos)
      << smp_last_error();
}

TEST(PluginServerDown, EveryCallIsUnavailableWithinTheDeadline) {
  constexpr int kDeadlineMs = 800;
  Client client;
  ASSERT_EQ(smp_client_open(Config(ClosedPort(), kDeadlineMs, ",\"retries\":2").c_str(),
                            &client.handle),
            SMP_OK);
  const char* requests[] = {
      "{\"patientId\":\"p\",\"profile\":{\"primaryRegion\":\"SPINE_REGION_LUMBAR\"}}",
      "{\"outcome\":{\"patientId\":\"p\"}}",
      "{\"name\":\"outcomes/x\",\"reason\":\"typo\"}",
      "{\"name\":\"outcomes/x\"}",
      "{\"filter\":{\"patientId\":\"p\"}}",
      "{\"assessment\":{\"patientId\":\"p\",\"instrumentId\":\"nrs\"}}",
      "{\"patientId\":\"p\"}",
      "{\"name\":\"episodes/x\"}",
  };
  static_assert(std::size(requests) == std::size(kCalls), "one request per call");
  for (std::size_t i = 0; i < std::size(kCalls); ++i) {
    Json response;
    const auto started = Clock::now();
    EXPECT_EQ(kCalls[i].call(client.handle, requests[i], response.out()), SMP_UNAVAILABLE)
        << kCalls[i].name << ": " << smp_last_error();
    EXPECT_LT(Clock::now() - started, milliseconds(kDeadlineMs + 300)) << kCalls[i].name;
    EXPECT_EQ(response.text, nullptr);
    EXPECT_NE(std::string(smp_last_error()).find("UNAVAILABLE"), std::string::npos);
  }
}

TEST(PluginServerDown, HungServiceIsDeadlineExceededNotAHang) {
  constexpr int kDeadlineMs = 600;
  SilentListener silent;
  Client client;
  ASSERT_EQ(smp_client_open(Config(silent.port(), kDeadlineMs).c_str(), &client.handle), SMP_OK);
  Json response;
  const auto started = Clock::now();
  const int code = smp_get_outcome(client.handle, "{\"name\":\"outcomes/x\"}", response.out());
  const auto elapsed = Clock::now() - started;
  EXPECT_EQ(code, SMP_DEADLINE_EXCEEDED) << smp_last_error();
  EXPECT_GE(elapsed, milliseconds(kDeadlineMs - 50));
  EXPECT_LT(elapsed, milliseconds(kDeadlineMs + 300));
}

// A log that may or may not have reached a hung service is queued too: the
// same request_id later makes a second arrival harmless.
TEST(PluginServerDown, HungServiceQueuesTheLogWithinTheDeadline) {
  constexpr int kDeadlineMs = 600;
  SilentListener silent;
  Client client;
  ASSERT_EQ(smp_client_open(Config(silent.port(), kDeadlineMs, ",\"outboxPath\":\"" +
                                                                   TempPath("hung") + "\"")
                                .c_str(),
                            &client.handle),
            SMP_OK);
  Json response;
  const auto started = Clock::now();
  EXPECT_EQ(smp_log_outcome(client.handle, OutcomeRequest("p-hung", 2).c_str(), response.out()),
            SMP_QUEUED)
      << smp_last_error();
  EXPECT_LT(Clock::now() - started, milliseconds(kDeadlineMs + 300));
  EXPECT_NE(std::string(smp_last_error()).find("DEADLINE_EXCEEDED"), std::string::npos)
      << smp_last_error();
}

TEST(PluginOutbox, FlushWithoutOutboxIsFailedPrecondition) {
  Client client;
  ASSERT_EQ(smp_client_open(Config(ClosedPort(), 300).c_str(), &client.handle), SMP_OK);
  Json response;
  EXPECT_EQ(smp_flush(client.handle, response.out()), SMP_FAILED_PRECONDITION);
  EXPECT_EQ(response.text, nullptr);
  EXPECT_NE(std::string(smp_last_error()).find("outboxPath"), std::string::npos);
}

TEST(PluginOutbox, WithoutOutboxAnUnreachableLogIsUnavailable) {
  Client client;
  ASSERT_EQ(smp_client_open(Config(ClosedPort(), 300).c_str(), &client.handle), SMP_OK);
  Json response;
  EXPECT_EQ(smp_log_outcome(client.handle, OutcomeRequest("p", 2).c_str(), response.out()),
            SMP_UNAVAILABLE);
  EXPECT_EQ(response.text, nullptr);
}

TEST(PluginOutbox, QueuesWhileDownAndKeepsRowsAcrossReopen) {
  const std::string outbox = TempPath("outbox");
  const std::string config =
      Config(ClosedPort(), 500, ",\"retries\":1,\"outboxPath\":\"" + outbox + "\"");
  {
    Client client;
    ASSERT_EQ(smp_client_open(config.c_str(), &client.handle), SMP_OK) << smp_last_error();
    Json response;
    ASSERT_EQ(smp_log_outcome(client.handle, OutcomeRequest("p-out", 2).c_str(), response.out()),
              SMP_QUEUED)
        << smp_last_error();
    const std::string prefix = "{\"queued\":true,\"requestId\":\"";
    ASSERT_EQ(response.str().rfind(prefix, 0), 0u) << response.str();
    EXPECT_TRUE(IsUuidV4(response.str().substr(prefix.size(), 36))) << response.str();
    EXPECT_EQ(response.str().substr(prefix.size() + 36), "\"}");
    EXPECT_NE(std::string(smp_last_error()).find("outbox"), std::string::npos);

    // The host's own id is kept, and queuing it twice stores it once.
    const std::string id = "11111111-2222-4333-8444-555555555555";
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(smp_log_outcome(client.handle, OutcomeRequest("p-out", 3, id).c_str(),
                                response.out()),
                SMP_QUEUED);
      EXPECT_EQ(response.str(), "{\"queued\":true,\"requestId\":\"" + id + "\"}");
    }
    // Other calls are not queued.
    EXPECT_EQ(smp_get_outcome(client.handle, "{\"name\":\"outcomes/1\"}", response.out()),
              SMP_UNAVAILABLE);

    ASSERT_EQ(smp_flush(client.handle, response.out()), SMP_UNAVAILABLE);
    EXPECT_EQ(response.str(),
              "{\"delivered\":0,\"pending\":2,\"rejected\":0,\"rejectedOutcomes\":[]}");
  }
  // A new client on the same file (the host restarted) still has both rows.
  Client reopened;
  ASSERT_EQ(smp_client_open(config.c_str(), &reopened.handle), SMP_OK) << smp_last_error();
  Json response;
  EXPECT_EQ(smp_flush(reopened.handle, response.out()), SMP_UNAVAILABLE);
  EXPECT_NE(response.str().find("\"pending\":2"), std::string::npos) << response.str();
  // A flush without a response string is allowed.
  EXPECT_EQ(smp_flush(reopened.handle, nullptr), SMP_UNAVAILABLE);
}

// How many of this process's threads are the plugin's delivery threads.
int DeliveryThreads() {
  int count = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::FILE* comm = std::fopen((task.path() / "comm").c_str(), "r");
    if (comm == nullptr) continue;
    char name[64] = {};
    if (std::fgets(name, sizeof name, comm) != nullptr &&
        std::string(name).rfind("smp-outbox", 0) == 0) {
      ++count;
    }
    std::fclose(comm);
  }
  return count;
}

// Close while the delivery thread waits on a hung service: the request in
// flight is cancelled (not waited for), the thread is joined, and the row
// stays queued for the next client.
TEST(PluginOutbox, CloseCancelsTheDeliveryInFlightAndJoinsTheThread) {
  const std::string outbox = TempPath("close");
  {
    Client down;
    ASSERT_EQ(smp_client_open(Config(ClosedPort(), 500, ",\"retries\":0,\"outboxPath\":\"" +
                                                            outbox + "\"")
                                  .c_str(),
                              &down.handle),
              SMP_OK);
    Json response;
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(smp_log_outcome(down.handle, OutcomeRequest("p-close", 2).c_str(),
                                response.out()),
                SMP_QUEUED);
    }
    EXPECT_EQ(DeliveryThreads(), 1);
  }
  EXPECT_EQ(DeliveryThreads(), 0);

  SilentListener hung;
  smp_client* client = nullptr;
  ASSERT_EQ(smp_client_open(Config(hung.port(), 10000, ",\"outboxPath\":\"" + outbox + "\"")
                                .c_str(),
                            &client),
            SMP_OK);
  std::this_thread::sleep_for(milliseconds(300));  // the thread is now waiting on the first row
  EXPECT_EQ(DeliveryThreads(), 1);
  const auto started = Clock::now();
  smp_client_close(client);
  EXPECT_LT(Clock::now() - started, milliseconds(1000)) << "close waited for the deadline";
  EXPECT_EQ(DeliveryThreads(), 0);

  Client reopened;
  ASSERT_EQ(smp_client_open(Config(ClosedPort(), 500, ",\"outboxPath\":\"" + outbox + "\"")
                                .c_str(),
                            &reopened.handle),
            SMP_OK);
  Json response;
  EXPECT_EQ(smp_flush(reopened.handle, response.out()), SMP_UNAVAILABLE);
  EXPECT_NE(response.str().find("\"pending\":2"), std::string::npos) << response.str();
}

// No outbox, no thread: a client that cannot queue costs the host nothing.
TEST(PluginOutbox, ClientsWithoutAnOutboxHaveNoDeliveryThread) {
  Client client;
  ASSERT_EQ(smp_client_open(Config(ClosedPort(), 300).c_str(), &client.handle), SMP_OK);
  EXPECT_EQ(DeliveryThreads(), 0);
}

TEST(PluginOutbox, UnwritableOutboxFailsAtOpen) {
  smp_client* client = nullptr;
  EXPECT_EQ(smp_client_open("{\"outboxPath\":\"/nonexistent-dir/outbox.db\"}", &client),
            SMP_INTERNAL);
  EXPECT_EQ(client, nullptr);
  EXPECT_NE(std::string(smp_last_error()).find("/nonexistent-dir/outbox.db"), std::string::npos)
      << smp_last_error();
}

// One client shared by 8 threads, as a multi-user clinic server would. Each
// thread checks that the last error it reads is its own (thread-local).
TEST(PluginConcurrency, OneClientManyThreadsWhileServerDown) {
  constexpr int kThreads = 8;
  constexpr int kCallsPerThread = 20;
  const std::string outbox = TempPath("threads");
  Client client;
  ASSERT_EQ(smp_client_open(Config(ClosedPort(), 500, ",\"retries\":1,\"outboxPath\":\"" +
                                                          outbox + "\"")
                                .c_str(),
                            &client.handle),
            SMP_OK);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        Json response;
        if (i % 2 == 0) {
          const std::string request = OutcomeRequest("p-thread-" + std::to_string(t), i % 11);
          if (smp_log_outcome(client.handle, request.c_str(), response.out()) != SMP_QUEUED ||
              std::string(smp_last_error()).rfind("QUEUED", 0) != 0 ||
              response.str().find("\"queued\":true") == std::string::npos) {
            ++failures;
          }
        } else {
          if (smp_get_outcome(client.handle, "{\"name\":\"outcomes/1\"}", response.out()) !=
                  SMP_UNAVAILABLE ||
              std::string(smp_last_error()).rfind("UNAVAILABLE", 0) != 0 || response.text) {
            ++failures;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  Json response;
  EXPECT_EQ(smp_flush(client.handle, response.out()), SMP_UNAVAILABLE);
  EXPECT_NE(response.str().find("\"pending\":" + std::to_string(kThreads * kCallsPerThread / 2)),
            std::string::npos)
      << response.str();
}

// ---- With a real scoliomassaged (SMP_TARGET) --------------------------------

const char* ServerTarget() { return std::getenv("SMP_TARGET"); }

std::string ServerConfig(const std::string& extra = "") {
  std::string config = std::string("{\"target\":\"") + ServerTarget() + "\",\"deadlineMs\":10000";
  if (const char* token = std::getenv("SMP_TOKEN")) {
    config += std::string(",\"token\":\"") + token + "\"";
  }
  return config + extra + "}";
}

// The first "key":"value" / "key":123 in a flat scan; enough for these checks.
std::string StringField(const std::string& json, const std::string& key) {
  const std::string pattern = "\"" + key + "\":\"";
  const auto start = json.find(pattern);
  if (start == std::string::npos) return "";
  const auto from = start + pattern.size();
  return json.substr(from, json.find('"', from) - from);
}

int NumberField(const std::string& json, const std::string& key) {
  const std::string pattern = "\"" + key + "\":";
  const auto start = json.find(pattern);
  if (start == std::string::npos) return -1;
  return std::atoi(json.c_str() + start + pattern.size());
}

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

class PluginWithServer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ServerTarget() == nullptr) GTEST_SKIP() << "SMP_TARGET is not set";
    ASSERT_EQ(smp_client_open(ServerConfig().c_str(), &client_.handle), SMP_OK)
        << smp_last_error();
  }
  // The protocol the service recommends to a lumbar C-curve patient.
  void Recommend(const std::string& patient, std::string* protocol_id, int* version) {
    Json response;
    const std::string request =
        "{\"patientId\":\"" + patient +
        "\",\"profile\":{\"ageYears\":15,\"primaryRegion\":\"SPINE_REGION_LUMBAR\","
        "\"curvePattern\":\"CURVE_PATTERN_C_CURVE\",\"convexSide\":\"SIDE_RIGHT\"},"
        "\"screening\":{\"painNrs\":3}}";
    ASSERT_EQ(smp_recommend_protocol(client_.handle, request.c_str(), response.out()), SMP_OK)
        << smp_last_error();
    *protocol_id = StringField(response.str(), "protocolId");
    *version = NumberField(response.str(), "protocolVersion");
    ASSERT_FALSE(protocol_id->empty()) << response.str();
  }
  Client client_;
};

TEST_F(PluginWithServer, RetriedLogWithTheSameRequestIdStoresOnce) {
  const std::string patient = "p-idem-" + std::to_string(getpid());
  std::string protocol_id;
  int version = 0;
  Recommend(patient, &protocol_id, &version);
  char id[40];
  std::snprintf(id, sizeof id, "aaaaaaaa-bbbb-4ccc-8ddd-%012d", static_cast<int>(getpid()));
  Json first, second, history;
  // A retry resends the very same body: building it twice could cross a
  // second boundary in performedAt and make it another body (ALREADY_EXISTS).
  const std::string body = OutcomeRequest(patient, 1, id, protocol_id, version);
  ASSERT_EQ(smp_log_outcome(client_.handle, body.c_str(), first.out()), SMP_OK)
      << smp_last_error();
  ASSERT_EQ(smp_log_outcome(client_.handle, body.c_str(), second.out()), SMP_OK)
      << smp_last_error();
  EXPECT_EQ(StringField(first.str(), "name"), StringField(second.str(), "name"));
  ASSERT_EQ(smp_patient_history(client_.handle,
                                ("{\"filter\":{\"patientId\":\"" + patient + "\"}}").c_str(),
                                history.out()),
            SMP_OK);
  EXPECT_EQ(Count(history.str(), "\"name\":\"outcomes/"), 1u) << history.str();
}

TEST_F(PluginWithServer, BadFieldIsInvalidArgumentNamingTheField) {
  Json response;
  EXPECT_EQ(smp_log_outcome(client_.handle, OutcomeRequest("p-bad", 42).c_str(), response.out()),
            SMP_INVALID_ARGUMENT);
  const std::string error = smp_last_error();
  EXPECT_TRUE(error.find("pain_after") != std::string::npos ||
              error.find("painAfter") != std::string::npos)
      << error;
  EXPECT_EQ(response.text, nullptr);
}

TEST_F(PluginWithServer, AmendThenGetReturnsTheNewRevision) {
  const std::string patient = "p-amend-" + std::to_string(getpid());
  std::string protocol_id;
  int version = 0;
  Recommend(patient, &protocol_id, &version);
  Json logged, amended, got;
  ASSERT_EQ(smp_log_outcome(client_.handle,
                            OutcomeRequest(patient, 4, "", protocol_id, version).c_str(),
                            logged.out()),
            SMP_OK)
      << smp_last_error();
  const std::string name = StringField(logged.str(), "name");
  const std::string corrected = OutcomeRequest(patient, 1, "", protocol_id, version);
  const std::string amend = "{\"name\":\"" + name + "\",\"reason\":\"typo in pain after\"," +
                            corrected.substr(1, corrected.size() - 2) + "}";
  ASSERT_EQ(smp_amend_outcome(client_.handle, amend.c_str(), amended.out()), SMP_OK)
      << smp_last_error() << "\n" << amend;
  EXPECT_EQ(NumberField(amended.str(), "revision"), 2) << amended.str();
  ASSERT_EQ(smp_get_outcome(client_.handle, ("{\"name\":\"" + name + "\"}").c_str(), got.out()),
            SMP_OK)
      << smp_last_error();
  EXPECT_EQ(NumberField(got.str(), "revision"), 2) << got.str();
  EXPECT_EQ(NumberField(got.str(), "painAfter"), 1) << got.str();
}

TEST_F(PluginWithServer, HistoryPagesAreBounded) {
  Json response;
  ASSERT_EQ(smp_patient_history(client_.handle,
                                "{\"filter\":{\"patientId\":\"nobody\"},\"pageSize\":100000}",
                                response.out()),
            SMP_OK)
      << smp_last_error();
  EXPECT_EQ(response.str().find("outcomes/"), std::string::npos);
}

// Curve measurements through the plugin: record (retry-safe), amend, list
// newest first, and a bad Cobb angle named.
TEST_F(PluginWithServer, CurveMeasurementsRecordAmendAndList) {
  const std::string patient = "p-curve-" + std::to_string(getpid());
  auto film = [&](const char* taken_at, int cobb) {
    return "{\"patientId\":\"" + patient + "\",\"takenAt\":\"" + taken_at +
           "\",\"spineRegion\":\"SPINE_REGION_THORACIC\",\"cobbAngleDegrees\":" +
           std::to_string(cobb) + ",\"apex\":\"T8\",\"measuredBy\":\"dr-a\"}";
  };
  char id[40];
  std::snprintf(id, sizeof id, "cccccccc-bbbb-4ccc-8ddd-%012d", static_cast<int>(getpid()));
  const std::string first = std::string("{\"requestId\":\"") + id +
                            "\",\"measurement\":" + film("2025-01-10T09:00:00Z", 20) + "}";
  Json recorded, retried, later, amended, listed, bad;
  ASSERT_EQ(smp_record_curve_measurement(client_.handle, first.c_str(), recorded.out()), SMP_OK)
      << smp_last_error();
  ASSERT_EQ(smp_record_curve_measurement(client_.handle, first.c_str(), retried.out()), SMP_OK)
      << smp_last_error();
  const std::string name = StringField(recorded.str(), "name");
  EXPECT_EQ(name.rfind("curveMeasurements/", 0), 0u) << recorded.str();
  EXPECT_EQ(StringField(retried.str(), "name"), name);
  ASSERT_EQ(smp_record_curve_measurement(
                client_.handle,
                ("{\"measurement\":" + film("2025-07-10T09:00:00Z", 27) + "}").c_str(),
                later.out()),
            SMP_OK)
      << smp_last_error();
  const std::string amend = "{\"name\":\"" + name +
                            "\",\"reason\":\"second reader\",\"measurement\":" +
                            film("2025-01-10T09:00:00Z", 21) + "}";
  ASSERT_EQ(smp_amend_curve_measurement(client_.handle, amend.c_str(), amended.out()), SMP_OK)
      << smp_last_error();
  EXPECT_EQ(NumberField(amended.str(), "revision"), 2) << amended.str();
  ASSERT_EQ(smp_list_curve_measurements(
                client_.handle, ("{\"patientId\":\"" + patient + "\"}").c_str(), listed.out()),
            SMP_OK)
      << smp_last_error();
  EXPECT_EQ(Count(listed.str(), "\"name\":\"curveMeasurements/"), 2u) << listed.str();
  // Newest film first; the amended one shows its latest revision.
  EXPECT_LT(listed.str().find(StringField(later.str(), "name")), listed.str().find(name));
  EXPECT_NE(listed.str().find("\"cobbAngleDegrees\":21"), std::string::npos) << listed.str();
  EXPECT_EQ(smp_record_curve_measurement(
                client_.handle,
                ("{\"measurement\":" + film("2025-01-10T09:00:00Z", 200) + "}").c_str(),
                bad.out()),
            SMP_INVALID_ARGUMENT);
  EXPECT_NE(std::string(smp_last_error()).find("cobb_angle_degrees"), std::string::npos)
      << smp_last_error();
}

// 8 threads share one client against the real service; each thread's
// outcomes all arrive, once.
TEST_F(PluginWithServer, OneClientManyThreadsCheckIns) {
  constexpr int kThreads = 8;
  constexpr int kLogsPerThread = 6;
  std::string protocol_id;
  int version = 0;
  Recommend("p-threads-probe", &protocol_id, &version);
  const std::string run = std::to_string(getpid()) + "-" + std::to_string(std::time(nullptr));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string patient = "p-mt-" + run + "-" + std::to_string(t);
      for (int i = 0; i < kLogsPerThread; ++i) {
        Json response;
        if (smp_log_outcome(client_.handle,
                            OutcomeRequest(patient, i % 6, "", protocol_id, version).c_str(),
                            response.out()) != SMP_OK ||
            StringField(response.str(), "name").rfind("outcomes/", 0) != 0) {
          std::fprintf(stderr, "thread %d: %s\n", t, smp_last_error());
          ++failures;
        }
        // A bad request in between must not disturb the others' errors.
        if (smp_log_outcome(client_.handle, OutcomeRequest(patient, 42).c_str(),
                            response.out()) != SMP_INVALID_ARGUMENT) {
          ++failures;
        }
      }
      Json history;
      const std::string request =
          "{\"filter\":{\"patientId\":\"" + patient + "\"},\"pageSize\":100}";
      if (smp_patient_history(client_.handle, request.c_str(), history.out()) != SMP_OK ||
          Count(history.str(), "\"name\":\"outcomes/") != kLogsPerThread) {
        std::fprintf(stderr, "thread %d history: %s %s\n", t, smp_last_error(),
                     history.str().c_str());
        ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(PluginWithServer, AssessmentIsScoredListedAndInTheEpisodeResult) {
  const std::string patient = "p-odi-" + std::to_string(getpid());
  // performedAt an hour ago and now, in RFC 3339.
  auto at = [](long seconds_ago) {
    char text[32];
    const std::time_t when = std::time(nullptr) - seconds_ago;
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&when));
    return std::string(text);
  };
  auto odi = [&](const std::string& performed_at, const std::string& values) {
    std::string answers;
    int item = 1;
    for (char value : values) {
      answers += std::string(item > 1 ? "," : "") + "{\"item\":\"" + std::to_string(item) +
                 "\",\"value\":" + value + "}";
      ++item;
    }
    return "{\"assessment\":{\"patientId\":\"" + patient +
           "\",\"instrumentId\":\"odi\",\"performedAt\":\"" + performed_at +
           "\",\"answers\":[" + answers + "]}}";
  };
  Json first, second, bad, listed, result;
  // Sums 20 and 12 of 50: ODI 40, then 24.
  ASSERT_EQ(smp_record_assessment(client_.handle, odi(at(3600), "4444400000").c_str(), first.out()),
            SMP_OK)
      << smp_last_error();
  // The first "value" after "scores" is the total (before it come the answers).
  auto total = [](const std::string& json) {
    const auto scores = json.find("\"scores\"");
    return scores == std::string::npos ? -1 : NumberField(json.substr(scores), "value");
  };
  EXPECT_EQ(total(first.str()), 40) << first.str();
  ASSERT_EQ(smp_record_assessment(client_.handle, odi(at(0), "5520000000").c_str(), second.out()),
            SMP_OK)
      << smp_last_error();
  EXPECT_EQ(total(second.str()), 24) << second.str();
  EXPECT_EQ(smp_record_assessment(client_.handle, odi(at(0), "5529000000").c_str(), bad.out()),
            SMP_INVALID_ARGUMENT);
  EXPECT_NE(std::string(smp_last_error()).find("assessment.answers[3].value"), std::string::npos)
      << smp_last_error();
  ASSERT_EQ(smp_list_assessments(client_.handle, ("{\"patientId\":\"" + patient + "\"}").c_str(),
                                 listed.out()),
            SMP_OK)
      << smp_last_error();
  EXPECT_EQ(Count(listed.str(), "\"name\":\"assessments/"), 2u) << listed.str();
  const std::string episode = StringField(second.str(), "episode");
  ASSERT_EQ(smp_episode_result(client_.handle, ("{\"name\":\"" + episode + "\"}").c_str(),
                               result.out()),
            SMP_OK)
      << smp_last_error();
  EXPECT_NE(result.str().find("\"meaningful\":true"), std::string::npos) << result.str();
  EXPECT_EQ(NumberField(result.str(), "baseline"), 40) << result.str();
}

}  // namespace
