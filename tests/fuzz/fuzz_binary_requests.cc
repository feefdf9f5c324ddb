// Binary request parsing plus validation for each RPC, as the server sees a
// request off the wire: ParseFromArray into the request type, then the same
// checks the server runs before touching the store, then the engine on a
// valid RecommendProtocolRequest and the page-token decoders on any token.
//
// Input: byte 0 picks the request type, the rest is the serialized message.
// Properties checked beyond "no crash, no sanitizer report":
//  - a validator says OK or INVALID_ARGUMENT with at least one named field;
//  - a parsed message serializes and parses back to the same bytes;
//  - the engine answers every request the validator accepted.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "catalog/loader.h"
#include "core/engine.h"
#include "core/errors.h"
#include "core/outcome_validation.h"
#include "core/recommend_validation.h"
#include "scoliomassage/v1/audit.pb.h"
#include "scoliomassage/v1/history.pb.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "scoliomassage/v1/protocol.pb.h"
#include "storage/outcome_fingerprint.h"
#include "storage/page_tokens.h"

namespace {

using namespace scoliomassage;  // NOLINT: a fuzz target, brevity wins

// Fixed "now" so a run is reproducible: 2024-06-01T00:00:00Z.
constexpr int64_t kNowUs = 1717200000LL * 1000000;

void Expect(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

void CheckValidation(const absl::Status& status) {
  if (status.ok()) return;
  Expect(status.code() == absl::StatusCode::kInvalidArgument, "validation fails only as INVALID_ARGUMENT");
  const auto violations = core::FieldViolationsOf(status);
  Expect(!violations.empty(), "INVALID_ARGUMENT names at least one field");
  for (const auto& [field, description] : violations) {
    Expect(!field.empty() && !description.empty(), "every violation has a field and a description");
    Expect(field.find("..") == std::string::npos, "field paths have no empty segment");
  }
}

template <typename Message>
bool Parse(const uint8_t* data, size_t size, Message* message) {
  if (!message->ParseFromArray(data, static_cast<int>(size))) return false;
  // Round trip: what we parsed serializes and parses back identically.
  const std::string bytes = message->SerializeAsString();
  Message again;
  Expect(again.ParseFromString(bytes), "a parsed message re-parses");
  Expect(again.SerializeAsString() == bytes, "serialization is stable");
  return true;
}

const core::ProtocolEngine& Engine() {
  static const core::ProtocolEngine* engine = [] {
    auto catalog = catalog::LoadCatalog(SCOLIOMASSAGE_DEFAULT_CATALOG_DIR);
    if (!catalog.ok()) {
      std::fprintf(stderr, "cannot load the default catalog: %s\n", catalog.status().ToString().c_str());
      std::abort();
    }
    return new core::ProtocolEngine(*catalog);
  }();
  return *engine;
}

void Tokens(const std::string& token) {
  (void)storage::DecodeHistoryToken(token);
  (void)storage::DecodeOutcomeListToken(token);
  (void)storage::DecodeAuditToken(token);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Engine();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t which = data[0] % 9;
  ++data;
  --size;
  switch (which) {
    case 0: {
      v1::RecommendProtocolRequest request;
      if (!Parse(data, size, &request)) return 0;
      const absl::Status valid = core::ValidateRecommendRequest(request);
      CheckValidation(valid);
      if (!valid.ok()) return 0;
      // With no history, and with a last session built from the request's
      // own numbers, so progression rules run too.
      core::PatientProgress none;
      auto response = Engine().Recommend(request, none);
      Expect(response.ok() || response.status().code() == absl::StatusCode::kFailedPrecondition,
             "Recommend succeeds or reports a catalog gap");
      core::PatientProgress some;
      some.sessions_logged = request.session_number();
      v1::Outcome last;
      last.set_pain_before(request.screening().pain_nrs());
      last.set_pain_after(request.profile().risser_grade());
      last.set_session_number(request.session_number());
      last.set_minutes(request.profile().age_years());
      some.last_outcome = last;
      (void)Engine().Recommend(request, some);
      break;
    }
    case 1: {
      v1::LogOutcomeRequest request;
      if (!Parse(data, size, &request)) return 0;
      const absl::Status valid = core::ValidateLogOutcomeRequest(request, kNowUs);
      CheckValidation(valid);
      if (valid.ok()) {
        v1::Outcome outcome = request.outcome();
        core::ClearOutputOnlyFields(&outcome);
        Expect(storage::LogOutcomeFingerprint(outcome).size() == 64, "fingerprint is hex SHA-256");
      }
      break;
    }
    case 2: {
      v1::AmendOutcomeRequest request;
      if (!Parse(data, size, &request)) return 0;
      const absl::Status valid = core::ValidateAmendOutcomeRequest(request, kNowUs);
      CheckValidation(valid);
      if (valid.ok()) {
        Expect(core::ParseOutcomeName(request.name()).ok(), "a valid amendment names an outcome");
        (void)storage::AmendOutcomeFingerprint(request.name(), request.outcome(), request.reason());
      }
      break;
    }
    case 3: {
      v1::GetOutcomeRequest request;
      if (!Parse(data, size, &request)) return 0;
      CheckValidation(core::ValidateGetOutcomeRequest(request));
      break;
    }
    case 4: {
      v1::ListOutcomesRequest request;
      if (!Parse(data, size, &request)) return 0;
      CheckValidation(core::ValidateHistoryFilter(request.filter(), "filter"));
      Tokens(request.page_token());
      break;
    }
    case 5: {
      v1::QueryHistoryRequest request;
      if (!Parse(data, size, &request)) return 0;
      CheckValidation(core::ValidateHistoryFilter(request.filter(), "filter"));
      Tokens(request.resume_token());
      break;
    }
    case 6: {
      v1::SummarizeOutcomesRequest request;
      if (!Parse(data, size, &request)) return 0;
      CheckValidation(core::ValidateHistoryFilter(request.filter(), "filter"));
      break;
    }
    case 7: {
      v1::ListAuditRecordsRequest request;
      if (!Parse(data, size, &request)) return 0;
      Tokens(request.page_token());
      break;
    }
    case 8: {
      // Tokens on their own: the decoders see raw client text.
      Tokens(std::string(reinterpret_cast<const char*>(data), size));
      break;
    }
  }
  return 0;
}
