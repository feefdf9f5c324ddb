/*
 * A C host that loads libscoliomassage_plugin.so at run time with dlopen(),
 * the way clinic software adds an optional plugin, and runs one check-in:
 * recommend a protocol, log the session outcome, read the patient history;
 * then shows how a bad request and a service that is down look.
 *
 *   host_c [PLUGIN_SO [TARGET]]     or env SMP_PLUGIN, SMP_TARGET, SMP_TOKEN
 *
 * Exits 0 only when every expectation held, so tests can run it.
 * (A real host would use a JSON library; this one extracts the few fields it
 * needs with strstr to stay dependency-free.)
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "scoliomassage/plugin.h"

/* The ABI, looked up by name. */
static struct {
  int (*client_open)(const char *, smp_client **);
  void (*client_close)(smp_client *);
  int (*recommend_protocol)(smp_client *, const char *, char **);
  int (*log_outcome)(smp_client *, const char *, char **);
  int (*patient_history)(smp_client *, const char *, char **);
  const char *(*last_error)(void);
  const char *(*strerror_)(int);
  void (*free_)(char *);
  const char *(*version)(void);
  int (*abi_version)(void);
} smp;

static int failures = 0;

static void expect(int ok, const char *what) {
  printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  if (!ok) failures++;
}

static int load(const char *path) {
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
    return 0;
  }
#define LOOKUP(field, symbol)                                        \
  *(void **)(&smp.field) = dlsym(library, symbol);                   \
  if (smp.field == NULL) {                                           \
    fprintf(stderr, "missing symbol %s\n", symbol);                  \
    return 0;                                                        \
  }
  LOOKUP(client_open, "smp_client_open");
  LOOKUP(client_close, "smp_client_close");
  LOOKUP(recommend_protocol, "smp_recommend_protocol");
  LOOKUP(log_outcome, "smp_log_outcome");
  LOOKUP(patient_history, "smp_patient_history");
  LOOKUP(last_error, "smp_last_error");
  LOOKUP(strerror_, "smp_strerror");
  LOOKUP(free_, "smp_free");
  LOOKUP(version, "smp_version");
  LOOKUP(abi_version, "smp_abi_version");
#undef LOOKUP
  return 1;
}

/* Copies the string value of the first "key":"..." into out. */
static int string_field(const char *json, const char *key, char *out, size_t size) {
  char pattern[128];
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  const char *start = strstr(json, pattern);
  if (start == NULL) return 0;
  start += strlen(pattern);
  const char *end = strchr(start, '"');
  if (end == NULL || (size_t)(end - start) >= size) return 0;
  memcpy(out, start, (size_t)(end - start));
  out[end - start] = '\0';
  return 1;
}

/* The number value of the first "key":N, or -1. */
static long number_field(const char *json, const char *key) {
  char pattern[128];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *start = strstr(json, pattern);
  return start ? strtol(start + strlen(pattern), NULL, 10) : -1;
}

/* A loopback port that nothing listens on: bind, read the port, close. */
static int closed_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 ||
      getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
    return 1; /* port 1 is never served on a test machine */
  }
  close(fd);
  return ntohs(address.sin_port);
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  const char *plugin = argc > 1 ? argv[1] : getenv("SMP_PLUGIN");
  const char *target = argc > 2 ? argv[2] : getenv("SMP_TARGET");
  const char *token = getenv("SMP_TOKEN");
  if (plugin == NULL || target == NULL) {
    fprintf(stderr, "usage: %s PLUGIN_SO TARGET   (or SMP_PLUGIN, SMP_TARGET)\n", argv[0]);
    return 2;
  }
  if (!load(plugin)) return 1;
  printf("plugin %s, ABI %d\n", smp.version(), smp.abi_version());
  expect(smp.abi_version() == SMP_ABI_VERSION, "library ABI matches this header");

  char config[512];
  snprintf(config, sizeof config, "{\"target\":\"%s\",\"deadlineMs\":5000%s%s%s}", target,
           token ? ",\"token\":\"" : "", token ? token : "", token ? "\"" : "");
  smp_client *client = NULL;
  int code = smp.client_open(config, &client);
  expect(code == SMP_OK, "open a client");
  if (code != SMP_OK) {
    fprintf(stderr, "%s\n", smp.last_error());
    return 1;
  }

  /* 1. Check-in: today's protocol for a lumbar C-curve patient. */
  char patient[64];
  snprintf(patient, sizeof patient, "c-host-%ld-%ld", (long)getpid(), (long)time(NULL));
  char request[2048];
  snprintf(request, sizeof request,
           "{\"patientId\":\"%s\","
           "\"profile\":{\"ageYears\":16,\"primaryRegion\":\"SPINE_REGION_LUMBAR\","
           "\"curvePattern\":\"CURVE_PATTERN_C_CURVE\",\"convexSide\":\"SIDE_LEFT\","
           "\"cobbAngleDegrees\":18},"
           "\"screening\":{\"painNrs\":4}}",
           patient);
  char *recommendation = NULL;
  code = smp.recommend_protocol(client, request, &recommendation);
  expect(code == SMP_OK, "recommend a protocol");
  if (code != SMP_OK) {
    fprintf(stderr, "  %d %s\n", code, smp.last_error());
    return 1;
  }
  char recommendation_id[128] = "", protocol_id[128] = "", decision[64] = "";
  string_field(recommendation, "recommendationId", recommendation_id, sizeof recommendation_id);
  string_field(recommendation, "decision", decision, sizeof decision);
  expect(strncmp(decision, "DECISION_PROCEED", 16) == 0, "decision is to proceed");
  expect(string_field(recommendation, "protocolId", protocol_id, sizeof protocol_id),
         "the recommendation names a protocol");
  long protocol_version = number_field(recommendation, "protocolVersion");
  long session_number = number_field(recommendation, "sessionNumber");
  long minutes = number_field(recommendation, "totalMinutes");
  printf("  protocol %s v%ld, session %ld, %ld minutes\n", protocol_id, protocol_version,
         session_number, minutes);
  smp.free_(recommendation);

  /* 2. After the session: log what happened. */
  char performed_at[32];
  time_t now = time(NULL) - 60;
  strftime(performed_at, sizeof performed_at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  snprintf(request, sizeof request,
           "{\"outcome\":{\"patientId\":\"%s\",\"therapistId\":\"t-c-host\","
           "\"recommendationId\":\"%s\",\"protocolId\":\"%s\",\"protocolVersion\":%ld,"
           "\"sessionNumber\":%ld,\"minutes\":%ld,\"painBefore\":4,\"painAfter\":2,"
           "\"relaxationNotes\":\"relaxed well\",\"performedAt\":\"%s\"}}",
           patient, recommendation_id, protocol_id, protocol_version,
           session_number > 0 ? session_number : 1, minutes > 0 ? minutes : 15, performed_at);
  char *outcome = NULL;
  code = smp.log_outcome(client, request, &outcome);
  expect(code == SMP_OK, "log the outcome");
  char outcome_name[160] = "";
  if (code == SMP_OK) {
    string_field(outcome, "name", outcome_name, sizeof outcome_name);
    printf("  stored %s\n", outcome_name);
    smp.free_(outcome);
  } else {
    fprintf(stderr, "  %d %s\n", code, smp.last_error());
  }
  expect(strncmp(outcome_name, "outcomes/", 9) == 0, "the outcome has a name");

  /* 3. The therapist's view: the patient's history shows the session. */
  snprintf(request, sizeof request, "{\"filter\":{\"patientId\":\"%s\"},\"pageSize\":10}",
           patient);
  char *history = NULL;
  code = smp.patient_history(client, request, &history);
  expect(code == SMP_OK, "read the patient history");
  if (code == SMP_OK) {
    char pattern[200];
    snprintf(pattern, sizeof pattern, "\"name\":\"%s\"", outcome_name);
    expect(outcome_name[0] && strstr(history, pattern) != NULL,
           "the history contains the logged outcome");
    smp.free_(history);
  }

  /* 4. A bad request: pain 42 on a 0-10 scale. The code is 3 and the last
   * error names the field, ready to show next to the form input. */
  snprintf(request, sizeof request,
           "{\"outcome\":{\"patientId\":\"%s\",\"therapistId\":\"t-c-host\","
           "\"protocolId\":\"%s\",\"protocolVersion\":%ld,\"sessionNumber\":1,"
           "\"minutes\":15,\"painBefore\":4,\"painAfter\":42,\"performedAt\":\"%s\"}}",
           patient, protocol_id, protocol_version, performed_at);
  char *rejected = NULL;
  code = smp.log_outcome(client, request, &rejected);
  printf("  bad request -> %d %s: %s\n", code, smp.strerror_(code), smp.last_error());
  expect(code == SMP_INVALID_ARGUMENT, "pain 42 is INVALID_ARGUMENT");
  expect(strstr(smp.last_error(), "pain_after") != NULL ||
             strstr(smp.last_error(), "painAfter") != NULL,
         "the last error names the pain field");
  expect(rejected == NULL, "no response on error");

  /* 5. Malformed JSON never reaches the service. */
  code = smp.recommend_protocol(client, "{\"patientId\":", &rejected);
  expect(code == SMP_INVALID_ARGUMENT && smp.last_error()[0] != '\0',
         "malformed JSON is INVALID_ARGUMENT with a message");
  smp.client_close(client);

  /* 6. The service is down: UNAVAILABLE, quickly, never a hang. */
  snprintf(config, sizeof config, "{\"target\":\"127.0.0.1:%d\",\"deadlineMs\":1000}",
           closed_port());
  code = smp.client_open(config, &client);
  expect(code == SMP_OK, "open a client for a closed port");
  double started = now_ms();
  snprintf(request, sizeof request,
           "{\"patientId\":\"%s\",\"profile\":{\"primaryRegion\":\"SPINE_REGION_LUMBAR\"}}",
           patient);
  code = smp.recommend_protocol(client, request, &rejected);
  double elapsed = now_ms() - started;
  printf("  server down -> %d %s after %.0f ms: %s\n", code, smp.strerror_(code), elapsed,
         smp.last_error());
  expect(code == SMP_UNAVAILABLE, "a closed port is UNAVAILABLE");
  expect(elapsed < 1000 + 500, "within the deadline");
  smp.client_close(client);

  printf("%s: %d failure(s)\n", failures ? "FAILED" : "PASSED", failures);
  return failures ? 1 : 0;
}
