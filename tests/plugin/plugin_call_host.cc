// A minimal host process for scripted tests: opens one client, makes the
// calls named on the command line, prints one JSON line per call, exits.
// Tests run it several times to play a clinic host that restarts.
//
//   plugin_call_host CONFIG_JSON FUNCTION [REQUEST_JSON | sleep:MS ...]
//   FUNCTION: recommend | log | amend | get | history | report | flush
//
// Output per call: {"code":N,"error":"...","ms":ELAPSED,"response":<JSON or null>}
// ("ms": the call's own duration). "sleep:MS" waits MS milliseconds with the
// client open (its delivery thread keeps working) instead of a call.
// Links only libscoliomassage_plugin.so (never the proto library).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

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

using Clock = std::chrono::steady_clock;

void Print(int code, char* response, Clock::time_point started) {
  const double ms =
      std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  std::printf("{\"code\":%d,\"error\":%s,\"ms\":%.1f,\"response\":%s}\n", code,
              JsonString(smp_last_error()).c_str(), ms, response ? response : "null");
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
  if (function == "report") call = smp_patient_report;
  if (call == nullptr && function != "flush") {
    std::fprintf(stderr, "unknown function %s\n", function.c_str());
    return 2;
  }
  smp_client* client = nullptr;
  if (int code = smp_client_open(argv[1], &client); code != SMP_OK) {
    Print(code, nullptr, Clock::now());
    return 1;
  }
  if (call == nullptr) {
    char* response = nullptr;
    const auto started = Clock::now();
    const int code = smp_flush(client, &response);
    Print(code, response, started);
  }
  for (int i = 3; i < argc; ++i) {
    if (std::strncmp(argv[i], "sleep:", 6) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::atol(argv[i] + 6)));
      continue;
    }
    if (call == nullptr) continue;
    char* response = nullptr;
    const auto started = Clock::now();
    const int code = call(client, argv[i], &response);
    Print(code, response, started);
  }
  smp_client_close(client);
  return 0;
}
