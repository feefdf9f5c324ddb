// Semantic checks of catalog protocols, run after the text parsed. Each
// problem is one self-contained line: "file:line:column: protocol "id":
// field: what is wrong", so a clinic editing its own catalog can go straight
// to the spot.
#pragma once

#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "scoliomassage/v1/catalog.pb.h"

namespace scoliomassage::catalog {

// Every step gets at least one whole minute of the shortest (15-minute)
// session, so a protocol may not have more steps than that.
inline constexpr int kMaxStepsPerProtocol = 15;

// One protocol as read from a file, with where it was read.
struct ParsedProtocol {
  v1::CatalogProtocol protocol;
  std::string file;
  // Locations of the protocol's fields; null when unknown (then problems
  // name line 0).
  const google::protobuf::TextFormat::ParseInfoTree* locations = nullptr;
  // Zero-based, as the parser reports it.
  int line = -1;
  int column = -1;
};

// Appends the problems of one protocol taken on its own.
void CheckProtocol(const ParsedProtocol& parsed, std::vector<std::string>* problems);

// Fills in technique_class where the file left it to the technique text.
// Only for protocols that passed CheckProtocol.
void CodeTechniques(v1::CatalogProtocol* protocol);

// Appends problems that span protocols, in one file or across files: a
// duplicate (id, version), versions of one id over different regions or
// patterns, and two ids for one (spine_region, curve_pattern) pair.
void CheckAcrossProtocols(const std::vector<ParsedProtocol>& parsed,
                          std::vector<std::string>* problems);

}  // namespace scoliomassage::catalog
