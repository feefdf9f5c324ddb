// scoliomassage-bench-plugin-json: what the plugin's JSON path costs
// against the other conversions protobuf 3.21 offers, in one process, as
// ratios to binary protobuf measured in the same run (tests/bench/RESULTS.md,
// "plugin JSON path").
//
//   scoliomassage-bench-plugin-json [--rounds=N] [--measure_ms=N] [--server=PATH]
//
// Starts a real scoliomassaged once to get a real RecommendProtocolResponse
// (the bench's check-in request), stops it, then times each conversion of
// that response and of the request from 1 and from 16 threads, rounds
// interleaved, and prints the median of the rounds. Also checks that the
// plugin's codec (plugin/src/json_codec.cc, compiled in here) prints and
// parses byte for byte what JsonStringToMessage / MessageToJsonString do.
//
// A separate executable from the plugin host on purpose: it links the proto
// code, and the plugin host must not (two copies of the descriptors abort).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>
#include <grpcpp/grpcpp.h>

#include "bench_fixture.h"
#include "json_codec.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"
#include "server_process.h"

namespace scoliomassage::bench {
namespace {

namespace pbu = google::protobuf::util;
using Clock = std::chrono::steady_clock;


v1::RecommendProtocolResponse FetchResponse(const std::string& server_binary,
                                            const v1::RecommendProtocolRequest& request) {
  char pattern[] = "/tmp/scoliomassage-json-bench-XXXXXX";
  if (mkdtemp(pattern) == nullptr) std::exit(2);
  const std::string dir = pattern;
  const std::string tokens = WriteCredentials(dir);
  ServerProcess server(server_binary, dir + "/bench.db", tokens, dir + "/server.log");
  auto stub = v1::ProtocolService::NewStub(
      grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata("authorization", std::string("Bearer ") + kHostToken);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::RecommendProtocolResponse response;
  const grpc::Status status = stub->RecommendProtocol(&context, request, &response);
  server.Stop();
  for (const char* file : {"/tokens", "/tokens.pseudonym", "/server.log", "/bench.db",
                           "/bench.db-wal", "/bench.db-shm"}) {
    std::remove((dir + file).c_str());
  }
  rmdir(dir.c_str());
  if (!status.ok()) {
    std::fprintf(stderr, "scoliomassage-bench-plugin-json: RecommendProtocol: %s\n",
                 status.error_message().c_str());
    std::exit(2);
  }
  return response;
}

// Operations per second of `op` from `threads` threads for `measure`.
double OpsPerSecond(int threads, std::chrono::milliseconds measure,
                    const std::function<void()>& op) {
  std::atomic<long> total{0};
  const Clock::time_point end = Clock::now() + measure;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      long n = 0;
      while (Clock::now() < end) {
        for (int i = 0; i < 8; ++i) op();
        n += 8;
      }
      total += n;
    });
  }
  for (auto& worker : workers) worker.join();
  return static_cast<double>(total.load()) / std::chrono::duration<double>(measure).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

struct Variant {
  std::string name;
  std::string floor;  // the variant it is divided by; "" = a floor itself
  std::function<void()> op;
  std::vector<double> per_threads[2];
};

void Fail(const std::string& what) {
  std::fprintf(stderr, "scoliomassage-bench-plugin-json: %s\n", what.c_str());
  std::exit(1);
}

int Main(int argc, char** argv) {
  int rounds = 5;
  int measure_ms = 300;
  std::string server = SCOLIOMASSAGE_BENCH_SERVER;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--rounds=", 0) == 0) {
      rounds = std::max(1, std::atoi(arg.c_str() + 9));
    } else if (arg.rfind("--measure_ms=", 0) == 0) {
      measure_ms = std::max(10, std::atoi(arg.c_str() + 13));
    } else if (arg.rfind("--server=", 0) == 0) {
      server = arg.substr(9);
    } else {
      std::fprintf(stderr,
                   "usage: scoliomassage-bench-plugin-json [--rounds=N] [--measure_ms=N] "
                   "[--server=PATH]\n");
      return 2;
    }
  }
  const v1::RecommendProtocolRequest request = RecommendRequest("bench-rec-0");
  const v1::RecommendProtocolResponse response = FetchResponse(server, request);
  const std::string request_binary = request.SerializeAsString();
  const std::string response_binary = response.SerializeAsString();
  std::string request_json, response_json;
  (void)pbu::MessageToJsonString(request, &request_json);
  (void)pbu::MessageToJsonString(response, &response_json);
  const std::string request_url = "type.googleapis.com/" + request.GetDescriptor()->full_name();
  const std::string response_url = "type.googleapis.com/" + response.GetDescriptor()->full_name();

  // The plugin's codec must give the very bytes protobuf's default gives.
  {
    std::string printed;
    if (!plugin::ToJson(response, &printed).ok() || printed != response_json) {
      Fail("plugin ToJson differs from MessageToJsonString");
    }
    v1::RecommendProtocolRequest parsed;
    if (!plugin::ParseJson(request_json.c_str(), "request_json", &parsed).ok() ||
        parsed.SerializeAsString() != request_binary) {
      Fail("plugin ParseJson differs from JsonStringToMessage");
    }
    v1::RecommendProtocolRequest bad;
    const std::string wrong = "{\"patientId\":\"p\",\"profil\":{}}";
    const grpc::Status mine = plugin::ParseJson(wrong.c_str(), "request_json", &bad);
    pbu::JsonParseOptions strict;
    const auto theirs = pbu::JsonStringToMessage(wrong, &bad, strict);
    if (mine.ok() || mine.error_message().find(std::string(theirs.message())) == std::string::npos) {
      Fail("plugin ParseJson's error differs: " + mine.error_message());
    }
  }

  // A resolver made once, as the issue suggests (MessageToJsonString already
  // keeps one for the generated pool; this shows it is not the cost).
  static pbu::TypeResolver* const once = pbu::NewTypeResolverForDescriptorPool(
      "type.googleapis.com", google::protobuf::DescriptorPool::generated_pool());
  pbu::JsonPrintOptions primitive;
  primitive.always_print_primitive_fields = true;
  pbu::JsonPrintOptions original_names;
  original_names.preserve_proto_field_names = true;

  std::vector<Variant> variants;
  auto add = [&](std::string name, std::string floor, std::function<void()> op) {
    variants.push_back({std::move(name), std::move(floor), std::move(op), {}});
  };
  add("response: binary SerializeToString", "", [&] {
    std::string out;
    response.SerializeToString(&out);
  });
  add("response: MessageToJsonString (plugin before)", "response: binary SerializeToString", [&] {
    std::string out;
    (void)pbu::MessageToJsonString(response, &out);
  });
  add("response: BinaryToJsonString, resolver made once", "response: binary SerializeToString",
      [&] {
        std::string out;
        (void)pbu::BinaryToJsonString(once, response_url, response.SerializeAsString(), &out);
      });
  add("response: + always_print_primitive_fields", "response: binary SerializeToString", [&] {
    std::string out;
    (void)pbu::MessageToJsonString(response, &out, primitive);
  });
  add("response: + preserve_proto_field_names", "response: binary SerializeToString", [&] {
    std::string out;
    (void)pbu::MessageToJsonString(response, &out, original_names);
  });
  add("response: plugin ToJson (direct printer)", "response: binary SerializeToString", [&] {
    std::string out;
    (void)plugin::ToJson(response, &out);
  });
  add("request: binary ParseFromString", "", [&] {
    v1::RecommendProtocolRequest parsed;
    parsed.ParseFromString(request_binary);
  });
  add("request: JsonStringToMessage (plugin before)", "request: binary ParseFromString", [&] {
    v1::RecommendProtocolRequest parsed;
    pbu::JsonParseOptions options;
    (void)pbu::JsonStringToMessage(request_json, &parsed, options);
  });
  add("request: JsonToBinaryString, resolver made once", "request: binary ParseFromString", [&] {
    v1::RecommendProtocolRequest parsed;
    std::string binary;
    (void)pbu::JsonToBinaryString(once, request_url, request_json, &binary);
    parsed.ParseFromString(binary);
  });
  add("request: plugin ParseJson (cached Types)", "request: binary ParseFromString", [&] {
    v1::RecommendProtocolRequest parsed;
    (void)plugin::ParseJson(request_json.c_str(), "request_json", &parsed);
  });

  const int thread_counts[2] = {1, 16};
  for (int round = 0; round < rounds; ++round) {
    for (auto& variant : variants) {
      for (int k = 0; k < 2; ++k) {
        variant.per_threads[k].push_back(
            OpsPerSecond(thread_counts[k], std::chrono::milliseconds(measure_ms), variant.op));
      }
    }
  }

  std::printf("scoliomassage-bench-plugin-json: %d rounds x %d ms, medians; %u CPUs; "
              "request %zu B JSON / %zu B binary, response %zu B JSON / %zu B binary\n",
              rounds, measure_ms, std::thread::hardware_concurrency(), request_json.size(),
              request_binary.size(), response_json.size(), response_binary.size());
  std::printf("%-52s %12s %8s %12s %8s\n", "conversion", "@1 ops/s", "floor/x", "@16 ops/s",
              "floor/x");
  for (const auto& variant : variants) {
    double ratio[2] = {1, 1};
    const double median[2] = {Median(variant.per_threads[0]), Median(variant.per_threads[1])};
    if (!variant.floor.empty()) {
      for (const auto& floor : variants) {
        if (floor.name != variant.floor) continue;
        for (int k = 0; k < 2; ++k) ratio[k] = Median(floor.per_threads[k]) / median[k];
      }
    }
    // "floor/x": how many times slower than binary protobuf, same threads.
    std::printf("%-52s %12.0f %8.1f %12.0f %8.1f\n", variant.name.c_str(), median[0], ratio[0],
                median[1], ratio[1]);
  }
  std::printf("plugin codec output identical to MessageToJsonString/JsonStringToMessage: yes\n");
  return 0;
}

}  // namespace
}  // namespace scoliomassage::bench

int main(int argc, char** argv) { return scoliomassage::bench::Main(argc, argv); }
