#include "catalog/checks.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/technique.h"

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

// A source shown to clinicians is a citation, not a path: names of files mean
// nothing outside this repository.
bool NamesAFile(const std::string& text) {
  for (const char* extension : {".txt", ".md", ".textproto", ".pdf", ".doc", ".html", ".json"}) {
    if (text.find(extension) != std::string::npos) return true;
  }
  return false;
}

std::string ClassNames(unsigned classes) {
  std::vector<std::string> names;
  for (int value = v1::TechniqueClass_MIN; value <= v1::TechniqueClass_MAX; ++value) {
    if (core::Names(classes, static_cast<v1::TechniqueClass>(value))) {
      names.push_back(v1::TechniqueClass_Name(value));
    }
  }
  return absl::StrJoin(names, ", ");
}

// The coded class must say what the text says, so a rule over classes
// (no percussion today) also removes the words ("tapping") from the plan.
void CheckTechnique(const v1::StepTemplate& step, int index, ProblemReporter& report) {
  if (step.technique().empty()) {
    report.Step(index, "technique", "required, e.g. \"stroking\" or \"kneading\"");
    return;
  }
  const unsigned named = core::TechniqueClassesNamed(step.technique());
  if (step.technique_class() == v1::TECHNIQUE_CLASS_UNSPECIFIED) {
    if (!core::ClassFromText(step.technique()).has_value()) {
      report.Step(index, "technique",
                  named == 0
                      ? "set technique_class: the text names no known technique"
                      : absl::StrCat("set technique_class: the text names several classes (",
                                     ClassNames(named), "); split it into one step per class"));
    }
    return;
  }
  if (!v1::TechniqueClass_IsValid(step.technique_class())) {
    report.Step(index, "technique_class", "unknown value");
    return;
  }
  const unsigned others = named & ~(1u << step.technique_class());
  if (others != 0) {
    report.Step(index, "technique",
                absl::StrCat("breaks rule catalog.technique_matches_class: the text names ",
                             ClassNames(others), " but technique_class is ",
                             v1::TechniqueClass_Name(step.technique_class())));
  }
}

v1::TechniqueClass StepClass(const v1::StepTemplate& step) {
  if (step.technique_class() != v1::TECHNIQUE_CLASS_UNSPECIFIED) return step.technique_class();
  return core::ClassFromText(step.technique()).value_or(v1::TECHNIQUE_CLASS_UNSPECIFIED);
}

void CheckStep(const v1::CatalogProtocol& protocol, const v1::StepTemplate& step, int index,
               v1::BodyArea previous_area, ProblemReporter& report) {
  if (step.body_area() == v1::BODY_AREA_UNSPECIFIED || !v1::BodyArea_IsValid(step.body_area())) {
    report.Step(index, "body_area", "required: BODY_AREA_LEGS, _HIPS, _ABDOMEN, _BACK or _NECK");
  } else if (step.body_area() < previous_area) {
    report.Step(index, "body_area",
                absl::StrCat(v1::BodyArea_Name(step.body_area()), " comes after ",
                             v1::BodyArea_Name(previous_area),
                             "; the session order is legs, hips, abdomen, the back, then the "
                             "front and side of the neck"));
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
  CheckTechnique(step, index, report);
  if (!v1::CurveSide_IsValid(step.curve_side())) {
    report.Step(index, "curve_side", "unknown value");
  }
  const v1::SpineRegion region = step.spine_region() != v1::SPINE_REGION_UNSPECIFIED
                                     ? step.spine_region()
                                     : protocol.spine_region();
  if (auto breach =
          core::NeckRuleBreach(step.body_area(), region, StepClass(step), step.intensity())) {
    const bool about_class = std::string(breach->rule_id) != "neck.max_moderate";
    const bool coded_in_file = step.technique_class() != v1::TECHNIQUE_CLASS_UNSPECIFIED;
    report.Step(index,
                !about_class ? "intensity" : coded_in_file ? "technique_class" : "technique",
                absl::StrCat("breaks rule ", breach->rule_id, ": ", breach->description));
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
    report.Protocol("source",
                    "required: a published citation (author, title, journal, year) or "
                    "\"clinic practice description (expert opinion)\"");
  } else if (NamesAFile(protocol.source())) {
    report.Protocol("source", "cite the publication, not a file: clinicians see this text");
  }
  if (protocol.evidence_level() == v1::EVIDENCE_LEVEL_UNSPECIFIED ||
      !v1::EvidenceLevel_IsValid(protocol.evidence_level())) {
    report.Protocol("evidence_level",
                    "required, e.g. EVIDENCE_LEVEL_EXPERT_OPINION for a description of practice");
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
    CheckStep(protocol, step, i, previous_area, report);
    if (v1::BodyArea_IsValid(step.body_area()) && step.body_area() > previous_area) {
      previous_area = step.body_area();
    }
  }
}

void CodeTechniques(v1::CatalogProtocol* protocol) {
  for (auto& step : *protocol->mutable_steps()) step.set_technique_class(StepClass(step));
}

void CheckAcrossProtocols(const std::vector<ParsedProtocol>& parsed,
                          std::vector<std::string>* problems) {
  // Several versions of one protocol may be loaded at once (a protocol
  // evaluation compares two); each (id, version) appears once, and the
  // versions of an id cover the same region and pattern, so a
  // (spine_region, curve_pattern) pair still names one protocol.
  std::map<std::pair<std::string, uint32_t>, const ParsedProtocol*> by_version;
  std::map<std::string, const ParsedProtocol*> by_id;
  std::map<std::pair<int, int>, const ParsedProtocol*> by_key;
  for (const ParsedProtocol& current : parsed) {
    const v1::CatalogProtocol& protocol = current.protocol;
    auto [version_entry, version_is_new] =
        by_version.emplace(std::make_pair(protocol.id(), protocol.version()), &current);
    if (!version_is_new) {
      ProblemReporter(current, problems)
          .Protocol("id", absl::StrFormat("duplicate id and version %d, first defined in %s:%d",
                                          protocol.version(), version_entry->second->file,
                                          version_entry->second->line + 1));
      continue;
    }
    auto [id_entry, id_is_new] = by_id.emplace(protocol.id(), &current);
    if (!id_is_new) {
      const v1::CatalogProtocol& first = id_entry->second->protocol;
      if (first.spine_region() != protocol.spine_region() ||
          first.curve_pattern() != protocol.curve_pattern()) {
        ProblemReporter(current, problems)
            .Protocol("spine_region",
                      absl::StrFormat("every version of a protocol covers the same spine_region "
                                      "and curve_pattern; version %d (%s:%d) has %s with %s",
                                      first.version(), id_entry->second->file,
                                      id_entry->second->line + 1,
                                      v1::SpineRegion_Name(first.spine_region()),
                                      v1::CurvePattern_Name(first.curve_pattern())));
      }
      continue;
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
