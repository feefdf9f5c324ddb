// Semantic checks of instrument definitions, run after the text parsed.
// Each problem is one line: "file:line:column: instrument "id": field: what
// is wrong".
#pragma once

#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "scoliomassage/v1/instrument.pb.h"

namespace scoliomassage::catalog {

struct ParsedInstrument {
  v1::Instrument instrument;
  std::string file;
  // Locations of the instrument's fields; null when unknown.
  const google::protobuf::TextFormat::ParseInfoTree* locations = nullptr;
  int line = -1;  // zero-based, as the parser reports it
  int column = -1;
};

// Appends the problems of one instrument on its own.
void CheckInstrument(const ParsedInstrument& parsed, std::vector<std::string>* problems);

// Appends duplicate ids across all files.
void CheckAcrossInstruments(const std::vector<ParsedInstrument>& parsed,
                            std::vector<std::string>* problems);

}  // namespace scoliomassage::catalog
