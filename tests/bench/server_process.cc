#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

namespace scoliomassage::bench {
namespace {

// Servers still running; killed when the benchmark exits early, so a failed
// run leaves no scoliomassaged behind.
std::mutex g_live_mutex;
std::set<pid_t> g_live;

void KillLiveServers() {
  std::lock_guard<std::mutex> lock(g_live_mutex);
  for (pid_t pid : g_live) kill(pid, SIGKILL);
  g_live.clear();
}

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "scoliomassage-bench: %s\n", message.c_str());
  std::exit(2);
}

std::vector<char*> Argv(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  return argv;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ServerProcess::ServerProcess(const std::string& binary, const std::string& database,
                             const std::string& tokens_file, const std::string& log_path,
                             const std::vector<std::string>& extra_args)
    : log_path_(log_path) {
  std::vector<std::string> args = {binary, "--listen=127.0.0.1:0",
                                   "--database=sqlite://" + database,
                                   "--tokens_file=" + tokens_file,
                                   // Written by the bench beside the tokens file.
                                   "--pseudonym_secret_file=" + tokens_file + ".pseudonym"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 2, 1);
  std::vector<char*> argv = Argv(args);
  // posix_spawn (not fork) because this process runs gRPC threads.
  const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) Fail("cannot start " + binary);
  {
    static const bool registered = std::atexit(KillLiveServers) == 0;
    (void)registered;
    std::lock_guard<std::mutex> lock(g_live_mutex);
    g_live.insert(pid_);
  }

  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  const std::string marker = "scoliomassaged listening on 127.0.0.1:";
  // Printed before the gRPC line when the HTTP face is on.
  const std::string http_marker = "scoliomassaged HTTP listening on 127.0.0.1:";
  for (;;) {
    const std::string log = ReadFile(log_path);
    if (auto at = log.find(marker); at != std::string::npos) {
      port_ = std::atoi(log.c_str() + at + marker.size());
      if (auto http_at = log.find(http_marker); http_at != std::string::npos) {
        http_port_ = std::atoi(log.c_str() + http_at + http_marker.size());
      }
      if (port_ > 0) return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      std::lock_guard<std::mutex> lock(g_live_mutex);
      g_live.erase(pid_);
      pid_ = -1;
      Fail("scoliomassaged exited at start; its log:\n" + log);
    }
    if (std::chrono::steady_clock::now() > give_up) Fail("scoliomassaged did not start in 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

ServerProcess::~ServerProcess() { Stop(); }

void ServerProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  std::lock_guard<std::mutex> lock(g_live_mutex);
  g_live.erase(pid_);
  pid_ = -1;
}

MemoryUse ReadMemoryUse(pid_t pid) {
  MemoryUse use;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) use.rss_kib = std::atoll(line.c_str() + 6);
    if (line.rfind("VmHWM:", 0) == 0) use.hwm_kib = std::atoll(line.c_str() + 6);
  }
  return use;
}

bool ResetPeakRss(pid_t pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

std::string RunAndCapture(const std::vector<std::string>& args, int* exit_code) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) Fail("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  std::vector<char*> argv = Argv(args);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (rc != 0) Fail("cannot start " + args[0]);
  std::string output;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      output.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return output;
}

}  // namespace scoliomassage::bench
