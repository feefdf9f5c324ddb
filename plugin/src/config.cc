#include "config.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

namespace scoliomassage::plugin {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

grpc::Status Invalid(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "config: " + message);
}

grpc::Status ReadString(const std::string& key, const Value& value, std::string* out) {
  if (value.kind_case() != Value::kStringValue) return Invalid(key + " must be a string");
  *out = value.string_value();
  return grpc::Status::OK;
}

grpc::Status ReadInt(const std::string& key, const Value& value, long min, long max,
                     long* out) {
  // JSON numbers arrive as doubles; reject 1.5 rather than truncate it.
  if (value.kind_case() != Value::kNumberValue ||
      std::floor(value.number_value()) != value.number_value() ||
      value.number_value() < min || value.number_value() > max) {
    return Invalid(key + " must be a whole number from " + std::to_string(min) + " to " +
                   std::to_string(max));
  }
  *out = static_cast<long>(value.number_value());
  return grpc::Status::OK;
}

grpc::Status ReadFile(const std::string& key, const std::string& path, std::string* out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Invalid(key + ": cannot read file '" + path + "'");
  std::ostringstream contents;
  contents << file.rdbuf();
  *out = contents.str();
  return grpc::Status::OK;
}

grpc::Status ParseTls(const Value& value, TlsConfig* tls) {
  if (value.kind_case() != Value::kStructValue) return Invalid("tls must be an object");
  std::string cert_chain_file, private_key_file, root_ca_file;
  for (const auto& [key, field] : value.struct_value().fields()) {
    const std::string name = "tls." + key;
    grpc::Status status;
    if (key == "rootCaPem") {
      status = ReadString(name, field, &tls->root_ca_pem);
    } else if (key == "rootCaFile") {
      status = ReadString(name, field, &root_ca_file);
    } else if (key == "certChainFile") {
      status = ReadString(name, field, &cert_chain_file);
    } else if (key == "privateKeyFile") {
      status = ReadString(name, field, &private_key_file);
    } else if (key == "serverNameOverride") {
      status = ReadString(name, field, &tls->server_name_override);
    } else {
      return Invalid("unknown key '" + name + "'");
    }
    if (!status.ok()) return status;
  }
  if (!root_ca_file.empty()) {
    if (!tls->root_ca_pem.empty()) {
      return Invalid("tls.rootCaPem and tls.rootCaFile are alternatives; give one");
    }
    if (auto status = ReadFile("tls.rootCaFile", root_ca_file, &tls->root_ca_pem);
        !status.ok()) {
      return status;
    }
  }
  if (cert_chain_file.empty() != private_key_file.empty()) {
    return Invalid("tls.certChainFile and tls.privateKeyFile go together (mTLS)");
  }
  if (!cert_chain_file.empty()) {
    if (auto status = ReadFile("tls.certChainFile", cert_chain_file, &tls->cert_chain_pem);
        !status.ok()) {
      return status;
    }
    if (auto status =
            ReadFile("tls.privateKeyFile", private_key_file, &tls->private_key_pem);
        !status.ok()) {
      return status;
    }
  }
  return grpc::Status::OK;
}

}  // namespace

grpc::Status ParseClientConfig(const char* json, ClientConfig* config) {
  // Struct keeps every key, so unknown ones can be named in the error.
  Struct root;
  const auto parsed = google::protobuf::util::JsonStringToMessage(json, &root);
  if (!parsed.ok()) {
    return Invalid("not a JSON object: " + std::string(parsed.message()));
  }
  for (const auto& [key, value] : root.fields()) {
    grpc::Status status;
    long number = 0;
    if (key == "target") {
      status = ReadString(key, value, &config->target);
      if (status.ok() && config->target.empty()) status = Invalid("target must not be empty");
    } else if (key == "deadlineMs" || key == "deadline_ms") {
      status = ReadInt(key, value, 1, 600000, &number);
      config->deadline = std::chrono::milliseconds(number);
    } else if (key == "retries") {
      status = ReadInt(key, value, 0, 10, &number);
      config->retries = static_cast<int>(number);
    } else if (key == "token") {
      status = ReadString(key, value, &config->token);
    } else if (key == "tls") {
      config->tls.emplace();
      status = ParseTls(value, &*config->tls);
    } else if (key == "outboxPath" || key == "outbox_path") {
      status = ReadString(key, value, &config->outbox_path);
    } else {
      return Invalid("unknown key '" + key + "'");
    }
    if (!status.ok()) return status;
  }
  return grpc::Status::OK;
}

}  // namespace scoliomassage::plugin
