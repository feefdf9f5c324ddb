#include "catalog/instrument_loader.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/read_file.h"
#include "catalog/instrument_checks.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace scoliomassage::catalog {
namespace {

namespace fs = std::filesystem;
using google::protobuf::TextFormat;

constexpr size_t kMaxReportedProblems = 25;

class FileErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  FileErrorCollector(const std::string& file, std::vector<std::string>* problems)
      : file_(file), problems_(problems) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    problems_->push_back(absl::StrFormat("%s:%d:%d: %s", file_, line + 1, column + 1, message));
  }

 private:
  const std::string& file_;
  std::vector<std::string>* problems_;
};

absl::Status Rejected(std::vector<std::string> problems) {
  const size_t total = problems.size();
  if (total > kMaxReportedProblems) problems.resize(kMaxReportedProblems);
  std::string message = absl::StrCat("the instrument definitions were not loaded (", total,
                                     total == 1 ? " problem" : " problems", "):\n  ",
                                     absl::StrJoin(problems, "\n  "));
  if (total > kMaxReportedProblems) absl::StrAppend(&message, "\n  ...");
  return absl::InvalidArgumentError(message);
}

absl::StatusOr<std::vector<fs::path>> InstrumentFilePaths(const std::string& path) {
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) return absl::NotFoundError(absl::StrCat("instruments path not found: ", path));
  if (!fs::is_directory(status)) return std::vector<fs::path>{fs::path(path)};
  std::vector<fs::path> files;
  for (fs::directory_iterator it(path, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".textproto" && it->is_regular_file(error)) {
      files.push_back(it->path());
    }
  }
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot list instruments directory ", path, ": ", error.message()));
  }
  if (files.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("instruments directory ", path, " has no *.textproto files"));
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::string DefaultInstrumentsPath() {
  std::error_code error;
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
  if (!problems.empty()) return Rejected(std::move(problems));
  std::vector<v1::Instrument> instruments;
  instruments.reserve(parsed.size());
  for (ParsedInstrument& instrument : parsed) instruments.push_back(std::move(instrument.instrument));
  return std::make_shared<const Instruments>(std::move(instruments));
}

absl::StatusOr<std::shared_ptr<const Instruments>> LoadInstruments(const std::string& path) {
  absl::StatusOr<std::vector<fs::path>> paths = InstrumentFilePaths(path);
  if (!paths.ok()) return paths.status();
  std::vector<CatalogFile> files;
  for (const fs::path& file_path : *paths) {
    absl::StatusOr<std::string> text = base::ReadFileToString(file_path.string(), "instruments file");
    if (!text.ok()) return text.status();
    files.push_back({file_path.string(), *std::move(text)});
  }
  return ParseInstrumentFiles(files);
}

}  // namespace scoliomassage::catalog
