#include "core/adverse_events.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "core/clearances.h"
#include "core/dose.h"
#include "core/sources.h"

namespace scoliomassage::core {
namespace {

std::string Words(std::string name, absl::string_view prefix) {
  if (absl::string_view(name).substr(0, prefix.size()) == prefix) name.erase(0, prefix.size());
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return c == '_' ? ' ' : static_cast<char>(std::tolower(c));
  });
  return name;
}

}  // namespace

std::string DescribeAdverseEvent(const v1::AdverseEvent& event) {
  return absl::StrCat(Words(v1::AdverseEventType_Name(event.type()), "ADVERSE_EVENT_TYPE_"),
                      " (", Words(v1::Severity_Name(event.severity()), "SEVERITY_"), ")");
}

AdverseEventGate CheckLastSessionEvents(const v1::RecommendProtocolRequest& request,
                                        const PatientProgress& progress,
                                        Explanation& explanation) {
  AdverseEventGate gate;
  if (!progress.last_outcome.has_value()) return gate;
  const v1::Outcome& last = *progress.last_outcome;
  const AdverseEventSummary events = SummarizeAdverseEvents(last, progress.as_of_us);
  if (!events.serious) return gate;
  const std::string event = DescribeAdverseEvent(*events.headline);
  // Resolution is reported, but it does not replace a clinician's clearance.
  std::string follow_up;
  switch (events.headline->resolution()) {
    case v1::ADVERSE_EVENT_RESOLUTION_RESOLVED:
      follow_up = absl::StrCat(" It resolved on ", DateOf(events.headline->resolved_time()),
                               "; a clinician's clearance is still needed.");
      break;
    case v1::ADVERSE_EVENT_RESOLUTION_ONGOING:
      follow_up = " At the last follow-up it was **still unresolved**.";
      break;
    default:
      follow_up = " No follow-up is recorded: ask how the patient is.";
  }
  const std::string when = absl::StrCat("session ", last.session_number(), " on ",
                                        DateOf(last.performed_at()));
  // A clearance from before that session cannot have assessed this event.
  gate.clearance = FindClearance(request, v1::CLEARANCE_SUBJECT_ADVERSE_EVENT, last.performed_at());
  if (gate.clearance == nullptr) {
    gate.refer = true;
    explanation.AddCard(
        v1::INDICATOR_CRITICAL, "adverse_event.refer",
        absl::StrCat("Refer: ", event, " after ", when, ". No massage until a clinician clears."),
        absl::StrCat(
            "The last session (", when, ", `", last.name(), "`) was followed by **", event,
            "**. Neurological symptoms of any severity, or any severe event, need a clinician's "
            "assessment before more massage. **Do not massage.** Refer the patient; once a "
            "clinician has assessed and cleared them, record the clearance "
            "(CLEARANCE_SUBJECT_ADVERSE_EVENT, given after that session) and the next session "
            "proceeds stepped back.",
            follow_up),
        kSourceAdverseEvents);
    return gate;
  }
  explanation.AddCard(
      v1::INDICATOR_WARNING, "adverse_event.cleared",
      absl::StrCat("Cleared after ", event, ": today stepped back. Stop if symptoms recur."),
      absl::StrCat("The last session (", when, ") was followed by **", event, "**. ",
                   DescribeClearance(*gate.clearance),
                   ", so the session proceeds stepped back: 5 minutes shorter and every step one "
                   "intensity level lighter. Stop and refer if the symptoms come back.",
                   events.headline->resolution() == v1::ADVERSE_EVENT_RESOLUTION_ONGOING
                       ? " The event was still unresolved at the last follow-up: check with the "
                         "clearing clinician before you start."
                       : ""),
      kSourceAdverseEvents);
  return gate;
}

}  // namespace scoliomassage::core
