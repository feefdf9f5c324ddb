#include "cli/progress.h"

#include "absl/strings/str_format.h"

namespace scoliomassage::cli {

std::string ProgressLine(int64_t count, double seconds) {
  const double rate = seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
  return absl::StrFormat("%d record%s, %.0f/s", count, count == 1 ? "" : "s", rate);
}

Progress::Progress(std::FILE* out, bool enabled)
    : out_(out),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

void Progress::Count() {
  ++count_;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_print_ >= std::chrono::milliseconds(250)) {
    last_print_ = now;
    Print();
  }
}

void Progress::Finish() {
  if (!enabled_) return;
  Print();
  std::fputc('\n', out_);
  std::fflush(out_);
}

void Progress::Print() {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
  // \r and erase-to-end-of-line keep it on one line.
  std::fprintf(out_, "\r%s\033[K", ProgressLine(count_, elapsed.count()).c_str());
  std::fflush(out_);
}

}  // namespace scoliomassage::cli
