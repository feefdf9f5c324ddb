// The plugin's JSON request path: what a host passes to smp_* is parsed by
// the plugin's own codec (plugin/src/json_codec.cc, compiled in here) into
// the request message, then checked by the same validators the server runs.
// Valid requests are encoded back to JSON (as the plugin does for replies
// and the outbox), byte for byte as protobuf's MessageToJsonString would, and
// must parse again; JsonQuote output must be a JSON string the parser accepts.
//
// Input: byte 0 picks the request type (the five smp_* calls plus the list
// and history filters), the rest is the JSON text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "absl/status/status.h"
#include "core/errors.h"
#include "core/outcome_validation.h"
#include "core/recommend_validation.h"
#include "json_codec.h"
#include "scoliomassage/v1/history.pb.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace {

using namespace scoliomassage;  // NOLINT: a fuzz target, brevity wins

constexpr int64_t kNowUs = 1717200000LL * 1000000;  // 2024-06-01T00:00:00Z

void Expect(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

void CheckValidation(const absl::Status& status) {
  if (status.ok()) return;
  Expect(status.code() == absl::StatusCode::kInvalidArgument, "validation fails only as INVALID_ARGUMENT");
  Expect(!core::FieldViolationsOf(status).empty(), "INVALID_ARGUMENT names a field");
}

// Parse as the plugin does; on success re-encode and re-parse.
template <typename Message>
bool ParseAsPlugin(const std::string& json, Message* message) {
  const grpc::Status parsed = plugin::ParseJson(json.c_str(), "request_json", message);
  if (!parsed.ok()) {
    Expect(parsed.error_code() == grpc::StatusCode::INVALID_ARGUMENT, "bad JSON is INVALID_ARGUMENT");
    return false;
  }
  std::string encoded;
  std::string converted;
  const bool converter_ok = google::protobuf::util::MessageToJsonString(*message, &converted).ok();
  const bool codec_ok = plugin::ToJson(*message, &encoded).ok();
  // The plugin prints most messages itself: it must print what protobuf's
  // converter prints, byte for byte, and fail where it fails.
  Expect(codec_ok == converter_ok, "ToJson fails exactly where MessageToJsonString fails");
  Expect(!codec_ok || encoded == converted, "ToJson prints what MessageToJsonString prints");
  if (codec_ok) {
    Message again;
    Expect(plugin::ParseJson(encoded.c_str(), "reply", &again).ok(), "the plugin's own JSON parses back");
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t which = data[0] % 7;
  // The C ABI takes NUL-terminated strings: what a host can pass stops at the
  // first NUL.
  std::string json(reinterpret_cast<const char*>(data + 1), size - 1);
  json = json.c_str();
  switch (which) {
    case 0: {
      v1::RecommendProtocolRequest request;
      if (ParseAsPlugin(json, &request)) CheckValidation(core::ValidateRecommendRequest(request));
      break;
    }
    case 1: {
      v1::LogOutcomeRequest request;
      if (ParseAsPlugin(json, &request)) CheckValidation(core::ValidateLogOutcomeRequest(request, kNowUs));
      break;
    }
    case 2: {
      v1::AmendOutcomeRequest request;
      if (ParseAsPlugin(json, &request)) CheckValidation(core::ValidateAmendOutcomeRequest(request, kNowUs));
      break;
    }
    case 3: {
      v1::GetOutcomeRequest request;
      if (ParseAsPlugin(json, &request)) CheckValidation(core::ValidateGetOutcomeRequest(request));
      break;
    }
    case 4: {
      v1::ListOutcomesRequest request;
      if (ParseAsPlugin(json, &request)) CheckValidation(core::ValidateHistoryFilter(request.filter(), "filter"));
      break;
    }
    case 5: {
      v1::QueryHistoryRequest request;
      if (ParseAsPlugin(json, &request)) CheckValidation(core::ValidateHistoryFilter(request.filter(), "filter"));
      break;
    }
    case 6: {
      // JsonQuote builds the plugin's own replies ({"queued":true,"requestId":...})
      // from request ids: whatever the text, the result is one JSON string.
      google::protobuf::Value value;
      const std::string quoted = plugin::JsonQuote(json);
      if (core::IsValidUtf8(json)) {
        Expect(google::protobuf::util::JsonStringToMessage(quoted, &value).ok(), "JsonQuote makes valid JSON");
        Expect(value.string_value() == json, "JsonQuote round-trips");
      }
      break;
    }
  }
  return 0;
}
