#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
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

bool StartsWith(const std::string& text, const char* prefix) {
  return text.compare(0, std::strlen(prefix), prefix) == 0;
}

// One host, without port or brackets.
bool IsLoopbackHost(std::string host) {
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

// "host", "host:port", "[v6]", "[v6]:port" or a bare v6 literal.
bool IsLoopbackHostPort(const std::string& address) {
  if (address.empty()) return false;
  if (address.front() == '[') {
    const auto close = address.find(']');
    if (close == std::string::npos) return false;
    const std::string rest = address.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    return IsLoopbackHost(address.substr(1, close - 1));
  }
  const auto colon = address.find(':');
  if (colon == std::string::npos) return IsLoopbackHost(address);
  if (address.find(':', colon + 1) != std::string::npos) return IsLoopbackHost(address);
  return IsLoopbackHost(address.substr(0, colon));
}

// "ipv4:a:p,b:p" and "ipv6:[a]:p,...": every address must be loopback.
bool AllLoopback(const std::string& list) {
  if (list.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const auto comma = list.find(',', start);
    if (!IsLoopbackHostPort(list.substr(start, comma - start))) return false;
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

}  // namespace

bool IsLoopbackTarget(const std::string& target) {
  if (StartsWith(target, "unix:") || StartsWith(target, "unix-abstract:")) return true;
  if (StartsWith(target, "ipv4:") || StartsWith(target, "ipv6:")) {
    return AllLoopback(target.substr(5));
  }
  if (StartsWith(target, "dns:")) {
    std::string rest = target.substr(4);
    if (StartsWith(rest, "//")) {
      // dns://AUTHORITY/name asks that DNS server, which could answer
      // anything even for "localhost": only an empty authority is trusted.
      if (!StartsWith(rest, "///")) return false;
      rest = rest.substr(3);
    }
    return IsLoopbackHostPort(rest);
  }
  return IsLoopbackHostPort(target);
}

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
    } else if (key == "outboxRetryMs" || key == "outbox_retry_ms") {
      status = ReadInt(key, value, 10, 3600000, &number);
      config->outbox_retry = std::chrono::milliseconds(number);
    } else {
      return Invalid("unknown key '" + key + "'");
    }
    if (!status.ok()) return status;
  }
  // Without TLS the token is a plain HTTP/2 header: anyone on the path can
  // read it and act as this clinic. Only this machine's own loopback is
  // trusted with that (issue 18).
  if (!config->token.empty() && !config->tls && !IsLoopbackTarget(config->target)) {
    return Invalid("refusing to send the token in clear text to '" + config->target +
                   "': without \"tls\" a token may only go to a loopback target "
                   "(127.0.0.0/8, ::1, localhost) or a unix socket; add \"tls\" "
                   "(e.g. {\"tls\":{\"rootCaFile\":\"/etc/clinic/ca.pem\"}}) or use a "
                   "loopback target");
  }
  return grpc::Status::OK;
}

}  // namespace scoliomassage::plugin
