#include "report.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace scoliomassage::bench {
namespace {

std::string Json(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Number(double value) {
  if (!std::isfinite(value)) return "null";
  return absl::StrFormat("%.6g", value);
}

std::string Human(double value) {
  if (!std::isfinite(value)) return "-";
  if (std::fabs(value) >= 100000) return absl::StrFormat("%.0f", value);
  if (std::fabs(value) >= 100) return absl::StrFormat("%.1f", value);
  return absl::StrFormat("%.3g", value);
}

std::string Status(const Figure& figure) {
  if (!figure.has_target()) return "info";
  if (figure.met()) return "met";
  return figure.missed_widely() ? "MISSED (wide)" : "missed";
}

}  // namespace

bool Figure::met() const {
  return op == ">=" ? checked() >= target : op == "<=" ? checked() <= target : true;
}

bool Figure::missed_widely() const {
  const bool guarded = !std::isnan(guard);
  if (op == ">=") return checked() < (guarded ? guard : target / 2);
  if (op == "<=") return checked() > (guarded ? guard : target * 2);
  return false;
}

void PrintTable(std::FILE* out, const RunInfo& info, const std::vector<Figure>& figures) {
  std::fprintf(out, "scoliomassage-bench (%s): %d rounds x %d ms, medians; %d CPUs, %s\n",
               info.mode.c_str(), info.rounds, info.measure_ms, info.cpus,
               info.cpu_model.c_str());
  std::fprintf(out, "%-44s %14s %-10s %-30s %8s %9s  %s\n", "figure", "median", "unit",
               "floor (median)", "ratio", "target", "status");
  for (const Figure& f : figures) {
    const std::string floor =
        f.floor_name.empty() ? "-" : absl::StrCat(f.floor_name, " ", Human(f.floor_value));
    const std::string ratio = f.floor_name.empty() ? "-" : absl::StrFormat("%.2f", f.ratio);
    const std::string target =
        f.has_target() ? absl::StrCat(f.op, " ", Human(f.target)) : std::string("-");
    std::fprintf(out, "%-44s %14s %-10s %-30s %8s %9s  %s%s%s\n", f.name.c_str(),
                 Human(f.value).c_str(), f.unit.c_str(), floor.c_str(), ratio.c_str(),
                 target.c_str(), Status(f).c_str(), f.note.empty() ? "" : "  ", f.note.c_str());
  }
  for (const std::string& warning : info.warnings) {
    std::fprintf(out, "warning: %s\n", warning.c_str());
  }
}

std::string ToJson(const RunInfo& info, const std::vector<Figure>& figures) {
  std::string out = "{\n";
  absl::StrAppend(&out, "  \"mode\": ", Json(info.mode), ",\n");
  absl::StrAppend(&out, "  \"command\": ", Json(info.command), ",\n");
  absl::StrAppend(&out, "  \"started_utc\": ", Json(info.started_utc), ",\n");
  absl::StrAppend(&out, "  \"total_seconds\": ", Number(info.total_seconds), ",\n");
  absl::StrAppend(&out, "  \"rounds\": ", info.rounds, ",\n");
  absl::StrAppend(&out, "  \"measure_ms\": ", info.measure_ms, ",\n");
  absl::StrAppend(&out, "  \"machine\": {\"cpus\": ", info.cpus,
                  ", \"cpu_model\": ", Json(info.cpu_model), "},\n");
  out += "  \"settings\": {";
  for (size_t i = 0; i < info.settings.size(); ++i) {
    absl::StrAppend(&out, i ? ", " : "", Json(info.settings[i].first), ": ",
                    Json(info.settings[i].second));
  }
  out += "},\n  \"warnings\": [";
  for (size_t i = 0; i < info.warnings.size(); ++i) {
    absl::StrAppend(&out, i ? ", " : "", Json(info.warnings[i]));
  }
  out += "],\n  \"figures\": [\n";
  for (size_t i = 0; i < figures.size(); ++i) {
    const Figure& f = figures[i];
    absl::StrAppend(&out, "    {\"name\": ", Json(f.name), ", \"value\": ", Number(f.value),
                    ", \"unit\": ", Json(f.unit));
    if (!f.floor_name.empty()) {
      absl::StrAppend(&out, ", \"floor\": ", Json(f.floor_name),
                      ", \"floor_value\": ", Number(f.floor_value),
                      ", \"ratio\": ", Number(f.ratio));
    }
    if (f.has_target()) {
      absl::StrAppend(&out, ", \"target\": ", Json(absl::StrCat(f.op, " ", Number(f.target))),
                      ", \"met\": ", f.met() ? "true" : "false",
                      ", \"missed_widely\": ", f.missed_widely() ? "true" : "false");
    }
    if (!f.note.empty()) absl::StrAppend(&out, ", \"note\": ", Json(f.note));
    absl::StrAppend(&out, "}", i + 1 < figures.size() ? "," : "", "\n");
  }
  out += "  ]\n}\n";
  return out;
}

}  // namespace scoliomassage::bench
