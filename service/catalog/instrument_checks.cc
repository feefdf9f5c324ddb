#include "catalog/instrument_checks.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace scoliomassage::catalog {
namespace {

using google::protobuf::TextFormat;

bool IsToken(const std::string& text, bool allow_underscore) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (allow_underscore && c == '_');
    if (!ok) return false;
  }
  return true;
}

// Adds "file:line:col: instrument "id": field: message", the line of the
// field when the parser recorded it (else the instrument's own line).
class Reporter {
 public:
  Reporter(const ParsedInstrument& parsed, std::vector<std::string>* problems)
      : parsed_(parsed), problems_(problems) {}

  void Add(const std::string& field, int index, const std::string& path, const std::string& what,
           const TextFormat::ParseInfoTree* tree = nullptr) {
    int line = parsed_.line;
    int column = parsed_.column;
    if (tree == nullptr) tree = parsed_.locations;
    if (tree != nullptr && !field.empty()) {
      const auto* descriptor = FieldOwner(tree)->FindFieldByName(field);
      if (descriptor != nullptr) {
        TextFormat::ParseLocation location =
            tree->GetLocation(descriptor, descriptor->is_repeated() ? index : -1);
        if (location.line >= 0) {
          line = location.line;
          column = location.column;
        }
      }
    }
    problems_->push_back(absl::StrFormat("%s:%d:%d: instrument \"%s\": %s: %s", parsed_.file,
                                         line + 1, column + 1, parsed_.instrument.id(), path,
                                         what));
  }

  void SetOwner(const google::protobuf::Descriptor* owner) { owner_ = owner; }

 private:
  const google::protobuf::Descriptor* FieldOwner(const TextFormat::ParseInfoTree*) const {
    return owner_ != nullptr ? owner_ : v1::Instrument::descriptor();
  }

  const ParsedInstrument& parsed_;
  std::vector<std::string>* problems_;
  const google::protobuf::Descriptor* owner_ = nullptr;
};

void CheckDomain(const v1::Instrument& instrument, int d, const std::set<std::string>& item_ids,
                 const TextFormat::ParseInfoTree* tree, Reporter& report) {
  const v1::InstrumentDomain& domain = instrument.domains(d);
  const std::string at = absl::StrCat("domains[", d, "]");
  report.SetOwner(v1::InstrumentDomain::descriptor());
  if (!IsToken(domain.id(), true)) {
    report.Add("id", -1, at + ".id", "lowercase letters, digits and '_' (1-64), e.g. \"total\"",
               tree);
  }
  if (domain.items().empty()) report.Add("items", -1, at + ".items", "lists no items", tree);
  std::set<std::string> seen;
  for (int i = 0; i < domain.items_size(); ++i) {
    const std::string& item = domain.items(i);
    if (item_ids.count(item) == 0) {
      report.Add("items", i, absl::StrCat(at, ".items[", i, "]"),
                 absl::StrCat("\"", item, "\" is not an item of this instrument"), tree);
    } else if (!seen.insert(item).second) {
      report.Add("items", i, absl::StrCat(at, ".items[", i, "]"),
                 absl::StrCat("\"", item, "\" is listed twice"), tree);
    }
  }
  if (domain.scoring() == v1::SCORING_RULE_UNSPECIFIED) {
    report.Add("scoring", -1, at + ".scoring",
               "required: SCORING_RULE_SUM, _PERCENT_OF_ANSWERED_MAXIMUM or _MEAN", tree);
  }
  if (domain.min_answered_items() < 1 || domain.min_answered_items() > domain.items_size()) {
    report.Add("min_answered_items", -1, at + ".min_answered_items",
               absl::StrCat("must be 1 to the domain's ", domain.items_size(), " items"), tree);
  }
  // A plain sum over fewer items than the domain has would understate the
  // score; missing items need a rescaling rule (percent of answered maximum,
  // or mean).
  if (domain.scoring() == v1::SCORING_RULE_SUM &&
      domain.min_answered_items() != domain.items_size()) {
    report.Add("min_answered_items", -1, at + ".min_answered_items",
               "a SCORING_RULE_SUM domain needs every item answered (use "
               "SCORING_RULE_PERCENT_OF_ANSWERED_MAXIMUM or SCORING_RULE_MEAN to allow missing "
               "items)",
               tree);
  }
  if (domain.has_meaningful_change()) {
    const v1::MeaningfulChange& change = domain.meaningful_change();
    if (change.points() < 0 || change.fraction_of_baseline() < 0 ||
        change.fraction_of_baseline() > 1) {
      report.Add("meaningful_change", -1, at + ".meaningful_change",
                 "points must be 0 or more and fraction_of_baseline 0-1", tree);
    }
    if (change.points() == 0 && change.fraction_of_baseline() == 0) {
      report.Add("meaningful_change", -1, at + ".meaningful_change",
                 "sets no threshold (points or fraction_of_baseline)", tree);
    }
    if (change.source().empty()) {
      report.Add("meaningful_change", -1, at + ".meaningful_change.source",
                 "a threshold needs its published source", tree);
    }
  }
  report.SetOwner(nullptr);
}

}  // namespace

void CheckInstrument(const ParsedInstrument& parsed, std::vector<std::string>* problems) {
  const v1::Instrument& instrument = parsed.instrument;
  Reporter report(parsed, problems);
  if (!IsToken(instrument.id(), false)) {
    report.Add("id", -1, "id", "lowercase letters and digits (1-64), e.g. \"odi\"");
  }
  if (instrument.name().empty()) report.Add("name", -1, "name", "is required");
  if (instrument.version().empty()) report.Add("version", -1, "version", "is required");
  if (instrument.citation().empty()) {
    report.Add("citation", -1, "citation",
               "a published source (author, title, journal, year) is required");
  }
  if (instrument.code().empty() != instrument.code_system().empty()) {
    report.Add("code", -1, "code", "code and code_system go together");
  }
  if (instrument.direction() == v1::CHANGE_DIRECTION_UNSPECIFIED) {
    report.Add("direction", -1, "direction",
               "required: CHANGE_DIRECTION_LOWER_IS_BETTER or CHANGE_DIRECTION_HIGHER_IS_BETTER");
  }
  if (instrument.items().empty()) report.Add("items", -1, "items", "defines no items");
  std::set<std::string> item_ids;
  for (int i = 0; i < instrument.items_size(); ++i) {
    const v1::InstrumentItem& item = instrument.items(i);
    // Items are numbered, never named: the texts are the authors' copyright.
    if (item.id() != std::to_string(i + 1)) {
      report.Add("items", i, absl::StrCat("items[", i, "].id"),
                 absl::StrCat("must be \"", i + 1, "\": items are numbered 1, 2, ... in order"));
    }
    item_ids.insert(item.id());
    if (item.min() >= item.max()) {
      report.Add("items", i, absl::StrCat("items[", i, "]"),
                 absl::StrCat("min (", item.min(), ") must be below max (", item.max(), ")"));
    }
  }
  if (instrument.domains().empty()) report.Add("domains", -1, "domains", "defines no domains");
  const auto* domains_field = v1::Instrument::descriptor()->FindFieldByName("domains");
  std::set<std::string> domain_ids;
  for (int d = 0; d < instrument.domains_size(); ++d) {
    const TextFormat::ParseInfoTree* tree =
        parsed.locations != nullptr ? parsed.locations->GetTreeForNested(domains_field, d)
                                    : nullptr;
    CheckDomain(instrument, d, item_ids, tree, report);
    if (!domain_ids.insert(instrument.domains(d).id()).second) {
      report.Add("domains", d, absl::StrCat("domains[", d, "].id"),
                 absl::StrCat("\"", instrument.domains(d).id(), "\" is defined twice"));
    }
  }
}

void CheckAcrossInstruments(const std::vector<ParsedInstrument>& parsed,
                            std::vector<std::string>* problems) {
  std::map<std::string, const ParsedInstrument*> by_id;
  for (const ParsedInstrument& instrument : parsed) {
    auto [it, inserted] = by_id.emplace(instrument.instrument.id(), &instrument);
    if (!inserted) {
      problems->push_back(absl::StrFormat(
          "%s:%d:%d: instrument \"%s\": id: also defined at %s:%d", instrument.file,
          instrument.line + 1, instrument.column + 1, instrument.instrument.id(), it->second->file,
          it->second->line + 1));
    }
  }
}

}  // namespace scoliomassage::catalog
