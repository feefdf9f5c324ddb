// scoliomassage-import: copies a SQLite store into a PostgreSQL store.
//
//   scoliomassage-import --from=sqlite:///var/lib/scoliomassage/scoliomassage.db
//                        --to=postgresql://scoliomassage@db:5432/scoliomassage
//
// Safe to re-run (it copies only what is missing and checks that what is
// there is identical); prints one line per table and exits non-zero when a
// count does not add up. A separate executable rather than a client
// subcommand, because it needs the rows themselves (ids, create times,
// idempotency keys, audit ids), which the API does not expose.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "storage/database_url.h"
#include "storage/postgres_sqlite_import.h"

ABSL_FLAG(std::string, from, "", "source SQLite database URL (sqlite://PATH or a path)");
ABSL_FLAG(std::string, to, "", "target PostgreSQL URL (postgresql://...)");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "copies a SQLite store into PostgreSQL: scoliomassage-import --from=sqlite://PATH "
      "--to=postgresql://USER@HOST:PORT/DB");
  absl::ParseCommandLine(argc, argv);
  using scoliomassage::storage::DatabaseUrl;
  absl::StatusOr<DatabaseUrl> from = scoliomassage::storage::ParseDatabaseUrl(absl::GetFlag(FLAGS_from));
  absl::StatusOr<DatabaseUrl> to = scoliomassage::storage::ParseDatabaseUrl(absl::GetFlag(FLAGS_to));
  if (!from.ok() || from->backend != DatabaseUrl::Backend::kSqlite) {
    std::fprintf(stderr, "scoliomassage-import: --from must be a SQLite database URL%s%s\n",
                 from.ok() ? "" : ": ", from.ok() ? "" : std::string(from.status().message()).c_str());
    return 2;
  }
  if (!to.ok() || to->backend != DatabaseUrl::Backend::kPostgres) {
    std::fprintf(stderr, "scoliomassage-import: --to must be a postgresql:// URL\n");
    return 2;
  }
  absl::StatusOr<std::vector<scoliomassage::storage::TableCopyReport>> reports =
      scoliomassage::storage::CopySqliteToPostgres(from->sqlite_path, to->postgres_url);
  if (!reports.ok()) {
    std::fprintf(stderr, "scoliomassage-import: %s\n", reports.status().ToString().c_str());
    return 1;
  }
  for (const auto& report : *reports) {
    std::printf("%-18s source=%lld copied=%lld already_present=%lld target=%lld\n",
                report.table.c_str(), static_cast<long long>(report.source_rows),
                static_cast<long long>(report.copied), static_cast<long long>(report.already_present),
                static_cast<long long>(report.target_rows));
  }
  std::printf("scoliomassage-import: verified, every source row is in PostgreSQL\n");
  return 0;
}
