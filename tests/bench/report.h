// The benchmark's figures: each a ratio to a floor measured in the same run,
// with its target, printed as a table and as JSON.
#pragma once

#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace scoliomassage::bench {

struct Figure {
  std::string name;        // e.g. "recommend@16 throughput"
  double value = 0;        // median over rounds, in `unit`
  std::string unit;        // "calls/s", "us", "records/s", "MiB", "ns/record"
  std::string floor_name;  // what the ratio divides by; empty: this is a floor
  double floor_value = 0;
  double ratio = 0;        // median of per-round ratios (value / floor)
  // Target on `ratio` (or on `value` when floor_name is empty): ">=" or
  // "<="; empty for figures reported for context only.
  std::string op;
  double target = 0;
  std::string note;
  // For a target this build does not meet yet: the regression bound --check
  // uses instead of half the target (which the figure already misses). Set
  // from the ratios recorded in tests/bench/RESULTS.md; NaN when unused.
  double guard = std::numeric_limits<double>::quiet_NaN();

  bool has_target() const { return !op.empty(); }
  // The figure the target applies to.
  double checked() const { return floor_name.empty() ? value : ratio; }
  bool met() const;
  // Missed by a wide margin: worse than half the target (">=") or more than
  // twice it ("<="), or worse than `guard` when one is set. This is what
  // --check fails on, so noise cannot flake CI but a regression does.
  bool missed_widely() const;
};

struct RunInfo {
  std::string mode;  // "full" or "quick"
  std::string command;
  int rounds = 0;
  int measure_ms = 0;
  std::string cpu_model;
  int cpus = 0;
  std::string started_utc;
  double total_seconds = 0;
  std::vector<std::pair<std::string, std::string>> settings;  // shown as is
  std::vector<std::string> warnings;
};

void PrintTable(std::FILE* out, const RunInfo& info, const std::vector<Figure>& figures);
std::string ToJson(const RunInfo& info, const std::vector<Figure>& figures);

}  // namespace scoliomassage::bench
