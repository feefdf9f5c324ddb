#include "core/report_page.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "core/adverse_events.h"
#include "core/clearances.h"
#include "core/dose.h"
#include "core/page_style.h"
#include "core/report_charts.h"
#include "core/report_summary.h"
#include "core/sources.h"
#include "core/svg.h"

namespace scoliomassage::core {
namespace {


std::string Date(int64_t micros) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

// Card details are Markdown; the page shows them as plain text.
std::string PlainText(absl::string_view markdown) {
  return absl::StrReplaceAll(markdown, {{"**", ""}, {"`", ""}});
}

std::string EventsCell(const v1::Outcome& s) {
  if (s.adverse_events().empty()) return "none";
  std::string cell;
  for (const v1::AdverseEvent& event : s.adverse_events()) {
    absl::StrAppend(&cell, cell.empty() ? "" : "; ", EscapeXml(DescribeAdverseEvent(event)));
    if (!event.description().empty()) absl::StrAppend(&cell, ": ", EscapeXml(event.description()));
  }
  return cell;
}

std::string Change(const v1::Outcome& s) {
  if (!s.has_pain_before() || !s.has_pain_after()) return "";
  const int change = s.pain_after() - s.pain_before();
  std::string text = change > 0 ? absl::StrCat("+", change) : absl::StrCat(change);
  if (MeaningfulFall(s.pain_before(), s.pain_after())) absl::StrAppend(&text, " (meaningful)");
  return text;
}

// Rows in drawing order, with a row for each session that was not logged so
// the table shows the same gaps as the chart.
template <typename Row>
void RowsWithGaps(std::string& out, const std::vector<v1::Outcome>& sessions, int columns,
                  Row row) {
  for (size_t i = 0; i < sessions.size(); ++i) {
    if (i > 0) {
      const int previous = sessions[i - 1].session_number();
      const int next = sessions[i].session_number();
      if (next - previous > 1) {
        const std::string which = next - previous == 2
                                      ? absl::StrCat(previous + 1)
                                      : absl::StrCat(previous + 1, "-", next - 1);
        absl::StrAppend(&out, "<tr class=\"gap\"><td>", which, "</td><td colspan=\"",
                        columns - 1, "\">not logged</td></tr>");
      }
    }
    row(sessions[i]);
  }
}

void PainTable(std::string& out, const std::vector<v1::Outcome>& sessions) {
  out += "<table id=\"pain-table\"><caption>Pain per session (NRS 0-10 points; change = after "
         "minus before)</caption><colgroup><col style=\"width:11%\"><col style=\"width:21%\">"
         "<col style=\"width:11%\"><col style=\"width:11%\"><col style=\"width:18%\"><col "
         "style=\"width:28%\"></colgroup><thead><tr><th scope=\"col\">Session</th><th scope=\"col\">Date "
         "(UTC)</th><th scope=\"col\">Pain before</th><th scope=\"col\">Pain after</th><th "
         "scope=\"col\">Change</th><th scope=\"col\">Adverse events</th></tr></thead><tbody>";
  RowsWithGaps(out, sessions, 6, [&](const v1::Outcome& s) {
    absl::StrAppend(&out, "<tr data-session=\"", s.session_number(), "\"><td>",
                    s.session_number(), "</td><td>", EscapeXml(DateOf(s.performed_at())),
                    "</td><td>", s.has_pain_before() ? absl::StrCat(s.pain_before()) : "",
                    "</td><td>", s.has_pain_after() ? absl::StrCat(s.pain_after()) : "",
                    "</td><td>", Change(s), "</td><td>", EventsCell(s), "</td></tr>");
  });
  out += "</tbody></table>";
}

void DoseTable(std::string& out, const std::vector<v1::Outcome>& sessions) {
  out += "<table id=\"dose-table\"><caption>Minutes and intensity per session</caption>"
         "<colgroup><col style=\"width:11%\"><col style=\"width:21%\"><col style=\"width:14%\">"
         "<col style=\"width:16%\"><col style=\"width:22%\"><col style=\"width:16%\"></colgroup>"
         "<thead><tr>"
         "<th scope=\"col\">Session</th><th scope=\"col\">Date (UTC)</th><th "
         "scope=\"col\">Minutes performed</th><th scope=\"col\">Intensity</th><th "
         "scope=\"col\">Protocol</th><th scope=\"col\">Therapist</th></tr></thead><tbody>";
  RowsWithGaps(out, sessions, 6, [&](const v1::Outcome& s) {
    absl::StrAppend(&out, "<tr data-session=\"", s.session_number(), "\"><td>",
                    s.session_number(), "</td><td>", EscapeXml(DateOf(s.performed_at())),
                    "</td><td>", s.minutes(), "</td><td>not recorded</td><td>",
                    EscapeXml(s.protocol_id()),
                    s.protocol_version() ? absl::StrCat(" v", s.protocol_version()) : "",
                    "</td><td>", EscapeXml(s.therapist_id()), "</td></tr>");
  });
  out += "</tbody></table>";
}

void SummarySection(std::string& out, const ReportInput& input) {
  const auto& sessions = input.sessions;
  out += "<section id=\"summary\" aria-labelledby=\"summary-h\"><h2 id=\"summary-h\">Summary</h2>";
  if (!input.scope_note.empty()) {
    absl::StrAppend(&out, "<p class=\"note\">", EscapeXml(input.scope_note), "</p>");
  }
  absl::StrAppend(&out, "<p class=\"headline\" id=\"episode-summary\">",
                  EscapeXml(EpisodeSummary(sessions)), "</p><ul>");
  if (const std::string within = WithinSessionSummary(sessions); !within.empty()) {
    absl::StrAppend(&out, "<li>", EscapeXml(within), "</li>");
  }
  absl::StrAppend(&out, "<li>", EscapeXml(AdverseEventsSummary(sessions)), "</li>");
  const std::vector<int> missing = MissingSessions(sessions);
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 20; ++i) {
      absl::StrAppend(&list, i ? ", " : "", missing[i]);
    }
    if (missing.size() > 20) absl::StrAppend(&list, " and ", missing.size() - 20, " more");
    absl::StrAppend(&out, "<li>", missing.size() == 1 ? "Session " : "Sessions ", list,
                    missing.size() == 1 ? " was" : " were",
                    " not logged: the charts leave a gap there rather than join the line.</li>");
  }
  out += "</ul><p class=\"caveat\">Pain is not the curve. These charts show how the patient "
         "reported pain around massage sessions; a change in pain does not mean the scoliosis "
         "curve (the Cobb angle) changed, and massage does not straighten a spine. Only films "
         "measure the curve.</p></section>";
}

void NextSection(std::string& out, const ReportInput& input) {
  out += "<section id=\"next\" aria-labelledby=\"next-h\"><h2 id=\"next-h\">Next session, as "
         "planned from the record</h2>";
  if (!input.next_session.has_value()) {
    absl::StrAppend(&out, "<p>", EscapeXml(input.next_session_note), "</p></section>");
    return;
  }
  const PlannedNextSession& next = *input.next_session;
  if (next.refer) {
    absl::StrAppend(&out, "<p id=\"next-dose\"><strong>Next session:"
                    " no massage until a clinician has assessed and cleared the patient</strong> "
                    "(a serious adverse event followed the last session).</p>");
  } else {
  absl::StrAppend(&out, "<p id=\"next-dose\"><strong>Next session: ",
                  next.dose.total_minutes, " minutes</strong>",
                  next.dose.lower_intensity ? ", every step one intensity level lighter" : "",
                  " (", EscapeXml(ProgressionName(next.dose.progression)), "; rule ",
                  EscapeXml(next.dose.rule_id),
                  next.dose.reason.empty() ? "" : absl::StrCat(": ", EscapeXml(next.dose.reason)),
                  ").</p>");
  }
  out += "<p class=\"note\">Planned from the logged sessions only, by the same dose rules the "
         "check-in uses";
  absl::StrAppend(&out, ", which numbers it session ", next.session_number,
                  " (the count of logged sessions plus one) unless the host sends a number.");
  out += " At check-in, screening (today's pain, contraindications, red flags, recorded "
         "clearances) can change it or stop the session: the check-in recommendation is the one "
         "to follow.</p>";
  if (next.warnings.empty()) {
    out += "<p>No open warnings follow from the record.</p>";
  } else {
    out += "<h3>Open warnings</h3><ul class=\"cards\">";
    for (const v1::Card& card : next.warnings) {
      absl::StrAppend(&out, "<li class=\"",
                      card.indicator() == v1::INDICATOR_CRITICAL ? "critical" : "warning",
                      "\"><strong>", EscapeXml(card.summary()), "</strong><br>",
                      EscapeXml(PlainText(card.detail())), "<br><span class=\"note\">Source: ",
                      EscapeXml(card.source()), "</span></li>");
    }
    out += "</ul>";
  }
  out += "</section>";
}

}  // namespace

std::string CurveSectionHtml(const std::vector<ReportFilm>& films) {
  std::string out =
      "<section id=\"curve\" aria-labelledby=\"curve-h\"><h2 id=\"curve-h\">Cobb angle per "
      "film</h2>";
  if (films.empty()) {
    out += "<p>No films recorded.</p></section>";
    return out;
  }
  out += "<table id=\"curve-table\"><caption>Cobb angle per film (degrees; a change of 5 degrees "
         "or more between films is beyond measurement error)</caption><thead><tr><th "
         "scope=\"col\">Film date (UTC)</th><th scope=\"col\">Region</th><th scope=\"col\">Cobb "
         "angle (degrees)</th></tr></thead><tbody>";
  for (const ReportFilm& film : films) {
    absl::StrAppend(&out, "<tr><td>", Date(film.taken_at_us), "</td><td>",
                    EscapeXml(film.spine_region), "</td><td>", Coord(film.cobb_angle_degrees),
                    "</td></tr>");
  }
  out += "</tbody></table></section>";
  return out;
}

std::string ScoresSectionHtml(const std::vector<ReportScore>& scores) {
  std::string out =
      "<section id=\"questionnaires\" aria-labelledby=\"questionnaires-h\"><h2 "
      "id=\"questionnaires-h\">Questionnaire scores</h2>";
  if (scores.empty()) {
    out += "<p>No questionnaires recorded.</p></section>";
    return out;
  }
  out += "<table id=\"scores-table\"><caption>Questionnaire scores per assessment</caption>"
         "<thead><tr><th scope=\"col\">Date (UTC)</th><th scope=\"col\">Questionnaire</th><th "
         "scope=\"col\">Domain</th><th scope=\"col\">Score</th></tr></thead><tbody>";
  for (const ReportScore& score : scores) {
    absl::StrAppend(&out, "<tr><td>", Date(score.performed_at_us), "</td><td>",
                    EscapeXml(score.instrument), "</td><td>", EscapeXml(score.domain),
                    "</td><td>", Coord(score.value), "</td></tr>");
  }
  out += "</tbody></table></section>";
  return out;
}

std::string RenderReportHtml(const ReportInput& input) {
  const auto& sessions = input.sessions;
  std::string out;
  out.reserve(16384 + sessions.size() * 1500);
  const std::string patient = EscapeXml(input.patient_id);
  absl::StrAppend(&out,
                  "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<meta name=\"referrer\" content=\"no-referrer\">"
                  "<title>Progress report: patient ",
                  patient, "</title><style>", kPageStyle, "</style></head><body><header><h1>Progress "
                  "report</h1><p>Patient <strong id=\"patient-id\">",
                  patient, "</strong>");
  if (!sessions.empty()) {
    absl::StrAppend(&out, " &middot; ", sessions.size(),
                    sessions.size() == 1 ? " session" : " sessions", " logged, ",
                    EscapeXml(DateOf(sessions.front().performed_at())), " to ",
                    EscapeXml(DateOf(sessions.back().performed_at())));
  }
  out += "</p></header><main>";
  SummarySection(out, input);
  NextSection(out, input);
  out += "<section id=\"pain\" aria-labelledby=\"pain-h\"><h2 id=\"pain-h\">Pain before and after "
         "each session</h2><figure>";
  out += PainChartSvg(sessions, /*standalone=*/false);
  out += "<figcaption class=\"note\">Pre-session pain (circles, solid line) and post-session pain "
         "(squares, dashed line) on the whole 0-10 scale. The shaded band around the baseline "
         "(the first pre-session pain) is less than a meaningful change: a fall of at least 2 "
         "points or 30% counts. Lines join consecutive sessions only; triangles mark adverse "
         "events (filled: serious).</figcaption></figure>";
  PainTable(out, sessions);
  out += "</section><section id=\"dose\" aria-labelledby=\"dose-h\"><h2 id=\"dose-h\">Minutes and "
         "intensity per session</h2><figure>";
  out += DoseChartSvg(sessions);
  out += "<figcaption class=\"note\">Minutes actually performed, as logged. The record does not "
         "yet store the intensity performed, so the table says \"not recorded\" rather than "
         "guess it from the recommendation.</figcaption></figure>";
  DoseTable(out, sessions);
  out += "</section>";
  out += CurveSectionHtml(input.films);
  out += ScoresSectionHtml(input.scores);
  absl::StrAppend(
      &out, "</main><footer><p class=\"generated\">Generated <time datetime=\"",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMicros(input.generated_at_us),
                       absl::UTCTimeZone()),
      "\">",
      absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::FromUnixMicros(input.generated_at_us),
                       absl::UTCTimeZone()),
      "</time> by scoliomassaged from the clinic's record.</p><p>Meaningful pain change: ",
      EscapeXml(kSourcePainChange), ". Adverse events: ", EscapeXml(kSourceAdverseEvents),
      ". Conservative treatment of scoliosis: ", EscapeXml(kSourceSosort),
      ". Colours: Okabe M, Ito K. Color Universal Design, 2008.</p></footer></body></html>\n");
  return out;
}

std::string RenderReportSvg(const ReportInput& input) {
  return PainChartSvg(input.sessions, /*standalone=*/true);
}

}  // namespace scoliomassage::core
