// Small helpers for writing SVG and HTML by hand: escaping (every piece of
// text that came from a request or the record goes through EscapeXml) and
// compact number formatting for coordinates.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace scoliomassage::core {

// Escapes &, <, >, " and ' so text is safe in element content and in
// attribute values of both SVG and HTML. Control characters other than tab
// and newline are dropped (XML 1.0 forbids them).
std::string EscapeXml(absl::string_view text);

// "12.5", "3", "-0.25": at most two decimals, no trailing zeros, no "-0".
std::string Coord(double value);

}  // namespace scoliomassage::core
