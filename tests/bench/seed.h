// Direct SQLite work for the benchmark: seeding large outcome stores without
// the API, and the raw SQLite durability floor.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace scoliomassage::bench {

inline constexpr char kClinic[] = "bench";
// Every seeded patient has this many outcomes, in a store of any size, so a
// patient's history is the same query in a 10k and in a 1M store.
inline constexpr int kOutcomesPerPatient = 20;

std::string SeededPatient(int64_t index);

// Fills the outcome_revisions table of a store that scoliomassaged has
// created and migrated (and that no process has open) with `rows` outcomes
// of clinic kClinic, in one transaction. Rows use exactly the server's
// column layout and blob form (storage::MakeStoredOutcome). The secondary
// indexes are dropped for the load and recreated from their own SQL, which
// is much faster than maintaining them row by row.
// Returns seconds taken; exits the benchmark on any error.
double SeedOutcomes(const std::string& path, int64_t rows);

// The raw durability floor: one row per transaction into a table as wide as
// outcome_revisions, in-process, same pragmas (WAL, synchronous=FULL), same
// directory as the server's database. Returns rows per second.
double RawSqliteInsertsPerSecond(const std::string& path, std::chrono::milliseconds warmup,
                                 std::chrono::milliseconds measure);

}  // namespace scoliomassage::bench
