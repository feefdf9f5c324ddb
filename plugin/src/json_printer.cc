#include "json_printer.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <vector>

#include <google/protobuf/descriptor.h>

namespace scoliomassage::plugin {
namespace {

namespace pb = google::protobuf;
using Field = pb::FieldDescriptor;

constexpr char kHex[] = "0123456789abcdef";

// The bytes AppendString must look at: the ones JSON or protobuf escape, and
// every byte above 0x7f. A table, since it is asked once per byte of text.
struct CareTable {
  bool needs[256] = {};
  constexpr CareTable() {
    for (int c = 0; c < 256; ++c) {
      needs[c] = c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c >= 0x7f;
    }
  }
};
constexpr CareTable kCare;

// protobuf's JsonEscaping for ASCII: the JSON escapes, \u00XX for the other
// control characters and DEL, and < > escaped for HTML safety. Text with any
// byte above 0x7f is left to the converter, whose UTF-8 rules (invalid
// sequences dropped, some code points escaped) are not repeated here. Runs of
// plain characters are copied at once: most text has nothing to escape.
bool AppendString(const std::string& text, std::string* out) {
  out->push_back('"');
  const char* run = text.data();
  const char* const end = text.data() + text.size();
  for (const char* p = run; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (!kCare.needs[c]) continue;
    if (c > 0x7f) return false;
    out->append(run, static_cast<size_t>(p - run));
    run = p + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '<': out->append("\\u003c"); break;
      case '>': out->append("\\u003e"); break;
      case '\b': out->append("\\b"); break;
      case '\t': out->append("\\t"); break;
      case '\n': out->append("\\n"); break;
      case '\f': out->append("\\f"); break;
      case '\r': out->append("\\r"); break;
      default:  // the other controls and DEL
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->append(run, static_cast<size_t>(end - run));
  out->push_back('"');
  return true;
}

template <typename Integer>
void AppendInteger(Integer value, std::string* out) {
  char buffer[24];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out->append(buffer, end);
}

// protobuf's SimpleDtoa / SimpleFtoa: %.{digits}g, and digits + 2 (double)
// or + 3 (float) when that does not read back as the same value. to_chars
// is printf in the "C" locale, so a host's locale cannot change the radix.
template <typename Real>
bool AppendReal(Real value, int digits, int more_digits, std::string* out) {
  if (!std::isfinite(value)) return false;  // quoted "NaN"/"Infinity": the converter's
  char buffer[40];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general,
                           digits).ptr;
  Real parsed = 0;
  std::from_chars(buffer, end, parsed);
  if (parsed != value) {
    end = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general,
                        digits + more_digits).ptr;
  }
  out->append(buffer, end);
  return true;
}

// RFC 3339 in UTC as the converter writes it: seconds, then 3, 6 or 9
// fractional digits only when there are nanos.
bool AppendTimestamp(const pb::Message& timestamp, std::string* out) {
  const pb::Descriptor* descriptor = timestamp.GetDescriptor();
  const pb::Reflection* reflection = timestamp.GetReflection();
  const Field* seconds_field = descriptor->FindFieldByNumber(1);
  const Field* nanos_field = descriptor->FindFieldByNumber(2);
  if (seconds_field == nullptr || nanos_field == nullptr) return false;
  const int64_t seconds = reflection->GetInt64(timestamp, seconds_field);
  const int32_t nanos = reflection->GetInt32(timestamp, nanos_field);
  // 1970 to 9999: four-digit years from gmtime; the rest (and invalid
  // times, which the converter reports as errors) go to the converter.
  if (seconds < 0 || seconds > 253402300799 || nanos < 0 || nanos > 999999999) return false;
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm civil{};
  if (gmtime_r(&time, &civil) == nullptr) return false;
  char buffer[32];
  const size_t length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &civil);
  if (length == 0) return false;
  out->push_back('"');
  out->append(buffer, length);
  if (nanos != 0) {
    int value = nanos;
    int width = 9;
    if (nanos % 1000000 == 0) {
      value = nanos / 1000000;
      width = 3;
    } else if (nanos % 1000 == 0) {
      value = nanos / 1000;
      width = 6;
    }
    char digits[9];
    for (int i = width - 1; i >= 0; --i, value /= 10) digits[i] = static_cast<char>('0' + value % 10);
    out->push_back('.');
    out->append(digits, static_cast<size_t>(width));
  }
  out->append("Z\"");
  return true;
}

bool AppendMessage(const pb::Message& message, std::string* out);

// One value of `field` (element `index` when repeated).
bool AppendValue(const pb::Message& message, const Field* field, int index, std::string* out) {
  const pb::Reflection* reflection = message.GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case Field::CPPTYPE_INT32:
      AppendInteger(repeated ? reflection->GetRepeatedInt32(message, field, index)
                             : reflection->GetInt32(message, field),
                    out);
      return true;
    case Field::CPPTYPE_UINT32:
      AppendInteger(repeated ? reflection->GetRepeatedUInt32(message, field, index)
                             : reflection->GetUInt32(message, field),
                    out);
      return true;
    case Field::CPPTYPE_INT64:  // proto3 JSON quotes 64-bit integers
      out->push_back('"');
      AppendInteger(repeated ? reflection->GetRepeatedInt64(message, field, index)
                             : reflection->GetInt64(message, field),
                    out);
      out->push_back('"');
      return true;
    case Field::CPPTYPE_UINT64:
      out->push_back('"');
      AppendInteger(repeated ? reflection->GetRepeatedUInt64(message, field, index)
                             : reflection->GetUInt64(message, field),
                    out);
      out->push_back('"');
      return true;
    case Field::CPPTYPE_DOUBLE:
      return AppendReal(repeated ? reflection->GetRepeatedDouble(message, field, index)
                                 : reflection->GetDouble(message, field),
                        15, 2, out);
    case Field::CPPTYPE_FLOAT:
      return AppendReal(repeated ? reflection->GetRepeatedFloat(message, field, index)
                                 : reflection->GetFloat(message, field),
                        6, 3, out);
    case Field::CPPTYPE_BOOL:
      out->append((repeated ? reflection->GetRepeatedBool(message, field, index)
                            : reflection->GetBool(message, field))
                      ? "true"
                      : "false");
      return true;
    case Field::CPPTYPE_ENUM: {
      const int number = repeated ? reflection->GetRepeatedEnumValue(message, field, index)
                                  : reflection->GetEnumValue(message, field);
      const pb::EnumValueDescriptor* value = field->enum_type()->FindValueByNumber(number);
      if (value == nullptr) return false;  // an unknown number: the converter's rule
      return AppendString(value->name(), out);
    }
    case Field::CPPTYPE_STRING: {
      if (field->type() == Field::TYPE_BYTES) return false;  // base64: the converter's
      std::string scratch;
      const std::string& text =
          repeated ? reflection->GetRepeatedStringReference(message, field, index, &scratch)
                   : reflection->GetStringReference(message, field, &scratch);
      return AppendString(text, out);
    }
    case Field::CPPTYPE_MESSAGE:
      return AppendMessage(repeated ? reflection->GetRepeatedMessage(message, field, index)
                                    : reflection->GetMessage(message, field),
                           out);
  }
  return false;
}

bool AppendMessage(const pb::Message& message, std::string* out) {
  const pb::Descriptor* descriptor = message.GetDescriptor();
  if (descriptor->file()->package() == "google.protobuf") {
    if (descriptor->full_name() == "google.protobuf.Timestamp") return AppendTimestamp(message, out);
    return false;  // Duration, wrappers, Struct, Any...: the converter's
  }
  const pb::Reflection* reflection = message.GetReflection();
  // What the serializer would write, in field-number order, as the converter
  // reads it back: set fields, non-empty repeated ones.
  std::vector<const Field*> fields;
  reflection->ListFields(message, &fields);
  out->push_back('{');
  bool first = true;
  for (const Field* field : fields) {
    if (field->is_extension() || field->is_map()) return false;
    if (!first) out->push_back(',');
    first = false;
    out->push_back('"');
    out->append(field->json_name());  // lowerCamelCase, ASCII
    out->append("\":");
    if (field->is_repeated()) {
      out->push_back('[');
      const int size = reflection->FieldSize(message, field);
      for (int i = 0; i < size; ++i) {
        if (i > 0) out->push_back(',');
        if (!AppendValue(message, field, i, out)) return false;
      }
      out->push_back(']');
    } else if (!AppendValue(message, field, 0, out)) {
      return false;
    }
  }
  out->push_back('}');
  return true;
}

}  // namespace

bool PrintJsonDirect(const google::protobuf::Message& message, std::string* json) {
  json->clear();
  return AppendMessage(message, json);
}

}  // namespace scoliomassage::plugin
