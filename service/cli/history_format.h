// The CSV layout of `scoliomassage history --format=csv`: the key columns of
// each outcome, then its resume_token. JSON lines carry every field.
#ifndef SCOLIOMASSAGE_CLI_HISTORY_FORMAT_H_
#define SCOLIOMASSAGE_CLI_HISTORY_FORMAT_H_

#include <string>
#include <vector>

#include "google/protobuf/timestamp.pb.h"
#include "scoliomassage/v1/history.pb.h"

namespace scoliomassage::cli {

std::vector<std::string> HistoryCsvHeader();
std::vector<std::string> HistoryCsvRow(const v1::HistoryRecord& record);

// RFC 3339 in UTC, or "" when the field is unset.
std::string FormatTime(const google::protobuf::Timestamp& time, bool present);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_HISTORY_FORMAT_H_
