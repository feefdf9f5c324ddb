#include "catalog/checks.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace scoliomassage::catalog {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::TextFormat;

const FieldDescriptor* ProtocolField(const char* name) {
  return v1::CatalogProtocol::descriptor()->FindFieldByName(name);
}

const FieldDescriptor* StepField(const char* name) {
  return v1::StepTemplate::descriptor()->FindFieldByName(name);
}

// Points problems at the closest known location: the field itself, else the
// step, else the protocol.
class ProblemReporter {
 public:
  ProblemReporter(const ParsedProtocol& parsed, std::vector<std::string>* problems)
      : parsed_(parsed), problems_(problems) {}

  void Protocol(const char* field, absl::string_view problem) {
    TextFormat::ParseLocation location = FieldLocation(parsed_.locations, ProtocolField(field), -1);
    Add(location, field, problem);
  }

  void Step(int index, const char* field, absl::string_view problem) {
    const FieldDescriptor* steps = ProtocolField("steps");
    const TextFormat::ParseInfoTree* step_tree =
        parsed_.locations == nullptr ? nullptr : parsed_.locations->GetTreeForNested(steps, index);
    TextFormat::ParseLocation location = FieldLocation(step_tree, StepField(field), -1);
    if (location.line < 0) location = FieldLocation(parsed_.locations, steps, index);
    Add(location, absl::StrCat("steps[", index, "].", field), problem);
  }

 private:
  static TextFormat::ParseLocation FieldLocation(const TextFormat::ParseInfoTree* tree,
                                                 const FieldDescriptor* field, int index) {
    // A repeated field as a whole (e.g. "steps" missing) has no location of
    // its own; the caller falls back to the enclosing message.
    if (tree == nullptr || (field->is_repeated() && index < 0)) return TextFormat::ParseLocation();
    return tree->GetLocation(field, field->is_repeated() ? index : -1);
  }

  void Add(TextFormat::ParseLocation location, absl::string_view field,
           absl::string_view problem) {
    if (location.line < 0) location = TextFormat::ParseLocation(parsed_.line, parsed_.column);
    problems_->push_back(absl::StrFormat("%s:%d:%d: protocol \"%s\": %s: %s", parsed_.file,
                                         location.line + 1, location.column + 1,
                                         parsed_.protocol.id(), field, problem));
  }

  const ParsedProtocol& parsed_;
  std::vector<std::string>* problems_;
};

bool IsValidId(const std::string& id) {
  if (id.empty()) return false;
  for (char c : id) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!allowed) return false;
  }
  return true;
}

void CheckStep(const v1::StepTemplate& step, int index, v1::BodyArea previous_area,
               ProblemReporter& report) {
  if (step.body_area() == v1::BODY_AREA_UNSPECIFIED || !v1::BodyArea_IsValid(step.body_area())) {
    report.Step(index, "body_area", "required: BODY_AREA_LEGS, _HIPS, _ABDOMEN or _BACK");
  } else if (step.body_area() < previous_area) {
    report.Step(index, "body_area",
                absl::StrCat(v1::BodyArea_Name(step.body_area()), " comes after ",
                             v1::BodyArea_Name(previous_area),
                             "; the session order is legs, hips, abdomen, then the back "
                             "(BACK steps come last)"));
  }
  if (step.position() == v1::POSITION_UNSPECIFIED || !v1::Position_IsValid(step.position())) {
    report.Step(index, "position", "required: POSITION_PRONE, _SUPINE, _SIDE_LYING or _SEATED");
  } else if (step.ankle_roller() && step.position() != v1::POSITION_PRONE) {
    report.Step(index, "ankle_roller", "the ankle roller is for prone work only");
  }
  if (step.spine_region() != v1::SPINE_REGION_UNSPECIFIED &&
      step.body_area() != v1::BODY_AREA_BACK) {
    report.Step(index, "spine_region", "only BACK steps work a spine region");
  }
  if (step.intensity() == v1::INTENSITY_UNSPECIFIED || !v1::Intensity_IsValid(step.intensity())) {
    report.Step(index, "intensity", "required: INTENSITY_LIGHT, _MODERATE or _DEEP");
  }
  if (step.weight() < 1) {
    report.Step(index, "weight", "must be at least 1 (the step's share of the session)");
  }
  if (step.technique().empty()) {
    report.Step(index, "technique", "required, e.g. \"stroking\" or \"kneading\"");
  }
  if (!v1::CurveSide_IsValid(step.curve_side())) {
    report.Step(index, "curve_side", "unknown value");
  }
}

}  // namespace

void CheckProtocol(const ParsedProtocol& parsed, std::vector<std::string>* problems) {
  const v1::CatalogProtocol& protocol = parsed.protocol;
  ProblemReporter report(parsed, problems);
  if (!IsValidId(protocol.id())) {
    report.Protocol("id", "required; lowercase letters, digits and dashes only");
  }
  if (protocol.version() < 1) report.Protocol("version", "must be at least 1");
  if (protocol.source().empty()) {
    report.Protocol("source", "required: the document and section the protocol comes from");
  }
  if (protocol.spine_region() == v1::SPINE_REGION_UNSPECIFIED ||
      !v1::SpineRegion_IsValid(protocol.spine_region())) {
    report.Protocol("spine_region", "required, e.g. SPINE_REGION_THORACIC");
  }
  if (protocol.curve_pattern() == v1::CURVE_PATTERN_UNSPECIFIED ||
      !v1::CurvePattern_IsValid(protocol.curve_pattern())) {
    report.Protocol("curve_pattern", "required: CURVE_PATTERN_C_CURVE or CURVE_PATTERN_S_CURVE");
  }
  if (protocol.steps().empty()) {
    report.Protocol("steps", "at least one step is required");
  } else if (protocol.steps_size() > kMaxStepsPerProtocol) {
    report.Protocol("steps", absl::StrCat("at most ", kMaxStepsPerProtocol,
                                          " steps, so each gets a minute of a 15-minute session"));
  }
  v1::BodyArea previous_area = v1::BODY_AREA_UNSPECIFIED;
  for (int i = 0; i < protocol.steps_size(); ++i) {
    const v1::StepTemplate& step = protocol.steps(i);
    CheckStep(step, i, previous_area, report);
    if (v1::BodyArea_IsValid(step.body_area()) && step.body_area() > previous_area) {
      previous_area = step.body_area();
    }
  }
}

void CheckAcrossProtocols(const std::vector<ParsedProtocol>& parsed,
                          std::vector<std::string>* problems) {
  std::map<std::string, const ParsedProtocol*> by_id;
  std::map<std::pair<int, int>, const ParsedProtocol*> by_key;
  for (const ParsedProtocol& current : parsed) {
    const v1::CatalogProtocol& protocol = current.protocol;
    auto [id_entry, id_is_new] = by_id.emplace(protocol.id(), &current);
    if (!id_is_new) {
      ProblemReporter(current, problems)
          .Protocol("id", absl::StrFormat("duplicate id, first defined in %s:%d", id_entry->second->file,
                                          id_entry->second->line + 1));
    }
    auto [key_entry, key_is_new] =
        by_key.emplace(std::make_pair(protocol.spine_region(), protocol.curve_pattern()), &current);
    if (!key_is_new) {
      ProblemReporter(current, problems)
          .Protocol("curve_pattern",
                    absl::StrFormat("%s with %s is already covered by protocol \"%s\" (%s:%d)",
                                    v1::SpineRegion_Name(protocol.spine_region()),
                                    v1::CurvePattern_Name(protocol.curve_pattern()),
                                    key_entry->second->protocol.id(), key_entry->second->file,
                                    key_entry->second->line + 1));
    }
  }
}

}  // namespace scoliomassage::catalog
