// What the catalog loader and the instrument loader share: reading the
// *.textproto files a path names (one file, or a folder of them, in name
// order), collecting parse errors as "file:line:column: message" problems,
// and turning the problems into one error that stops the start.
#pragma once

#include <google/protobuf/io/tokenizer.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "catalog/loader.h"  // CatalogFile

namespace scoliomassage::catalog {

// `what` names the files in errors ("catalog", "instruments").
absl::StatusOr<std::vector<CatalogFile>> ReadTextprotoFiles(const std::string& path,
                                                            absl::string_view what);

// Records the parser's errors against `file`, 1-based.
class FileErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  FileErrorCollector(const std::string& file, std::vector<std::string>* problems)
      : file_(file), problems_(problems) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override;

 private:
  const std::string& file_;
  std::vector<std::string>* problems_;
};

// INVALID_ARGUMENT "<subject> was not loaded (N problems):" and the first 25
// of them: enough to fix a file in one pass without burying the first one.
absl::Status RejectFiles(absl::string_view subject, std::vector<std::string> problems);

}  // namespace scoliomassage::catalog
