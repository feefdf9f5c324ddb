#include "catalog/textproto_files.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/read_file.h"

namespace scoliomassage::catalog {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxReportedProblems = 25;

absl::StatusOr<std::vector<fs::path>> TextprotoPaths(const std::string& path, absl::string_view what) {
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) return absl::NotFoundError(absl::StrCat(what, " path not found: ", path));
  if (!fs::is_directory(status)) return std::vector<fs::path>{fs::path(path)};
  std::vector<fs::path> files;
  for (fs::directory_iterator it(path, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".textproto" && it->is_regular_file(error)) {
      files.push_back(it->path());
    }
  }
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot list ", what, " directory ", path, ": ", error.message()));
  }
  if (files.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " directory ", path, " has no *.textproto files"));
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

absl::StatusOr<std::vector<CatalogFile>> ReadTextprotoFiles(const std::string& path,
                                                            absl::string_view what) {
  absl::StatusOr<std::vector<fs::path>> paths = TextprotoPaths(path, what);
  if (!paths.ok()) return paths.status();
  std::vector<CatalogFile> files;
  for (const fs::path& file_path : *paths) {
    absl::StatusOr<std::string> text =
        base::ReadFileToString(file_path.string(), absl::StrCat(what, " file"));
    if (!text.ok()) return text.status();
    files.push_back({file_path.string(), *std::move(text)});
  }
  return files;
}

void FileErrorCollector::AddError(int line, google::protobuf::io::ColumnNumber column,
                                  const std::string& message) {
  problems_->push_back(absl::StrFormat("%s:%d:%d: %s", file_, line + 1, column + 1, message));
}

absl::Status RejectFiles(absl::string_view subject, std::vector<std::string> problems) {
  const size_t total = problems.size();
  if (total > kMaxReportedProblems) problems.resize(kMaxReportedProblems);
  std::string message = absl::StrCat(subject, " was not loaded (", total,
                                     total == 1 ? " problem" : " problems", "):\n  ",
                                     absl::StrJoin(problems, "\n  "));
  if (total > kMaxReportedProblems) absl::StrAppend(&message, "\n  ...");
  return absl::InvalidArgumentError(message);
}

}  // namespace scoliomassage::catalog
