#include "http/bulk_export.h"

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/random_id.h"
#include "base/time.h"
#include "core/errors.h"
#include "http/fhir_resources.h"
#include "http/record_observations.h"
#include "observability/log.h"

namespace scoliomassage::http {

namespace fs = std::filesystem;
using nlohmann::json;
using observability::Log;
using observability::LogLevel;

namespace {

struct Job {
  std::string id;
  auth::Caller caller;
  ExportParams params;
  std::string request_url;
  absl::Time transaction_time;
  std::string dir;
  std::atomic<bool> cancelled{false};
  // Guarded by Impl::mu.
  enum class State { kQueued, kRunning, kDone, kFailed } state = State::kQueued;
  int64_t scanned = 0;
  int64_t total = -1;  // sessions to scan; -1 until counted
  std::vector<std::pair<std::string, int64_t>> counts;  // type, resources written
  absl::Status error;
  absl::Time finished;
};

bool IsJobFolderName(const std::string& name) {
  if (name.size() != 32) return false;
  for (char c : name) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void RemoveFolder(const std::string& dir) {
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

absl::Status NoSuchJob() {
  return core::WithReason(
      absl::NotFoundError("no such export job (finished jobs expire; a restart forgets them)"),
      "NOT_FOUND");
}

}  // namespace

struct BulkExporter::Impl {
  Impl(const FhirRoutesOptions& o, const HttpApp& a) : options(o), app(a) {}

  const FhirRoutesOptions options;
  const HttpApp& app;
  std::string root;
  bool own_root = false;

  mutable absl::Mutex mu;
  absl::CondVar wake;
  std::string public_url;
  std::map<std::string, std::shared_ptr<Job>> jobs;
  std::deque<std::shared_ptr<Job>> queue;
  bool stopping = false;
  std::vector<std::thread> threads;

  // Under mu: the job if it exists, belongs to `caller` and has not expired.
  std::shared_ptr<Job> Find(const auth::Caller& caller, const std::string& id) const {
    auto it = jobs.find(id);
    if (it == jobs.end()) return nullptr;
    const Job& job = *it->second;
    if (job.caller.clinic_id != caller.clinic_id || job.caller.principal != caller.principal) return nullptr;
    if (Expired(job, absl::Now())) return nullptr;
    return it->second;
  }
  bool Expired(const Job& job, absl::Time now) const {
    const bool finished = job.state == Job::State::kDone || job.state == Job::State::kFailed;
    return finished && now >= job.finished + options.export_expiry;
  }

  void Worker();
  void Janitor();
  absl::Status Run(Job& job);
};

void BulkExporter::Impl::Worker() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      absl::MutexLock lock(&mu);
      while (!stopping && queue.empty()) wake.Wait(&mu);
      if (stopping) return;
      job = queue.front();
      queue.pop_front();
      if (job->cancelled) continue;
      job->state = Job::State::kRunning;
    }
    absl::Status status;
    try {
      status = Run(*job);
    } catch (const std::exception& error) {  // never let one job end the process
      status = absl::InternalError(absl::StrCat("export failed: ", error.what()));
    }
    absl::MutexLock lock(&mu);
    job->finished = absl::Now();
    if (job->cancelled) {
      RemoveFolder(job->dir);  // Cancel left it to us: we were writing into it
      continue;
    }
    job->state = status.ok() ? Job::State::kDone : Job::State::kFailed;
    job->error = status;
    if (!status.ok()) {
      RemoveFolder(job->dir);
      Log(LogLevel::kWarning, "export job failed", {{"clinic", job->caller.clinic_id},
                                                    {"error", std::string(status.message())}});
    }
  }
}

absl::Status BulkExporter::Impl::Run(Job& job) {
  std::error_code error;
  fs::create_directories(job.dir, error);
  if (error) return absl::InternalError("cannot create the export folder");
  fs::permissions(job.dir, fs::perms::owner_all, error);
  const FhirView view = job.caller.role == auth::Role::kAnalytics ? FhirView::kAnalytics : FhirView::kClinical;

  v1::SummarizeOutcomesRequest summary;
  // Only the progress line's denominator: the job streams every session to
  // this caller anyway, so the count is not held back by the small-group
  // rule that hides analytics summaries (app/summary_privacy.h).
  auth::Caller counting = job.caller;
  if (counting.role == auth::Role::kAnalytics) counting.role = auth::Role::kAdmin;
  auto groups = app.history->Summarize(counting, summary);
  if (!groups.ok()) return groups.status();
  int64_t total = 0;
  for (const auto& group : groups->groups()) total += group.session_count();
  {
    absl::MutexLock lock(&mu);
    job.total = total;
  }

  std::vector<std::ofstream> files;
  std::vector<int64_t> counts(job.params.types.size(), 0);
  for (const std::string& type : job.params.types) {
    files.emplace_back(job.dir + "/" + type + ".ndjson", std::ios::binary | std::ios::trunc);
    if (!files.back()) return absl::InternalError("cannot create an export file");
  }
  v1::QueryHistoryRequest query;  // the whole clinic, latest revisions
  std::string token;
  std::vector<json> resources;
  // Curve and questionnaire Observations are read per patient (app/ lists
  // them per patient), for the patients the sessions name; clinical view
  // only (analytics callers may list neither).
  const auto observation_file = std::find(job.params.types.begin(), job.params.types.end(), "Observation");
  const bool with_record = view == FhirView::kClinical && observation_file != job.params.types.end();
  std::set<std::string> patients;
  for (;;) {
    if (job.cancelled) return absl::CancelledError("export cancelled");
    auto page = app.history->NextPage(job.caller, query, token);
    if (!page.ok()) return page.status();
    for (const auto& record : page->records) {
      const v1::Outcome& outcome = record.outcome();
      if (with_record && !outcome.patient_id().empty()) patients.insert(outcome.patient_id());
      const absl::Time updated = base::TimestampToTime(outcome.create_time());
      // Nothing stored after transactionTime (the IG), nothing before _since.
      if (updated > job.transaction_time) continue;
      if (job.params.since && updated < *job.params.since) continue;
      for (size_t i = 0; i < job.params.types.size(); ++i) {
        resources.clear();
        ResourcesOfType(job.params.types[i], outcome, view, &resources);
        for (const json& resource : resources) {
          files[i] << resource.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
          ++counts[i];
        }
      }
    }
    {
      absl::MutexLock lock(&mu);
      job.scanned += static_cast<int64_t>(page->records.size());
    }
    if (page->done || page->records.empty()) break;
    token = page->records.back().resume_token();
  }
  if (with_record) {
    const size_t i = static_cast<size_t>(observation_file - job.params.types.begin());
    // Nothing stored after transactionTime, nothing before _since (by when it was stored).
    auto keep = [&job](absl::Time, absl::Time updated) {
      return updated <= job.transaction_time && (!job.params.since || updated >= *job.params.since);
    };
    for (const std::string& patient : patients) {
      if (job.cancelled) return absl::CancelledError("export cancelled");
      auto observations = RecordObservations(app, job.caller, patient, view, keep);
      if (!observations.ok()) return observations.status();
      for (const json& observation : *observations) {
        files[i] << observation.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
        ++counts[i];
      }
    }
  }
  std::vector<std::pair<std::string, int64_t>> written;
  for (size_t i = 0; i < files.size(); ++i) {
    files[i].close();
    if (files[i].fail()) {
      return core::WithReason(absl::ResourceExhaustedError("cannot write the export files (disk full?)"),
                              "EXPORT_WRITE_FAILED");
    }
    const std::string path = job.dir + "/" + job.params.types[i] + ".ndjson";
    if (counts[i] == 0) {
      fs::remove(path, error);  // the IG: no file for a type without resources
    } else {
      written.emplace_back(job.params.types[i], counts[i]);
    }
  }
  absl::MutexLock lock(&mu);
  job.counts = std::move(written);
  return absl::OkStatus();
}

void BulkExporter::Impl::Janitor() {
  absl::MutexLock lock(&mu);
  const absl::Duration tick = std::min(absl::Seconds(1), options.export_expiry);
  while (!stopping) {
    wake.WaitWithTimeout(&mu, tick);
    const absl::Time now = absl::Now();
    for (auto it = jobs.begin(); it != jobs.end();) {
      if (Expired(*it->second, now)) {
        RemoveFolder(it->second->dir);
        it = jobs.erase(it);
      } else {
        ++it;
      }
    }
  }
}

absl::StatusOr<std::unique_ptr<BulkExporter>> BulkExporter::Create(const FhirRoutesOptions& options,
                                                                   const HttpApp& app) {
  if (options.max_export_jobs < 1) return absl::InvalidArgumentError("--max_export_jobs must be at least 1");
  if (options.export_expiry <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--export_expiry_seconds must be positive");
  }
  auto impl = std::make_unique<Impl>(options, app);
  std::error_code error;
  if (options.export_dir.empty()) {
    std::string pattern = (fs::temp_directory_path(error) / "scoliomassage-export-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return absl::FailedPreconditionError("cannot create a temporary folder for FHIR exports");
    }
    impl->root = pattern;
    impl->own_root = true;
  } else {
    impl->root = options.export_dir;
    fs::create_directories(impl->root, error);
    if (error || !fs::is_directory(impl->root)) {
      return absl::FailedPreconditionError(absl::StrCat("--export_dir=", options.export_dir, " is not a usable folder"));
    }
    // Jobs do not survive a restart, so their old files are deleted.
    for (const auto& entry : fs::directory_iterator(impl->root, error)) {
      if (entry.is_directory() && IsJobFolderName(entry.path().filename().string())) RemoveFolder(entry.path());
    }
  }
  fs::permissions(impl->root, fs::perms::owner_all, error);
  Impl* raw = impl.get();
  for (int i = 0; i < options.max_export_jobs; ++i) raw->threads.emplace_back([raw] { raw->Worker(); });
  raw->threads.emplace_back([raw] { raw->Janitor(); });
  return std::unique_ptr<BulkExporter>(new BulkExporter(std::move(impl)));
}

BulkExporter::BulkExporter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

BulkExporter::~BulkExporter() {
  {
    absl::MutexLock lock(&impl_->mu);
    impl_->stopping = true;
    for (auto& [id, job] : impl_->jobs) job->cancelled = true;
    impl_->wake.SignalAll();
  }
  for (auto& thread : impl_->threads) thread.join();
  for (auto& [id, job] : impl_->jobs) RemoveFolder(job->dir);
  if (impl_->own_root) RemoveFolder(impl_->root);
}

void BulkExporter::SetPublicUrl(const std::string& public_url) {
  absl::MutexLock lock(&impl_->mu);
  impl_->public_url = public_url;
}

absl::StatusOr<std::string> BulkExporter::Start(const auth::Caller& caller, const ExportParams& params,
                                                const std::string& request_url) {
  auto id = base::RandomHexId();
  if (!id.ok()) return id.status();
  absl::MutexLock lock(&impl_->mu);
  // A job counts from kick-off until its client DELETEs it or its files
  // expire, so the disk held by exports is bounded too, not only the threads.
  int active = 0;
  const absl::Time now = absl::Now();
  for (const auto& [other_id, job] : impl_->jobs) {
    // A failed job holds no files; its status still answers the error.
    if (impl_->Expired(*job, now) || job->state == Job::State::kFailed) continue;
    ++active;
    if (job->caller.clinic_id == caller.clinic_id) {
      return core::WithReason(
          absl::ResourceExhaustedError("this clinic already has an export; poll it and DELETE it when its "
                                       "files are downloaded (or wait for them to expire)"),
          "EXPORT_ALREADY_RUNNING");
    }
  }
  if (active >= impl_->options.max_export_jobs) {
    return core::WithReason(absl::ResourceExhaustedError("the server is running its maximum of export jobs"),
                            "EXPORT_LIMIT");
  }
  auto job = std::make_shared<Job>();
  job->id = *id;
  job->caller = caller;
  job->params = params;
  job->request_url = request_url;
  job->transaction_time = absl::Now();
  job->dir = impl_->root + "/" + *id;
  impl_->jobs[*id] = job;
  impl_->queue.push_back(job);
  impl_->wake.SignalAll();
  return *id;
}

absl::StatusOr<ExportJobStatus> BulkExporter::Get(const auth::Caller& caller, const std::string& id) const {
  absl::MutexLock lock(&impl_->mu);
  std::shared_ptr<Job> job = impl_->Find(caller, id);
  if (!job) return NoSuchJob();
  ExportJobStatus status;
  switch (job->state) {
    case Job::State::kQueued:
      status.progress = "queued";
      return status;
    case Job::State::kRunning: {
      if (job->total < 0) {
        status.progress = "counting sessions";
        return status;
      }
      const int64_t percent = job->total > 0 ? std::min<int64_t>(99, job->scanned * 100 / job->total) : 0;
      status.progress = absl::StrCat(percent, "% (", job->scanned, " of ", job->total, " sessions)");
      return status;
    }
    case Job::State::kFailed:
      return job->error;
    case Job::State::kDone:
      break;
  }
  status.done = true;
  json output = json::array();
  for (const auto& [type, count] : job->counts) {
    output.push_back({{"type", type},
                      {"url", absl::StrCat(impl_->public_url, "/fhir/$export-files/", job->id, "/", type, ".ndjson")},
                      {"count", count}});
  }
  status.manifest = {{"transactionTime", FhirDateTime(job->transaction_time)},
                     {"request", job->request_url},
                     {"requiresAccessToken", true},
                     {"output", output},
                     {"error", json::array()}};
  return status;
}

absl::Status BulkExporter::Cancel(const auth::Caller& caller, const std::string& id) {
  absl::MutexLock lock(&impl_->mu);
  std::shared_ptr<Job> job = impl_->Find(caller, id);
  if (!job) return NoSuchJob();
  job->cancelled = true;
  impl_->jobs.erase(id);
  // A running job's worker deletes its folder when it stops (it may still be
  // writing); otherwise it goes now.
  if (job->state != Job::State::kRunning) RemoveFolder(job->dir);
  return absl::OkStatus();
}

absl::StatusOr<std::string> BulkExporter::FilePath(const auth::Caller& caller, const std::string& id,
                                                   const std::string& file) const {
  absl::MutexLock lock(&impl_->mu);
  std::shared_ptr<Job> job = impl_->Find(caller, id);
  if (!job || job->state != Job::State::kDone) return NoSuchJob();
  for (const auto& [type, count] : job->counts) {
    if (file == type + ".ndjson") return job->dir + "/" + file;
  }
  return core::WithReason(absl::NotFoundError("this export has no such file"), "NOT_FOUND");
}

}  // namespace scoliomassage::http
