// A protocol comparison as one self-contained HTML page, like the patient
// report: inline CSS and SVG, no scripts, nothing fetched, printable on A4,
// readable at 360 px. In reading order: the observational caveat (first, and
// prominent), the differences between the groups at baseline, the forest plot
// of the change in pre-session pain with its data table, the responder and
// adverse-event rates with theirs, the questionnaire change per instrument
// and the CDS override rate with theirs (and the top override reasons), the
// protocol-evaluation counts (assigned, received, overridden) with their
// notes, how the figures were computed, and the criteria and compute time. Every text from the request or the response is
// escaped. Pure: the caller runs the comparison and applies the access rules.
#pragma once

#include <string>

#include "scoliomassage/v1/comparison.pb.h"

namespace scoliomassage::core {

struct ComparisonPageOptions {
  // Shown under the caveat when set, e.g. which view the caller has
  // ("Analytics view: groups of fewer than 5 patients are suppressed.").
  std::string scope_note;
};

std::string RenderComparisonPage(const v1::CompareProtocolsResponse& response,
                                 const v1::CompareProtocolsRequest& criteria,
                                 const ComparisonPageOptions& options = {});

// The forest plot of the change in pre-session pain alone, as a standalone
// SVG document (?format=svg): rows for every group, withheld ones in words.
std::string RenderComparisonSvg(const v1::CompareProtocolsResponse& response);

}  // namespace scoliomassage::core
