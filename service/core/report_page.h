// A patient progress report as one self-contained HTML page: inline CSS and
// SVG, no scripts, nothing fetched (no fonts, images or links to load), so it
// can be shown at check-in, printed on A4, saved, or handed to the patient.
// Pure: the caller gathers ReportInput and applies the access rules.
#pragma once

#include <string>

#include "core/report_data.h"

namespace scoliomassage::core {

std::string RenderReportHtml(const ReportInput& input);

// The pain chart alone, as a standalone SVG document (?format=svg).
std::string RenderReportSvg(const ReportInput& input);

// The sections still waiting for their data (films from curve measurements,
// scores from assessments): each renders what it is given and says plainly
// when there is nothing, never a placeholder value.
std::string CurveSectionHtml(const std::vector<ReportFilm>& films);
std::string ScoresSectionHtml(const std::vector<ReportScore>& scores);

}  // namespace scoliomassage::core
