// Structured logging: one JSON object per line on stderr, so log shippers
// (journald, Kubernetes) can parse it. Patient data never goes into info-level
// lines; callers pass only methods, codes, latencies and resource names.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace scoliomassage::observability {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Parses "debug", "info", "warning" or "error".
bool ParseLogLevel(absl::string_view text, LogLevel* level);
void SetLogLevel(LogLevel level);

using LogFields = std::vector<std::pair<std::string, std::string>>;

// Writes {"time":..., "level":..., "msg":..., fields...} if `level` is enabled.
// Thread-safe; each line is written with a single write(2).
void Log(LogLevel level, absl::string_view message, const LogFields& fields = {});

}  // namespace scoliomassage::observability
