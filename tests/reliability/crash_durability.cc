// Crash durability: no acknowledged outcome is lost and no retry stores an
// outcome twice, while scoliomassaged is killed with SIGKILL again and again.
//
// Eight host threads log outcomes through libscoliomassage_plugin.so (the C
// ABI, as a clinic host uses it), each with its own request_id, and retry a
// failed call with the same request_id until it is acknowledged. Meanwhile the
// driver kills the server with SIGKILL at random moments (during start-up,
// during migrations, mid-commit) and restarts it on the same SQLite file and
// port. At the end it stops the server, opens the SQLite file itself and
// checks:
//   - every acknowledged request_id is stored exactly once, under the outcome
//     name the client was given;
//   - no request_id (acknowledged or not) is stored more than once;
//   - PRAGMA integrity_check says "ok".
//
// This program links only the plugin (never the proto library: the plugin
// carries its own copy of the generated code) and SQLite.
//
// Usage: reliability_crash_durability SCOLIOMASSAGED [--long] [--kills=N] [--seed=N]
//   short (CI):  40 kills, about a minute
//   --long:      300 kills, about 10-15 minutes (README)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "scoliomassage/plugin.h"

namespace {

using Clock = std::chrono::steady_clock;

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::perror("bind");
    std::exit(2);
  }
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One scoliomassaged process at a time, always on the same port and file.
class ServerProcess {
 public:
  ServerProcess(std::string binary, std::string dir, int port)
      : binary_(std::move(binary)), dir_(std::move(dir)), port_(port) {}

  std::string database_path() const { return dir_ + "/crash.db"; }

  void Spawn() {
    ++starts_;
    log_path_ = dir_ + "/server-" + std::to_string(starts_) + ".log";
    // Everything the child needs is built before fork(): the driver has
    // client threads, and a child of a threaded process may only make
    // async-signal-safe calls until exec. A malloc there can deadlock on a
    // lock another thread held at the fork (seen once in CI: the child hung
    // for 30 s before exec, with an empty log).
    const std::string listen = "--listen=127.0.0.1:" + std::to_string(port_);
    const std::string database = "--database=sqlite://" + database_path();
    const char* const argv[] = {binary_.c_str(), listen.c_str(), database.c_str(),
                                "--log_level=warning", nullptr};
    const char* const log_path = log_path_.c_str();
    pid_ = fork();
    if (pid_ < 0) {
      std::perror("fork");
      std::exit(2);
    }
    if (pid_ == 0) {
      const int log = open(log_path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
      dup2(log, 1);
      dup2(log, 2);
      execv(argv[0], const_cast<char* const*>(argv));
      static const char kExecFailed[] = "exec scoliomassaged failed\n";
      (void)!write(2, kExecFailed, sizeof kExecFailed - 1);
      _exit(127);
    }
  }

  // Waits for "scoliomassaged listening on"; false if it exited or timed out.
  bool WaitListening(std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (ReadFile(log_path_).find("scoliomassaged listening on") != std::string::npos) return true;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  // SIGTERM and wait; returns the exit status (or -1).
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  bool Exited() {
    if (pid_ <= 0) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    return false;
  }

  const std::string& log_path() const { return log_path_; }

 private:
  std::string binary_;
  std::string dir_;
  int port_;
  pid_t pid_ = -1;
  int starts_ = 0;
  std::string log_path_;
};

std::string NewRequestId(std::mt19937_64& random) {
  static const char kHex[] = "0123456789abcdef";
  std::string id(36, '-');
  for (int i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    id[i] = kHex[random() & 15];
  }
  id[14] = '4';
  return id;
}

std::string Iso8601(std::time_t seconds) {
  char text[32];
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// The value of "name" in the plugin's JSON response ("outcomes/<hex>").
std::string NameOf(const char* json) {
  const char* key = std::strstr(json, "\"name\":\"");
  if (key == nullptr) return "";
  key += 8;
  const char* end = std::strchr(key, '"');
  return end ? std::string(key, end) : "";
}

struct Ledger {
  std::mutex mutex;
  std::map<std::string, std::string> acknowledged;  // request_id -> outcome name
  // request_id -> wall-clock start (Unix us) of the smp_log_outcome call that
  // was finally acknowledged.
  std::map<std::string, int64_t> acknowledged_call_start_us;
  std::set<std::string> attempted;                  // every request_id ever sent
  std::vector<std::string> unexpected;              // codes that must never happen
  long attempts = 0;
  std::map<int, long> codes;                        // smp_* return code -> count
  std::map<std::string, long> messages;             // first words of transient errors
};

bool Transient(int code) {
  // What a killed or restarting server can cause. Everything else (e.g.
  // INVALID_ARGUMENT, ALREADY_EXISTS) is a bug.
  return code == SMP_UNAVAILABLE || code == SMP_DEADLINE_EXCEEDED || code == SMP_CANCELLED ||
         code == SMP_UNKNOWN || code == SMP_RESOURCE_EXHAUSTED || code == SMP_INTERNAL ||
         code == SMP_ABORTED;
}

void HostThread(int index, smp_client* client, Ledger& ledger, std::atomic<bool>& stop_new,
                std::atomic<bool>& give_up, uint64_t seed) {
  std::mt19937_64 random(seed + static_cast<uint64_t>(index) * 7919);
  const std::time_t performed = std::time(nullptr) - 3600;
  for (int n = 0; !stop_new.load(); ++n) {
    const std::string request_id = NewRequestId(random);
    const std::string request =
        "{\"requestId\":\"" + request_id +
        "\",\"outcome\":{\"patientId\":\"crash-p-" + std::to_string(index) +
        "\",\"therapistId\":\"t-crash\",\"protocolId\":\"thoracic-c-curve\","
        "\"sessionNumber\":" + std::to_string(1 + n % 50) +
        ",\"minutes\":15,\"painBefore\":6,\"painAfter\":3,\"relaxationNotes\":\"" + request_id +
        "\",\"performedAt\":\"" + Iso8601(performed) + "\"}}";
    {
      std::lock_guard<std::mutex> lock(ledger.mutex);
      ledger.attempted.insert(request_id);
    }
    // Retry the same request_id until acknowledged; only a hopeless end of the
    // run (give_up) leaves it unacknowledged.
    while (!give_up.load()) {
      const int64_t call_start_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
      char* response = nullptr;
      const int code = smp_log_outcome(client, request.c_str(), &response);
      {
        std::lock_guard<std::mutex> lock(ledger.mutex);
        ++ledger.attempts;
        ++ledger.codes[code];
        if (code != SMP_OK) ++ledger.messages[std::string(smp_last_error()).substr(0, 90)];
        if (code == SMP_OK) {
          ledger.acknowledged[request_id] = NameOf(response);
          ledger.acknowledged_call_start_us[request_id] = call_start_us;
        } else if (!Transient(code)) {
          ledger.unexpected.push_back(request_id + ": " + smp_strerror(code) + ": " +
                                      smp_last_error());
        }
      }
      smp_free(response);
      if (code == SMP_OK || !Transient(code)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 80));
    }
  }
}

struct StoredCounts {
  std::map<std::string, int> revisions_by_request;  // request_id -> rows (revision 1)
  std::map<std::string, std::string> name_by_request;
  std::map<std::string, int64_t> create_time_us_by_request;
  long keys = 0;
  long rows = 0;
  std::string integrity;
  std::string error;
};

StoredCounts ReadDatabase(const std::string& path) {
  StoredCounts counts;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    counts.error = std::string("open: ") + sqlite3_errmsg(db);
    sqlite3_close(db);
    return counts;
  }
  auto query = [&](const char* sql, auto&& row) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) {
      counts.error += std::string(sql) + ": " + sqlite3_errmsg(db) + "\n";
      return;
    }
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) row(statement);
    if (rc != SQLITE_DONE) counts.error += std::string(sql) + ": " + sqlite3_errmsg(db) + "\n";
    sqlite3_finalize(statement);
  };
  auto text = [](sqlite3_stmt* statement, int column) {
    const unsigned char* value = sqlite3_column_text(statement, column);
    return value ? std::string(reinterpret_cast<const char*>(value)) : std::string();
  };
  query("PRAGMA integrity_check", [&](sqlite3_stmt* s) { counts.integrity += text(s, 0); });
  query("SELECT request_id, outcome_id, create_time_us FROM outcome_revisions WHERE revision = 1",
        [&](sqlite3_stmt* s) {
          const std::string request_id = text(s, 0);
          ++counts.revisions_by_request[request_id];
          counts.name_by_request[request_id] = "outcomes/" + text(s, 1);
          counts.create_time_us_by_request[request_id] = sqlite3_column_int64(s, 2);
          ++counts.rows;
        });
  query("SELECT COUNT(*) FROM idempotency_keys WHERE operation = 'LogOutcome'",
        [&](sqlite3_stmt* s) { counts.keys = sqlite3_column_int64(s, 0); });
  sqlite3_close(db);
  return counts;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SCOLIOMASSAGED [--long] [--kills=N] [--seed=N]\n", argv[0]);
    return 2;
  }
  const std::string binary = argv[1];
  int kills = 40;
  uint64_t seed = static_cast<uint64_t>(std::time(nullptr));
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--long") {
      kills = 300;
    } else if (arg.rfind("--kills=", 0) == 0) {
      kills = std::atoi(arg.c_str() + 8);
    } else if (arg.rfind("--seed=", 0) == 0) {
      seed = std::strtoull(arg.c_str() + 7, nullptr, 10);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  std::printf("crash durability: %d SIGKILLs, seed %llu\n", kills,
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);

  char dir_template[] = "/tmp/scoliomassage-crash-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const int port = FreeLoopbackPort();
  ServerProcess server(binary, dir, port);

  smp_client* client = nullptr;
  const std::string config = "{\"target\":\"127.0.0.1:" + std::to_string(port) +
                             "\",\"deadlineMs\":3000,\"retries\":3}";
  if (smp_client_open(config.c_str(), &client) != SMP_OK) {
    std::fprintf(stderr, "smp_client_open: %s\n", smp_last_error());
    return 2;
  }

  server.Spawn();
  if (!server.WaitListening(std::chrono::seconds(30))) {
    std::fprintf(stderr, "first start failed:\n%s\n", ReadFile(server.log_path()).c_str());
    return 1;
  }

  Ledger ledger;
  std::atomic<bool> stop_new{false};
  std::atomic<bool> give_up{false};
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back(HostThread, i, client, std::ref(ledger), std::ref(stop_new),
                         std::ref(give_up), seed);
  }

  // Kill at random moments. One kill in four lands during start-up (0-300 ms
  // after the spawn: opening the file, WAL recovery, migrations); the others
  // land 100-2500 ms after the server reported it was listening, while
  // commits are in flight.
  std::mt19937_64 random(seed);
  int failed_starts = 0;
  int startup_kills = 0;
  double slowest_start_s = 0;
  const auto started = Clock::now();
  for (int k = 0; k < kills; ++k) {
    if (k % 4 == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(random() % 300));
      ++startup_kills;
    } else {
      const auto spawned = Clock::now();
      if (!server.WaitListening(std::chrono::seconds(30))) {
        std::fprintf(stderr, "restart before kill %d failed; log:\n%s\n", k + 1,
                     ReadFile(server.log_path()).c_str());
        ++failed_starts;
      }
      slowest_start_s =
          std::max(slowest_start_s, std::chrono::duration<double>(Clock::now() - spawned).count());
      std::this_thread::sleep_for(std::chrono::milliseconds(100 + random() % 2400));
      if (server.Exited()) {
        // It died by itself: a bug, since only this driver kills it.
        std::fprintf(stderr, "scoliomassaged exited on its own; log:\n%s\n",
                     ReadFile(server.log_path()).c_str());
        ++failed_starts;
      }
    }
    server.Kill();
    server.Spawn();
    if ((k + 1) % 5 == 0) {
      std::lock_guard<std::mutex> lock(ledger.mutex);
      std::printf("  %d kills, %zu acknowledged, %.0f s\n", k + 1, ledger.acknowledged.size(),
                  std::chrono::duration<double>(Clock::now() - started).count());
      std::fflush(stdout);
    }
  }

  // Let every thread finish the request it holds against a live server.
  if (!server.WaitListening(std::chrono::seconds(30))) {
    std::fprintf(stderr, "final start failed; log:\n%s\n", ReadFile(server.log_path()).c_str());
    ++failed_starts;
  }
  stop_new = true;
  std::thread watchdog([&] {
    for (int i = 0; i < 300 && !give_up.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    give_up = true;
  });
  for (auto& thread : threads) thread.join();
  give_up = true;
  watchdog.join();
  smp_client_close(client);
  const int stop_code = server.Stop();

  const StoredCounts stored = ReadDatabase(server.database_path());
  long lost = 0, duplicated = 0, wrong_name = 0, unacknowledged_stored = 0;
  // Acknowledged by a call that started after the row was committed: an
  // earlier attempt committed it, its reply was lost to a kill, and the retry
  // got the stored outcome back from the idempotency key (AIP-155).
  long replayed = 0;
  for (const auto& [request_id, name] : ledger.acknowledged) {
    auto found = stored.revisions_by_request.find(request_id);
    if (found == stored.revisions_by_request.end()) {
      ++lost;
      if (lost <= 5) std::fprintf(stderr, "LOST: acknowledged %s not stored\n", request_id.c_str());
    } else if (stored.name_by_request.at(request_id) != name) {
      ++wrong_name;
      if (wrong_name <= 5) {
        std::fprintf(stderr, "WRONG NAME: %s acknowledged as %s, stored as %s\n",
                     request_id.c_str(), name.c_str(), stored.name_by_request.at(request_id).c_str());
      }
    }
  }
  for (const auto& [request_id, start_us] : ledger.acknowledged_call_start_us) {
    auto created = stored.create_time_us_by_request.find(request_id);
    if (created != stored.create_time_us_by_request.end() && created->second < start_us) ++replayed;
  }
  for (const auto& [request_id, rows] : stored.revisions_by_request) {
    if (rows > 1) {
      ++duplicated;
      if (duplicated <= 5) std::fprintf(stderr, "DUPLICATE: %s stored %d times\n", request_id.c_str(), rows);
    }
    if (ledger.acknowledged.count(request_id) == 0) ++unacknowledged_stored;
    if (ledger.attempted.count(request_id) == 0) {
      std::fprintf(stderr, "UNKNOWN: stored request_id %s was never sent\n", request_id.c_str());
      ++duplicated;
    }
  }

  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf("kills:                 %d (%d during start-up, %d while serving)\n", kills,
              startup_kills, kills - startup_kills);
  std::printf("slowest restart:       %.2f s\n", slowest_start_s);
  std::printf("attempts:              %ld\n", ledger.attempts);
  std::printf("acknowledged:          %zu\n", ledger.acknowledged.size());
  for (const auto& [code, count] : ledger.codes) {
    std::printf("  calls returning %-18s %ld\n", smp_strerror(code), count);
  }
  for (const auto& [message, count] : ledger.messages) {
    std::printf("  %6ld x %s\n", count, message.c_str());
  }
  std::printf("stored:                %ld (idempotency keys %ld)\n", stored.rows, stored.keys);
  std::printf("replayed by request_id: %ld (committed, reply lost to a kill, retry answered from the store)\n",
              replayed);
  std::printf("stored unacknowledged: %ld (a commit whose reply was cut by a kill; stored once)\n",
              unacknowledged_stored);
  std::printf("never acknowledged:    %zu\n", ledger.attempted.size() - ledger.acknowledged.size());
  std::printf("lost:                  %ld\n", lost);
  std::printf("duplicated:            %ld\n", duplicated);
  std::printf("integrity_check:       %s\n", stored.integrity.c_str());
  std::printf("elapsed:               %.1f s\n", seconds);

  bool ok = true;
  auto fail = [&](const std::string& why) {
    std::printf("FAIL: %s\n", why.c_str());
    ok = false;
  };
  if (!stored.error.empty()) fail("reading the database: " + stored.error);
  if (lost != 0) fail("acknowledged outcomes were lost");
  if (duplicated != 0) fail("outcomes were stored more than once");
  if (wrong_name != 0) fail("acknowledged names differ from the stored ones");
  if (stored.integrity != "ok") fail("PRAGMA integrity_check: " + stored.integrity);
  if (stored.keys != stored.rows) fail("idempotency keys and outcome rows disagree");
  if (ledger.acknowledged.size() < 100) fail("too few outcomes acknowledged to mean anything");
  if (!ledger.unexpected.empty()) fail("unexpected codes, first: " + ledger.unexpected.front());
  if (failed_starts != 0) fail("the server failed to come back " + std::to_string(failed_starts) + " times");
  if (stop_code != 0) fail("final SIGTERM exit code " + std::to_string(stop_code));
  if (ok) {
    std::printf("PASS\n");
    std::string command = "rm -rf '" + dir + "'";
    if (std::system(command.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir.c_str());
  } else {
    std::printf("server logs kept in %s\n", dir.c_str());
  }
  return ok ? 0 : 1;
}
