// RFC 4180 CSV, so that spreadsheets and pandas read history exports as-is.
#ifndef SCOLIOMASSAGE_CLI_CSV_H_
#define SCOLIOMASSAGE_CLI_CSV_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace scoliomassage::cli {

// Quotes the field when it holds a comma, a quote, CR or LF, or starts or
// ends with a space; doubles the quotes inside.
std::string CsvField(absl::string_view field);

// The fields joined with commas, ending in LF rather than RFC 4180's CRLF:
// shell tools (cut, awk) would otherwise carry a '\r' in the last column,
// which is the resume_token. Spreadsheets and CSV libraries read both.
std::string CsvRow(const std::vector<std::string>& fields);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_CSV_H_
