#include "storage/page_tokens.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/errors.h"
#include "core/outcome_validation.h"

namespace scoliomassage::storage {
namespace {

absl::Status BadToken(absl::string_view field) {
  return core::InvalidField(std::string(field),
                            "is not a token this service issued; send back a token exactly as "
                            "received, or none to start from the beginning");
}

// Splits a token into its parts after checking the version tag and count.
bool Unpack(absl::string_view token, absl::string_view tag, size_t part_count,
            std::vector<std::string>* parts) {
  std::string text;
  if (token.size() > 512 || !absl::WebSafeBase64Unescape(token, &text)) return false;
  *parts = absl::StrSplit(text, '|');
  return parts->size() == part_count && (*parts)[0] == tag;
}

bool IsOutcomeId(absl::string_view id) {
  if (id.size() != static_cast<size_t>(core::kOutcomeIdHexLength)) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string EncodeHistoryToken(const HistoryPosition& position) {
  return absl::WebSafeBase64Escape(absl::StrCat("h1|", position.first_create_time_us, "|",
                                                position.outcome_id, "|", position.revision));
}

absl::StatusOr<HistoryPosition> DecodeHistoryToken(absl::string_view token,
                                                   absl::string_view field) {
  std::vector<std::string> parts;
  HistoryPosition position;
  if (!Unpack(token, "h1", 4, &parts) ||
      !absl::SimpleAtoi(parts[1], &position.first_create_time_us) || !IsOutcomeId(parts[2]) ||
      !absl::SimpleAtoi(parts[3], &position.revision) || position.revision < 1) {
    return BadToken(field);
  }
  position.outcome_id = parts[2];
  return position;
}

std::string EncodeOutcomeListToken(const OutcomeListPosition& position) {
  return absl::WebSafeBase64Escape(
      absl::StrCat("o1|", position.performed_at_us, "|", position.outcome_id));
}

absl::StatusOr<OutcomeListPosition> DecodeOutcomeListToken(absl::string_view token,
                                                           absl::string_view field) {
  std::vector<std::string> parts;
  OutcomeListPosition position;
  if (!Unpack(token, "o1", 3, &parts) || !absl::SimpleAtoi(parts[1], &position.performed_at_us) ||
      !IsOutcomeId(parts[2])) {
    return BadToken(field);
  }
  position.outcome_id = parts[2];
  return position;
}

std::string EncodeAuditToken(const AuditPosition& position) {
  return absl::WebSafeBase64Escape(absl::StrCat("a1|", position.time_us, "|", position.id));
}

absl::StatusOr<AuditPosition> DecodeAuditToken(absl::string_view token, absl::string_view field) {
  std::vector<std::string> parts;
  AuditPosition position;
  if (!Unpack(token, "a1", 3, &parts) || !absl::SimpleAtoi(parts[1], &position.time_us) ||
      !absl::SimpleAtoi(parts[2], &position.id)) {
    return BadToken(field);
  }
  return position;
}

}  // namespace scoliomassage::storage
