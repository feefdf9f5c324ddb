// "1200 records, 850/s" on stderr while a history export runs, so a person
// at a terminal sees it moving. Off when stderr is not a terminal: job logs
// should not fill up with carriage returns.
#ifndef SCOLIOMASSAGE_CLI_PROGRESS_H_
#define SCOLIOMASSAGE_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace scoliomassage::cli {

class Progress {
 public:
  // `out` is where the line goes (stderr), `enabled` usually isatty(2).
  Progress(std::FILE* out, bool enabled);

  void Count();
  // Prints the final count and ends the line.
  void Finish();

  int64_t count() const { return count_; }

 private:
  void Print();

  std::FILE* out_;
  bool enabled_;
  int64_t count_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
};

// "1200 records, 850/s": what the line shows.
std::string ProgressLine(int64_t count, double seconds);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_PROGRESS_H_
