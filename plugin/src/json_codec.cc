#include "json_codec.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/type.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

#include "json_printer.h"

namespace scoliomassage::plugin {
namespace {

namespace pb = google::protobuf;

constexpr char kTypeUrlPrefix[] = "type.googleapis.com";

std::string TypeUrl(const std::string& full_name) {
  return std::string(kTypeUrlPrefix) + "/" + full_name;
}

// What JsonStringToMessage / MessageToJsonString do, with the descriptor
// work done once per process instead of on every call. protobuf 3.21's
// generated-pool resolver rebuilds a google.protobuf.Type from the
// descriptors for every message and enum type a conversion touches, and each
// rebuild looks the name up in the generated pool under the pool's one
// mutex, which every converting thread then contends for. Here the Types are
// built once per top-level message (its whole closure) and published as an
// immutable snapshot: a conversion only copies them, lock-free. The converter
// is the same, so the JSON and the error texts are the same byte for byte.
class CachedTypeResolver final : public pb::util::TypeResolver {
 public:
  CachedTypeResolver()
      : base_(pb::util::NewTypeResolverForDescriptorPool(kTypeUrlPrefix,
                                                         pb::DescriptorPool::generated_pool())) {
    snapshots_.push_back(std::make_unique<Snapshot>());
    snapshot_.store(snapshots_.back().get(), std::memory_order_release);
  }

  // Makes sure `descriptor` and every type reachable from its fields are in
  // the snapshot; the first call per message type builds, later ones only
  // check a pointer.
  void Prepare(const pb::Descriptor* descriptor) {
    if (Current()->roots.count(descriptor) != 0) return;
    std::lock_guard<std::mutex> lock(build_mutex_);
    const Snapshot* current = Current();
    if (current->roots.count(descriptor) != 0) return;
    auto next = std::make_unique<Snapshot>(*current);
    next->roots.insert(descriptor);
    Add(descriptor, next.get());
    snapshot_.store(next.get(), std::memory_order_release);
    // Readers may still hold older snapshots; a few dozen message types at
    // most, kept for the life of the process.
    snapshots_.push_back(std::move(next));
  }

  pb::util::Status ResolveMessageType(const std::string& type_url, pb::Type* type) override {
    const Snapshot* current = Current();
    if (auto found = current->types.find(type_url); found != current->types.end()) {
      *type = found->second;
      return pb::util::Status();
    }
    return base_->ResolveMessageType(type_url, type);  // e.g. inside an Any
  }

  pb::util::Status ResolveEnumType(const std::string& type_url, pb::Enum* type) override {
    const Snapshot* current = Current();
    if (auto found = current->enums.find(type_url); found != current->enums.end()) {
      *type = found->second;
      return pb::util::Status();
    }
    return base_->ResolveEnumType(type_url, type);
  }

 private:
  struct Snapshot {
    std::unordered_set<const pb::Descriptor*> roots;
    std::unordered_map<std::string, pb::Type> types;
    std::unordered_map<std::string, pb::Enum> enums;
  };

  const Snapshot* Current() const { return snapshot_.load(std::memory_order_acquire); }

  void Add(const pb::Descriptor* descriptor, Snapshot* snapshot) {
    const std::string url = TypeUrl(descriptor->full_name());
    if (snapshot->types.count(url) != 0) return;
    pb::Type type;
    if (!base_->ResolveMessageType(url, &type).ok()) return;  // left to base_ per call
    snapshot->types.emplace(url, std::move(type));
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const pb::FieldDescriptor* field = descriptor->field(i);
      if (field->message_type() != nullptr) Add(field->message_type(), snapshot);
      if (field->enum_type() != nullptr) {
        const std::string enum_url = TypeUrl(field->enum_type()->full_name());
        pb::Enum enum_type;
        if (snapshot->enums.count(enum_url) == 0 &&
            base_->ResolveEnumType(enum_url, &enum_type).ok()) {
          snapshot->enums.emplace(enum_url, std::move(enum_type));
        }
      }
    }
  }

  const std::unique_ptr<pb::util::TypeResolver> base_;
  std::mutex build_mutex_;
  std::vector<std::unique_ptr<Snapshot>> snapshots_;
  std::atomic<const Snapshot*> snapshot_{nullptr};
};

CachedTypeResolver& Resolver() {
  // Never destroyed: a host may convert from its own threads while the
  // library is being unloaded at exit.
  static CachedTypeResolver* const resolver = new CachedTypeResolver();
  return *resolver;
}

}  // namespace

grpc::Status ParseJson(const char* json, const char* what,
                       google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  CachedTypeResolver& resolver = Resolver();
  resolver.Prepare(message->GetDescriptor());
  std::string binary;
  auto status = google::protobuf::util::JsonToBinaryString(
      &resolver, TypeUrl(message->GetDescriptor()->full_name()), json, &binary, options);
  // As JsonStringToMessage words it.
  if (status.ok() && !message->ParseFromString(binary)) {
    status = google::protobuf::util::InvalidArgumentError(
        "JSON transcoder produced invalid protobuf output.");
  }
  if (!status.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        std::string(what) + " is not valid " + message->GetTypeName() +
                            " JSON: " + std::string(status.message()));
  }
  return grpc::Status::OK;
}

grpc::Status ToJson(const google::protobuf::Message& message, std::string* json) {
  // The direct printer writes what the converter would; it declines whatever
  // it cannot be sure of, and then the converter prints the whole message.
  if (PrintJsonDirect(message, json)) return grpc::Status::OK;
  json->clear();  // the converter appends to what the direct printer left
  CachedTypeResolver& resolver = Resolver();
  resolver.Prepare(message.GetDescriptor());
  const auto status = google::protobuf::util::BinaryToJsonString(
      &resolver, TypeUrl(message.GetDescriptor()->full_name()), message.SerializeAsString(),
      json, google::protobuf::util::JsonPrintOptions());
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
