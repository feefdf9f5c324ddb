#include "storage/sqlite_writer.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "observability/metrics.h"
#include "core/errors.h"
#include "storage/outcome_ids.h"

namespace scoliomassage::storage {

SqliteWriter::SqliteWriter(std::unique_ptr<SqliteConnection> db, int64_t last_time_us,
                           int max_batch)
    : db_(std::move(db)), max_batch_(std::max(1, max_batch)), last_time_us_(last_time_us) {
  thread_ = std::thread([this] { Loop(); });
}

SqliteWriter::~SqliteWriter() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

absl::Status SqliteWriter::Enqueue(std::unique_ptr<Unit> unit) {
  std::future<absl::Status> done = unit->done.get_future();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) {
      return core::WithReason(absl::UnavailableError("the store is shutting down"),
                              kReasonStoreUnavailable);
    }
    queue_.push_back(std::move(unit));
  }
  wake_.notify_one();
  return done.get();
}

absl::Status SqliteWriter::Write(Work work) {
  auto unit = std::make_unique<Unit>();
  unit->work = std::move(work);
  return Enqueue(std::move(unit));
}

absl::Status SqliteWriter::Control(std::function<absl::Status(SqliteConnection&)> work) {
  auto unit = std::make_unique<Unit>();
  unit->control = std::move(work);
  return Enqueue(std::move(unit));
}

WriterStats SqliteWriter::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

int64_t SqliteWriter::NextTime() {
  last_time_us_ = std::max(NowMicros(), last_time_us_ + 1);
  return last_time_us_;
}

void SqliteWriter::Loop() {
  for (;;) {
    std::vector<std::unique_ptr<Unit>> taken;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      // A control unit runs alone; a batch stops before the next control.
      if (queue_.front()->control) {
        taken.push_back(std::move(queue_.front()));
        queue_.pop_front();
      } else {
        while (!queue_.empty() && !queue_.front()->control &&
               static_cast<int>(taken.size()) < max_batch_) {
          taken.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
    }
    if (taken.front()->control) {
      Unit& unit = *taken.front();
      try {
        unit.result = unit.control(*db_);
      } catch (const std::exception& error) {
        unit.result = absl::InternalError(absl::StrCat("store control failed: ", error.what()));
      }
    } else {
      std::vector<Unit*> batch;
      for (auto& unit : taken) batch.push_back(unit.get());
      observability::RecordCommitBatch(batch.size());
      RunBatch(batch);
    }
    for (auto& unit : taken) unit->done.set_value(unit->result);
  }
}

absl::Status SqliteWriter::RunUnit(Unit& unit) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.units;
  }
  try {
    return unit.work(*db_, NextTime());
  } catch (const std::exception& error) {
    return absl::InternalError(absl::StrCat("store write failed: ", error.what()));
  }
}

void SqliteWriter::RunBatch(const std::vector<Unit*>& batch) {
  if (batch.empty()) return;
  if (absl::Status begin = db_->Exec("BEGIN IMMEDIATE"); !begin.ok()) {
    for (Unit* unit : batch) unit->result = begin;
    return;
  }
  std::vector<Unit*> succeeded;
  for (size_t i = 0; i < batch.size(); ++i) {
    Unit& unit = *batch[i];
    absl::Status status = db_->Exec("SAVEPOINT unit");
    if (status.ok()) status = RunUnit(unit);
    if (status.ok()) status = db_->Exec("RELEASE unit");
    if (status.ok()) {
      succeeded.push_back(&unit);
      continue;
    }
    unit.result = status;
    if (db_->InTransaction()) {
      // Undo this unit only; the others keep their work.
      absl::Status undo = db_->Exec("ROLLBACK TO unit; RELEASE unit");
      if (undo.ok()) continue;
      db_->Exec("ROLLBACK").IgnoreError();
    }
    // SQLite rolled back the whole transaction (SQLITE_FULL, IOERR, BUSY):
    // the earlier units' work is gone. Replay them and the rest in a new
    // transaction, without this unit. Each pass settles at least one unit.
    std::vector<Unit*> replay(succeeded);
    replay.insert(replay.end(), batch.begin() + i + 1, batch.end());
    RunBatch(replay);
    return;
  }
  absl::Status commit = db_->Exec("COMMIT");
  if (commit.ok()) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.commits;
    for (Unit* unit : succeeded) unit->result = absl::OkStatus();
    return;
  }
  if (db_->InTransaction()) db_->Exec("ROLLBACK").IgnoreError();
  if (succeeded.size() > 1) {
    // The batch as a whole could not commit (e.g. the disk filled up). Give
    // each unit its own chance so that one large unit does not sink the rest.
    for (Unit* unit : succeeded) RunBatch({unit});
    return;
  }
  for (Unit* unit : succeeded) unit->result = commit;
}

}  // namespace scoliomassage::storage
