#include "storage/migrations.h"

#include "absl/strings/str_cat.h"

namespace scoliomassage::storage {

absl::Status ApplyNewerMigrations(const std::vector<Migration>& migrations, int current,
                                  const std::function<absl::Status(const Migration&)>& run,
                                  const std::function<absl::Status(const Migration&)>& record) {
  const int newest_known = migrations.empty() ? 0 : migrations.back().version;
  if (current > newest_known) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database schema is at version ", current, " but this build knows only up to ",
        newest_known, "; run a newer scoliomassaged"));
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= current) continue;
    if (absl::Status status = run(migration); !status.ok()) {
      return absl::Status(status.code(), absl::StrCat("schema migration ", migration.version, " (",
                                                      migration.name, "): ", status.message()));
    }
    if (absl::Status status = record(migration); !status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace scoliomassage::storage
