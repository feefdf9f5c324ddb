#include "json_codec.h"

#include <google/protobuf/util/json_util.h>

namespace scoliomassage::plugin {

grpc::Status ParseJson(const char* json, const char* what,
                       google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(json, message, options);
  if (!status.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        std::string(what) + " is not valid " + message->GetTypeName() +
                            " JSON: " + std::string(status.message()));
  }
  return grpc::Status::OK;
}

grpc::Status ToJson(const google::protobuf::Message& message, std::string* json) {
  const auto status = google::protobuf::util::MessageToJsonString(message, json);
  if (!status.ok()) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        "cannot encode " + message.GetTypeName() +
                            " as JSON: " + std::string(status.message()));
  }
  return grpc::Status::OK;
}

std::string JsonQuote(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': quoted += "\\\""; break;
      case '\\': quoted += "\\\\"; break;
      case '\n': quoted += "\\n"; break;
      case '\r': quoted += "\\r"; break;
      case '\t': quoted += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          quoted += "\\u00";
          quoted += kHex[(c >> 4) & 0xf];
          quoted += kHex[c & 0xf];
        } else {
          quoted += c;  // UTF-8 passes through unchanged
        }
    }
  }
  return quoted + "\"";
}

}  // namespace scoliomassage::plugin
