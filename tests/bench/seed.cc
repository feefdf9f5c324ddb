#include "seed.h"

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "storage/outcome_ids.h"
#include "storage/outcome_rows.h"

namespace scoliomassage::bench {
namespace {

// Same columns as storage::OutcomeRows::InsertRevision, kept in sync by hand: the
// seed must produce rows the server cannot tell from its own.
constexpr char kInsertOutcome[] =
    "INSERT INTO outcome_revisions (clinic_id, outcome_id, revision, first_create_time_us, "
    "create_time_us, request_id, patient_id, therapist_id, protocol_id, protocol_version, "
    "spine_region, session_number, minutes, pain_before, pain_after, adverse_event_count, "
    "performed_at_us, performed_month, amend_reason, outcome_proto) VALUES "
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";

[[noreturn]] void Fail(sqlite3* db, const std::string& what) {
  std::fprintf(stderr, "scoliomassage-bench: %s: %s\n", what.c_str(),
               db != nullptr ? sqlite3_errmsg(db) : "");
  std::exit(2);
}

void Exec(sqlite3* db, const std::string& sql) {
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) Fail(db, sql);
}

sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) Fail(db, sql);
  return statement;
}

// splitmix64: fast, deterministic ids for the seed.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void BindText(sqlite3_stmt* statement, int index, const std::string& text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
}

struct ProtocolChoice {
  const char* id;
  v1::SpineRegion region;
};
constexpr ProtocolChoice kProtocols[] = {
    {"lumbar-c-curve", v1::SPINE_REGION_LUMBAR},
    {"thoracic-s-curve", v1::SPINE_REGION_THORACIC},
    {"thoracolumbar-c-curve", v1::SPINE_REGION_THORACOLUMBAR},
    {"cervical-c-curve", v1::SPINE_REGION_CERVICAL},
};

}  // namespace

std::string SeededPatient(int64_t index) { return absl::StrCat("bench-patient-", index); }

double SeedOutcomes(const std::string& path, int64_t rows) {
  const auto started = absl::Now();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    Fail(db, "open " + path);
  }
  // Seeding only: durability of the load itself does not matter.
  Exec(db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;");

  std::vector<std::pair<std::string, std::string>> indexes;  // name, sql
  {
    sqlite3_stmt* list = Prepare(
        db, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
            "tbl_name = 'outcome_revisions' AND sql IS NOT NULL");
    while (sqlite3_step(list) == SQLITE_ROW) {
      indexes.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(list, 0)),
                           reinterpret_cast<const char*>(sqlite3_column_text(list, 1)));
    }
    sqlite3_finalize(list);
  }
  if (indexes.empty()) Fail(db, "the store has no outcome_revisions indexes: not migrated?");
  Exec(db, "BEGIN");
  for (const auto& index : indexes) Exec(db, "DROP INDEX " + index.first);

  const int64_t patients = std::max<int64_t>(1, rows / kOutcomesPerPatient);
  // Create times: one per millisecond, ending an hour ago, so the server's
  // own new writes still sort after the seed.
  const int64_t now_us = absl::ToUnixMicros(absl::Now());
  const int64_t first_us = now_us - 3600LL * 1000000 - rows * 1000;
  sqlite3_stmt* insert = Prepare(db, kInsertOutcome);
  std::string blob;
  for (int64_t i = 0; i < rows; ++i) {
    const uint64_t r1 = Mix(static_cast<uint64_t>(i) * 2 + 1);
    const uint64_t r2 = Mix(static_cast<uint64_t>(i) * 2 + 2);
    const ProtocolChoice& protocol = kProtocols[r1 % 4];
    const int64_t create_us = first_us + i * 1000;
    const int64_t performed_us = create_us - 3600LL * 1000000 - static_cast<int64_t>(r2 % 1000000);

    v1::Outcome outcome;
    outcome.set_patient_id(SeededPatient(i % patients));
    outcome.set_therapist_id(absl::StrCat("therapist-", r1 % 50));
    outcome.set_encounter_id(absl::StrCat("encounter-", i));
    outcome.set_protocol_id(protocol.id);
    outcome.set_protocol_version(1);
    outcome.set_spine_region(protocol.region);
    outcome.set_session_number(static_cast<int32_t>(i / patients) + 1);
    outcome.set_minutes(15 + static_cast<int32_t>(r2 % 26));
    const int before = static_cast<int>(r1 >> 8) % 11;
    outcome.set_pain_before(before);
    outcome.set_pain_after(before / 2);
    auto* tension = outcome.add_tension();
    tension->set_region("right lumbar paraspinals");
    tension->set_before(3);
    tension->set_after(1);
    outcome.set_relaxation_notes("Relaxed well; warmth on the skin.");
    if (r2 % 8 == 0) {
      auto* event = outcome.add_adverse_events();
      event->set_type(v1::ADVERSE_EVENT_TYPE_PROLONGED_SORENESS);
      event->set_severity(v1::SEVERITY_MILD);
    }
    *outcome.mutable_performed_at() = storage::MicrosToTimestamp(performed_us);

    const std::string outcome_id = absl::StrFormat("%016x%016x", r1, r2);
    const v1::Outcome stored = storage::MakeStoredOutcome(outcome, outcome_id, 1, create_us, "");
    blob.clear();
    stored.SerializeToString(&blob);
    const uint64_t r3 = Mix(r1 ^ r2);
    const std::string request_id =
        absl::StrFormat("%08x-%04x-4%03x-8%03x-%012x", r3 >> 32, (r3 >> 16) & 0xffff,
                        r3 & 0xfff, (r1 >> 4) & 0xfff, r2 & 0xffffffffffffULL);

    BindText(insert, 1, kClinic);
    BindText(insert, 2, outcome_id);
    sqlite3_bind_int64(insert, 3, 1);
    sqlite3_bind_int64(insert, 4, create_us);
    sqlite3_bind_int64(insert, 5, create_us);
    BindText(insert, 6, request_id);
    BindText(insert, 7, stored.patient_id());
    BindText(insert, 8, stored.therapist_id());
    BindText(insert, 9, stored.protocol_id());
    sqlite3_bind_int64(insert, 10, stored.protocol_version());
    sqlite3_bind_int64(insert, 11, stored.spine_region());
    sqlite3_bind_int64(insert, 12, stored.session_number());
    sqlite3_bind_int64(insert, 13, stored.minutes());
    sqlite3_bind_int64(insert, 14, stored.pain_before());
    sqlite3_bind_int64(insert, 15, stored.pain_after());
    sqlite3_bind_int64(insert, 16, stored.adverse_events_size());
    sqlite3_bind_int64(insert, 17, storage::TimestampToMicros(stored.performed_at()));
    BindText(insert, 18, storage::UtcMonth(storage::TimestampToMicros(stored.performed_at())));
    BindText(insert, 19, "");
    sqlite3_bind_blob(insert, 20, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(insert) != SQLITE_DONE) Fail(db, "seed insert");
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  for (const auto& index : indexes) Exec(db, index.second);
  // The check-in's read model (migration 0002), derived from the seeded rows.
  Exec(db, storage::kRebuildReadModelSql);
  Exec(db, "COMMIT");
  Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(db);
  return absl::ToDoubleSeconds(absl::Now() - started);
}

double RawSqliteInsertsPerSecond(const std::string& path, std::chrono::milliseconds warmup,
                                 std::chrono::milliseconds measure) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    Fail(db, "open " + path);
  }
  // The server's pragmas (storage/sqlite_connection.cc).
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  // As wide as outcome_revisions, with the same primary key.
  Exec(db,
       "CREATE TABLE IF NOT EXISTS raw_floor (clinic_id TEXT NOT NULL, outcome_id TEXT NOT NULL, "
       "revision INTEGER NOT NULL, first_create_time_us INTEGER NOT NULL, create_time_us INTEGER "
       "NOT NULL, request_id TEXT NOT NULL, patient_id TEXT NOT NULL, therapist_id TEXT NOT NULL, "
       "protocol_id TEXT NOT NULL, protocol_version INTEGER NOT NULL, spine_region INTEGER NOT "
       "NULL, session_number INTEGER NOT NULL, minutes INTEGER NOT NULL, pain_before INTEGER NOT "
       "NULL, pain_after INTEGER NOT NULL, adverse_event_count INTEGER NOT NULL, performed_at_us "
       "INTEGER NOT NULL, performed_month TEXT NOT NULL, amend_reason TEXT NOT NULL, "
       "outcome_proto BLOB NOT NULL, PRIMARY KEY (clinic_id, outcome_id, revision))");
  sqlite3_stmt* insert = Prepare(
      db,
      "INSERT INTO raw_floor VALUES (?1, ?2, 1, ?3, ?3, ?4, 'patient-1', 'therapist-1', "
      "'lumbar-c-curve', 1, 5, 1, 15, 5, 3, 0, ?3, '2024-01', '', ?5)");
  const std::string blob(220, 'x');  // about the size of a serialized Outcome
  static uint64_t sequence = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto measure_start = start + warmup;
  const auto end = measure_start + measure;
  int64_t counted = 0;
  for (;;) {
    const uint64_t id = Mix(++sequence + reinterpret_cast<uintptr_t>(&sequence));
    const std::string outcome_id = absl::StrFormat("%016x%016x", id, Mix(id));
    BindText(insert, 1, kClinic);
    BindText(insert, 2, outcome_id);
    sqlite3_bind_int64(insert, 3, static_cast<int64_t>(sequence));
    BindText(insert, 4, outcome_id);
    sqlite3_bind_blob(insert, 5, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    // Autocommit: one row, one transaction, one WAL fsync.
    if (sqlite3_step(insert) != SQLITE_DONE) Fail(db, "raw floor insert");
    sqlite3_reset(insert);
    const auto now = std::chrono::steady_clock::now();
    if (now >= measure_start && now <= end) ++counted;
    if (now >= end) break;
  }
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return static_cast<double>(counted) / std::chrono::duration<double>(measure).count();
}

}  // namespace scoliomassage::bench
