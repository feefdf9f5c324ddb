// What a patient progress report is drawn from. app/report.cc gathers it
// (access rules, the Store); core/report_page.h turns it into one
// self-contained HTML page. Pure data: no I/O, no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dose.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "scoliomassage/v1/protocol.pb.h"

namespace scoliomassage::core {

// The next session as the dose rules plan it from the logged sessions alone.
// Check-in screening (today's pain, contraindications, red flags, recorded
// clearances) can change or stop it; the page says so.
struct PlannedNextSession {
  int session_number = 1;
  // A serious adverse event after the last session that no clearance in the
  // record covers: the check-in will refer unless a clinician's clearance is
  // given there. No dose is shown then.
  bool refer = false;
  Dose dose;
  // Warnings that follow from the record itself: a serious adverse event not
  // yet cleared (refer), an episode without meaningful improvement (review).
  std::vector<v1::Card> warnings;
};

// One Cobb-angle measurement from a film. Filled once curve measurements are
// stored; until then the list is empty and the page says "no films recorded".
struct ReportFilm {
  int64_t taken_at_us = 0;
  std::string spine_region;  // readable, e.g. "thoracic"
  double cobb_angle_degrees = 0;
};

// One questionnaire score. Filled once assessments are stored.
struct ReportScore {
  int64_t performed_at_us = 0;
  std::string instrument;  // e.g. "ODI"
  std::string domain;      // "total" for a single score
  double value = 0;
};

struct ReportInput {
  std::string patient_id;
  // When the page was made (UTC microseconds), printed in its footer.
  int64_t generated_at_us = 0;
  // Latest revisions, in the order they are drawn: session number, then
  // performed_at.
  std::vector<v1::Outcome> sessions;
  // Set when the caller sees only part of the record (a therapist sees the
  // sessions they logged): the sentence that says so, shown at the top.
  std::string scope_note;
  // Absent when it cannot be shown to this caller (the page says why in
  // next_session_note).
  std::optional<PlannedNextSession> next_session;
  std::string next_session_note;
  std::vector<ReportFilm> films;
  std::vector<ReportScore> scores;
};

}  // namespace scoliomassage::core
