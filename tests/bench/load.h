// Load generators: a closed loop of N calls in flight over the gRPC callback
// API (one channel, no client threads of our own), and N blocking threads
// for code that only has a blocking interface (the plugin, and the direct
// stub it is compared with).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace scoliomassage::bench {

using Clock = std::chrono::steady_clock;

struct LoadResult {
  int64_t calls = 0;   // completed OK inside the measured window
  int64_t errors = 0;  // failed anywhere in the run
  double seconds = 0;
  double throughput = 0;  // calls per second
  double p50_us = 0;
  double p99_us = 0;
  std::string first_error;
};

// Latency percentile (0..100) of nanosecond samples, in microseconds.
double PercentileUs(std::vector<int64_t>& samples_ns, double percentile);

// Starts one call; must invoke `done` exactly once, from any thread.
using StartCall = std::function<void(std::function<void(const grpc::Status&)> done)>;

// Keeps `in_flight` calls running for warmup + measure; counts calls that
// complete inside the measured window.
LoadResult RunClosedLoop(int in_flight, std::chrono::milliseconds warmup,
                         std::chrono::milliseconds measure, const StartCall& start_call);

// `threads` threads each run `call` back to back. `call` returns an empty
// string on success, else the error.
LoadResult RunThreads(int threads, std::chrono::milliseconds warmup,
                      std::chrono::milliseconds measure,
                      const std::function<std::string(int thread)>& call);

// The median of values (0 when empty).
double Median(std::vector<double> values);

}  // namespace scoliomassage::bench
