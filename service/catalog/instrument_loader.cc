#include "catalog/instrument_loader.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/data_files.h"
#include "catalog/instrument_checks.h"
#include "catalog/textproto_files.h"
#include "google/protobuf/text_format.h"

namespace scoliomassage::catalog {
namespace fs = std::filesystem;
using google::protobuf::TextFormat;

std::string DefaultInstrumentsPath() {
  std::error_code error;
  // Beside the running binary first, as for the catalog (a package may be
  // installed at another prefix than the build was configured with).
  const std::string beside_binary = base::InstalledDataPath("instruments");
  if (!beside_binary.empty() && fs::is_directory(beside_binary, error)) return beside_binary;
  if (fs::is_directory(kInstalledInstrumentsDir, error)) return kInstalledInstrumentsDir;
  return kSourceInstrumentsDir;
}

absl::StatusOr<std::shared_ptr<const Instruments>> ParseInstrumentFiles(
    const std::vector<CatalogFile>& files) {
  std::vector<std::string> problems;
  std::vector<std::unique_ptr<TextFormat::ParseInfoTree>> trees;  // outlive the checks
  std::vector<ParsedInstrument> parsed;
  const auto* instruments_field =
      v1::InstrumentCatalog::descriptor()->FindFieldByName("instruments");
  for (const CatalogFile& file : files) {
    v1::InstrumentCatalog catalog;
    auto tree = std::make_unique<TextFormat::ParseInfoTree>();
    FileErrorCollector errors(file.name, &problems);
    TextFormat::Parser parser;
    parser.RecordErrorsTo(&errors);
    parser.WriteLocationsTo(tree.get());
    const size_t before = problems.size();
    if (!parser.ParseFromString(file.text, &catalog)) {
      if (problems.size() == before) problems.push_back(absl::StrCat(file.name, ": does not parse"));
      continue;
    }
    if (catalog.instruments().empty()) {
      problems.push_back(absl::StrCat(file.name, ":1:1: the file defines no instruments"));
    }
    for (int i = 0; i < catalog.instruments_size(); ++i) {
      ParsedInstrument instrument;
      instrument.instrument = catalog.instruments(i);
      instrument.file = file.name;
      instrument.locations = tree->GetTreeForNested(instruments_field, i);
      TextFormat::ParseLocation location = tree->GetLocation(instruments_field, i);
      instrument.line = location.line;
      instrument.column = location.column;
      CheckInstrument(instrument, &problems);
      parsed.push_back(std::move(instrument));
    }
    trees.push_back(std::move(tree));
  }
  if (files.empty()) problems.push_back("no instrument files");
  CheckAcrossInstruments(parsed, &problems);
  if (!problems.empty()) return RejectFiles("the instrument definitions", std::move(problems));
  std::vector<v1::Instrument> instruments;
  instruments.reserve(parsed.size());
  for (ParsedInstrument& instrument : parsed) instruments.push_back(std::move(instrument.instrument));
  return std::make_shared<const Instruments>(std::move(instruments));
}

absl::StatusOr<std::shared_ptr<const Instruments>> LoadInstruments(const std::string& path) {
  absl::StatusOr<std::vector<CatalogFile>> files = ReadTextprotoFiles(path, "instruments");
  if (!files.ok()) return files.status();
  return ParseInstrumentFiles(*files);
}

}  // namespace scoliomassage::catalog
