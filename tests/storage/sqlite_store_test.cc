// What only the SQLite backend promises: group commit, the schema and its
// migrations, WAL reads beside a writer, append-only triggers, database URLs.
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "outcome_samples.h"
#include "storage/database_url.h"
#include "storage/migrations.h"
#include "storage/sqlite_store.h"
#include "storage/sqlite_writer.h"

namespace scoliomassage::storage::testing {
namespace {

class TempFolder {
 public:
  TempFolder() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            absl::StrCat("scoliomassage-sqlite-test-", random(), random());
    std::filesystem::create_directories(path_);
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A raw connection to inspect the file behind the store's back.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  int Exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    std::string result;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(statement, 0);
      if (text != nullptr) result = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(statement);
    return result;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::unique_ptr<SqliteStore> OpenAt(const std::string& path) {
  SqliteStoreOptions options;
  options.path = path;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(SqliteStoreTest, ConcurrentWritesShareCommits) {
  TempFolder folder;
  auto store = OpenAt(folder.File("x.db"));
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 32;
  constexpr int kPerThread = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!store->LogOutcome("c", NewRequestId(), SampleOutcome()).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  const WriterStats stats = store->writer_stats();
  EXPECT_EQ(stats.units, kThreads * kPerThread);
  EXPECT_LT(stats.commits, stats.units) << "concurrent writes should be group-committed";
}

// Drives the writer directly: a control unit holds the writer while units
// queue, so they are sure to land in one batch.
TEST(SqliteWriterTest, OneFailingUnitDoesNotSinkItsBatch) {
  TempFolder folder;
  SqliteConnection::Options options;
  options.path = folder.File("w.db");
  absl::StatusOr<std::unique_ptr<SqliteConnection>> db = SqliteConnection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (v INTEGER PRIMARY KEY)").ok());
  SqliteWriter writer(std::move(*db), 0);

  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  auto hold = std::async(std::launch::async, [&] {
    return writer.Control([&](SqliteConnection&) {
      holding.set_value();
      released.wait();
      return absl::OkStatus();
    });
  });
  holding.get_future().wait();

  std::vector<std::future<absl::Status>> results;
  for (int v = 1; v <= 5; ++v) {
    results.push_back(std::async(std::launch::async, [&writer, v] {
      return writer.Write([v](SqliteConnection& db, int64_t) -> absl::Status {
        absl::Status insert = db.Exec(absl::StrCat("INSERT INTO t VALUES (", v, ")"));
        if (!insert.ok()) return insert;
        // Unit 3 fails after writing: its row must be rolled back alone.
        if (v == 3) return absl::FailedPreconditionError("unit 3 refuses");
        return absl::OkStatus();
      });
    }));
  }
  // Let every writer call reach the queue before releasing the writer.
  for (int i = 0; i < 200 && writer.stats().units == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int64_t commits_before = writer.stats().commits;
  release.set_value();
  EXPECT_TRUE(hold.get().ok());
  for (int v = 1; v <= 5; ++v) {
    const absl::Status status = results[v - 1].get();
    if (v == 3) {
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    } else {
      EXPECT_TRUE(status.ok()) << v << ": " << status;
    }
  }
  EXPECT_EQ(writer.stats().commits - commits_before, 1) << "five units, one commit";
  std::string rows;
  writer.Control([&](SqliteConnection& db) {
    auto select = db.Prepare("SELECT group_concat(v, ',') FROM (SELECT v FROM t ORDER BY v)");
    if (select.ok() && select->Step().value_or(false)) rows = select->ColumnText(0);
    return absl::OkStatus();
  }).IgnoreError();
  EXPECT_EQ(rows, "1,2,4,5");
}

TEST(SqliteStoreTest, SchemaIsMigratedOnceAndUsesWal) {
  TempFolder folder;
  const std::string path = folder.File("m.db");
  { ASSERT_NE(OpenAt(path), nullptr); }
  { ASSERT_NE(OpenAt(path), nullptr); }  // reopening applies nothing twice
  RawDb raw(path);
  // Every embedded migration, once (versions need not be contiguous).
  std::vector<std::string> versions;
  for (const Migration& migration : SqliteMigrations()) {
    versions.push_back(std::to_string(migration.version));
  }
  EXPECT_EQ(raw.Text("SELECT group_concat(version) FROM (SELECT version FROM schema_migrations "
                     "ORDER BY version)"),
            absl::StrJoin(versions, ","));
  EXPECT_GE(versions.size(), 2u);
  EXPECT_EQ(raw.Text("PRAGMA journal_mode"), "wal");
  for (const char* index : {"outcome_revisions_patient", "outcome_revisions_therapist",
                            "outcome_revisions_protocol", "outcome_revisions_performed_at",
                            "outcome_revisions_history", "curve_revisions_patient"}) {
    EXPECT_EQ(raw.Text(absl::StrCat("SELECT name FROM sqlite_master WHERE name = '", index, "'")),
              index);
  }
  // Migration 8 dropped it: it cost every write and saved reads no range.
  EXPECT_EQ(raw.Text("SELECT count(*) FROM sqlite_master WHERE name = 'outcome_revisions_region'"),
            "0");
}

// A database written by a build before migration 2 gets the check-in's read
// model backfilled from its revisions.
TEST(SqliteStoreTest, ProgressOfAVersionOneDatabaseIsBackfilled) {
  TempFolder folder;
  std::string path = folder.File("v1.db");
  std::string name;
  {
    auto store = OpenAt(path);
    ASSERT_NE(store, nullptr);
    v1::Outcome first = SampleOutcome("patient-3");
    first.set_pain_before(7);
    v1::Outcome second = first;
    second.set_pain_before(5);
    second.mutable_performed_at()->set_seconds(first.performed_at().seconds() + 86400);
    ASSERT_TRUE(store->LogOutcome("c", NewRequestId(), first).ok());
    absl::StatusOr<v1::Outcome> stored = store->LogOutcome("c", NewRequestId(), second);
    ASSERT_TRUE(stored.ok());
    name = stored->name();
    second.set_pain_after(0);
    ASSERT_TRUE(store->AmendOutcome("c", NewRequestId(), name, second, "fix").ok());
  }
  // A version-1 database holding the same rows: migration 1's schema alone,
  // with the outcome and idempotency rows copied in (version 1's columns).
  const std::string v1_path = folder.File("v1-only.db");
  {
    RawDb raw(v1_path);
    const Migration& first = SqliteMigrations().front();
    ASSERT_EQ(first.version, 1);
    ASSERT_EQ(raw.Exec(std::string(first.sql)), SQLITE_OK);
    ASSERT_EQ(raw.Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT "
                       "NOT NULL, applied_at_us BIGINT NOT NULL); "
                       "INSERT INTO schema_migrations VALUES (1, 'initial', 0)"),
              SQLITE_OK);
    const std::string columns =
        "clinic_id, outcome_id, revision, first_create_time_us, create_time_us, request_id, "
        "patient_id, therapist_id, protocol_id, protocol_version, spine_region, session_number, "
        "minutes, pain_before, pain_after, adverse_event_count, performed_at_us, performed_month, "
        "amend_reason, outcome_proto";
    ASSERT_EQ(raw.Exec("ATTACH DATABASE '" + path + "' AS newer; "
                       "INSERT INTO outcome_revisions (" + columns + ") SELECT " + columns +
                       " FROM newer.outcome_revisions; "
                       "INSERT INTO idempotency_keys SELECT * FROM newer.idempotency_keys; "
                       "DETACH DATABASE newer"),
              SQLITE_OK);
  }
  path = v1_path;
  auto store = OpenAt(path);
  ASSERT_NE(store, nullptr);
  absl::StatusOr<PatientProgress> progress = store->GetPatientProgress("c", "patient-3");
  ASSERT_TRUE(progress.ok()) << progress.status();
  EXPECT_EQ(progress->sessions_logged, 2);
  ASSERT_TRUE(progress->last_outcome.has_value());
  EXPECT_EQ(progress->last_outcome->name(), name);
  EXPECT_EQ(progress->last_outcome->revision(), 2);
  EXPECT_EQ(progress->first_pain_before, 7);
}

TEST(SqliteStoreTest, RefusesADatabaseFromANewerBuild) {
  TempFolder folder;
  const std::string path = folder.File("n.db");
  { ASSERT_NE(OpenAt(path), nullptr); }
  {
    RawDb raw(path);
    ASSERT_EQ(raw.Exec("INSERT INTO schema_migrations VALUES (999, 'future', 0)"), SQLITE_OK);
  }
  SqliteStoreOptions options;
  options.path = path;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SqliteStoreTest, OutcomeRowsCannotBeUpdatedOrDeleted) {
  TempFolder folder;
  const std::string path = folder.File("a.db");
  auto store = OpenAt(path);
  ASSERT_TRUE(store->LogOutcome("c", NewRequestId(), SampleOutcome()).ok());
  RawDb raw(path);
  EXPECT_NE(raw.Exec("UPDATE outcome_revisions SET pain_after = 0"), SQLITE_OK);
  EXPECT_NE(raw.Exec("DELETE FROM outcome_revisions"), SQLITE_OK);
  EXPECT_EQ(raw.Text("SELECT count(*) FROM outcome_revisions"), "1");
}

TEST(SqliteStoreTest, ReadsDoNotWaitForAnOpenWriteTransaction) {
  TempFolder folder;
  const std::string path = folder.File("r.db");
  auto store = OpenAt(path);
  absl::StatusOr<v1::Outcome> stored = store->LogOutcome("c", NewRequestId(), SampleOutcome());
  ASSERT_TRUE(stored.ok());
  RawDb other_writer(path);
  ASSERT_EQ(other_writer.Exec("BEGIN IMMEDIATE; INSERT INTO audit_records VALUES "
                              "('c', 99, 0, 'p', 'r', 'm', 's', 0)"),
            SQLITE_OK);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(store->GetOutcome("c", stored->name(), 0).ok());
  EXPECT_TRUE(store->ScanHistory("c", {}, false, "", 10).ok());
  EXPECT_TRUE(store->Summarize("c", {}, {v1::GROUP_BY_PROTOCOL}).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  other_writer.Exec("ROLLBACK");
}

TEST(SqliteStoreTest, WriterBlockedByAnotherProcessReportsUnavailable) {
  TempFolder folder;
  const std::string path = folder.File("b.db");
  SqliteStoreOptions options;
  options.path = path;
  options.busy_timeout_ms = 50;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok());
  RawDb other_writer(path);
  ASSERT_EQ(other_writer.Exec("BEGIN IMMEDIATE"), SQLITE_OK);
  absl::StatusOr<v1::Outcome> blocked = (*store)->LogOutcome("c", NewRequestId(), SampleOutcome());
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kUnavailable);
  other_writer.Exec("ROLLBACK");
  EXPECT_TRUE((*store)->LogOutcome("c", NewRequestId(), SampleOutcome()).ok());
}

TEST(DatabaseUrlTest, ParsesSqliteAndPostgresUrls) {
  auto absolute = ParseDatabaseUrl("sqlite:///srv/x.db");
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->sqlite_path, "/srv/x.db");
  EXPECT_EQ(absolute->sqlite_synchronous, "FULL");
  auto relative = ParseDatabaseUrl("sqlite://var/x.db?synchronous=normal");
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(relative->sqlite_path, "var/x.db");
  EXPECT_EQ(relative->sqlite_synchronous, "NORMAL");
  auto bare = ParseDatabaseUrl("data/outcomes.db");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->backend, DatabaseUrl::Backend::kSqlite);
  EXPECT_EQ(bare->sqlite_path, "data/outcomes.db");
  auto postgres = ParseDatabaseUrl("postgresql://u@h:5432/db");
  ASSERT_TRUE(postgres.ok());
  EXPECT_EQ(postgres->backend, DatabaseUrl::Backend::kPostgres);
  EXPECT_EQ(ParseDatabaseUrl("postgres://h/db")->backend, DatabaseUrl::Backend::kPostgres);

  for (const char* bad : {"", "sqlite://", "sqlite://x.db?synchronous=OFF",
                                "sqlite://x.db?cache=big", "mysql://h/db", "sqlite://:memory:"}) {
    EXPECT_EQ(ParseDatabaseUrl(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(OpenStoreTest, CreatesFoldersAndReportsAnUnreachablePostgresAsUnavailable) {
  TempFolder folder;
  const std::string path = folder.File("deep/er/outcomes.db");
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(absl::StrCat("sqlite://", path));
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE((*store)->LogOutcome("c", NewRequestId(), SampleOutcome()).ok());

  absl::StatusOr<std::unique_ptr<Store>> postgres = OpenStore("postgresql://u@127.0.0.1:1/db");
  EXPECT_EQ(postgres.status().code(), absl::StatusCode::kUnavailable) << postgres.status();
  EXPECT_THAT(std::string(postgres.status().message()), ::testing::HasSubstr("127.0.0.1"));
}

}  // namespace
}  // namespace scoliomassage::storage::testing
