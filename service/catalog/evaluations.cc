#include "catalog/evaluations.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/read_file.h"
#include "catalog/textproto_files.h"
#include "google/protobuf/text_format.h"

namespace scoliomassage::catalog {
namespace {
using google::protobuf::TextFormat;

bool IsName(absl::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

// "file:line:col: evaluation "name": field: problem", at the field's line
// when the parser recorded it, else at the evaluation's.
class EvaluationProblems {
 public:
  EvaluationProblems(const std::string& file, const v1::ProtocolEvaluation& evaluation,
                     const TextFormat::ParseInfoTree* tree, TextFormat::ParseLocation at,
                     std::vector<std::string>* problems)
      : file_(file), evaluation_(evaluation), tree_(tree), at_(at), problems_(problems) {}

  void Add(const char* field, absl::string_view problem) {
    TextFormat::ParseLocation location = at_;
    const auto* descriptor = v1::ProtocolEvaluation::descriptor()->FindFieldByName(field);
    if (tree_ != nullptr && descriptor != nullptr) {
      TextFormat::ParseLocation found = tree_->GetLocation(descriptor, -1);
      if (found.line >= 0) location = found;
    }
    problems_->push_back(absl::StrCat(file_, ":", location.line + 1, ":", location.column + 1,
                                      ": evaluation \"", evaluation_.name(), "\": ", field, ": ",
                                      problem));
  }

 private:
  const std::string& file_;
  const v1::ProtocolEvaluation& evaluation_;
  const TextFormat::ParseInfoTree* tree_;
  TextFormat::ParseLocation at_;
  std::vector<std::string>* problems_;
};

void CheckVersion(const v1::ProtocolEvaluation& evaluation, const char* field, uint32_t version,
                  const Catalog& catalog, EvaluationProblems& report) {
  if (version == 0) {
    report.Add(field, "required: a catalog version of protocol_id");
  } else if (catalog.FindById(evaluation.protocol_id()) != nullptr &&
             catalog.FindVersion(evaluation.protocol_id(), version) == nullptr) {
    report.Add(field, absl::StrCat("the catalog has no version ", version, " of protocol \"",
                                   evaluation.protocol_id(),
                                   "\"; load both versions (the catalog may hold several "
                                   "versions of one protocol)"));
  }
}

}  // namespace

uint32_t Evaluation::VersionOf(v1::EvaluationVariant variant) const {
  switch (variant) {
    case v1::EVALUATION_VARIANT_A: return config.variant_a_version();
    case v1::EVALUATION_VARIANT_B: return config.variant_b_version();
    default: return 0;
  }
}

Evaluations::Evaluations(std::vector<Evaluation> evaluations)
    : evaluations_(std::move(evaluations)) {}

const Evaluation* Evaluations::Find(absl::string_view clinic_id,
                                    absl::string_view protocol_id) const {
  for (const Evaluation& evaluation : evaluations_) {
    if (evaluation.config.clinic_id() == clinic_id &&
        evaluation.config.protocol_id() == protocol_id) {
      return &evaluation;
    }
  }
  return nullptr;
}

absl::StatusOr<std::shared_ptr<const Evaluations>> ParseEvaluations(const CatalogFile& file,
                                                                    const Catalog& catalog) {
  std::vector<std::string> problems;
  v1::ProtocolEvaluations parsed;
  TextFormat::ParseInfoTree tree;
  FileErrorCollector errors(file.name, &problems);
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(file.text, &parsed)) {
    if (problems.empty()) problems.push_back(absl::StrCat(file.name, ": does not parse"));
    return RejectFiles("the evaluations file", std::move(problems));
  }
  if (parsed.evaluations().empty()) {
    problems.push_back(absl::StrCat(file.name, ":1:1: the file defines no evaluations"));
  }
  const auto* evaluations_field =
      v1::ProtocolEvaluations::descriptor()->FindFieldByName("evaluations");
  std::set<std::pair<std::string, std::string>> names;
  std::set<std::pair<std::string, std::string>> protocols;
  std::vector<Evaluation> loaded;
  for (int i = 0; i < parsed.evaluations_size(); ++i) {
    const v1::ProtocolEvaluation& config = parsed.evaluations(i);
    EvaluationProblems report(file.name, config, tree.GetTreeForNested(evaluations_field, i),
                              tree.GetLocation(evaluations_field, i), &problems);
    Evaluation evaluation;
    evaluation.config = config;
    if (config.clinic_id().empty()) report.Add("clinic_id", "required: the clinic that runs it");
    if (!IsName(config.name())) {
      report.Add("name", "required: 1-64 lowercase letters, digits and dashes");
    } else if (!names.emplace(config.clinic_id(), config.name()).second) {
      report.Add("name", "already used by another evaluation of this clinic");
    }
    if (config.protocol_id().empty()) {
      report.Add("protocol_id", "required: a protocol id of the catalog");
    } else if (catalog.FindById(config.protocol_id()) == nullptr) {
      report.Add("protocol_id",
                 absl::StrCat("the catalog has no protocol \"", config.protocol_id(), "\""));
    } else if (!protocols.emplace(config.clinic_id(), config.protocol_id()).second) {
      report.Add("protocol_id", "already evaluated by another evaluation of this clinic");
    }
    CheckVersion(config, "variant_a_version", config.variant_a_version(), catalog, report);
    CheckVersion(config, "variant_b_version", config.variant_b_version(), catalog, report);
    if (config.variant_a_version() != 0 &&
        config.variant_a_version() == config.variant_b_version()) {
      report.Add("variant_b_version", "must differ from variant_a_version");
    }
    absl::Time start;
    std::string error;
    if (config.start_date().empty()) {
      report.Add("start_date", "required: \"YYYY-MM-DD\" (UTC)");
    } else if (!absl::ParseTime("%Y-%m-%d", config.start_date(), absl::UTCTimeZone(), &start,
                                &error)) {
      report.Add("start_date", absl::StrCat("not a \"YYYY-MM-DD\" date: ", error));
    } else {
      evaluation.start_us = absl::ToUnixMicros(start);
    }
    loaded.push_back(std::move(evaluation));
  }
  if (!problems.empty()) return RejectFiles("the evaluations file", std::move(problems));
  return std::make_shared<const Evaluations>(std::move(loaded));
}

absl::StatusOr<std::shared_ptr<const Evaluations>> LoadEvaluations(const std::string& path,
                                                                   const Catalog& catalog) {
  absl::StatusOr<std::string> text = base::ReadFileToString(path, "evaluations");
  if (!text.ok()) return text.status();
  return ParseEvaluations(CatalogFile{path, *std::move(text)}, catalog);
}

}  // namespace scoliomassage::catalog
