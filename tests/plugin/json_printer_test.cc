// The plugin's JSON out is the ABI hosts parse: ToJson (the direct printer,
// with the converter behind it) must print every v1 message byte for byte as
// protobuf's MessageToJsonString does. Random messages of every message type
// in the v1 protos, filled through reflection with the values where printers
// differ: every ASCII character, non-ASCII text, -0, 1e21, 0.1, denormals,
// NaN, 64-bit extremes, unknown enum numbers, timestamps with 0/3/6/9
// fractional digits and out of range, bytes, maps, empty messages.
//
// Compiles the plugin's codec against the service's proto library; it never
// loads libscoliomassage_plugin.so (two copies of the descriptors abort).
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "json_codec.h"
#include "json_printer.h"
#include "scoliomassage/v1/assessment.pb.h"
#include "scoliomassage/v1/audit.pb.h"
#include "scoliomassage/v1/catalog.pb.h"
#include "scoliomassage/v1/common.pb.h"
#include "scoliomassage/v1/comparison.pb.h"
#include "scoliomassage/v1/curve.pb.h"
#include "scoliomassage/v1/episode.pb.h"
#include "scoliomassage/v1/history.pb.h"
#include "scoliomassage/v1/instrument.pb.h"
#include "scoliomassage/v1/outcome.pb.h"
#include "scoliomassage/v1/protocol.pb.h"
#include "scoliomassage/v1/report.pb.h"

namespace scoliomassage::plugin {
namespace {

namespace pb = google::protobuf;
using Field = pb::FieldDescriptor;

// Every message type of the v1 protos, nested ones included.
std::vector<const pb::Descriptor*> AllV1Messages() {
  // Touch one message of each file so the generated pool has them all.
  const pb::Descriptor* anchors[] = {
      v1::Assessment::descriptor(),     v1::AuditRecord::descriptor(),
      v1::Protocol::descriptor(),       v1::PatientProfile::descriptor(),
      v1::CompareProtocolsResponse::descriptor(), v1::CurveMeasurement::descriptor(),
      v1::Episode::descriptor(),        v1::HistoryRecord::descriptor(),
      v1::Instrument::descriptor(),     v1::Outcome::descriptor(),
      v1::RecommendProtocolResponse::descriptor(), v1::PatientReport::descriptor()};
  std::vector<const pb::Descriptor*> all;
  std::vector<const pb::Descriptor*> pending;
  for (const pb::Descriptor* anchor : anchors) {
    const pb::FileDescriptor* file = anchor->file();
    for (int i = 0; i < file->message_type_count(); ++i) pending.push_back(file->message_type(i));
  }
  while (!pending.empty()) {
    const pb::Descriptor* descriptor = pending.back();
    pending.pop_back();
    if (descriptor->options().map_entry()) continue;
    bool seen = false;
    for (const pb::Descriptor* known : all) seen = seen || known == descriptor;
    if (seen) continue;
    all.push_back(descriptor);
    for (int i = 0; i < descriptor->nested_type_count(); ++i) pending.push_back(descriptor->nested_type(i));
  }
  return all;
}

class RandomFiller {
 public:
  explicit RandomFiller(uint64_t seed) : random_(seed) {}

  void Fill(pb::Message* message, int depth) {
    const pb::Descriptor* descriptor = message->GetDescriptor();
    if (descriptor->full_name() == "google.protobuf.Timestamp") {
      FillTimestamp(message);
      return;
    }
    const pb::Reflection* reflection = message->GetReflection();
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const Field* field = descriptor->field(i);
      if (Chance(40)) continue;
      if (field->is_map()) {
        if (!Chance(15)) continue;  // rare: maps are left to the converter
      }
      if (field->cpp_type() == Field::CPPTYPE_MESSAGE && depth >= 3) continue;
      if (field->is_repeated()) {
        const int count = static_cast<int>(random_() % 4);
        for (int n = 0; n < count; ++n) Add(message, reflection, field, depth);
      } else {
        Set(message, reflection, field, depth);
      }
    }
  }

 private:
  bool Chance(int percent) { return static_cast<int>(random_() % 100) < percent; }

  std::string Text() {
    std::string text;
    const int length = static_cast<int>(random_() % 14);
    for (int i = 0; i < length; ++i) {
      if (Chance(2)) {
        static const char* const kNonAscii[] = {"\xC3\xA9", "\xE4\xB8\xAD", "\xE2\x80\xA8",
                                                "\xF0\x9F\x98\x80", "\xC2\xAD"};
        text += kNonAscii[random_() % 5];
      } else if (Chance(20)) {
        text.push_back(static_cast<char>(random_() % 128));  // every ASCII byte, controls too
      } else {
        text.push_back(static_cast<char>('a' + random_() % 26));
      }
    }
    return text;
  }

  double Real() {
    static const double kValues[] = {0.0, -0.0, 0.1, 18, 18.5, 1e21, 1e-7, 123456789.123,
                                     1.0 / 3, 2.5e-308, DBL_MAX, DBL_MIN, -42.75, 1e15, 1e16,
                                     0.30000000000000004, 100, 5e-324};
    if (Chance(3)) return std::numeric_limits<double>::quiet_NaN();
    if (Chance(3)) return -std::numeric_limits<double>::infinity();
    if (Chance(50)) return kValues[random_() % (sizeof kValues / sizeof kValues[0])];
    return std::ldexp(static_cast<double>(random_() % 100000) - 50000, static_cast<int>(random_() % 80) - 40);
  }

  int64_t Int64() {
    static const int64_t kValues[] = {0, 1, -1, 9007199254740993LL,
                                      std::numeric_limits<int64_t>::max(),
                                      std::numeric_limits<int64_t>::min()};
    if (Chance(50)) return kValues[random_() % 6];
    return static_cast<int64_t>(random_());
  }

  int32_t Int32() {
    static const int32_t kValues[] = {0, 1, -1, 42, std::numeric_limits<int32_t>::max(),
                                      std::numeric_limits<int32_t>::min()};
    if (Chance(50)) return kValues[random_() % 6];
    return static_cast<int32_t>(random_());
  }

  int EnumNumber(const Field* field) {
    if (Chance(5)) return 97;  // proto3 enums are open: an unknown number
    const pb::EnumDescriptor* type = field->enum_type();
    return type->value(static_cast<int>(random_() % type->value_count()))->number();
  }

  void FillTimestamp(pb::Message* timestamp) {
    const pb::Descriptor* descriptor = timestamp->GetDescriptor();
    const pb::Reflection* reflection = timestamp->GetReflection();
    int64_t seconds = static_cast<int64_t>(random_() % 4102444800ULL);  // 1970-2100
    if (Chance(3)) seconds = -static_cast<int64_t>(random_() % 100000000);
    if (Chance(3)) seconds = 253402300800LL;  // past 9999: an error
    static const int32_t kNanos[] = {0, 1000000, 123000000, 1000, 123456000, 1, 123456789,
                                     999999999};
    int32_t nanos = kNanos[random_() % 8];
    if (Chance(3)) nanos = 1000000000;  // out of range: an error
    reflection->SetInt64(timestamp, descriptor->FindFieldByNumber(1), seconds);
    reflection->SetInt32(timestamp, descriptor->FindFieldByNumber(2), nanos);
  }

  void Set(pb::Message* message, const pb::Reflection* reflection, const Field* field, int depth) {
    switch (field->cpp_type()) {
      case Field::CPPTYPE_INT32: reflection->SetInt32(message, field, Int32()); break;
      case Field::CPPTYPE_UINT32: reflection->SetUInt32(message, field, static_cast<uint32_t>(Int32())); break;
      case Field::CPPTYPE_INT64: reflection->SetInt64(message, field, Int64()); break;
      case Field::CPPTYPE_UINT64: reflection->SetUInt64(message, field, static_cast<uint64_t>(Int64())); break;
      case Field::CPPTYPE_DOUBLE: reflection->SetDouble(message, field, Real()); break;
      case Field::CPPTYPE_FLOAT: reflection->SetFloat(message, field, static_cast<float>(Real())); break;
      case Field::CPPTYPE_BOOL: reflection->SetBool(message, field, Chance(50)); break;
      case Field::CPPTYPE_ENUM: reflection->SetEnumValue(message, field, EnumNumber(field)); break;
      case Field::CPPTYPE_STRING: reflection->SetString(message, field, Text()); break;
      case Field::CPPTYPE_MESSAGE: Fill(reflection->MutableMessage(message, field), depth + 1); break;
    }
  }

  void Add(pb::Message* message, const pb::Reflection* reflection, const Field* field, int depth) {
    switch (field->cpp_type()) {
      case Field::CPPTYPE_INT32: reflection->AddInt32(message, field, Int32()); break;
      case Field::CPPTYPE_UINT32: reflection->AddUInt32(message, field, static_cast<uint32_t>(Int32())); break;
      case Field::CPPTYPE_INT64: reflection->AddInt64(message, field, Int64()); break;
      case Field::CPPTYPE_UINT64: reflection->AddUInt64(message, field, static_cast<uint64_t>(Int64())); break;
      case Field::CPPTYPE_DOUBLE: reflection->AddDouble(message, field, Real()); break;
      case Field::CPPTYPE_FLOAT: reflection->AddFloat(message, field, static_cast<float>(Real())); break;
      case Field::CPPTYPE_BOOL: reflection->AddBool(message, field, Chance(50)); break;
      case Field::CPPTYPE_ENUM: reflection->AddEnumValue(message, field, EnumNumber(field)); break;
      case Field::CPPTYPE_STRING: reflection->AddString(message, field, Text()); break;
      case Field::CPPTYPE_MESSAGE: Fill(reflection->AddMessage(message, field), depth + 1); break;
    }
  }

  std::mt19937_64 random_;
};

TEST(JsonPrinterTest, EveryV1MessagePrintsAsMessageToJsonString) {
  const std::vector<const pb::Descriptor*> messages = AllV1Messages();
  ASSERT_GT(messages.size(), 50u);
  RandomFiller filler(20261202);
  int direct = 0, declined = 0, errors = 0;
  // The converter logs a warning for each message it refuses (bad times).
  const pb::LogSilencer quiet;
  for (const pb::Descriptor* descriptor : messages) {
    const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(descriptor);
    ASSERT_NE(prototype, nullptr) << descriptor->full_name();
    for (int round = 0; round < 300; ++round) {
      std::unique_ptr<pb::Message> message(prototype->New());
      if (round > 0) filler.Fill(message.get(), 0);  // round 0: the empty message
      std::string expected;
      const auto converted = pb::util::MessageToJsonString(*message, &expected);
      std::string direct_json;
      const bool printed = PrintJsonDirect(*message, &direct_json);
      std::string codec_json;
      const grpc::Status codec = ToJson(*message, &codec_json);
      if (!converted.ok()) {
        ++errors;
        EXPECT_FALSE(printed) << descriptor->full_name() << ": printed what the converter refuses: "
                              << converted.message() << "\n" << message->DebugString();
        EXPECT_FALSE(codec.ok()) << descriptor->full_name();
        continue;
      }
      printed ? ++direct : ++declined;
      if (printed) {
        ASSERT_EQ(direct_json, expected) << descriptor->full_name() << "\n" << message->DebugString();
      }
      ASSERT_TRUE(codec.ok()) << codec.error_message();
      ASSERT_EQ(codec_json, expected) << descriptor->full_name();
    }
  }
  // The test must exercise both paths, and the direct one most.
  EXPECT_GT(direct, declined) << direct << " printed directly, " << declined << " declined";
  EXPECT_GT(declined, 0);
  EXPECT_GT(errors, 0);
  std::printf("%d printed directly, %d left to the converter, %d refused by both\n", direct,
              declined, errors);
}

TEST(JsonPrinterTest, NumbersWherePrintersDifferArePrintedAsTheConverterDoes) {
  const double values[] = {0.0, -0.0, 0.1, 18, 1e21, 1e-7, 1.0 / 3, 0.30000000000000004,
                           DBL_MAX, DBL_MIN, 2.5e-308, 5e-324, -1e300, 123456789012345678.0};
  for (const double value : values) {
    v1::PatientProfile profile;
    profile.set_cobb_angle_degrees(value);  // an optional double: printed even when 0
    std::string expected;
    ASSERT_TRUE(pb::util::MessageToJsonString(profile, &expected).ok());
    std::string printed;
    ASSERT_TRUE(PrintJsonDirect(profile, &printed)) << value;
    EXPECT_EQ(printed, expected) << value;
  }
}

TEST(JsonPrinterTest, ARealCheckInResponseIsPrintedDirectly) {
  v1::RecommendProtocolResponse response;
  v1::Protocol* protocol = response.mutable_protocol();
  protocol->set_protocol_id("lumbar-c-curve");
  protocol->set_title("Lumbar C-curve <adult> \"gentle\"");
  response.mutable_create_time()->set_seconds(1764700000);
  response.mutable_create_time()->set_nanos(250000000);
  std::string expected;
  ASSERT_TRUE(pb::util::MessageToJsonString(response, &expected).ok());
  std::string printed;
  ASSERT_TRUE(PrintJsonDirect(response, &printed));
  EXPECT_EQ(printed, expected);
  EXPECT_NE(printed.find("\\u003cadult\\u003e"), std::string::npos) << printed;
  EXPECT_NE(printed.find("\"2025-12-02T18:26:40.250Z\""), std::string::npos) << printed;
}

}  // namespace
}  // namespace scoliomassage::plugin
