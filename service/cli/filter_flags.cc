#include "cli/filter_flags.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "cli/enum_names.h"

namespace scoliomassage::cli {
namespace {

google::protobuf::Timestamp ToProto(absl::Time time) {
  // Timestamp wants nanos in [0, 1e9) even before the epoch, so the seconds
  // are floored, not truncated toward zero.
  google::protobuf::Timestamp out;
  const int64_t seconds = absl::ToUnixSeconds(time);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return out;
}

bool Before(const google::protobuf::Timestamp& a, const google::protobuf::Timestamp& b) {
  return a.seconds() < b.seconds() || (a.seconds() == b.seconds() && a.nanos() < b.nanos());
}

}  // namespace

absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(absl::string_view text) {
  const std::string trimmed(absl::StripAsciiWhitespace(text));
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, trimmed, &time, &error) ||
      absl::ParseTime("%Y-%m-%d", trimmed, absl::UTCTimeZone(), &time, &error)) {
    // absl accepts years far outside what google.protobuf.Timestamp allows.
    if (time < absl::FromUnixSeconds(-62135596800) ||
        time >= absl::FromUnixSeconds(253402300800)) {
      return absl::InvalidArgumentError(
          absl::StrCat("time \"", trimmed, "\" is outside years 0001-9999"));
    }
    return ToProto(time);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot read \"", trimmed,
      "\" as a time; use RFC 3339 such as 2026-03-01T08:00:00Z, or a date such as 2026-03-01"));
}

absl::StatusOr<v1::HistoryFilter> BuildHistoryFilter(const FilterFlags& flags) {
  v1::HistoryFilter filter;
  filter.set_patient_id(flags.patient);
  filter.set_therapist_id(flags.therapist);
  filter.set_protocol_id(flags.protocol);
  if (!flags.region.empty()) {
    auto region = ParseSpineRegion(flags.region);
    if (!region.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--region: ", region.status().message()));
    }
    filter.set_spine_region(*region);
  }
  if (!flags.since.empty()) {
    auto since = ParseTimestamp(flags.since);
    if (!since.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--since: ", since.status().message()));
    }
    *filter.mutable_start_time() = *since;
  }
  if (!flags.until.empty()) {
    auto until = ParseTimestamp(flags.until);
    if (!until.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--until: ", until.status().message()));
    }
    *filter.mutable_end_time() = *until;
  }
  if (filter.has_start_time() && filter.has_end_time() &&
      !Before(filter.start_time(), filter.end_time())) {
    return absl::InvalidArgumentError(
        "--since must be before --until (--since is inclusive, --until exclusive)");
  }
  return filter;
}

absl::StatusOr<std::vector<v1::GroupBy>> ParseGroupBy(absl::string_view text) {
  std::vector<v1::GroupBy> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(part));
    v1::GroupBy value = v1::GROUP_BY_UNSPECIFIED;
    if (name == "protocol" || name == "group_by_protocol") {
      value = v1::GROUP_BY_PROTOCOL;
    } else if (name == "region" || name == "spine_region" || name == "group_by_spine_region") {
      value = v1::GROUP_BY_SPINE_REGION;
    } else if (name == "session" || name == "session_number" ||
               name == "group_by_session_number") {
      value = v1::GROUP_BY_SESSION_NUMBER;
    } else if (name == "therapist" || name == "group_by_therapist") {
      value = v1::GROUP_BY_THERAPIST;
    } else if (name == "month" || name == "group_by_month") {
      value = v1::GROUP_BY_MONTH;
    } else if (name == "instrument" || name == "group_by_instrument") {
      value = v1::GROUP_BY_INSTRUMENT;
    } else if (name == "episode" || name == "group_by_episode") {
      value = v1::GROUP_BY_EPISODE;
    } else if (name == "curve_region" || name == "group_by_curve_region") {
      value = v1::GROUP_BY_CURVE_REGION;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "--group_by: unknown dimension \"", part,
          "\"; use protocol, region, session, therapist, month, instrument, episode or "
          "curve_region, "
          "separated by commas"));
    }
    for (v1::GroupBy seen : out) {
      if (seen == value) {
        return absl::InvalidArgumentError(
            absl::StrCat("--group_by: \"", part, "\" is given twice"));
      }
    }
    out.push_back(value);
  }
  return out;
}

std::string KeyPartName(v1::GroupBy group_by) {
  switch (group_by) {
    case v1::GROUP_BY_PROTOCOL: return "protocol";
    case v1::GROUP_BY_SPINE_REGION: return "spine_region";
    case v1::GROUP_BY_SESSION_NUMBER: return "session_number";
    case v1::GROUP_BY_THERAPIST: return "therapist";
    case v1::GROUP_BY_MONTH: return "month";
    case v1::GROUP_BY_INSTRUMENT: return "instrument";
    case v1::GROUP_BY_EPISODE: return "episode";
    case v1::GROUP_BY_CURVE_REGION: return "curve_region";
    default: return ShortName(group_by);
  }
}

}  // namespace scoliomassage::cli
