// Opaque keyset positions for history scans, outcome lists and audit lists.
//
// A token is URL-safe base64 of a small versioned text form
// ("h1|<first_create_time_us>|<outcome_id>|<revision>"). It is a position, not
// a secret: clients must not build one, and every decoder checks the shape so
// a garbage token is INVALID_ARGUMENT naming the field. Every backend uses
// these same encoders, so a token survives a move from SQLite to PostgreSQL.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace scoliomassage::storage {

// The stable history order: create time of revision 1, outcome id, revision.
struct HistoryPosition {
  int64_t first_create_time_us = 0;
  std::string outcome_id;
  int32_t revision = 0;
};
std::string EncodeHistoryToken(const HistoryPosition& position);
absl::StatusOr<HistoryPosition> DecodeHistoryToken(absl::string_view token,
                                                   absl::string_view field = "resume_token");

// ListOutcomes order: performed_at descending, then outcome id descending.
struct OutcomeListPosition {
  int64_t performed_at_us = 0;
  std::string outcome_id;
};
std::string EncodeOutcomeListToken(const OutcomeListPosition& position);
absl::StatusOr<OutcomeListPosition> DecodeOutcomeListToken(absl::string_view token,
                                                           absl::string_view field = "page_token");

// ListAudit order: time ascending, then id.
struct AuditPosition {
  int64_t time_us = 0;
  int64_t id = 0;
};
std::string EncodeAuditToken(const AuditPosition& position);
absl::StatusOr<AuditPosition> DecodeAuditToken(absl::string_view token,
                                               absl::string_view field = "page_token");

}  // namespace scoliomassage::storage
