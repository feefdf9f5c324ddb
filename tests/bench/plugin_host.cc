// The plugin half of scoliomassage-bench, run as a child process:
// dlopen()s libscoliomassage_plugin.so and calls smp_recommend_protocol from
// N threads, JSON in and out, exactly as a host clinic program would.
//
// It links neither gRPC nor the proto library: the plugin carries its own
// copy of the generated code, and a second copy in one process aborts at
// start ("File already exists in database").
//
//   scoliomassage-bench-plugin LIBRARY CONFIG_JSON REQUEST_JSON WARMUP_MS MEASURE_MS THREADS...
//
// Prints one JSON object per THREADS value, one per line:
//   {"threads":16,"calls":N,"errors":N,"throughput":X,"p50_us":X,"p99_us":X,"first_error":"..."}
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "scoliomassage/plugin.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Api {
  int (*client_open)(const char*, smp_client**);
  void (*client_close)(smp_client*);
  int (*recommend)(smp_client*, const char*, char**);
  void (*free_string)(char*);
  const char* (*last_error)(void);
};

template <typename F>
void Load(void* library, const char* name, F* out) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) {
    std::fprintf(stderr, "scoliomassage-bench-plugin: missing symbol %s\n", name);
    std::exit(2);
  }
  *out = reinterpret_cast<F>(symbol);
}

double PercentileUs(std::vector<int64_t>& samples, double percentile) {
  if (samples.empty()) return 0;
  size_t rank = static_cast<size_t>(percentile / 100.0 * static_cast<double>(samples.size()));
  if (rank >= samples.size()) rank = samples.size() - 1;
  std::nth_element(samples.begin(), samples.begin() + rank, samples.end());
  return static_cast<double>(samples[rank]) / 1000.0;
}

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr,
                 "usage: %s LIBRARY CONFIG_JSON REQUEST_JSON WARMUP_MS MEASURE_MS THREADS...\n",
                 argv[0]);
    return 2;
  }
  void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    std::fprintf(stderr, "scoliomassage-bench-plugin: %s\n", dlerror());
    return 2;
  }
  Api api{};
  Load(library, "smp_client_open", &api.client_open);
  Load(library, "smp_client_close", &api.client_close);
  Load(library, "smp_recommend_protocol", &api.recommend);
  Load(library, "smp_free", &api.free_string);
  Load(library, "smp_last_error", &api.last_error);

  smp_client* client = nullptr;
  if (api.client_open(argv[2], &client) != SMP_OK) {
    std::fprintf(stderr, "scoliomassage-bench-plugin: smp_client_open: %s\n", api.last_error());
    return 2;
  }
  const std::string request = argv[3];
  const auto warmup = std::chrono::milliseconds(std::atoi(argv[4]));
  const auto measure = std::chrono::milliseconds(std::atoi(argv[5]));

  for (int arg = 6; arg < argc; ++arg) {
    const int threads = std::atoi(argv[arg]);
    const Clock::time_point measure_start = Clock::now() + warmup;
    const Clock::time_point end = measure_start + measure;
    std::vector<std::vector<int64_t>> latencies(static_cast<size_t>(threads));
    std::atomic<int64_t> errors{0};
    std::mutex mutex;
    std::string first_error;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (;;) {
          const Clock::time_point start = Clock::now();
          char* response = nullptr;
          const int code = api.recommend(client, request.c_str(), &response);
          api.free_string(response);
          const Clock::time_point now = Clock::now();
          if (code != SMP_OK) {
            std::lock_guard<std::mutex> lock(mutex);
            if (errors++ == 0) first_error = std::to_string(code) + " " + api.last_error();
          } else if (now >= measure_start && now <= end) {
            latencies[static_cast<size_t>(t)].push_back(
                std::chrono::duration_cast<std::chrono::nanoseconds>(now - start).count());
          }
          if (now >= end || errors.load() >= 1000) return;
        }
      });
    }
    for (auto& worker : workers) worker.join();
    std::vector<int64_t> all;
    for (auto& samples : latencies) all.insert(all.end(), samples.begin(), samples.end());
    const double seconds = std::chrono::duration<double>(measure).count();
    const double throughput = static_cast<double>(all.size()) / seconds;
    const size_t calls = all.size();
    const double p50 = PercentileUs(all, 50);
    const double p99 = PercentileUs(all, 99);
    std::printf(
        "{\"threads\":%d,\"calls\":%zu,\"errors\":%lld,\"throughput\":%.3f,\"p50_us\":%.3f,"
        "\"p99_us\":%.3f,\"first_error\":\"%s\"}\n",
        threads, calls, static_cast<long long>(errors.load()), throughput, p50, p99,
        Escape(first_error).c_str());
    std::fflush(stdout);
  }
  api.client_close(client);
  return 0;
}
