// The report's charts as inline SVG. Each has a <title> and a <desc> (read by
// screen readers), axes labelled with units, and a colour-blind-safe palette
// (Okabe & Ito) in which every series also differs by marker shape and line
// dash, so the chart reads in greyscale too. Lines join consecutive sessions
// only: a session that was not logged is a gap, never an interpolated point.
#pragma once

#include <string>
#include <vector>

#include "scoliomassage/v1/outcome.pb.h"

namespace scoliomassage::core {

// Okabe M, Ito K. Color Universal Design (CUD): how to make figures and
// presentations that are friendly to colorblind people. 2008.
inline constexpr char kColourBefore[] = "#0072B2";   // blue
inline constexpr char kColourAfter[] = "#D55E00";    // vermillion
inline constexpr char kColourMinutes[] = "#009E73";  // bluish green
inline constexpr char kColourEvent[] = "#CC79A7";    // reddish purple
inline constexpr char kColourInk[] = "#1a1a1a";

// Pre- and post-session pain per session on the whole 0-10 scale, the band of
// no meaningful change around the baseline (the first pre-session pain),
// adverse events marked at their session, unlogged sessions shaded.
// `sessions` in drawing order (session number, then performed_at).
// `standalone` adds the XML declaration for a .svg file.
std::string PainChartSvg(const std::vector<v1::Outcome>& sessions, bool standalone);

// Minutes performed per session (bars), with adverse events marked.
std::string DoseChartSvg(const std::vector<v1::Outcome>& sessions);

}  // namespace scoliomassage::core
