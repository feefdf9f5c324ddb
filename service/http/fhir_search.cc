#include "http/fhir_search.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "base/time.h"
#include "core/errors.h"

namespace scoliomassage::http {
namespace {

constexpr char kPageTokenParam[] = "_page_token";

absl::Status Invalid(const std::string& field, const std::string& why) {
  return core::InvalidField(field, why);
}

// A query value quoted in an error: ASCII only (a date is ASCII; other bytes
// may not even be UTF-8, which a BadRequest string must be), and short.
std::string Printable(const std::string& value) {
  std::string out;
  for (unsigned char c : value.substr(0, 64)) out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  return value.size() > 64 ? out + "..." : out;
}
std::string Quoted(const std::string& value) { return "'" + Printable(value) + "'"; }

}  // namespace

std::string EncodeCursor(const SearchCursor& cursor) {
  return absl::StrCat(cursor.skip, ":", cursor.token);
}

absl::StatusOr<SearchCursor> DecodeCursor(const std::string& text) {
  const auto colon = text.find(':');
  SearchCursor cursor;
  if (colon == std::string::npos || !absl::SimpleAtoi(text.substr(0, colon), &cursor.skip) ||
      cursor.skip < 0 || cursor.skip > 1000000) {
    return Invalid(kPageTokenParam, "is not a page token this server gave (use the Bundle's next link)");
  }
  cursor.token = text.substr(colon + 1);
  return cursor;
}

std::optional<DateRange> ParseFhirDate(const std::string& value) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  if (value.find('T') == std::string::npos) {
    absl::CivilDay day;
    absl::CivilMonth month;
    absl::CivilYear year;
    // Each form is parsed strictly, so "2026-3-1" or "2026-02-30" fail.
    if (value.size() == 10 && absl::ParseCivilTime(value, &day)) {
      return DateRange{absl::FromCivil(day, utc), absl::FromCivil(day + 1, utc)};
    }
    if (value.size() == 7 && absl::ParseCivilTime(value, &month)) {
      return DateRange{absl::FromCivil(month, utc), absl::FromCivil(month + 1, utc)};
    }
    if (value.size() == 4 && absl::ParseCivilTime(value, &year)) {
      return DateRange{absl::FromCivil(year, utc), absl::FromCivil(year + 1, utc)};
    }
    return std::nullopt;
  }
  // A time needs a zone (FHIR dateTime: "if hours and minutes are specified,
  // a time zone SHALL be populated"). The range is the value's precision.
  absl::Time time;
  std::string error;
  if (value.find('.') != std::string::npos) {
    if (absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%Ez", value, &time, &error)) {
      return DateRange{time, time + absl::Microseconds(1)};
    }
    return std::nullopt;
  }
  if (absl::ParseTime("%Y-%m-%dT%H:%M:%S%Ez", value, &time, &error)) {
    return DateRange{time, time + absl::Seconds(1)};
  }
  if (absl::ParseTime("%Y-%m-%dT%H:%M%Ez", value, &time, &error)) {
    return DateRange{time, time + absl::Minutes(1)};
  }
  return std::nullopt;
}

absl::StatusOr<FhirSearch> ParseFhirSearch(const QueryParams& params, bool patient_required,
                                           bool patient_allowed, const std::string& type) {
  FhirSearch search;
  core::FieldViolations violations;
  std::optional<absl::Time> start, end;
  int patients = 0;
  std::set<std::string> token_params;
  for (const auto& [name, value] : params) {
    if (name == "code" || name == "category") {
      if (type != "Observation") {
        violations.Add(name, "is supported on Observation searches only");
        continue;
      }
      if (!token_params.insert(name).second) {
        violations.Add(name, "give it once (a comma list matches any of its values)");
        continue;
      }
      std::vector<TokenValue>& out = name == "code" ? search.codes : search.categories;
      for (absl::string_view part : absl::StrSplit(value, ',')) {
        TokenValue token;
        if (const size_t bar = part.find('|'); bar != absl::string_view::npos) {
          token.system = std::string(part.substr(0, bar));
          token.code = std::string(part.substr(bar + 1));
        } else {
          token.code = std::string(part);
        }
        if (token.code.empty() && (!token.system || token.system->empty())) {
          violations.Add(name, absl::StrCat(Quoted(value), " has an empty value (system|code, |code or code)"));
          break;
        }
        out.push_back(std::move(token));
      }
    } else if (name == "patient") {
      ++patients;
      if (!patient_allowed) {
        violations.Add("patient", "analytics callers see pseudonyms and cannot search by patient: "
                                  "search the clinic by date, or use $export");
        continue;
      }
      absl::string_view id = value;
      absl::ConsumePrefix(&id, "Patient/");
      if (id.empty()) violations.Add("patient", "is empty: give the patient's id");
      search.filter.set_patient_id(std::string(id));
    } else if (name == "date") {
      absl::string_view text = value;
      std::string prefix = "eq";
      if (text.size() >= 2 && absl::ascii_isalpha(text[0]) && absl::ascii_isalpha(text[1])) {
        prefix = std::string(text.substr(0, 2));
        text.remove_prefix(2);
      }
      auto range = ParseFhirDate(std::string(text));
      if (!range) {
        violations.Add("date", absl::StrCat(Quoted(value), " is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD, "
                                                   "or YYYY-MM-DDThh:mm[:ss[.fff]] with Z or +hh:mm)"));
        continue;
      }
      auto raise = [&](absl::Time t) { start = start ? std::max(*start, t) : t; };
      auto lower = [&](absl::Time t) { end = end ? std::min(*end, t) : t; };
      // The session's start is a point in time: it matches a range prefix
      // when it lies in the part of the timeline the prefix names.
      if (prefix == "eq") {
        raise(range->start);
        lower(range->end);
      } else if (prefix == "ge") {
        raise(range->start);
      } else if (prefix == "gt" || prefix == "sa") {
        raise(range->end);
      } else if (prefix == "le") {
        lower(range->end);
      } else if (prefix == "lt" || prefix == "eb") {
        lower(range->start);
      } else {
        violations.Add("date", absl::StrCat("prefix ", Quoted(prefix), " is not supported (eq, gt, ge, lt, le, sa, eb)"));
      }
    } else if (name == "_count") {
      int count = 0;
      if (!absl::SimpleAtoi(value, &count) || count < 1 || count > kFhirMaxCount) {
        violations.Add("_count", absl::StrCat("must be a whole number from 1 to ", kFhirMaxCount));
      } else {
        search.count = count;
      }
    } else if (name == kPageTokenParam) {
      auto cursor = DecodeCursor(value);
      if (!cursor.ok()) {
        violations.Add(kPageTokenParam, "is not a page token this server gave (use the Bundle's next link)");
      } else {
        search.cursor = *std::move(cursor);
      }
    } else if (name == "_format") {
      if (value != "json" && value != "application/json" && value != "application/fhir+json") {
        violations.Add("_format", "only JSON is served (json, application/fhir+json)");
      }
    } else {
      violations.Add(Printable(name), type == "Observation"
                                          ? "is not a supported search parameter (patient, date, code, category, _count)"
                                          : "is not a supported search parameter (patient, date, _count)");
    }
  }
  if (patients > 1) violations.Add("patient", "give one patient");
  if (patients == 0 && patient_required) {
    violations.Add("patient", "is required: search one patient's record (patient=ID); "
                              "clinic-wide reads are the $export's job");
  }
  if (!violations.empty()) return violations.ToStatus();
  if (start) *search.filter.mutable_start_time() = base::TimeToTimestamp(*start);
  if (end) *search.filter.mutable_end_time() = base::TimeToTimestamp(*end);
  search.empty_range = start && end && *start >= *end;
  return search;
}

namespace {

bool CodingMatches(const nlohmann::json& coding, const TokenValue& token) {
  if (!coding.is_object()) return false;
  const std::string system = coding.value("system", "");
  const std::string code = coding.value("code", "");
  if (token.system && *token.system != system) return false;
  return token.code.empty() || token.code == code;
}

// Any coding of the CodeableConcept(s) matches any token.
bool ConceptMatches(const nlohmann::json& concepts, const std::vector<TokenValue>& tokens) {
  const nlohmann::json list = concepts.is_array() ? concepts : nlohmann::json::array({concepts});
  for (const nlohmann::json& concept : list) {
    if (!concept.is_object() || !concept.contains("coding") || !concept["coding"].is_array()) continue;
    for (const nlohmann::json& coding : concept["coding"]) {
      for (const TokenValue& token : tokens) {
        if (CodingMatches(coding, token)) return true;
      }
    }
  }
  return false;
}

}  // namespace

bool MatchesTokens(const FhirSearch& search, const nlohmann::json& resource) {
  if (!search.codes.empty() && !ConceptMatches(resource.value("code", nlohmann::json()), search.codes)) return false;
  if (!search.categories.empty() &&
      !ConceptMatches(resource.value("category", nlohmann::json()), search.categories)) {
    return false;
  }
  return true;
}

absl::StatusOr<SearchPage> CollectPage(const ReadOutcomeBatch& read, const std::string& type,
                                       FhirView view, const SearchCursor& cursor, int count,
                                       int max_batches,
                                       const std::function<bool(const nlohmann::json&)>& match) {
  SearchPage page;
  std::string token = cursor.token;
  int skip = cursor.skip;
  for (int batches = 0; batches < max_batches; ++batches) {
    auto batch = read(token);
    if (!batch.ok()) return batch.status();
    int index = 0;  // resources of this batch seen so far
    for (const v1::Outcome& outcome : batch->outcomes) {
      std::vector<nlohmann::json> resources;
      ResourcesOfType(type, outcome, view, &resources);
      for (auto& resource : resources) {
        if (match && !match(resource)) continue;
        if (index++ < skip) continue;
        if (static_cast<int>(page.resources.size()) == count) {
          // Full, and this batch has more: the next page starts here.
          page.next = SearchCursor{token, index - 1};
          return page;
        }
        page.resources.push_back(std::move(resource));
      }
    }
    if (batch->done) return page;
    token = batch->next_token;
    skip = 0;
    if (static_cast<int>(page.resources.size()) == count) break;
  }
  page.next = SearchCursor{token, 0};
  return page;
}

absl::StatusOr<ExportParams> ParseExportParams(const QueryParams& params) {
  ExportParams out;
  core::FieldViolations violations;
  std::vector<std::string> asked;
  bool type_given = false;
  for (const auto& [name, value] : params) {
    if (name == "_type") {
      type_given = true;
      for (absl::string_view part : absl::StrSplit(value, ',')) {
        const std::string type(absl::StripAsciiWhitespace(part));
        if (!IsFhirResourceType(type)) {
          violations.Add("_type", absl::StrCat(Quoted(type), " is not exported here (Procedure, Observation, AdverseEvent)"));
        } else {
          asked.push_back(type);
        }
      }
    } else if (name == "_since") {
      absl::Time since;
      std::string error;
      if (value.find('T') == std::string::npos ||
          !absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%Ez", value, &since, &error)) {
        violations.Add("_since", "must be a FHIR instant with a zone, e.g. 2026-01-01T00:00:00Z");
      } else {
        out.since = since;
      }
    } else if (name == "_outputFormat") {
      if (value != "ndjson" && value != "application/ndjson" && value != "application/fhir+ndjson") {
        violations.Add("_outputFormat", "only ndjson (application/fhir+ndjson) is written");
      }
    } else {
      violations.Add(Printable(name), "is not a supported $export parameter (_type, _since, _outputFormat)");
    }
  }
  for (const char* type : kFhirResourceTypes) {
    if (!type_given || std::find(asked.begin(), asked.end(), type) != asked.end()) out.types.push_back(type);
  }
  if (type_given && out.types.empty() && violations.empty()) violations.Add("_type", "names no type");
  if (!violations.empty()) return violations.ToStatus();
  return out;
}

std::string UrlEncode(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string BuildQuery(const QueryParams& params, const std::string& drop) {
  std::string query;
  for (const auto& [name, value] : params) {
    if (name == drop) continue;
    absl::StrAppend(&query, query.empty() ? "" : "&", UrlEncode(name), "=", UrlEncode(value));
  }
  return query;
}

}  // namespace scoliomassage::http
