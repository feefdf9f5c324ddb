// A minimal host process for scripted tests: opens one client, makes the
// calls named on the command line, prints one JSON line per call, exits.
// Tests run it several times to play a clinic host that restarts.
//
//   plugin_call_host CONFIG_JSON FUNCTION [REQUEST_JSON...]
//   FUNCTION: recommend | log | amend | get | history | flush
//
// Output per call: {"code":N,"error":"...","response":<JSON or null>}
// Links only libscoliomassage_plugin.so (never the proto library).
#include <cstdio>
#include <cstring>
#include <string>

#include "scoliomassage/plugin.h"

namespace {

std::string JsonString(const char* text) {
  std::string out = "\"";
  for (const char* p = text; *p; ++p) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

void Print(int code, char* response) {
  std::printf("{\"code\":%d,\"error\":%s,\"response\":%s}\n", code,
              JsonString(smp_last_error()).c_str(), response ? response : "null");
  std::fflush(stdout);
  smp_free(response);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s CONFIG_JSON FUNCTION [REQUEST_JSON...]\n", argv[0]);
    return 2;
  }
  const std::string function = argv[2];
  int (*call)(smp_client*, const char*, char**) = nullptr;
  if (function == "recommend") call = smp_recommend_protocol;
  if (function == "log") call = smp_log_outcome;
  if (function == "amend") call = smp_amend_outcome;
  if (function == "get") call = smp_get_outcome;
  if (function == "history") call = smp_patient_history;
  if (call == nullptr && function != "flush") {
    std::fprintf(stderr, "unknown function %s\n", function.c_str());
    return 2;
  }
  smp_client* client = nullptr;
  if (int code = smp_client_open(argv[1], &client); code != SMP_OK) {
    Print(code, nullptr);
    return 1;
  }
  if (call == nullptr) {
    char* response = nullptr;
    const int code = smp_flush(client, &response);
    Print(code, response);
  }
  for (int i = 3; call != nullptr && i < argc; ++i) {
    char* response = nullptr;
    const int code = call(client, argv[i], &response);
    Print(code, response);
  }
  smp_client_close(client);
  return 0;
}
