// Requests come in as proto3 JSON (a file or stdin); responses go out as
// proto3 JSON, so that jobs can use jq and any JSON library.
#ifndef SCOLIOMASSAGE_CLI_JSON_IO_H_
#define SCOLIOMASSAGE_CLI_JSON_IO_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace scoliomassage::cli {

// "-" reads stdin. An empty path is an error that names --json_in.
absl::StatusOr<std::string> ReadInput(const std::string& path);

// Strict: unknown fields are errors, so a typo is caught here rather than
// silently dropped. Both lowerCamel and snake_case field names work.
absl::Status ParseJson(absl::string_view json, absl::string_view source,
                       google::protobuf::Message* message);

// Reads --json_in and parses it into `message`.
absl::Status ReadJsonRequest(const std::string& path, google::protobuf::Message* message);

// One line of canonical proto3 JSON (lowerCamel names) with every field
// printed, zeros included, so that `jq .x` never has to guess a default.
std::string ToJsonLine(const google::protobuf::Message& message);

// The same, indented for a person.
std::string ToJsonPretty(const google::protobuf::Message& message);

}  // namespace scoliomassage::cli

#endif  // SCOLIOMASSAGE_CLI_JSON_IO_H_
