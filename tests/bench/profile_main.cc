// scoliomassage-bench-profile: instruction counts per call of a check-in and
// a durable LogOutcome in a real scoliomassaged run under callgrind.
// Wall-clock figures on a shared machine move with the other tenants'
// load; instruction counts do not, so this is how a change to the call path
// is measured before and after (tests/bench/RESULTS.md).
//
//   scoliomassage-bench-profile [--calls=N] [--dir=DIR] [--server=PATH]
//
// Starts the server under `valgrind --tool=callgrind --instr-atstart=no`,
// seeds the bench's patients, then for each phase (Health/Check,
// RecommendProtocol, LogOutcome: one call in flight) switches
// instrumentation on, zeroes the counters, runs N calls, waits for the
// background writes to drain and dumps: DIR/callgrind.out.<pid>.<k>, one
// dump per phase, read with callgrind_annotate. Everything the server does
// for those calls is counted (gRPC, auth, app, storage, the audit and
// recommendation writes on the writer threads), the client is not.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench_fixture.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "scoliomassage/v1/outcome.grpc.pb.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"
#include "server_process.h"

namespace scoliomassage::bench {
namespace {

// As the bench's check-in patients: a few logged outcomes each.
constexpr int kPatients = 8;
constexpr int kOutcomesPerPatient = 3;
constexpr char kCallgrindControl[] = "/usr/bin/callgrind_control";

void Authorize(grpc::ClientContext* context) {
  context->AddMetadata("authorization", absl::StrCat("Bearer ", kHostToken));
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
}

void Control(const std::vector<std::string>& args) {
  int exit_code = 0;
  RunAndCapture(args, &exit_code);
  if (exit_code != 0) {
    std::fprintf(stderr, "scoliomassage-bench-profile: %s failed (%d)\n", args[1].c_str(),
                 exit_code);
    std::exit(2);
  }
}

void Check(const grpc::Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "scoliomassage-bench-profile: %s: %s\n", what,
               status.error_message().c_str());
  std::exit(2);
}

int Main(int argc, char** argv) {
  int calls = 200;
  std::string dir;
  std::string server = SCOLIOMASSAGE_BENCH_SERVER;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--calls=", 0) == 0) {
      calls = std::max(1, std::atoi(arg.c_str() + 8));
    } else if (arg.rfind("--dir=", 0) == 0) {
      dir = arg.substr(6);
    } else if (arg.rfind("--server=", 0) == 0) {
      server = arg.substr(9);
    } else {
      std::fprintf(stderr, "usage: scoliomassage-bench-profile [--calls=N] [--dir=DIR] [--server=PATH]\n");
      return 2;
    }
  }
  if (dir.empty()) {
    char pattern[] = "/tmp/scoliomassage-profile-XXXXXX";
    if (mkdtemp(pattern) == nullptr) return 2;
    dir = pattern;
  } else if (std::error_code error; !std::filesystem::create_directories(dir, error) && error) {
    std::fprintf(stderr, "scoliomassage-bench-profile: cannot create %s: %s\n", dir.c_str(),
                 error.message().c_str());
    return 2;
  }
  const std::string tokens = WriteCredentials(dir);
  // The server as valgrind's child: ServerProcess starts one executable.
  const std::string wrapper = dir + "/server-under-callgrind.sh";
  std::ofstream(wrapper) << "#!/bin/sh\nexec valgrind --tool=callgrind --instr-atstart=no "
                         << "--callgrind-out-file=" << dir << "/callgrind.out.%p " << server
                         << " \"$@\"\n";
  chmod(wrapper.c_str(), 0755);
  ServerProcess process(wrapper, dir + "/profile.db", tokens, dir + "/server.log");
  const std::string pid = std::to_string(process.pid());

  auto channel = grpc::CreateChannel(process.target(), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  auto protocols = v1::ProtocolService::NewStub(channel);
  auto outcomes = v1::OutcomeService::NewStub(channel);
  std::mt19937_64 random{42};
  for (int patient = 0; patient < kPatients; ++patient) {
    for (int session = 1; session <= kOutcomesPerPatient; ++session) {
      grpc::ClientContext context;
      Authorize(&context);
      v1::Outcome stored;
      Check(outcomes->LogOutcome(&context, LogRequest(absl::StrCat("bench-rec-", patient), session,
                                                      random),
                                 &stored),
            "seeding");
    }
  }

  int log_sequence = 0;
  const std::map<std::string, std::function<grpc::Status(int)>> phases = {
      {"1-health",
       [&](int) {
         grpc::ClientContext context;
         Authorize(&context);
         grpc::health::v1::HealthCheckResponse response;
         return health->Check(&context, {}, &response);
       }},
      {"2-recommend",
       [&](int i) {
         grpc::ClientContext context;
         Authorize(&context);
         v1::RecommendProtocolResponse response;
         return protocols->RecommendProtocol(
             &context, RecommendRequest(absl::StrCat("bench-rec-", i % kPatients)), &response);
       }},
      {"3-log",
       [&](int) {
         grpc::ClientContext context;
         Authorize(&context);
         v1::Outcome stored;
         const int n = log_sequence++;
         return outcomes->LogOutcome(
             &context, LogRequest(absl::StrCat("bench-log-", n % 64), n / 64 + 1, random), &stored);
       }},
  };
  Control({kCallgrindControl, "--instr=on", pid});
  for (const auto& [name, call] : phases) {
    for (int i = 0; i < 20; ++i) Check(call(i), name.c_str());  // warm caches and pools
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    Control({kCallgrindControl, "--zero", pid});
    for (int i = 0; i < calls; ++i) Check(call(i), name.c_str());
    // The audit and recommendation records are written behind the response.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    Control({kCallgrindControl, "--dump=" + name, pid});
    std::printf("%s: %d calls dumped\n", name.c_str(), calls);
  }
  process.Stop();
  std::printf("dumps in %s (callgrind.out.%s.1 = health, .2 = recommend, .3 = log)\n",
              dir.c_str(), pid.c_str());
  return 0;
}

}  // namespace
}  // namespace scoliomassage::bench

int main(int argc, char** argv) { return scoliomassage::bench::Main(argc, argv); }
