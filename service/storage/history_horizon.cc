// The default history horizon, and cutting a page at a horizon.
//
// The stable history order starts with the first create time, and a record's
// resume token carries it, so a page is cut at the first record past the
// horizon: every record after it in the order is past it too.
#include <utility>

#include "storage/page_tokens.h"
#include "storage/record_history.h"
#include "storage/store.h"

namespace scoliomassage::storage {

absl::StatusOr<HistoryHorizon> Store::SettleHistory() { return HistoryHorizon{}; }

absl::StatusOr<HistoryPage> Store::ScanHistoryWithin(const HistoryHorizon& horizon,
                                                     const std::string& clinic_id,
                                                     const v1::HistoryFilter& filter,
                                                     bool include_revisions,
                                                     const std::string& resume_token, int limit) {
  absl::StatusOr<HistoryPage> page =
      ScanHistory(clinic_id, filter, include_revisions, resume_token, limit);
  if (!page.ok() || horizon.settled_before_us == INT64_MAX) return page;
  for (size_t i = 0; i < page->records.size(); ++i) {
    absl::StatusOr<HistoryPosition> position =
        DecodeHistoryToken(page->records[i].resume_token());
    if (!position.ok()) return position.status();
    if (position->first_create_time_us >= horizon.settled_before_us) {
      page->records.resize(i);
      page->done = true;
      break;
    }
  }
  return page;
}

absl::StatusOr<HistoryPage> Store::ScanRecordsWithin(const HistoryHorizon& horizon,
                                                     const std::string& clinic_id,
                                                     const RecordScan& scan) {
  absl::StatusOr<HistoryPage> page = ScanRecords(clinic_id, scan);
  if (!page.ok() || horizon.settled_before_us == INT64_MAX) return page;
  for (size_t i = 0; i < page->records.size(); ++i) {
    absl::StatusOr<RecordPosition> position = DecodeRecordToken(page->records[i].resume_token());
    if (!position.ok()) return position.status();
    if (position->first_create_time_us >= horizon.settled_before_us) {
      page->records.resize(i);
      page->done = true;
      break;
    }
  }
  return page;
}

}  // namespace scoliomassage::storage
