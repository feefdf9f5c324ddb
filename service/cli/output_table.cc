#include "cli/output_table.h"

#include <algorithm>
#include <utility>

namespace scoliomassage::cli {
namespace {

// Tabs and newlines inside a cell would break the alignment of every row.
std::string Flatten(std::string cell) {
  for (char& c : cell) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return cell;
}

}  // namespace

size_t DisplayWidth(absl::string_view text) {
  size_t width = 0;
  for (char c : text) {
    // Continuation bytes (10xxxxxx) belong to the code point before them.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

OutputTable::OutputTable(std::vector<std::string> header)
    : header_(std::move(header)), right_aligned_(header_.size(), false) {
  for (auto& cell : header_) cell = Flatten(std::move(cell));
}

void OutputTable::AlignRight(size_t column) {
  if (column < right_aligned_.size()) right_aligned_[column] = true;
}

void OutputTable::AddRow(std::vector<std::string> cells) {
  cells.resize(header_.size());
  for (auto& cell : cells) cell = Flatten(std::move(cell));
  rows_.push_back(std::move(cells));
}

std::string OutputTable::Render() const {
  std::vector<size_t> widths(header_.size(), 0);
  auto measure = [&widths](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(cells[i]));
    }
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);

  std::string out;
  auto emit = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) line += "  ";
      const std::string padding(widths[i] - DisplayWidth(cells[i]), ' ');
      if (right_aligned_[i]) {
        line += padding + cells[i];
      } else {
        line += cells[i] + padding;
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  emit(header_);
  std::vector<std::string> rule;
  for (size_t width : widths) rule.emplace_back(width, '-');
  emit(rule);
  for (const auto& row : rows_) emit(row);
  return out;
}

}  // namespace scoliomassage::cli
