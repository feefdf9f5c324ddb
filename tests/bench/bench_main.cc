// scoliomassage-bench: starts a real scoliomassaged on loopback with a temp
// SQLite file and reports every figure as a ratio to a floor measured in the
// same run (the machine is shared and noisy), as medians of several rounds.
//
//   scoliomassage-bench [--quick] [--check] [--json=FILE] [--rounds=N]
//                       [--measure_ms=N] [--server=PATH] [--plugin_host=PATH]
//                       [--plugin_library=PATH] [--dir=DIR] [--keep]
//                       [--history_rows=LARGE] [--skip=history,plugin]
//
// Floors: the empty unary call grpc.health.v1.Health/Check on the same
// channel at 1 and 16 in flight; a raw in-process SQLite insert, one row per
// transaction, same pragmas and directory; the direct C++ stub for the
// plugin. See tests/bench/RESULTS.md for what each target means.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench_fixture.h"
#include "cds_client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "load.h"
#include "report.h"
#include "scoliomassage/v1/history.grpc.pb.h"
#include "scoliomassage/v1/outcome.grpc.pb.h"
#include "scoliomassage/v1/protocol.grpc.pb.h"
#include "scoliomassage/v1/report.grpc.pb.h"
#include "seed.h"
#include "server_process.h"

namespace scoliomassage::bench {
namespace {

// Targets this build misses (tests/bench/RESULTS.md gives the measured
// ratios and what bounds them). Half the target would fail every run, so
// --check guards these against regression at about half the ratio recorded
// on a loaded 2-core machine instead. Raise a guard when the figure improves.
const std::map<std::string, double> kRegressionGuards = {
    {"recommend@1 throughput", 0.15},
    {"recommend@1 p99", 8.0},
    // At 16 in flight the empty-call floor is CPU-bound and moves with what
    // else the machine does far more than the real calls do (12.7k calls/s on
    // a loaded machine, 35k idle, while RecommendProtocol went 3.2k -> 5.1k
    // and a durable LogOutcome 1.9k -> 2.8k): these guards sit at about half
    // the idle-machine ratios. The raw-SQLite guard below catches a storage
    // regression on the same disk.
    {"recommend@16 throughput", 0.07},
    {"recommend@16 p99", 12.0},
    {"log_outcome@16 throughput", 0.04},
    {"log_outcome@16 throughput vs raw SQLite", 0.25},
    // Met, but twice the target would let the check-in's progress read
    // drift back to growing with the history without failing: guard it
    // tighter.
    {"recommend@1 p50, long vs short history", 1.6},
};


using std::chrono::milliseconds;

// Patients used by RecommendProtocol: each has a few logged outcomes, so a
// check-in does its real work (progression from the last outcome).
constexpr int kRecommendPatients = 64;
constexpr int kOutcomesPerRecommendPatient = 3;
// One more patient with a long history: a check-in must cost the same for
// them as for a patient with kOutcomesPerRecommendPatient outcomes.
constexpr char kLongHistoryPatient[] = "bench-rec-long";
constexpr int kLongHistoryOutcomes = 3000;
// The patient progress report of a patient with this many sessions must
// render well under 50 ms server-side.
constexpr char kReportPatient[] = "bench-report";
constexpr int kReportSessions = 200;
// "Well under 50 ms": the target is half of it, so --check (which fails at
// twice a "<=" target) fails a run whose report takes 50 ms or more.
constexpr double kReportServerSideTargetUs = 25000;

struct Config {
  bool quick = false;
  bool check = false;
  bool keep = false;
  std::string json_file;
  int rounds = 5;
  int warmup_ms = 300;
  int measure_ms = 2000;
  int history_rounds = 3;
  int patient_queries = 1000;
  std::vector<int64_t> store_sizes = {10000, 100000, 1000000};  // small, mid, large
  std::string server = SCOLIOMASSAGE_BENCH_SERVER;
  std::string plugin_host = SCOLIOMASSAGE_BENCH_PLUGIN_HOST;
  std::string plugin_library = SCOLIOMASSAGE_BENCH_PLUGIN_LIBRARY;
  std::string dir;
  bool skip_history = false;
  bool skip_plugin = false;
};

[[noreturn]] void Usage(const std::string& problem) {
  std::fprintf(stderr,
               "scoliomassage-bench: %s\n"
               "usage: scoliomassage-bench [--quick] [--check] [--json=FILE] [--rounds=N]\n"
               "  [--measure_ms=N] [--server=PATH] [--plugin_host=PATH] [--plugin_library=PATH]\n"
               "  [--dir=DIR] [--keep] [--history_rows=N] [--skip=history,plugin]\n",
               problem.c_str());
  std::exit(2);
}

Config ParseArgs(int argc, char** argv) {
  Config config;
  std::map<std::string, std::string> values;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) Usage("unexpected argument " + arg);
    arg = arg.substr(2);
    const size_t eq = arg.find('=');
    values[arg.substr(0, eq)] = eq == std::string::npos ? "" : arg.substr(eq + 1);
  }
  if (values.count("quick")) {
    config.quick = true;
    config.rounds = 3;
    config.warmup_ms = 100;
    config.measure_ms = 400;
    config.history_rounds = 2;
    config.patient_queries = 400;
    config.store_sizes = {10000, 100000};
  }
  for (const auto& [name, value] : values) {
    if (name == "quick") {
    } else if (name == "check") {
      config.check = true;
    } else if (name == "keep") {
      config.keep = true;
    } else if (name == "json") {
      config.json_file = value;
    } else if (name == "rounds") {
      config.rounds = std::max(1, std::atoi(value.c_str()));
    } else if (name == "measure_ms") {
      config.measure_ms = std::max(50, std::atoi(value.c_str()));
    } else if (name == "server") {
      config.server = value;
    } else if (name == "plugin_host") {
      config.plugin_host = value;
    } else if (name == "plugin_library") {
      config.plugin_library = value;
    } else if (name == "dir") {
      config.dir = value;
    } else if (name == "history_rows") {
      const int64_t large = std::atoll(value.c_str());
      if (large < 1000) Usage("--history_rows must be at least 1000");
      config.store_sizes = {std::min<int64_t>(10000, large / 10), large / 10, large};
      if (config.store_sizes[0] == config.store_sizes[1]) config.store_sizes.erase(config.store_sizes.begin());
    } else if (name == "skip") {
      config.skip_history = value.find("history") != std::string::npos;
      config.skip_plugin = value.find("plugin") != std::string::npos;
    } else {
      Usage("unknown flag --" + name);
    }
  }
  return config;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "unknown";
}

void Authorize(grpc::ClientContext* context, const char* token) {
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
}

// Everything the load phases share: one channel and its stubs.
struct Clients {
  explicit Clients(const std::string& target) {
    grpc::ChannelArguments args;
    channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::fprintf(stderr, "scoliomassage-bench: cannot connect to %s\n", target.c_str());
      std::exit(2);
    }
    health = grpc::health::v1::Health::NewStub(channel);
    protocols = v1::ProtocolService::NewStub(channel);
    outcomes = v1::OutcomeService::NewStub(channel);
    history = v1::HistoryService::NewStub(channel);
    reports = v1::ReportService::NewStub(channel);
  }
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::health::v1::Health::Stub> health;
  std::unique_ptr<v1::ProtocolService::Stub> protocols;
  std::unique_ptr<v1::OutcomeService::Stub> outcomes;
  std::unique_ptr<v1::HistoryService::Stub> history;
  std::unique_ptr<v1::ReportService::Stub> reports;
};

// One unary call on the callback API: owns its context and messages until
// its completion callback has run.
template <typename Request, typename Response>
struct UnaryCall {
  grpc::ClientContext context;
  Request request;
  Response response;
};

StartCall HealthCall(Clients& clients) {
  return [&clients](std::function<void(const grpc::Status&)> done) {
    auto* call = new UnaryCall<grpc::health::v1::HealthCheckRequest,
                               grpc::health::v1::HealthCheckResponse>;
    // Same metadata as the measured calls, so the floor differs only in
    // the work the server does.
    Authorize(&call->context, kHostToken);
    clients.health->async()->Check(&call->context, &call->request, &call->response,
                                   [call, done = std::move(done)](grpc::Status status) {
                                     if (status.ok() && call->response.status() !=
                                                            grpc::health::v1::HealthCheckResponse::SERVING) {
                                       status = grpc::Status(grpc::StatusCode::UNKNOWN, "not SERVING");
                                     }
                                     delete call;
                                     done(status);
                                   });
  };
}

std::string RecommendPatient(int index) { return absl::StrCat("bench-rec-", index); }

// Check-ins that cycle through the kRecommendPatients patients, or, with
// `patient_id`, are all for that one patient.
StartCall RecommendCall(Clients& clients, std::atomic<uint64_t>& sequence,
                        std::string patient_id = "") {
  return [&clients, &sequence, patient_id](std::function<void(const grpc::Status&)> done) {
    auto* call = new UnaryCall<v1::RecommendProtocolRequest, v1::RecommendProtocolResponse>;
    call->request = RecommendRequest(
        patient_id.empty() ? RecommendPatient(static_cast<int>(sequence++ % kRecommendPatients))
                           : patient_id);
    Authorize(&call->context, kHostToken);
    clients.protocols->async()->RecommendProtocol(
        &call->context, &call->request, &call->response,
        [call, done = std::move(done)](grpc::Status status) {
          delete call;
          done(status);
        });
  };
}

StartCall LogCall(Clients& clients, std::atomic<uint64_t>& sequence) {
  return [&clients, &sequence](std::function<void(const grpc::Status&)> done) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    auto* call = new UnaryCall<v1::LogOutcomeRequest, v1::Outcome>;
    const uint64_t n = sequence++;
    call->request = LogRequest(absl::StrCat("bench-log-", n % 4096), static_cast<int>(n / 4096) + 1,
                               random);
    Authorize(&call->context, kHostToken);
    clients.outcomes->async()->LogOutcome(&call->context, &call->request, &call->response,
                                          [call, done = std::move(done)](grpc::Status status) {
                                            delete call;
                                            done(status);
                                          });
  };
}

// The HTML report of kReportPatient, at 1 in flight.
StartCall ReportCall(Clients& clients) {
  return [&clients](std::function<void(const grpc::Status&)> done) {
    auto* call = new UnaryCall<v1::GetPatientReportRequest, v1::PatientReport>;
    call->request.set_patient_id(kReportPatient);
    Authorize(&call->context, kHostToken);
    clients.reports->async()->GetPatientReport(
        &call->context, &call->request, &call->response,
        [call, done = std::move(done)](grpc::Status status) {
          if (status.ok() && call->response.session_count() != kReportSessions) {
            status = grpc::Status(grpc::StatusCode::UNKNOWN, "the report lost sessions");
          }
          delete call;
          done(status);
        });
  };
}

// Reads a number after "key": in one line of the plugin host's output.
double JsonNumber(const std::string& line, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  const size_t at = line.find(needle);
  return at == std::string::npos ? -1 : std::strtod(line.c_str() + at + needle.size(), nullptr);
}

std::string JsonText(const std::string& line, const std::string& key) {
  const std::string needle = "\"" + key + "\":\"";
  const size_t at = line.find(needle);
  if (at == std::string::npos) return "";
  const size_t end = line.find('"', at + needle.size());
  return line.substr(at + needle.size(), end - at - needle.size());
}

// Per-round samples of one figure, and of the floor it is divided by.
struct Samples {
  std::vector<double> values;
  std::vector<double> floors;
  void Add(double value, double floor) {
    values.push_back(value);
    floors.push_back(floor);
  }
  Figure Make(std::string name, std::string unit, std::string floor_name, std::string op,
              double target, std::string note = "") const {
    Figure figure;
    figure.name = std::move(name);
    figure.unit = std::move(unit);
    figure.value = Median(values);
    figure.floor_name = std::move(floor_name);
    figure.op = std::move(op);
    figure.target = target;
    figure.note = std::move(note);
    if (!figure.floor_name.empty()) {
      figure.floor_value = Median(floors);
      std::vector<double> ratios;
      for (size_t i = 0; i < values.size() && i < floors.size(); ++i) {
        if (floors[i] > 0) ratios.push_back(values[i] / floors[i]);
      }
      figure.ratio = Median(ratios);
    }
    return figure;
  }
};

struct Phase1Samples {
  Samples health1_tput, health1_p50, health1_p99;
  Samples health16_tput, health16_p50, health16_p99;
  Samples rec1_tput, rec1_p50, rec1_p99, rec1_long_p50;
  Samples rec16_tput, rec16_p50, rec16_p99;
  Samples log16_tput_vs_floor, log16_tput_vs_raw, log16_p50, log16_p99;
  Samples raw_sqlite;
  Samples direct1, direct16, plugin1, plugin16;
  Samples plugin1_p50, plugin16_p99;
  Samples report1_p50, report_server_side;
  Samples cds1_p50, cds1_p99, es384_verify;
};

class Bench {
 public:
  Bench(Config config, std::string command) : config_(std::move(config)) {
    info_.mode = config_.quick ? "quick" : "full";
    info_.command = std::move(command);
    info_.rounds = config_.rounds;
    info_.measure_ms = config_.measure_ms;
    info_.cpu_model = CpuModel();
    info_.cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    info_.started_utc = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  }

  int Run() {
    const absl::Time started = absl::Now();
    MakeWorkDir();
    RunPhase1();
    if (!config_.skip_history) RunHistory();
    info_.total_seconds = absl::ToDoubleSeconds(absl::Now() - started);
    if (!config_.keep && std::system(absl::StrCat("rm -rf '", dir_, "'").c_str()) != 0) {
      std::fprintf(stderr, "scoliomassage-bench: could not remove %s\n", dir_.c_str());
    }

    for (Figure& figure : figures_) {
      if (auto guard = kRegressionGuards.find(figure.name); guard != kRegressionGuards.end()) {
        figure.guard = guard->second;
      }
    }
    PrintTable(stdout, info_, figures_);
    const std::string json = ToJson(info_, figures_);
    std::printf("\n%s", json.c_str());
    std::fflush(stdout);
    if (!config_.json_file.empty()) {
      std::ofstream out(config_.json_file);
      out << json;
      if (!out) {
        std::fprintf(stderr, "scoliomassage-bench: cannot write %s\n", config_.json_file.c_str());
        return 2;
      }
    }
    if (!config_.check) return 0;
    int failures = 0;
    for (const Figure& figure : figures_) {
      if (figure.has_target() && figure.missed_widely()) {
        std::fprintf(stderr, "scoliomassage-bench --check: %s: %.3f, target %s %.3g%s (missed by a wide margin)\n",
                     figure.name.c_str(), figure.checked(), figure.op.c_str(), figure.target,
                     std::isnan(figure.guard) ? "" : absl::StrFormat(", regression guard %.3g", figure.guard).c_str());
        ++failures;
      }
    }
    for (const std::string& error : errors_) {
      std::fprintf(stderr, "scoliomassage-bench --check: %s\n", error.c_str());
      ++failures;
    }
    if (failures == 0) std::fprintf(stderr, "scoliomassage-bench --check: all ratios within bounds\n");
    return failures == 0 ? 0 : 1;
  }

 private:
  milliseconds warmup() const { return milliseconds(config_.warmup_ms); }
  milliseconds measure() const { return milliseconds(config_.measure_ms); }

  void MakeWorkDir() {
    std::string base = config_.dir;
    if (base.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    }
    std::string pattern = base + "/scoliomassage-bench-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::fprintf(stderr, "scoliomassage-bench: cannot create a directory in %s\n", base.c_str());
      std::exit(2);
    }
    dir_ = pattern;
    tokens_file_ = WriteCredentials(dir_);
    // The EHR of the CDS Hooks figure, trusted for the bench's clinic.
    cds_ = std::make_unique<CdsClient>(dir_, "bench");
    info_.settings.push_back({"work_dir", dir_});
    info_.settings.push_back({"server", config_.server});
    info_.settings.push_back({"server_flags", "defaults (16 worker threads, WAL, synchronous=FULL, "
                                              "log level info to a file), bearer tokens"});
  }

  // A load result with errors is still reported, and --check fails on it.
  void Note(const std::string& what, const LoadResult& result) {
    if (result.errors == 0 && result.calls > 0) return;
    errors_.push_back(absl::StrCat(what, ": ", result.calls, " calls ok, ", result.errors,
                                   " errors; first: ", result.first_error));
    info_.warnings.push_back(errors_.back());
  }

  static void LogOrExit(Clients& clients, const std::string& patient, int session,
                        std::mt19937_64& random) {
    v1::LogOutcomeRequest request = LogRequest(patient, session, random);
    v1::Outcome stored;
    grpc::ClientContext context;
    Authorize(&context, kHostToken);
    grpc::Status status = clients.outcomes->LogOutcome(&context, request, &stored);
    if (!status.ok()) {
      std::fprintf(stderr, "scoliomassage-bench: LogOutcome while preparing: %s\n",
                   status.error_message().c_str());
      std::exit(2);
    }
  }

  void Prepare(Clients& clients) {
    std::mt19937_64 random{42};
    for (int patient = 0; patient < kRecommendPatients; ++patient) {
      for (int session = 1; session <= kOutcomesPerRecommendPatient; ++session) {
        LogOrExit(clients, RecommendPatient(patient), session, random);
      }
    }
    // The long history through the API, so the store keeps every row it
    // reads as it would in a clinic; several threads share group commits.
    constexpr int kThreads = 8;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&clients, t] {
        std::mt19937_64 thread_random{static_cast<uint64_t>(100 + t)};
        for (int n = t; n < kLongHistoryOutcomes; n += kThreads) {
          // Session numbers stop at 1000 (validation); the count does not.
          LogOrExit(clients, kLongHistoryPatient, n % 1000 + 1, thread_random);
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    // The report's patient: 200 sessions over about a year and a half, pain
    // falling with noise, a few skipped session numbers and adverse events,
    // so every part of the page is drawn.
    const int64_t now_s = absl::ToUnixSeconds(absl::Now());
    for (int i = 0, session = 1; i < kReportSessions; ++i, ++session) {
      if (i % 37 == 36) ++session;
      v1::LogOutcomeRequest request = LogRequest(kReportPatient, session, random);
      v1::Outcome* outcome = request.mutable_outcome();
      const int before = std::max(1, 7 - i / 40 + static_cast<int>(random() % 3) - 1);
      outcome->set_pain_before(before);
      outcome->set_pain_after(std::max(0, before - static_cast<int>(random() % 3)));
      outcome->set_minutes(std::min(40, 15 + 5 * std::max(0, session - 3)));
      outcome->mutable_performed_at()->set_seconds(now_s - int64_t{kReportSessions - i} * 3 * 86400);
      if (i % 23 == 5) {
        v1::AdverseEvent* event = outcome->add_adverse_events();
        event->set_type(v1::ADVERSE_EVENT_TYPE_PROLONGED_SORENESS);
        event->set_severity(v1::SEVERITY_MILD);
        event->set_description("Sore for three days after the session.");
      }
      v1::Outcome stored;
      grpc::ClientContext context;
      Authorize(&context, kHostToken);
      if (grpc::Status status = clients.outcomes->LogOutcome(&context, request, &stored); !status.ok()) {
        std::fprintf(stderr, "scoliomassage-bench: LogOutcome for the report: %s\n",
                     status.error_message().c_str());
        std::exit(2);
      }
    }
  }

  void RunPhase1() {
    ServerProcess server(config_.server, dir_ + "/service.db", tokens_file_, dir_ + "/service.log",
                         {"--http_listen=127.0.0.1:0", "--cds_issuers_file=" + cds_->issuers_file()});
    Clients clients(server.target());
    cds_->Connect(server.http_port());
    Prepare(clients);
    const StartCall health = HealthCall(clients);
    std::atomic<uint64_t> rec_sequence{0};
    std::atomic<uint64_t> log_sequence{0};
    const StartCall recommend = RecommendCall(clients, rec_sequence);
    // One patient each, so both are as warm in the caches.
    const StartCall recommend_short = RecommendCall(clients, rec_sequence, RecommendPatient(0));
    const StartCall recommend_long = RecommendCall(clients, rec_sequence, kLongHistoryPatient);
    const StartCall log = LogCall(clients, log_sequence);
    const StartCall report = ReportCall(clients);

    // The plugin and the direct stub send the very same request.
    const v1::RecommendProtocolRequest same_request = RecommendRequest(RecommendPatient(0));
    std::string request_json;
    google::protobuf::util::MessageToJsonString(same_request, &request_json);
    const std::string plugin_config = absl::StrCat(
        "{\"target\":\"", server.target(), "\",\"token\":\"", kHostToken,
        "\",\"deadlineMs\":30000,\"retries\":0}");
    auto direct_call = [&](int) -> std::string {
      grpc::ClientContext context;
      Authorize(&context, kHostToken);
      v1::RecommendProtocolResponse response;
      grpc::Status status = clients.protocols->RecommendProtocol(&context, same_request, &response);
      return status.ok() ? "" : absl::StrCat(status.error_code(), " ", status.error_message());
    };
    // The same check-in as an EHR's encounter-start hook: same patient, same
    // curve and screening, through the HTTP face's JWT check and FHIR mapping.
    auto cds_call = [&](int) -> std::string {
      return cds_->CheckIn(RecommendPatient(0), "lumbar-c-curve");
    };
    // Enough presigned tokens for a call every 250 us, faster than any
    // check-in here; a call that finds none signs its own and is counted.
    const int tokens_per_round = (config_.warmup_ms + config_.measure_ms) * 4;

    Phase1Samples s;
    for (int round = 0; round < config_.rounds; ++round) {
      std::fprintf(stderr, "scoliomassage-bench: round %d/%d\n", round + 1, config_.rounds);
      const LoadResult h1 = RunClosedLoop(1, warmup(), measure(), health);
      const LoadResult r1 = RunClosedLoop(1, warmup(), measure(), recommend);
      const LoadResult short1 = RunClosedLoop(1, warmup(), measure(), recommend_short);
      const LoadResult long1 = RunClosedLoop(1, warmup(), measure(), recommend_long);
      const LoadResult h16 = RunClosedLoop(16, warmup(), measure(), health);
      const LoadResult r16 = RunClosedLoop(16, warmup(), measure(), recommend);
      const LoadResult l16 = RunClosedLoop(16, warmup(), measure(), log);
      const LoadResult rep1 = RunClosedLoop(1, warmup(), measure(), report);
      const double raw = RawSqliteInsertsPerSecond(dir_ + "/raw-floor.db", warmup(), measure());
      Note("health@1", h1);
      Note("recommend@1", r1);
      Note("recommend@1, short history", short1);
      Note("recommend@1, long history", long1);
      Note("health@16", h16);
      Note("recommend@16", r16);
      Note("log_outcome@16", l16);
      Note("report@1", rep1);

      s.health1_tput.Add(h1.throughput, 0);
      s.health1_p50.Add(h1.p50_us, 0);
      s.health1_p99.Add(h1.p99_us, 0);
      s.health16_tput.Add(h16.throughput, 0);
      s.health16_p50.Add(h16.p50_us, 0);
      s.health16_p99.Add(h16.p99_us, 0);
      s.rec1_tput.Add(r1.throughput, h1.throughput);
      s.rec1_p50.Add(r1.p50_us, h1.p50_us);
      s.rec1_p99.Add(r1.p99_us, h1.p99_us);
      s.rec1_long_p50.Add(long1.p50_us, short1.p50_us);
      s.rec16_tput.Add(r16.throughput, h16.throughput);
      s.rec16_p50.Add(r16.p50_us, h16.p50_us);
      s.rec16_p99.Add(r16.p99_us, h16.p99_us);
      s.log16_tput_vs_floor.Add(l16.throughput, h16.throughput);
      s.log16_tput_vs_raw.Add(l16.throughput, raw);
      s.log16_p50.Add(l16.p50_us, h16.p50_us);
      s.log16_p99.Add(l16.p99_us, h16.p99_us);
      s.raw_sqlite.Add(raw, 0);
      s.report1_p50.Add(rep1.p50_us, h1.p50_us);
      // What the server spends beyond an empty call: reading the sessions
      // and drawing the page.
      s.report_server_side.Add(std::max(0.0, rep1.p50_us - h1.p50_us), 0);

      // CDS Hooks against the gRPC check-in, both one blocking client thread.
      cds_->PresignTokens(tokens_per_round);
      const LoadResult grpc1 = RunThreads(1, warmup(), measure(), direct_call);
      const LoadResult cds1 = RunThreads(1, warmup(), measure(), cds_call);
      Note("recommend stub@1 (CDS Hooks pair)", grpc1);
      Note("cds_hooks@1", cds1);
      s.cds1_p50.Add(cds1.p50_us, grpc1.p50_us);
      s.cds1_p99.Add(cds1.p99_us, grpc1.p99_us);
      s.es384_verify.Add(MeasureEs384VerifyUs(200), 0);

      if (config_.skip_plugin) continue;
      const LoadResult d1 = RunThreads(1, warmup(), measure(), direct_call);
      const LoadResult d16 = RunThreads(16, warmup(), measure(), direct_call);
      Note("direct stub@1", d1);
      Note("direct stub@16", d16);
      int exit_code = 0;
      const std::string output = RunAndCapture(
          {config_.plugin_host, config_.plugin_library, plugin_config, request_json,
           std::to_string(config_.warmup_ms), std::to_string(config_.measure_ms), "1", "16"},
          &exit_code);
      std::vector<std::string> lines;
      std::istringstream stream(output);
      for (std::string line; std::getline(stream, line);) {
        if (!line.empty()) lines.push_back(line);
      }
      if (exit_code != 0 || lines.size() != 2) {
        errors_.push_back(absl::StrCat("plugin host exited with ", exit_code, ", output: ", output));
        info_.warnings.push_back(errors_.back());
        continue;
      }
      for (size_t i = 0; i < 2; ++i) {
        if (JsonNumber(lines[i], "errors") > 0) {
          errors_.push_back(absl::StrCat("plugin@", i == 0 ? 1 : 16, ": ",
                                         JsonNumber(lines[i], "errors"), " errors; first: ",
                                         JsonText(lines[i], "first_error")));
          info_.warnings.push_back(errors_.back());
        }
      }
      s.direct1.Add(d1.throughput, 0);
      s.direct16.Add(d16.throughput, 0);
      s.plugin1.Add(JsonNumber(lines[0], "throughput"), d1.throughput);
      s.plugin16.Add(JsonNumber(lines[1], "throughput"), d16.throughput);
      s.plugin1_p50.Add(JsonNumber(lines[0], "p50_us"), d1.p50_us);
      s.plugin16_p99.Add(JsonNumber(lines[1], "p99_us"), d16.p99_us);
    }
    server.Stop();

    figures_.push_back(s.health1_tput.Make("floor: health@1 throughput", "calls/s", "", "", 0));
    figures_.push_back(s.health1_p50.Make("floor: health@1 p50", "us", "", "", 0));
    figures_.push_back(s.health1_p99.Make("floor: health@1 p99", "us", "", "", 0));
    figures_.push_back(s.health16_tput.Make("floor: health@16 throughput", "calls/s", "", "", 0));
    figures_.push_back(s.health16_p50.Make("floor: health@16 p50", "us", "", "", 0));
    figures_.push_back(s.health16_p99.Make("floor: health@16 p99", "us", "", "", 0));
    figures_.push_back(s.raw_sqlite.Make("floor: raw SQLite 1 row/txn", "rows/s", "", "", 0,
                                         "WAL, synchronous=FULL, in-process"));
    figures_.push_back(s.rec1_tput.Make("recommend@1 throughput", "calls/s", "health@1", ">=", 0.8));
    figures_.push_back(s.rec1_p50.Make("recommend@1 p50", "us", "health@1 p50", "", 0));
    figures_.push_back(s.rec1_p99.Make("recommend@1 p99", "us", "health@1 p99", "<=", 1.5));
    figures_.push_back(s.rec1_long_p50.Make(
        "recommend@1 p50, long vs short history", "us", "one patient's p50, 3 outcomes", "<=", 1.3,
        absl::StrCat("one patient with ", kLongHistoryOutcomes, " outcomes")));
    figures_.push_back(s.rec16_tput.Make("recommend@16 throughput", "calls/s", "health@16", ">=", 0.8));
    figures_.push_back(s.rec16_p50.Make("recommend@16 p50", "us", "health@16 p50", "", 0));
    figures_.push_back(s.rec16_p99.Make("recommend@16 p99", "us", "health@16 p99", "<=", 1.5));
    figures_.push_back(s.log16_tput_vs_floor.Make("log_outcome@16 throughput", "calls/s",
                                                  "health@16", ">=", 0.5, "durable"));
    figures_.push_back(s.log16_tput_vs_raw.Make("log_outcome@16 throughput vs raw SQLite",
                                                "calls/s", "raw SQLite", ">=", 3.0));
    figures_.push_back(s.log16_p50.Make("log_outcome@16 p50", "us", "health@16 p50", "", 0));
    figures_.push_back(s.log16_p99.Make("log_outcome@16 p99", "us", "health@16 p99", "", 0));
    figures_.push_back(s.report1_p50.Make(
        "report@1 p50", "us", "health@1 p50", "", 0,
        absl::StrCat("GetPatientReport HTML, ", kReportSessions, " sessions")));
    figures_.push_back(s.report_server_side.Make(
        "report@1 p50 server-side", "us", "", "<=", kReportServerSideTargetUs,
        absl::StrCat("report p50 minus health@1 p50, ", kReportSessions,
                     " sessions; --check fails at 50 ms")));
    figures_.push_back(s.cds1_p50.Make(
        "cds_hooks@1 p50", "us", "RecommendProtocol@1 p50", "<=", 1.5,
        "encounter-start, same patient and curve, RS384 JWT"));
    figures_.push_back(s.cds1_p99.Make("cds_hooks@1 p99", "us", "RecommendProtocol@1 p99", "", 0));
    figures_.push_back(s.es384_verify.Make("ES384 token check", "us", "", "", 0,
                                           "one P-384 verify, OpenSSL in-process: what an ES384 "
                                           "EHR adds to each CDS Hooks call"));
    if (cds_->unsigned_ahead() > 0) {
      info_.warnings.push_back(absl::StrCat(cds_->unsigned_ahead(),
                                            " CDS Hooks calls signed their own token (timed)"));
    }
    if (!config_.skip_plugin && !s.plugin1.values.empty()) {
      figures_.push_back(s.plugin1.Make("plugin@1 smp_recommend_protocol", "calls/s",
                                        "direct stub@1", ">=", 0.7, "1 thread, JSON in/out"));
      figures_.push_back(s.plugin16.Make("plugin@16 smp_recommend_protocol", "calls/s",
                                         "direct stub@16", ">=", 0.7, "16 threads, JSON in/out"));
      figures_.push_back(s.plugin1_p50.Make("plugin@1 p50", "us", "direct stub@1 p50", "", 0));
      figures_.push_back(s.plugin16_p99.Make("plugin@16 p99", "us", "direct stub@16 p99", "", 0));
    }
    floor16_throughput_ = Median(s.health16_tput.values);
  }

  struct StoreResults {
    int64_t rows = 0;
    double seed_seconds = 0;
    std::vector<double> records_per_second;
    std::vector<double> ns_per_record;
    std::vector<double> rss_growth_mib;
    std::vector<double> list_p99_us, list_p50_us;
    std::vector<double> query_p99_us, query_p50_us;
  };

  // Single-patient reads at 1 in flight, each for a random seeded patient.
  void PatientQueries(Clients& clients, int64_t rows, StoreResults& results) {
    const int64_t patients = std::max<int64_t>(1, rows / kOutcomesPerPatient);
    std::mt19937_64 random{7};
    std::vector<int64_t> list_ns, query_ns;
    const int warm = 50;
    for (int i = 0; i < config_.patient_queries + warm; ++i) {
      const std::string patient = SeededPatient(static_cast<int64_t>(random() % patients));
      {
        v1::ListOutcomesRequest request;
        request.mutable_filter()->set_patient_id(patient);
        request.set_page_size(kOutcomesPerPatient);
        v1::ListOutcomesResponse response;
        grpc::ClientContext context;
        Authorize(&context, kHostToken);
        const Clock::time_point start = Clock::now();
        grpc::Status status = clients.outcomes->ListOutcomes(&context, request, &response);
        const int64_t ns = (Clock::now() - start).count();
        if (!status.ok() || response.outcomes_size() != kOutcomesPerPatient) {
          errors_.push_back(absl::StrCat("ListOutcomes(", patient, ") in ", rows, " store: ",
                                         status.error_message(), " ", response.outcomes_size(),
                                         " outcomes"));
          return;
        }
        if (i >= warm) list_ns.push_back(ns);
      }
      {
        v1::QueryHistoryRequest request;
        request.mutable_filter()->set_patient_id(patient);
        grpc::ClientContext context;
        Authorize(&context, kAnalyticsToken);
        const Clock::time_point start = Clock::now();
        auto reader = clients.history->QueryHistory(&context, request);
        v1::HistoryRecord record;
        int count = 0;
        while (reader->Read(&record)) ++count;
        grpc::Status status = reader->Finish();
        const int64_t ns = (Clock::now() - start).count();
        if (!status.ok() || count != kOutcomesPerPatient) {
          errors_.push_back(absl::StrCat("QueryHistory(", patient, ") in ", rows, " store: ",
                                         status.error_message(), " ", count, " records"));
          return;
        }
        if (i >= warm) query_ns.push_back(ns);
      }
    }
    results.list_p50_us.push_back(PercentileUs(list_ns, 50));
    results.list_p99_us.push_back(PercentileUs(list_ns, 99));
    results.query_p50_us.push_back(PercentileUs(query_ns, 50));
    results.query_p99_us.push_back(PercentileUs(query_ns, 99));
  }

  // Streams the whole store as the analytics role while sampling the
  // server's resident memory.
  void StreamAll(Clients& clients, const ServerProcess& server, int64_t rows,
                 StoreResults& results) {
    const MemoryUse before = ReadMemoryUse(server.pid());
    ResetPeakRss(server.pid());
    std::atomic<bool> streaming{true};
    int64_t peak_sampled_kib = before.rss_kib;
    std::thread sampler([&] {
      while (streaming.load()) {
        peak_sampled_kib = std::max(peak_sampled_kib, ReadMemoryUse(server.pid()).rss_kib);
        std::this_thread::sleep_for(milliseconds(5));
      }
    });
    v1::QueryHistoryRequest request;
    grpc::ClientContext context;
    Authorize(&context, kAnalyticsToken);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(30));
    const Clock::time_point start = Clock::now();
    auto reader = clients.history->QueryHistory(&context, request);
    v1::HistoryRecord record;
    int64_t count = 0;
    while (reader->Read(&record)) ++count;
    grpc::Status status = reader->Finish();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    streaming = false;
    sampler.join();
    const MemoryUse after = ReadMemoryUse(server.pid());
    if (!status.ok() || count != rows) {
      errors_.push_back(absl::StrCat("QueryHistory over the ", rows, " store: ",
                                     status.error_message(), "; ", count, " records"));
      return;
    }
    const int64_t peak_kib = std::max(peak_sampled_kib, after.hwm_kib);
    results.records_per_second.push_back(static_cast<double>(count) / seconds);
    results.ns_per_record.push_back(seconds * 1e9 / static_cast<double>(count));
    results.rss_growth_mib.push_back(static_cast<double>(peak_kib - before.rss_kib) / 1024.0);
  }

  // Creates the schema with the server itself, then seeds it directly.
  double PrepareStore(const std::string& database, const std::string& log, int64_t rows) {
    {
      ServerProcess migrate(config_.server, database, tokens_file_, log);
    }
    std::fprintf(stderr, "scoliomassage-bench: seeding %lld outcomes\n", static_cast<long long>(rows));
    return SeedOutcomes(database, rows);
  }

  static std::string Rows(int64_t rows) {
    return rows % 1000000 == 0 ? absl::StrCat(rows / 1000000, "M")
           : rows % 1000 == 0  ? absl::StrCat(rows / 1000, "k")
                               : absl::StrCat(rows);
  }

  void RunHistory() {
    const std::vector<int64_t>& sizes = config_.store_sizes;
    std::vector<StoreResults> stores(sizes.size());
    std::vector<std::string> databases;
    for (size_t i = 0; i < sizes.size(); ++i) {
      stores[i].rows = sizes[i];
      databases.push_back(absl::StrCat(dir_, "/history-", sizes[i], ".db"));
      stores[i].seed_seconds =
          PrepareStore(databases[i], absl::StrCat(dir_, "/history-", sizes[i], ".log"), sizes[i]);
    }
    // Every store is served at once and the rounds alternate between them,
    // so a large-vs-small ratio compares measurements taken moments apart:
    // the load of a shared machine drifts over minutes.
    std::vector<std::unique_ptr<ServerProcess>> servers;
    std::vector<std::unique_ptr<Clients>> clients;
    for (size_t i = 0; i < sizes.size(); ++i) {
      servers.push_back(std::make_unique<ServerProcess>(
          config_.server, databases[i], tokens_file_,
          absl::StrCat(dir_, "/history-", sizes[i], ".log")));
      clients.push_back(std::make_unique<Clients>(servers[i]->target()));
    }
    for (int round = 0; round < config_.history_rounds; ++round) {
      std::fprintf(stderr, "scoliomassage-bench: history round %d/%d\n", round + 1,
                   config_.history_rounds);
      for (size_t i = 0; i < sizes.size(); ++i) {
        // The smallest store serves only the single-patient baseline, unless
        // it is also the mid-size store of the per-record comparison.
        const bool stream = sizes.size() == 2 || i > 0;
        if (stream) StreamAll(*clients[i], *servers[i], sizes[i], stores[i]);
        PatientQueries(*clients[i], sizes[i], stores[i]);
      }
    }
    for (size_t i = 0; i < sizes.size(); ++i) {
      clients[i].reset();
      servers[i]->Stop();
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((databases[i] + suffix).c_str());
    }

    const StoreResults& small = stores.front();
    const StoreResults& large = stores.back();
    const StoreResults& mid = stores[stores.size() - 2];
    const std::string L = Rows(large.rows), M = Rows(mid.rows), S = Rows(small.rows);

    // `values` and `floors` are per-round samples taken moments apart; the
    // ratio is the median of the per-round ratios.
    auto paired = [](const std::vector<double>& values, const std::vector<double>& floors) {
      std::vector<double> ratios;
      for (size_t i = 0; i < values.size() && i < floors.size(); ++i) {
        if (floors[i] > 0) ratios.push_back(values[i] / floors[i]);
      }
      return Median(ratios);
    };
    auto figure = [](std::string name, std::string unit, double value, std::string floor_name,
                     double floor, std::string op, double target, std::string note = "",
                     double ratio = -1) {
      Figure f;
      f.name = std::move(name);
      f.unit = std::move(unit);
      f.value = value;
      f.floor_name = std::move(floor_name);
      f.floor_value = floor;
      f.ratio = ratio >= 0 ? ratio : floor > 0 ? value / floor : 0;
      f.op = std::move(op);
      f.target = target;
      f.note = std::move(note);
      return f;
    };
    const double large_rps = Median(large.records_per_second);
    figures_.push_back(figure(absl::StrCat("history stream ", L, " records/s"), "records/s",
                              large_rps, "health@16 calls/s", floor16_throughput_, "", 0,
                              absl::StrCat("analytics role; seeded in ", absl::StrFormat("%.1f", large.seed_seconds), " s")));
    figures_.push_back(figure(absl::StrCat("history stream ", M, " records/s"), "records/s",
                              Median(mid.records_per_second), "health@16 calls/s",
                              floor16_throughput_, "", 0));
    figures_.push_back(figure(absl::StrCat("history per-record cost ", L, " vs ", M), "ns/record",
                              Median(large.ns_per_record), absl::StrCat(M, " ns/record"),
                              Median(mid.ns_per_record), "<=", 1.5, "median of per-round ratios",
                              paired(large.ns_per_record, mid.ns_per_record)));
    double worst_growth = 0;
    for (const StoreResults& store : stores) {
      for (double growth : store.rss_growth_mib) worst_growth = std::max(worst_growth, growth);
    }
    figures_.push_back(figure(absl::StrCat("history stream ", L, " server RSS growth"), "MiB",
                              Median(large.rss_growth_mib), "", 0, "<=", 64,
                              absl::StrFormat("worst of all streams %.1f MiB", worst_growth)));
    figures_.push_back(figure(absl::StrCat("patient ListOutcomes p99 in ", L), "us",
                              Median(large.list_p99_us), absl::StrCat(S, " store p99"),
                              Median(small.list_p99_us), "<=", 2.0,
                              absl::StrCat(kOutcomesPerPatient, " outcomes per patient in both"),
                              paired(large.list_p99_us, small.list_p99_us)));
    figures_.push_back(figure(absl::StrCat("patient ListOutcomes p50 in ", L), "us",
                              Median(large.list_p50_us), absl::StrCat(S, " store p50"),
                              Median(small.list_p50_us), "", 0, "",
                              paired(large.list_p50_us, small.list_p50_us)));
    figures_.push_back(figure(absl::StrCat("patient QueryHistory p99 in ", L), "us",
                              Median(large.query_p99_us), absl::StrCat(S, " store p99"),
                              Median(small.query_p99_us), "<=", 2.0, "",
                              paired(large.query_p99_us, small.query_p99_us)));
    figures_.push_back(figure(absl::StrCat("patient QueryHistory p50 in ", L), "us",
                              Median(large.query_p50_us), absl::StrCat(S, " store p50"),
                              Median(small.query_p50_us), "", 0, "",
                              paired(large.query_p50_us, small.query_p50_us)));
    std::string sizes_text;
    for (const StoreResults& store : stores) {
      absl::StrAppend(&sizes_text, sizes_text.empty() ? "" : ", ", Rows(store.rows), " (seed ",
                      absl::StrFormat("%.1f", store.seed_seconds), " s)");
    }
    info_.settings.push_back({"history_stores", sizes_text});
    info_.settings.push_back({"history_rounds", std::to_string(config_.history_rounds)});
    info_.settings.push_back({"patient_queries_per_round", std::to_string(config_.patient_queries)});
  }

  Config config_;
  RunInfo info_;
  std::string dir_;
  std::string tokens_file_;
  std::unique_ptr<CdsClient> cds_;
  std::vector<Figure> figures_;
  std::vector<std::string> errors_;
  double floor16_throughput_ = 0;
};

}  // namespace
}  // namespace scoliomassage::bench

int main(int argc, char** argv) {
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  scoliomassage::bench::Config config = scoliomassage::bench::ParseArgs(argc, argv);
  scoliomassage::bench::Bench bench(std::move(config), command);
  return bench.Run();
}
