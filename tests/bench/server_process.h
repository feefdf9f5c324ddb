// A real scoliomassaged child process on 127.0.0.1 with a free port, and
// small helpers for other child processes of the benchmark.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace scoliomassage::bench {

class ServerProcess {
 public:
  // Starts `binary` with `database` (a file path), `tokens_file` and any
  // `extra_args`, stderr and stdout to `log_path`, and waits for its
  // "listening on" line. Aborts the benchmark (exit 2) when the server does
  // not come up.
  ServerProcess(const std::string& binary, const std::string& database,
                const std::string& tokens_file, const std::string& log_path,
                const std::vector<std::string>& extra_args = {});
  ~ServerProcess();  // Stop()
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // SIGTERM and wait: the server drains and flushes its background writes.
  void Stop();

  pid_t pid() const { return pid_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  // The HTTP face's port when started with --http_listen, else 0.
  int http_port() const { return http_port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int http_port_ = 0;
  std::string log_path_;
};

// VmRSS and VmHWM of a process, in KiB (-1 when unreadable).
struct MemoryUse {
  int64_t rss_kib = -1;
  int64_t hwm_kib = -1;
};
MemoryUse ReadMemoryUse(pid_t pid);
// Resets VmHWM to the current RSS (writes 5 to /proc/PID/clear_refs).
bool ResetPeakRss(pid_t pid);

// Runs `argv` to completion and returns its stdout; exits the benchmark
// when it cannot start. `exit_code` receives the child's exit status.
std::string RunAndCapture(const std::vector<std::string>& argv, int* exit_code);

}  // namespace scoliomassage::bench
