// The real SQLite store on a fault-injecting VFS (fault_vfs.h): writes,
// fsyncs and reads fail at chosen points and at random, writes are torn or
// hit ENOSPC. Under each fault:
//  * the failing call returns a clear status (UNAVAILABLE STORE_UNAVAILABLE
//    or RESOURCE_EXHAUSTED STORE_DISK_FULL, with a message), never a crash;
//  * reads keep being served while writes fail;
//  * once the faults stop, writes succeed;
// and at the end, after reopening the file (WAL recovery):
//  * PRAGMA integrity_check is ok;
//  * every acknowledged outcome is there, whole, under the name it was given;
//  * every stored outcome is one that was sent (nothing half-written), and a
//    retry of each request_id stores nothing twice.
// Prints the number of fault points exercised (faults that fired).
//   reliability_sqlite_io_faults [--long] [--seed=N]
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fault_vfs.h"
#include "outcome_samples.h"
#include "storage/store.h"

namespace {

using scoliomassage::storage::Store;
using scoliomassage::testing::ArmFaultAt;
using scoliomassage::testing::ArmRandomFaults;
using scoliomassage::testing::DisarmFaults;
using scoliomassage::testing::FaultKind;
using scoliomassage::testing::FaultKindName;
using scoliomassage::testing::FaultsFired;
namespace v1 = scoliomassage::v1;

constexpr char kClinic[] = "clinic-faults";

int failures = 0;
void Check(bool condition, const std::string& message) {
  if (condition) return;
  ++failures;
  std::printf("FAIL: %s\n", message.c_str());
  std::fflush(stdout);
}

struct Sent {
  std::string request_id;
  v1::Outcome outcome;
  std::string acked_name;  // empty: never acknowledged
};

class Run {
 public:
  explicit Run(std::string url) : url_(std::move(url)) {}

  bool Open() {
    auto store = scoliomassage::storage::OpenStore(url_);
    if (!store.ok()) return false;
    store_ = *std::move(store);
    return true;
  }
  void Close() { store_.reset(); }
  Store& store() { return *store_; }

  // Logs a new outcome (or `index`'s again); true when acknowledged.
  absl::Status Log(size_t* index_out = nullptr, int64_t retry_index = -1) {
    size_t index;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (retry_index >= 0) {
        index = static_cast<size_t>(retry_index);
      } else {
        index = sent_.size();
        Sent sent;
        sent.request_id = scoliomassage::storage::testing::NewRequestId();
        sent.outcome = scoliomassage::storage::testing::SampleOutcome(absl::StrCat("fp-", index % 7));
        sent.outcome.set_relaxation_notes(absl::StrCat("fault-run note #", index, " ",
                                                       std::string(200 + index % 900, 'x')));
        sent_.push_back(sent);
      }
    }
    Sent copy;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      copy = sent_[index];
    }
    auto stored = store_->LogOutcome(kClinic, copy.request_id, copy.outcome);
    if (index_out != nullptr) *index_out = index;
    if (!stored.ok()) return stored.status();
    std::lock_guard<std::mutex> lock(mutex_);
    if (!sent_[index].acked_name.empty() && sent_[index].acked_name != stored->name()) {
      Check(false, "a retry answered with another outcome name");
    }
    sent_[index].acked_name = stored->name();
    return absl::OkStatus();
  }

  std::vector<Sent> sent() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sent_;
  }

 private:
  std::string url_;
  std::unique_ptr<Store> store_;
  std::mutex mutex_;
  std::vector<Sent> sent_;
};

// A faulted call's status must say what happened and be one a client can act on.
void CheckFaultStatus(const absl::Status& status, const std::string& what) {
  const bool known = absl::IsUnavailable(status) || absl::IsResourceExhausted(status);
  Check(known && !status.message().empty(),
        absl::StrCat(what, ": expected UNAVAILABLE or RESOURCE_EXHAUSTED with a message, got ",
                     status.ToString()));
}

// Reads keep being served: the last acknowledged outcome and a history page.
void CheckReads(Run& run, const std::string& what) {
  std::string name;
  for (const Sent& sent : run.sent()) {
    if (!sent.acked_name.empty()) name = sent.acked_name;
  }
  if (name.empty()) return;
  auto outcome = run.store().GetOutcome(kClinic, name, 0);
  Check(outcome.ok(), absl::StrCat(what, ": GetOutcome failed: ", outcome.status().ToString()));
  auto page = run.store().ScanHistory(kClinic, v1::HistoryFilter(), false, "", 100);
  Check(page.ok() && !page->records.empty(),
        absl::StrCat(what, ": ScanHistory failed: ", page.status().ToString()));
}

// Once faults stop, a write succeeds (the first may still meet the state an
// I/O error left, which the store rolls back).
void CheckWriteRecovers(Run& run, const std::string& what) {
  absl::Status status;
  for (int attempt = 0; attempt < 3; ++attempt) {
    status = run.Log();
    if (status.ok()) return;
  }
  Check(false, absl::StrCat(what, ": writes did not recover: ", status.ToString()));
}

std::string IntegrityCheck(const std::string& path) {
  sqlite3* db = nullptr;
  std::string result = "cannot open";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      result = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  bool long_run = std::getenv("SCOLIOMASSAGE_LONG_TESTS") != nullptr &&
                  std::string(std::getenv("SCOLIOMASSAGE_LONG_TESTS")) == "1";
  uint64_t seed = static_cast<uint64_t>(time(nullptr));
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--long") == 0) long_run = true;
    if (std::strncmp(argv[i], "--seed=", 7) == 0) seed = std::strtoull(argv[i] + 7, nullptr, 10);
  }
  std::printf("seed %llu%s\n", static_cast<unsigned long long>(seed), long_run ? " (long)" : "");
  scoliomassage::testing::InstallFaultVfs();

  char folder[] = "/tmp/scoliomassage-faults.XXXXXX";
  if (mkdtemp(folder) == nullptr) return 1;
  const std::string path = std::string(folder) + "/faults.db";
  Run run("sqlite://" + path);
  if (!run.Open()) {
    std::printf("FAIL: cannot open the store\n");
    return 1;
  }
  for (int i = 0; i < 20; ++i) Check(run.Log().ok(), "a write before any fault");

  std::map<std::string, int64_t> fired_by;
  int64_t failed_calls = 0;

  // 1. Chosen points: the n-th write (or fsync) of a LogOutcome fails, for
  //    n = 1, 2, ... until a call no longer reaches the n-th one.
  const FaultKind write_kinds[] = {FaultKind::kWriteIoError, FaultKind::kWriteFull,
                                   FaultKind::kShortWrite, FaultKind::kSyncIoError};
  const int rounds = long_run ? 10 : 3;
  for (int round = 0; round < rounds; ++round) {
    for (FaultKind kind : write_kinds) {
      int misses = 0;
      for (int64_t n = 1; misses < 3 && n < 200; ++n) {
        const int64_t before = FaultsFired();
        ArmFaultAt(kind, n);
        const absl::Status status = run.Log();
        const bool fired = FaultsFired() > before;
        DisarmFaults();
        const std::string what = absl::StrCat(FaultKindName(kind), " at call ", n);
        if (!fired) {
          ++misses;
          continue;
        }
        misses = 0;
        ++fired_by[FaultKindName(kind)];
        if (!status.ok()) {
          ++failed_calls;
          CheckFaultStatus(status, what);
        }
        CheckReads(run, what);
        CheckWriteRecovers(run, what);
      }
    }
  }

  // 2. Reads: the n-th read fails while the store is opened afresh (every
  //    page comes from the file) and while it serves.
  for (int64_t n = 1; n < (long_run ? 400 : 80); n += (long_run ? 1 : 3)) {
    run.Close();
    const int64_t before = FaultsFired();
    ArmFaultAt(FaultKind::kReadIoError, n);
    bool opened = run.Open();
    if (opened) {
      auto page = run.store().ScanHistory(kClinic, v1::HistoryFilter(), true, "", 1000);
      if (!page.ok()) {
        ++failed_calls;
        CheckFaultStatus(page.status(), absl::StrCat("read EIO at call ", n, " in a scan"));
      }
    }
    DisarmFaults();
    if (FaultsFired() > before) ++fired_by[FaultKindName(FaultKind::kReadIoError)];
    if (!opened) {
      ++failed_calls;
      opened = run.Open();
      Check(opened, "the store opens once read faults stop");
      if (!opened) return 1;
    }
    CheckReads(run, absl::StrCat("after read EIO at call ", n));
  }

  // 3. Random faults of every kind under concurrent writers (group commit).
  {
    const int threads = 4;
    const int per_thread = long_run ? 1000 : 150;
    const int64_t before = FaultsFired();
    ArmRandomFaults(0x1f, 150, seed);
    std::vector<std::thread> workers;
    std::mutex mutex;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        for (int i = 0; i < per_thread; ++i) {
          const absl::Status status = run.Log();
          if (!status.ok()) {
            std::lock_guard<std::mutex> lock(mutex);
            ++failed_calls;
            CheckFaultStatus(status, "random fault");
          }
          if (i % 10 == 0) {
            auto page = run.store().ScanHistory(kClinic, v1::HistoryFilter(), false, "", 50);
            if (!page.ok()) {
              std::lock_guard<std::mutex> lock(mutex);
              CheckFaultStatus(page.status(), "random fault in a read");
            }
          }
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
    DisarmFaults();
    fired_by["random (all kinds)"] += FaultsFired() - before;
    CheckWriteRecovers(run, "after random faults");
  }

  // 4. After a restart (WAL recovery): nothing acknowledged missing, nothing
  //    half-written, nothing twice.
  run.Close();
  const std::string integrity = IntegrityCheck(path);
  Check(integrity == "ok", "PRAGMA integrity_check: " + integrity);
  if (!run.Open()) {
    std::printf("FAIL: cannot reopen the store\n");
    return 1;
  }
  const std::vector<Sent> sent = run.sent();
  std::map<std::string, size_t> by_note;
  for (size_t i = 0; i < sent.size(); ++i) by_note[sent[i].outcome.relaxation_notes()] = i;
  int64_t acknowledged = 0, lost = 0, damaged = 0;
  for (const Sent& s : sent) {
    if (s.acked_name.empty()) continue;
    ++acknowledged;
    auto outcome = run.store().GetOutcome(kClinic, s.acked_name, 0);
    if (!outcome.ok()) {
      ++lost;
    } else if (outcome->relaxation_notes() != s.outcome.relaxation_notes() ||
               outcome->patient_id() != s.outcome.patient_id()) {
      ++damaged;
    }
  }
  // Every stored outcome is one that was sent, whole.
  std::set<std::string> stored_names;
  int64_t stray = 0, stored = 0;
  std::string token;
  for (;;) {
    auto page = run.store().ScanHistory(kClinic, v1::HistoryFilter(), false, token, 1000);
    if (!page.ok()) {
      Check(false, "final scan: " + page.status().ToString());
      break;
    }
    for (const auto& record : page->records) {
      ++stored;
      stored_names.insert(record.outcome().name());
      if (by_note.count(record.outcome().relaxation_notes()) == 0) ++stray;
      token = record.resume_token();
    }
    if (page->done || page->records.empty()) break;
  }
  // Retrying every request_id: acknowledged ones answer with their first
  // name; the others are stored now or were stored by the failed attempt.
  int64_t retry_failures = 0;
  for (size_t i = 0; i < sent.size(); ++i) {
    if (!run.Log(nullptr, static_cast<int64_t>(i)).ok()) ++retry_failures;
  }
  int64_t after_retries = 0;
  token.clear();
  std::set<std::string> final_names;
  for (;;) {
    auto page = run.store().ScanHistory(kClinic, v1::HistoryFilter(), false, token, 1000);
    if (!page.ok()) break;
    for (const auto& record : page->records) {
      ++after_retries;
      final_names.insert(record.outcome().name());
      token = record.resume_token();
    }
    if (page->done || page->records.empty()) break;
  }
  const int64_t duplicated = after_retries - static_cast<int64_t>(sent.size());
  run.Close();
  const std::string final_integrity = IntegrityCheck(path);

  int64_t exercised = 0;
  for (const auto& [kind, count] : fired_by) {
    std::printf("fault points exercised, %s: %lld\n", kind.c_str(), static_cast<long long>(count));
    exercised += count;
  }
  std::printf("fault points exercised: %lld; calls failed by a fault: %lld\n",
              static_cast<long long>(exercised), static_cast<long long>(failed_calls));
  std::printf("sent %zu, acknowledged %lld, stored before retries %lld, lost %lld, damaged %lld, "
              "stray %lld, after retrying every request_id %lld (duplicated %lld), integrity %s\n",
              sent.size(), static_cast<long long>(acknowledged), static_cast<long long>(stored),
              static_cast<long long>(lost), static_cast<long long>(damaged),
              static_cast<long long>(stray), static_cast<long long>(after_retries),
              static_cast<long long>(duplicated), final_integrity.c_str());
  Check(exercised >= (long_run ? 500 : 100), "enough fault points fired");
  Check(lost == 0, "no acknowledged outcome lost");
  Check(damaged == 0, "no acknowledged outcome damaged");
  Check(stray == 0, "nothing stored that was not sent");
  Check(retry_failures == 0, "every retry succeeded once faults stopped");
  Check(duplicated == 0 && final_names.size() == sent.size(), "each request_id stored exactly once");
  Check(final_integrity == "ok", "final PRAGMA integrity_check: " + final_integrity);
  std::filesystem::remove_all(folder);
  std::printf("%s sqlite_io_faults: %d failures\n", failures ? "FAIL" : "PASS", failures);
  return failures ? 1 : 0;
}
