// Turns the history filter flags (--patient, --region, --since, ...) and
// --group_by into the request messages, with messages that say what to fix.
#ifndef SCOLIOMASSAGE_CLI_FILTER_FLAGS_H_
#define SCOLIOMASSAGE_CLI_FILTER_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "scoliomassage/v1/history.pb.h"
#include "scoliomassage/v1/outcome.pb.h"

namespace scoliomassage::cli {

struct FilterFlags {
  std::string patient;
  std::string therapist;
  std::string protocol;
  std::string region;
  std::string since;
  std::string until;
};

// RFC 3339 ("2026-03-01T08:00:00Z", offsets allowed) or a bare date
// ("2026-03-01", midnight UTC).
absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(absl::string_view text);

absl::StatusOr<v1::HistoryFilter> BuildHistoryFilter(const FilterFlags& flags);

// "protocol,region,session,therapist,month"; the full enum names and the
// key_parts names (spine_region, session_number) work too. Empty: no grouping.
absl::StatusOr<std::vector<v1::GroupBy>> ParseGroupBy(absl::string_view text);

// The dimension name SummaryGroup.key_parts uses for a GroupBy.
std::string KeyPartName(v1::GroupBy group_by);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_FILTER_FLAGS_H_
