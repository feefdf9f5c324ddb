// FHIR search parameters for the read API and `_since`/`_type` for the Bulk
// Data export: parsed into the same HistoryFilter the gRPC face takes, with a
// field violation naming the parameter and why when one is bad. Pure: no
// sockets, unit-tested directly.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "http/fhir_resources.h"
#include "scoliomassage/v1/outcome.pb.h"

namespace scoliomassage::http {

// Query parameters as httplib gives them (name -> value, repeatable).
using QueryParams = std::multimap<std::string, std::string>;

// _count: the resources on one page.
inline constexpr int kFhirDefaultCount = 20;
inline constexpr int kFhirMaxCount = 100;

// Where a page starts: the store's token for a batch of outcomes (empty: the
// beginning) and how many resources of that batch earlier pages already
// returned. One session maps to several resources (two pain Observations, any
// number of AdverseEvents), so a page may end inside a batch.
struct SearchCursor {
  std::string token;
  int skip = 0;
};
std::string EncodeCursor(const SearchCursor& cursor);
absl::StatusOr<SearchCursor> DecodeCursor(const std::string& text);

// A FHIR token search value: "system|code", "|code" (no system), "code"
// (any system), or "system|" (any code of the system).
struct TokenValue {
  std::optional<std::string> system;  // absent: any system
  std::string code;                   // empty: any code (of `system`)
};

struct FhirSearch {
  v1::HistoryFilter filter;  // patient_id, start_time, end_time
  // Observation searches only: `code` and `category`, each a comma list (any
  // of its values matches); both given, a resource must match both.
  std::vector<TokenValue> codes;
  std::vector<TokenValue> categories;
  int count = kFhirDefaultCount;
  SearchCursor cursor;
  // The date bounds exclude everything (e.g. date=lt2020&date=gt2021): an
  // empty Bundle, not an error.
  bool empty_range = false;
};

// `patient_required`: clinical callers must name a patient; analytics callers
// may not (they see pseudonyms, which the store cannot search by).
// `type`: the resource type searched (`code` and `category` are accepted
// for "Observation" only).
absl::StatusOr<FhirSearch> ParseFhirSearch(const QueryParams& params, bool patient_required,
                                           bool patient_allowed, const std::string& type = "");

// Whether `resource` matches the search's code and category (true when
// neither is given).
bool MatchesTokens(const FhirSearch& search, const nlohmann::json& resource);
inline bool HasTokenFilter(const FhirSearch& search) {
  return !search.codes.empty() || !search.categories.empty();
}

// A FHIR date or dateTime search value ("2026", "2026-03", "2026-03-01",
// "2026-03-01T10:00:00Z", ...) as the range [start, end) it denotes.
struct DateRange {
  absl::Time start;
  absl::Time end;
};
std::optional<DateRange> ParseFhirDate(const std::string& value);

// One read from the app layer: a batch of outcomes starting at `token`, and
// the token of the batch after it. Re-reading the same token gives the same
// batch (keyset pages), which is what lets a page end inside one.
struct OutcomeBatch {
  std::vector<v1::Outcome> outcomes;
  std::string next_token;
  bool done = false;  // no batch after this one
};
using ReadOutcomeBatch = std::function<absl::StatusOr<OutcomeBatch>(const std::string& token)>;

struct SearchPage {
  std::vector<nlohmann::json> resources;
  std::optional<SearchCursor> next;  // absent on the last page
};

// Up to `count` resources of `type` from `cursor` on. Sparse kinds (adverse
// events) may need many batches for one page: after `max_batches` the page
// ends early with a next cursor, so one request's work stays bounded.
// `match` (may be null) keeps only some resources; cursors count only those.
absl::StatusOr<SearchPage> CollectPage(const ReadOutcomeBatch& read, const std::string& type,
                                       FhirView view, const SearchCursor& cursor, int count,
                                       int max_batches = 64,
                                       const std::function<bool(const nlohmann::json&)>& match = nullptr);

// The kick-off parameters of a Bulk Data $export.
struct ExportParams {
  std::vector<std::string> types;  // in kFhirResourceTypes order; all when _type is absent
  std::optional<absl::Time> since;  // _since: only resources whose lastUpdated is at or after it
};
// _type (a comma list of the types we emit; another type is an error, since
// silently leaving it out would look like "no data"), _since (a FHIR instant
// with a zone), _outputFormat (ndjson only). Anything else is refused.
absl::StatusOr<ExportParams> ParseExportParams(const QueryParams& params);

// Percent-encodes a query value (RFC 3986 unreserved characters stay).
std::string UrlEncode(const std::string& value);
// "a=1&b=2" from params, leaving out `drop`; values encoded.
std::string BuildQuery(const QueryParams& params, const std::string& drop);

}  // namespace scoliomassage::http
