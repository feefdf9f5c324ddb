#include "cli/json_io.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace scoliomassage::cli {
namespace {

std::string ToJson(const google::protobuf::Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = false;
  std::string out;
  const auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) {
    // Only possible for messages that cannot be JSON at all (e.g. a broken
    // Any); say so in the output rather than print nothing.
    return absl::StrCat("{\"error\":\"cannot print ", message.GetTypeName(), " as JSON\"}\n");
  }
  // With add_whitespace the printer already ends in a newline.
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

}  // namespace

absl::StatusOr<std::string> ReadInput(const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("--json_in is required (a file, or - for stdin)");
  }
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::InvalidArgumentError(absl::StrCat("cannot open --json_in ", path));
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  return contents.str();
}

absl::Status ParseJson(absl::string_view json, absl::string_view source,
                       google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, " is not a valid ", message->GetDescriptor()->name(), " in proto3 JSON: ",
        absl::string_view(status.message().data(), status.message().size())));
  }
  return absl::OkStatus();
}

absl::Status ReadJsonRequest(const std::string& path, google::protobuf::Message* message) {
  auto json = ReadInput(path);
  if (!json.ok()) return json.status();
  return ParseJson(*json, path == "-" ? "stdin" : path, message);
}

std::string ToJsonLine(const google::protobuf::Message& message) { return ToJson(message, false); }

std::string ToJsonPretty(const google::protobuf::Message& message) { return ToJson(message, true); }

}  // namespace scoliomassage::cli
