// A plain-text table with aligned columns, for people reading a terminal.
// Scripts should use --json instead; the layout may change.
#ifndef SCOLIOMASSAGE_CLI_OUTPUT_TABLE_H_
#define SCOLIOMASSAGE_CLI_OUTPUT_TABLE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace scoliomassage::cli {

class OutputTable {
 public:
  explicit OutputTable(std::vector<std::string> header);

  // Numbers read better aligned on the right.
  void AlignRight(size_t column);
  // Short rows are padded with empty cells; extra cells are an error in the
  // caller and are dropped.
  void AddRow(std::vector<std::string> cells);
  size_t row_count() const { return rows_.size(); }

  // Header, a dashed rule, then the rows; two spaces between columns, no
  // trailing spaces, each line ending in '\n'.
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<bool> right_aligned_;
  std::vector<std::vector<std::string>> rows_;
};

// Width on a terminal, counting each UTF-8 code point as one column (good
// enough for the Latin text and dashes used in titles).
size_t DisplayWidth(absl::string_view text);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_OUTPUT_TABLE_H_
