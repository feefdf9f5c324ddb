// A direct printer of proto3 JSON for the messages the plugin hands to hosts,
// byte-identical to protobuf 3.21's MessageToJsonString with default options
// on what it accepts, and about ten times cheaper: protobuf's converter
// serializes the message, re-reads the bytes against a google.protobuf.Type
// and writes through a generic object writer, which was 80% of the plugin's
// instructions per check-in. The JSON is the ABI hosts parse, so anything
// this printer is not certain to print the same way (non-ASCII text, bytes,
// maps, non-finite numbers, well-known types other than Timestamp, times
// outside what RFC 3339 can say) is refused, and the caller uses the
// converter for the whole message.
#pragma once

#include <string>

#include <google/protobuf/message.h>

namespace scoliomassage::plugin {

// True with `*json` set when `message` was printed; false (with `*json` in
// an unspecified state) when the converter must print it.
bool PrintJsonDirect(const google::protobuf::Message& message, std::string* json);

}  // namespace scoliomassage::plugin
