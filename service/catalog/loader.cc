#include "catalog/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "catalog/checks.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace scoliomassage::catalog {
namespace {

namespace fs = std::filesystem;
using google::protobuf::TextFormat;

// Enough to fix a file in one pass without burying the first problem.
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
  size_t total = problems.size();
  if (total > kMaxReportedProblems) problems.resize(kMaxReportedProblems);
  std::string message = absl::StrCat("the protocol catalog was not loaded (", total,
                                     total == 1 ? " problem" : " problems", "):\n  ",
                                     absl::StrJoin(problems, "\n  "));
  if (total > kMaxReportedProblems) absl::StrAppend(&message, "\n  ...");
  return absl::InvalidArgumentError(message);
}

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read catalog file ", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::FailedPreconditionError(absl::StrCat("cannot read catalog file ", path.string()));
  return text.str();
}

absl::StatusOr<std::vector<fs::path>> CatalogFilePaths(const std::string& path) {
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) {
    return absl::NotFoundError(absl::StrCat("catalog path not found: ", path));
  }
  if (!fs::is_directory(status)) return std::vector<fs::path>{fs::path(path)};
  std::vector<fs::path> files;
  for (fs::directory_iterator it(path, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".textproto" && it->is_regular_file(error)) {
      files.push_back(it->path());
    }
  }
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot list catalog directory ", path, ": ", error.message()));
  }
  if (files.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("catalog directory ", path, " has no *.textproto files"));
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

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
  if (!problems.empty()) return Rejected(std::move(problems));

  std::vector<v1::CatalogProtocol> protocols;
  protocols.reserve(parsed.size());
  for (ParsedProtocol& protocol : parsed) {
    CodeTechniques(&protocol.protocol);
    protocols.push_back(std::move(protocol.protocol));
  }
  return std::make_shared<const Catalog>(std::move(protocols));
}

absl::StatusOr<std::shared_ptr<const Catalog>> LoadCatalog(const std::string& path) {
  absl::StatusOr<std::vector<fs::path>> paths = CatalogFilePaths(path);
  if (!paths.ok()) return paths.status();
  std::vector<CatalogFile> files;
  for (const fs::path& file_path : *paths) {
    absl::StatusOr<std::string> text = ReadFile(file_path);
    if (!text.ok()) return text.status();
    files.push_back({file_path.string(), *std::move(text)});
  }
  return ParseCatalogFiles(files);
}

}  // namespace scoliomassage::catalog
