#include "catalog/loader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "catalog/checks.h"
#include "catalog/textproto_files.h"
#include "google/protobuf/text_format.h"

namespace scoliomassage::catalog {
using google::protobuf::TextFormat;

absl::StatusOr<std::shared_ptr<const Catalog>> ParseCatalogFiles(
    const std::vector<CatalogFile>& files) {
  std::vector<std::string> problems;
  // The trees must outlive the checks, which read locations from them.
  std::vector<std::unique_ptr<TextFormat::ParseInfoTree>> trees;
  std::vector<ParsedProtocol> parsed;
  const auto* protocols_field = v1::Catalog::descriptor()->FindFieldByName("protocols");

  for (const CatalogFile& file : files) {
    v1::Catalog catalog;
    auto tree = std::make_unique<TextFormat::ParseInfoTree>();
    FileErrorCollector errors(file.name, &problems);
    TextFormat::Parser parser;
    parser.RecordErrorsTo(&errors);
    parser.WriteLocationsTo(tree.get());
    if (!parser.ParseFromString(file.text, &catalog)) {
      // The parser reports through the collector; make sure a failure never
      // goes unexplained.
      if (problems.empty()) problems.push_back(absl::StrCat(file.name, ": does not parse"));
      continue;
    }
    if (catalog.protocols().empty()) {
      problems.push_back(absl::StrCat(file.name, ":1:1: the file defines no protocols"));
    }
    for (int i = 0; i < catalog.protocols_size(); ++i) {
      ParsedProtocol protocol;
      protocol.protocol = catalog.protocols(i);
      protocol.file = file.name;
      protocol.locations = tree->GetTreeForNested(protocols_field, i);
      TextFormat::ParseLocation location = tree->GetLocation(protocols_field, i);
      protocol.line = location.line;
      protocol.column = location.column;
      CheckProtocol(protocol, &problems);
      parsed.push_back(std::move(protocol));
    }
    trees.push_back(std::move(tree));
  }
  if (files.empty()) problems.push_back("no catalog files");
  CheckAcrossProtocols(parsed, &problems);
  if (!problems.empty()) return RejectFiles("the protocol catalog", std::move(problems));

  std::vector<v1::CatalogProtocol> protocols;
  protocols.reserve(parsed.size());
  for (ParsedProtocol& protocol : parsed) {
    CodeTechniques(&protocol.protocol);
    protocols.push_back(std::move(protocol.protocol));
  }
  return std::make_shared<const Catalog>(std::move(protocols));
}

absl::StatusOr<std::shared_ptr<const Catalog>> LoadCatalog(const std::string& path) {
  absl::StatusOr<std::vector<CatalogFile>> files = ReadTextprotoFiles(path, "catalog");
  if (!files.ok()) return files.status();
  return ParseCatalogFiles(*files);
}

}  // namespace scoliomassage::catalog
