#include "admin/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "scoliomassage/v1/protocol.pb.h"
#include "storage/migrations.h"

namespace scoliomassage::admin {
namespace {

// Pages copied per backup step: 1024 pages of 4 KiB, so a large store is
// copied in many short steps rather than one long one.
constexpr int kPagesPerStep = 1024;
// Problems listed by name before the rest are only counted.
constexpr int kMaxListedProblems = 20;

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, SqliteCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

absl::Status SqliteError(sqlite3* db, absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat(what, ": ", db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

absl::StatusOr<Db> OpenDb(const std::string& path, int flags, absl::string_view what) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return SqliteError(raw, absl::StrCat("cannot open ", what, " ", path));
  sqlite3_extended_result_codes(raw, 1);
  // The server's writer may hold its lock for a group commit: wait for it.
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

absl::Status Exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    absl::Status status = absl::FailedPreconditionError(
        absl::StrCat(sql, ": ", message != nullptr ? message : sqlite3_errmsg(db)));
    sqlite3_free(message);
    return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<Statement> Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return SqliteError(db, sql);
  }
  return Statement(raw);
}

absl::StatusOr<int64_t> QueryInt(sqlite3* db, const std::string& sql) {
  absl::StatusOr<Statement> statement = Prepare(db, sql);
  if (!statement.ok()) return statement.status();
  const int rc = sqlite3_step(statement->get());
  if (rc != SQLITE_ROW) return SqliteError(db, sql);
  return sqlite3_column_int64(statement->get(), 0);
}

absl::StatusOr<StoreFacts> ReadFacts(sqlite3* db) {
  StoreFacts facts;
  struct Count {
    int64_t* into;
    const char* sql;
  };
  const Count counts[] = {
      {&facts.schema_version, "SELECT coalesce(max(version), 0) FROM schema_migrations"},
      {&facts.outcome_revisions, "SELECT count(*) FROM outcome_revisions"},
      {&facts.outcomes, "SELECT count(*) FROM (SELECT DISTINCT clinic_id, outcome_id FROM outcome_revisions)"},
      {&facts.recommendations, "SELECT count(*) FROM recommendations"},
      {&facts.audit_records, "SELECT count(*) FROM audit_records"},
      {&facts.idempotency_keys, "SELECT count(*) FROM idempotency_keys"},
  };
  for (const Count& count : counts) {
    absl::StatusOr<int64_t> value = QueryInt(db, count.sql);
    if (!value.ok()) return value.status();
    *count.into = *value;
  }
  return facts;
}

absl::Status SyncPath(const std::string& path, int open_flags) {
  const int fd = ::open(path.c_str(), open_flags | O_CLOEXEC);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) return absl::UnavailableError(absl::StrCat("fsync ", path, ": ", std::strerror(error)));
  return absl::OkStatus();
}

void RemoveQuietly(const std::string& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix, ignored);
  }
}

// Copies one snapshot of `source` into `target` in steps.
absl::Status CopySnapshot(sqlite3* source, sqlite3* target) {
  sqlite3_backup* backup = sqlite3_backup_init(target, "main", source, "main");
  if (backup == nullptr) return SqliteError(target, "cannot start the backup");
  int rc = SQLITE_OK;
  while (true) {
    rc = sqlite3_backup_step(backup, kPagesPerStep);
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_OK) continue;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    break;
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return absl::FailedPreconditionError(absl::StrCat("backup failed: ", sqlite3_errstr(rc)));
  }
  return absl::OkStatus();
}

}  // namespace

int64_t ExpectedSchemaVersion() { return storage::SqliteMigrations().back().version; }

absl::StatusOr<StoreFacts> BackupSqlite(const std::string& source_path,
                                        const std::string& target_path) {
  absl::StatusOr<Db> source = OpenDb(source_path, SQLITE_OPEN_READONLY, "the store");
  if (!source.ok()) return source.status();
  // One read transaction across every step: each step then copies pages of
  // the same snapshot, so the copy is consistent and a write by the server
  // does not restart the backup (in WAL mode the snapshot never blocks the
  // server's writer).
  if (absl::Status status = Exec(source->get(), "BEGIN"); !status.ok()) return status;
  absl::StatusOr<int64_t> source_version =
      QueryInt(source->get(), "SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!source_version.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        source_path, " is not a scoliomassage store (", source_version.status().message(), ")"));
  }

  const std::string temporary = target_path + ".tmp";
  RemoveQuietly(temporary);
  absl::StatusOr<StoreFacts> facts;
  {
    absl::StatusOr<Db> target =
        OpenDb(temporary, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "the backup file");
    if (!target.ok()) return target.status();
    absl::Status copied = CopySnapshot(source->get(), target->get());
    // A copy of a WAL store is marked WAL; a backup is one file that needs no
    // -wal or -shm beside it, so switch it back to a rollback journal.
    if (copied.ok()) copied = Exec(target->get(), "PRAGMA journal_mode=DELETE");
    if (copied.ok()) facts = ReadFacts(target->get());
    if (!copied.ok() || !facts.ok()) {
      target->reset();
      RemoveQuietly(temporary);
      return copied.ok() ? facts.status() : copied;
    }
  }
  (void)Exec(source->get(), "COMMIT");

  std::error_code error;
  facts->file_bytes = static_cast<int64_t>(std::filesystem::file_size(temporary, error));
  absl::Status synced = SyncPath(temporary, O_RDONLY);
  if (synced.ok() && std::rename(temporary.c_str(), target_path.c_str()) != 0) {
    synced = absl::UnavailableError(absl::StrCat("cannot rename ", temporary, " to ", target_path,
                                                 ": ", std::strerror(errno)));
  }
  if (!synced.ok()) {
    RemoveQuietly(temporary);
    return synced;
  }
  // The rename is durable only once the folder's entry is on disk.
  std::string folder = std::filesystem::path(target_path).parent_path().string();
  if (folder.empty()) folder = ".";
  if (absl::Status status = SyncPath(folder, O_RDONLY | O_DIRECTORY); !status.ok()) return status;
  return facts;
}

absl::StatusOr<StoreFacts> VerifySqlite(const std::string& path, std::vector<std::string>* problems) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat(path, " is not a file"));
  }
  // mode=ro through a URI: nothing is created or changed beside the file.
  std::string uri = "file:";
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      absl::StrAppend(&uri, "%", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      uri.push_back(c);
    }
  }
  absl::StatusOr<Db> db = OpenDb(uri + "?mode=ro", SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, "the file");
  if (!db.ok()) return db.status();

  StoreFacts facts;
  facts.file_bytes = static_cast<int64_t>(std::filesystem::file_size(path, error));
  // integrity_check answers "ok", or one row per problem (up to its limit).
  absl::StatusOr<Statement> integrity = Prepare(db->get(), "PRAGMA integrity_check(100)");
  if (!integrity.ok()) {
    problems->push_back(absl::StrCat("not a readable SQLite database: ", integrity.status().message()));
    return facts;
  }
  int rc;
  while ((rc = sqlite3_step(integrity->get())) == SQLITE_ROW) {
    const char* text = reinterpret_cast<const char*>(sqlite3_column_text(integrity->get(), 0));
    if (text != nullptr && std::strcmp(text, "ok") != 0) {
      problems->push_back(absl::StrCat("integrity_check: ", text));
    }
  }
  if (rc != SQLITE_DONE) {
    problems->push_back(absl::StrCat("integrity_check failed: ", sqlite3_errmsg(db->get())));
    return facts;
  }

  absl::StatusOr<Statement> foreign_keys = Prepare(db->get(), "PRAGMA foreign_key_check");
  if (foreign_keys.ok()) {
    int64_t violations = 0;
    while (sqlite3_step(foreign_keys->get()) == SQLITE_ROW) {
      if (++violations <= kMaxListedProblems) {
        const char* table = reinterpret_cast<const char*>(sqlite3_column_text(foreign_keys->get(), 0));
        const char* parent = reinterpret_cast<const char*>(sqlite3_column_text(foreign_keys->get(), 2));
        problems->push_back(absl::StrCat("foreign_key_check: a row of ", table ? table : "?",
                                         " (rowid ", sqlite3_column_int64(foreign_keys->get(), 1),
                                         ") refers to a missing row of ", parent ? parent : "?"));
      }
    }
    if (violations > kMaxListedProblems) {
      problems->push_back(absl::StrCat("foreign_key_check: ", violations - kMaxListedProblems,
                                       " more violations"));
    }
  } else {
    problems->push_back(std::string(foreign_keys.status().message()));
  }

  absl::StatusOr<StoreFacts> read = ReadFacts(db->get());
  if (!read.ok()) {
    problems->push_back(absl::StrCat("not a scoliomassage store: ", read.status().message()));
    return facts;
  }
  read->file_bytes = facts.file_bytes;
  facts = *read;
  const int64_t expected = ExpectedSchemaVersion();
  if (facts.schema_version > expected) {
    problems->push_back(absl::StrCat("schema version ", facts.schema_version,
                                     " is newer than this build's ", expected,
                                     ": restore it only with the release that wrote it"));
  } else if (facts.schema_version < expected) {
    problems->push_back(absl::StrCat("schema version ", facts.schema_version, " is older than ",
                                     expected, ", the version this build's server expects"));
  }

  // The clinical record itself: every stored outcome and recommendation must
  // decode, which catches damage inside values that the page checks above
  // cannot see.
  struct Blobs {
    const char* sql;
    const char* what;
    const google::protobuf::Message* prototype;
  };
  const Blobs blobs[] = {
      {"SELECT clinic_id, outcome_id || ' revision ' || revision, outcome_proto FROM outcome_revisions",
       "outcome", &v1::Outcome::default_instance()},
      {"SELECT clinic_id, recommendation_id, response_proto FROM recommendations", "recommendation",
       &v1::RecommendProtocolResponse::default_instance()},
  };
  for (const Blobs& blob : blobs) {
    absl::StatusOr<Statement> rows = Prepare(db->get(), blob.sql);
    if (!rows.ok()) {
      problems->push_back(std::string(rows.status().message()));
      continue;
    }
    std::unique_ptr<google::protobuf::Message> message(blob.prototype->New());
    int64_t bad = 0;
    while ((rc = sqlite3_step(rows->get())) == SQLITE_ROW) {
      const void* bytes = sqlite3_column_blob(rows->get(), 2);
      const int size = sqlite3_column_bytes(rows->get(), 2);
      if (message->ParseFromArray(bytes, size)) continue;
      if (++bad <= kMaxListedProblems) {
        problems->push_back(absl::StrCat(
            blob.what, " ", reinterpret_cast<const char*>(sqlite3_column_text(rows->get(), 1)),
            " of clinic ", reinterpret_cast<const char*>(sqlite3_column_text(rows->get(), 0)),
            " does not decode"));
      }
    }
    if (bad > kMaxListedProblems) {
      problems->push_back(absl::StrCat(bad - kMaxListedProblems, " more ", blob.what, "s do not decode"));
    }
    if (rc != SQLITE_DONE) {
      problems->push_back(absl::StrCat("reading ", blob.what, "s failed: ", sqlite3_errmsg(db->get())));
    }
  }
  return facts;
}

}  // namespace scoliomassage::admin
