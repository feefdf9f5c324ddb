// proto3 canonical JSON in and out of the v1 messages: the only format hosts
// see.
#pragma once

#include <string>

#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

namespace scoliomassage::plugin {

// Parses a host's JSON into `message`. Unknown fields are rejected so that a
// misspelt field is reported, not silently dropped. INVALID_ARGUMENT with the
// parser's explanation on failure.
grpc::Status ParseJson(const char* json, const char* what,
                       google::protobuf::Message* message);

// camelCase field names, enum names; default values omitted (proto3 JSON).
grpc::Status ToJson(const google::protobuf::Message& message, std::string* json);

// `text` as a JSON string literal, quotes included, for the few replies the
// plugin writes itself (queued, flush counts) with a fixed key order.
std::string JsonQuote(const std::string& text);

}  // namespace scoliomassage::plugin
