#include "http/cds_hooks.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/cds_cards.h"
#include "core/errors.h"
#include "http/json_util.h"

namespace scoliomassage::http {
namespace {

using nlohmann::json;

// "SPINE_REGION_THORACOLUMBAR" -> "thoracolumbar" for Markdown.
std::string Readable(const std::string& enum_name, absl::string_view prefix) {
  std::string text = enum_name;
  if (text.rfind(std::string(prefix), 0) == 0) text = text.substr(prefix.size());
  return absl::StrReplaceAll(absl::AsciiStrToLower(text), {{"_", " "}});
}

std::string Indicator(v1::Indicator indicator) {
  switch (indicator) {
    case v1::INDICATOR_WARNING: return "warning";
    case v1::INDICATOR_CRITICAL: return "critical";
    default: return "info";
  }
}

// The codings of core::CardOverrideReasons(), as CDS Hooks spells them.
json OverrideReasons() {
  json reasons = json::array();
  for (const core::OverrideReason& reason : core::CardOverrideReasons()) {
    reasons.push_back({{"system", reason.system}, {"code", reason.code}, {"display", reason.display}});
  }
  return reasons;
}

std::string DecisionText(v1::Decision decision) {
  switch (decision) {
    case v1::DECISION_PROCEED: return "Proceed";
    case v1::DECISION_PROCEED_MODIFIED: return "Proceed, modified";
    case v1::DECISION_DEFER: return "Defer: no massage today, reschedule";
    case v1::DECISION_REFER: return "Refer: no massage today, see a physician";
    default: return "Unspecified";
  }
}

// Markdown escaping for free text placed in a list item.
std::string Md(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"*", "\\*"}, {"_", "\\_"}, {"`", "\\`"},
                                    {"|", "\\|"}, {"<", "&lt;"}, {"\n", " "}});
}

std::string ProtocolDetail(const v1::RecommendProtocolResponse& response) {
  const v1::Protocol& protocol = response.protocol();
  std::string md = absl::StrCat("**Decision:** ", DecisionText(response.decision()), "\n\n");
  if (protocol.steps_size() > 0) {
    absl::StrAppend(&md, "**Protocol:** ", Md(protocol.title().empty() ? protocol.protocol_id() : protocol.title()),
                    " (`", protocol.protocol_id(), "` version ", protocol.protocol_version(), "), session ",
                    protocol.session_number(), ", ", protocol.total_minutes(), " minutes\n\n");
    for (const v1::Step& step : protocol.steps()) {
      absl::StrAppend(&md, step.order(), ". **", Readable(v1::BodyArea_Name(step.body_area()), "BODY_AREA_"), "**");
      if (step.spine_region() != v1::SPINE_REGION_UNSPECIFIED) {
        absl::StrAppend(&md, " (", Readable(v1::SpineRegion_Name(step.spine_region()), "SPINE_REGION_"), ")");
      }
      absl::StrAppend(&md, ", ", step.minutes(), " min: ", Md(step.technique()), ", ",
                      Readable(v1::Intensity_Name(step.intensity()), "INTENSITY_"), ", ",
                      Readable(v1::Position_Name(step.position()), "POSITION_"));
      if (step.ankle_roller()) absl::StrAppend(&md, ", small roller under the ankles");
      if (step.focus_side() != v1::SIDE_UNSPECIFIED) {
        absl::StrAppend(&md, ", focus ", Readable(v1::Side_Name(step.focus_side()), "SIDE_"));
      }
      if (!step.goal().empty()) absl::StrAppend(&md, ". Goal: ", Md(step.goal()));
      if (!step.instructions().empty()) absl::StrAppend(&md, ". ", Md(step.instructions()));
      absl::StrAppend(&md, "\n");
    }
    absl::StrAppend(&md, "\n");
  }
  const v1::Basis& basis = response.basis();
  if (!basis.summary().empty()) absl::StrAppend(&md, "**Basis:** ", Md(basis.summary()), "\n\n");
  if (!basis.session_number_source().empty()) {
    absl::StrAppend(&md, "- Session number: ", Md(basis.session_number_source()), "\n");
  }
  if (!basis.progression().empty()) absl::StrAppend(&md, "- Progression: ", Md(basis.progression()), "\n");
  if (!basis.last_outcome().empty()) absl::StrAppend(&md, "- Last outcome: ", Md(basis.last_outcome()), "\n");
  for (const v1::FiredRule& rule : basis.rules()) {
    absl::StrAppend(&md, "- Rule `", rule.rule_id(), "`: ", Md(rule.description()));
    if (!rule.source().empty()) absl::StrAppend(&md, " (", Md(rule.source()), ")");
    absl::StrAppend(&md, "\n");
  }
  absl::StrAppend(&md, "\nRecommendation `", response.recommendation_id(), "`\n");
  return md;
}

std::string ProtocolSummary(const v1::RecommendProtocolResponse& response) {
  const v1::Protocol& protocol = response.protocol();
  switch (response.decision()) {
    case v1::DECISION_DEFER: return "No massage today: defer and reschedule";
    case v1::DECISION_REFER: return "No massage today: refer to a physician";
    default: break;
  }
  return absl::StrCat("Today's protocol", response.decision() == v1::DECISION_PROCEED_MODIFIED ? " (modified)" : "",
                      ": ", protocol.title().empty() ? protocol.protocol_id() : protocol.title(), ", session ",
                      protocol.session_number(), ", ", protocol.total_minutes(), " min");
}

absl::Status Bad(const std::string& field, const std::string& why) { return core::InvalidField(field, why); }

}  // namespace

const std::vector<CdsService>& CdsServices() {
  static const std::vector<CdsService> services = {
      {"scoliomassage-checkin", "encounter-start", "Scoliosis massage protocol at check-in",
       "Today's massage protocol for a person with scoliosis, or defer/refer when screening finds a "
       "reason not to massage; shows the rules and sources it used."},
      {"scoliomassage-appointment", "appointment-book", "Scoliosis massage check when booking",
       "When a massage appointment is booked for a person with scoliosis: the protocol the session "
       "would follow today and any reason to defer or refer."},
  };
  return services;
}

const CdsService* FindCdsService(const std::string& id) {
  for (const CdsService& service : CdsServices()) {
    if (service.id == id) return &service;
  }
  return nullptr;
}

json DiscoveryDocument(const CdsMapping& mapping) {
  json services = json::array();
  for (const CdsService& service : CdsServices()) {
    services.push_back({{"id", service.id},
                        {"hook", service.hook},
                        {"title", service.title},
                        {"description", service.description},
                        {"prefetch", mapping.PrefetchTemplates()}});
  }
  json document = {{"services", services}};
  PruneEmpty(document);
  return document;
}

absl::StatusOr<v1::RecommendProtocolRequest> ParseHookRequest(const CdsService& service, const json& body,
                                                              const CdsMapping& mapping, absl::Time now,
                                                              const FillPrefetch& fill) {
  if (!body.is_object()) return Bad("body", "must be a JSON object");
  if (!body.contains("hook") || !body["hook"].is_string()) return Bad("hook", "is required");
  if (body["hook"] != service.hook) {
    return Bad("hook", absl::StrCat("service ", service.id, " answers the '", service.hook, "' hook"));
  }
  if (!body.contains("hookInstance") || !body["hookInstance"].is_string() || body["hookInstance"] == "") {
    return Bad("hookInstance", "is required (a UUID for this hook call)");
  }
  if (body.contains("fhirServer") && !body["fhirServer"].is_string()) return Bad("fhirServer", "must be a URL");
  if (body.contains("fhirAuthorization") && !body["fhirAuthorization"].is_object()) {
    return Bad("fhirAuthorization", "must be an object");
  }
  if (!body.contains("context") || !body["context"].is_object()) return Bad("context", "is required");
  const json& context = body["context"];
  if (!context.contains("patientId") || !context["patientId"].is_string() || context["patientId"] == "") {
    return Bad("context.patientId", "is required");
  }
  if (context.contains("encounterId") && !context["encounterId"].is_string()) {
    return Bad("context.encounterId", "must be a string");
  }
  json prefetch = body.contains("prefetch") ? body["prefetch"] : json::object();
  if (!prefetch.is_object()) return Bad("prefetch", "must be an object");
  if (fill) {
    if (absl::Status filled = fill(&prefetch); !filled.ok()) return filled;
  }
  return mapping.ToRequest(context, prefetch, now);
}

json CardsResponse(const v1::RecommendProtocolResponse& response) {
  // The uuids come from core::CardsOf, so feedback on a card finds its rule.
  const std::vector<core::IssuedCard> issued = core::CardsOf(response);
  json cards = json::array();
  cards.push_back({{"uuid", issued[0].uuid},
                   {"summary", TruncateUtf8(ProtocolSummary(response), kSummaryLimit)},
                   {"indicator", "info"},
                   {"detail", ProtocolDetail(response)},
                   {"source", {{"label", "scoliomassage protocol catalog"}}}});
  for (int i = 0; i < response.cards_size(); ++i) {
    const v1::Card& card = response.cards(i);
    json out = {{"uuid", issued[i + 1].uuid},
                {"summary", TruncateUtf8(card.summary(), kSummaryLimit)},
                {"indicator", Indicator(card.indicator())},
                {"detail", card.detail()},
                {"source", {{"label", card.source().empty() ? std::string("scoliomassage") : card.source()}}}};
    if (issued[i + 1].offers_override_reasons) out["overrideReasons"] = OverrideReasons();
    cards.push_back(std::move(out));
  }
  json document = {{"cards", cards}};
  PruneEmpty(document);
  return document;
}

}  // namespace scoliomassage::http
