/*
 * scoliomassage host plugin: the stable C ABI of libscoliomassage_plugin.so.
 *
 * Host clinic software (C, C#, Java, PHP, Python, Delphi) loads this library
 * and exchanges strings: every request and response is the proto3 canonical
 * JSON of a scoliomassage.v1 message (proto/scoliomassage/v1/). Field names
 * may be sent in camelCase or snake_case; responses use camelCase and enum
 * names (e.g. "SPINE_REGION_LUMBAR"). Fields holding their default value
 * (0, "", false, the *_UNSPECIFIED enum) are omitted from responses, as proto3
 * JSON specifies; `optional` fields such as painBefore appear when set, even
 * when 0.
 *
 * Conventions, learned from sqlite3.h, libcurl and libgit2:
 *  - Every function returns an int status: SMP_OK (0) or a gRPC canonical
 *    code number (SMP_INVALID_ARGUMENT = 3, SMP_UNAVAILABLE = 14, ...), plus
 *    SMP_QUEUED (100) from smp_log_outcome. Codes are only ever appended,
 *    never renumbered.
 *  - After any call, smp_last_error() describes the last failure of the
 *    calling thread.
 *  - Strings returned through `char **` out-parameters belong to the caller
 *    and must be released with smp_free(). Strings returned as
 *    `const char *` belong to the library and must not be freed.
 *  - A NULL argument never crashes: the call returns SMP_INVALID_ARGUMENT and
 *    smp_last_error() names the argument.
 *  - No C++ exception ever leaves the library.
 *  - One smp_client may be used from many threads at once.
 */
#ifndef SCOLIOMASSAGE_PLUGIN_H_
#define SCOLIOMASSAGE_PLUGIN_H_

/* SMP_VERSION_MAJOR/MINOR/PATCH, SMP_VERSION ("1.0.0") and SMP_ABI_VERSION:
 * the compile-time version of this header, generated from the project's one
 * version. Compare with smp_version() and smp_abi_version() at run time. */
#include "scoliomassage/plugin_version.h"

#if defined(_WIN32)
#  if defined(SMP_BUILDING_LIBRARY)
#    define SMP_API __declspec(dllexport)
#  else
#    define SMP_API __declspec(dllimport)
#  endif
#else
#  define SMP_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status codes ------------------------------------------------------
 * 0..16 are gRPC's canonical codes, with gRPC's numbers, so a host may look
 * them up in any gRPC documentation. Values above 99 are this plugin's own. */
#define SMP_OK                   0
#define SMP_CANCELLED            1
#define SMP_UNKNOWN              2
#define SMP_INVALID_ARGUMENT     3  /* bad JSON, bad field, NULL argument */
#define SMP_DEADLINE_EXCEEDED    4  /* no answer within deadlineMs */
#define SMP_NOT_FOUND            5
#define SMP_ALREADY_EXISTS       6  /* request_id reused with another body */
#define SMP_PERMISSION_DENIED    7  /* wrong role for this call */
#define SMP_RESOURCE_EXHAUSTED   8  /* the service is overloaded; try later */
#define SMP_FAILED_PRECONDITION  9
#define SMP_ABORTED             10
#define SMP_OUT_OF_RANGE        11
#define SMP_UNIMPLEMENTED       12
#define SMP_INTERNAL            13
#define SMP_UNAVAILABLE         14  /* the service cannot be reached */
#define SMP_DATA_LOSS           15
#define SMP_UNAUTHENTICATED     16  /* missing or invalid token */
/* smp_log_outcome only: the service could not be reached, and the outcome is
 * now durably stored in the local outbox (config "outboxPath"). It will be
 * delivered exactly once, later; see "The outbox" below. Not an error: the
 * host may tell the therapist "saved, will sync". */
#define SMP_QUEUED             100

/* An open connection to scoliomassaged. Opaque; create with smp_client_open,
 * destroy with smp_client_close. Thread-safe: any number of threads may call
 * functions on one client at the same time (it holds one gRPC channel that
 * all calls share). A client with an outbox also owns one background thread
 * ("smp-outbox") that delivers queued outcomes; smp_client_close stops it. */
typedef struct smp_client smp_client;

/* ---- Lifetime -----------------------------------------------------------*/

/* Creates a client from a JSON configuration:
 *
 *   {
 *     "target":     "127.0.0.1:50051",   host:port of scoliomassaged (default)
 *     "deadlineMs": 2000,                total time budget of one smp_* call,
 *                                        retries included; also the deadline
 *                                        of each background outbox delivery;
 *                                        1..600000 (default 2000)
 *     "retries":    2,                   extra attempts after UNAVAILABLE,
 *                                        within the deadline; 0..10 (default 2)
 *     "token":      "...",               bearer token sent as
 *                                        "authorization: Bearer <token>";
 *                                        without "tls" only to a loopback
 *                                        target (see below)
 *     "tls": {                           absent: plaintext
 *       "rootCaPem":  "-----BEGIN...",   or "rootCaFile": "/path/ca.pem";
 *                                        neither: the system roots
 *       "certChainFile":  "/path/c.pem", client certificate (mTLS), together
 *       "privateKeyFile": "/path/k.pem", with its key
 *       "serverNameOverride": "name"     for tests with self-made certificates
 *     },
 *     "outboxPath": "/var/lib/clinic/outbox.db",  enables the offline outbox
 *     "outboxRetryMs": 1000              first wait of the delivery thread
 *                                        after the service could not be
 *                                        reached, doubled per failed round
 *                                        up to 30 s; 10..3600000 (default 1000)
 *   }
 *
 * Every key is optional; "{}" connects to 127.0.0.1:50051. An unknown key is
 * an error (SMP_INVALID_ARGUMENT naming it), so that a typo never silently
 * turns off TLS or the outbox.
 *
 * A token never travels in clear text off this machine: a config with
 * "token" and without "tls" is refused with SMP_INVALID_ARGUMENT ("config:
 * refusing to send the token in clear text to '<target>' ...") unless the
 * target is loopback: 127.0.0.0/8, ::1, localhost (also as dns:///localhost,
 * ipv4:/ipv6: lists of such addresses) or a unix socket (unix:,
 * unix-abstract:). Nothing is sent before the refusal.
 *
 * Opening does not contact the service (the connection is made on the first
 * call), so a service that is down does not make this fail. With
 * "outboxPath" it opens the outbox file and starts the delivery thread, which
 * at once delivers what earlier runs left in the file.
 *
 * config_json: borrowed, read only during the call. out: receives the client,
 * or NULL on failure. Returns SMP_OK or SMP_INVALID_ARGUMENT (bad config, bad
 * TLS file, a token in clear text off loopback), SMP_INTERNAL (outbox file
 * cannot be opened). */
SMP_API int smp_client_open(const char *config_json, smp_client **out);

/* Closes the client and frees it. Calls still running on other threads must
 * have returned first. Stops the delivery thread and waits for it: a delivery
 * in flight is cancelled (within ~100 ms, not after its deadline); its row,
 * like every row not yet acknowledged, stays on disk for the next client that
 * opens the same outboxPath and is resent with the same requestId, so nothing
 * is lost or stored twice. No library thread runs after this returns: close
 * every client before dlclose() or exit(). A forked child must not use a
 * client its parent opened (open its own); closing it there frees it without
 * touching the parent's thread. NULL does nothing. */
SMP_API void smp_client_close(smp_client *c);

/* ---- Calls ----------------------------------------------------------------
 * Shared contract of the five calls below:
 *  - request_json: borrowed; the JSON of the request message.
 *  - response_json: on SMP_OK (and SMP_QUEUED) receives a new NUL-terminated
 *    UTF-8 string that the caller frees with smp_free(). On any other code it
 *    is set to NULL.
 *  - Returns within deadlineMs (plus a few milliseconds); never waits for a
 *    service that is down. UNAVAILABLE is retried up to "retries" times with a
 *    short backoff, inside the same deadline; no other code is retried.
 *  - Never delivers queued outcomes itself: the outbox drains on the
 *    client's delivery thread, so a backlog never delays a check-in.
 *  - On SMP_INVALID_ARGUMENT from the service, smp_last_error() lists each
 *    bad field as "field: description" lines. */

/* ProtocolService.RecommendProtocol: today's massage protocol for a patient at
 * check-in. RecommendProtocolRequest -> RecommendProtocolResponse. */
SMP_API int smp_recommend_protocol(smp_client *c, const char *request_json,
                                   char **response_json);

/* OutcomeService.LogOutcome: stores what happened in the session.
 * LogOutcomeRequest -> Outcome.
 *
 * requestId: when absent or empty the plugin generates a UUID v4. The same
 * requestId is reused for every retry and outbox delivery, and the service
 * is idempotent on it, so one call never stores two outcomes. A host that
 * retries a whole call itself should send its own requestId.
 *
 * The outbox: when "outboxPath" is configured and the service cannot be
 * reached (UNAVAILABLE or DEADLINE_EXCEEDED after the retries), the request,
 * with its requestId, is written to the outbox, an SQLite file (WAL journal,
 * synchronous=FULL, so the write survives a power cut once this returns), and
 * the call returns SMP_QUEUED with
 *     {"queued":true,"requestId":"<uuid>"}
 * in response_json. Queued outcomes are delivered, oldest first, with the same
 * requestId, in the background by the client's delivery thread: woken when an
 * outcome is queued and when a call reaches the service again, retrying on a
 * back-off ("outboxRetryMs", doubling to 30 s) while the service is
 * unreachable, and at open for rows earlier runs left (also after the host
 * restarts); rows another process left are picked up within 30 s.
 * smp_flush() delivers everything now and reports counts. A row is deleted
 * only after the service acknowledged it; if the host dies between the
 * acknowledgement and the delete, the next delivery repeats the requestId and
 * the service returns the stored outcome instead of a second one: exactly
 * once. The service validates a queued outcome only when it is delivered; an
 * outcome it then rejects (e.g. INVALID_ARGUMENT) is kept in the outbox file
 * marked "rejected", is not retried, and is reported by smp_flush().
 * Every call of a client with an outbox sends its pending count as gRPC
 * metadata "x-smp-outbox-depth", so the service's operators see each host's
 * backlog (metric scoliomassage_host_outbox_depth).
 * Without "outboxPath" a service that cannot be reached returns SMP_UNAVAILABLE
 * or SMP_DEADLINE_EXCEEDED and nothing is kept. */
SMP_API int smp_log_outcome(smp_client *c, const char *request_json,
                            char **response_json);

/* OutcomeService.AmendOutcome: appends a corrected revision (the earlier one
 * stays readable). AmendOutcomeRequest -> Outcome. requestId is generated when
 * absent, as for smp_log_outcome. Never queued in the outbox. */
SMP_API int smp_amend_outcome(smp_client *c, const char *request_json,
                              char **response_json);

/* OutcomeService.GetOutcome: one outcome by name ("outcomes/{id}"), the latest
 * revision unless "revision" is set. GetOutcomeRequest -> Outcome. */
SMP_API int smp_get_outcome(smp_client *c, const char *request_json,
                            char **response_json);

/* OutcomeService.ListOutcomes: a bounded page of a patient's outcomes, newest
 * first, for the therapist's view. ListOutcomesRequest -> ListOutcomesResponse,
 * e.g. {"filter":{"patientId":"p-1"},"pageSize":20}. pageSize is clamped:
 * absent or below 1 means 20, above 100 means 100. Pass the response's
 * nextPageToken as "pageToken" for the next page; an absent nextPageToken
 * means the last page. */
SMP_API int smp_patient_history(smp_client *c, const char *request_json,
                                char **response_json);

/* Delivers the outcomes waiting in the outbox now, oldest first, each with its
 * original requestId, inside this call's deadline, and deletes each row once
 * the service acknowledged it. (The delivery thread does the same in the
 * background; a flush waits for at most the one row the thread is sending,
 * and a row is never sent twice at once.)
 * What a failed delivery does:
 *  - UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAUTHENTICATED,
 *    PERMISSION_DENIED, UNIMPLEMENTED, CANCELLED: the service cannot take
 *    anything now; the flush stops and every row stays queued.
 *  - INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION,
 *    OUT_OF_RANGE: resending can never succeed; the row is marked
 *    "rejected" (kept in the file with the error, never resent).
 *  - Any other code (INTERNAL, ABORTED, ...): the row stays queued for the
 *    next flush, and the flush goes on with the rows behind it, so one bad
 *    row never blocks the outbox.
 *
 * response_json (may be NULL if the counts are not wanted) receives, whenever
 * the outbox could be read (return SMP_OK or a service code):
 *   {"delivered":N,"pending":M,"rejected":R,
 *    "rejectedOutcomes":[{"requestId":"...","code":3,"error":"..."}]}
 * delivered: acknowledged by this flush. pending: still queued. rejected:
 * refused permanently by the service, kept in the file, never retried.
 *
 * Returns SMP_OK when nothing is pending any more, otherwise the code that
 * stopped delivery (e.g. SMP_UNAVAILABLE). SMP_FAILED_PRECONDITION when the
 * client has no outboxPath. */
SMP_API int smp_flush(smp_client *c, char **response_json);

/* ---- Errors, memory, versions -------------------------------------------*/

/* A readable description of the calling thread's last failed call: the code
 * name, the message and, for INVALID_ARGUMENT from the service, one
 * "field: description" line per bad field. "" after a successful call. Owned
 * by the library, thread-local, valid until this thread's next smp_* call;
 * copy it to keep it. Never NULL. */
SMP_API const char *smp_last_error(void);

/* A static name for a status code ("INVALID_ARGUMENT", "QUEUED", ...), or
 * "UNRECOGNIZED_CODE" for numbers this version does not know. Never NULL;
 * never free it. Thread-safe. */
SMP_API const char *smp_strerror(int code);

/* Frees a string that the library returned through a `char **` parameter.
 * NULL does nothing. Only for strings from this library. */
SMP_API void smp_free(char *s);

/* The library's version, e.g. "1.0.0". Static; never free it. */
SMP_API const char *smp_version(void);

/* The library's ABI version; equals SMP_ABI_VERSION of the header it was
 * built with. */
SMP_API int smp_abi_version(void);

/* ---- Appended functions (ABI only grows) --------------------------------*/

/* ReportService.GetPatientReport: the patient's progress report, rendered by
 * the service, for a host to show in its own window (an embedded browser
 * view) or save and print. GetPatientReportRequest -> PatientReport, e.g.
 * {"patientId":"p-1"} or {"patientId":"p-1","format":"REPORT_FORMAT_SVG"}.
 * The response is the usual JSON envelope:
 *   {"patientId":"p-1","format":"REPORT_FORMAT_HTML",
 *    "contentType":"text/html; charset=utf-8","content":"<!DOCTYPE html>...",
 *    "generateTime":"...","sessionCount":8}
 * "content" is one self-contained UTF-8 page (inline CSS and SVG, no
 * scripts, nothing fetched), the same page as GET /patients/{id}/report and
 * `scoliomassage report`. Hosts and admins see every session of their
 * clinic's patient, a therapist the sessions they logged; analytics get
 * SMP_PERMISSION_DENIED; SMP_NOT_FOUND when the clinic has no session for
 * the patient. */
SMP_API int smp_patient_report(smp_client *c, const char *request_json,
                               char **response_json);

/* AssessmentService.RecordAssessment: scores and stores a questionnaire.
 * RecordAssessmentRequest -> Assessment, e.g.
 *   {"assessment":{"patientId":"p-1","instrumentId":"odi",
 *    "performedAt":"2026-03-01T09:00:00Z",
 *    "answers":[{"item":"1","value":3},{"item":"2","value":1}, ...]}}
 * Answers are numbers only (instruments nrs, odi, ndi, srs22r, psfs, or the
 * clinic's own). The response carries "scores" (domain, value, scoreable,
 * reason: a domain with too many missing items is scoreable false, never 0)
 * and the "episode" it joined. requestId is generated when absent and reused
 * on retries, so a retry stores it once. An out-of-range answer is
 * SMP_INVALID_ARGUMENT naming the field, e.g. assessment.answers[3].value
 * (item "4"), and stores nothing. Never queued in the outbox. */
SMP_API int smp_record_assessment(smp_client *c, const char *request_json,
                                  char **response_json);

/* AssessmentService.ListAssessments: a patient's assessments, newest first.
 * ListAssessmentsRequest -> ListAssessmentsResponse, e.g.
 * {"patientId":"p-1","instrumentId":"odi"}. pageSize is clamped as for
 * smp_patient_history; pass nextPageToken as "pageToken" for the next page. */
SMP_API int smp_list_assessments(smp_client *c, const char *request_json,
                                 char **response_json);

/* EpisodeService.GetEpisodeResult: baseline against latest for an episode
 * ({"name":"episodes/..."}, the "episode" of an outcome or assessment):
 * pre-session pain and each questionnaire domain, with "meaningful" judged by
 * each measure's published threshold. GetEpisodeResultRequest ->
 * EpisodeResult. */
SMP_API int smp_episode_result(smp_client *c, const char *request_json,
                               char **response_json);

/* ---- Curve measurements (appended in ABI 1) -----------------------------*/

/* CurveService.RecordCurveMeasurement: one Cobb angle from one film.
 * RecordCurveMeasurementRequest -> CurveMeasurement, e.g.
 * {"measurement":{"patientId":"p-1","takenAt":"2026-03-01T09:00:00Z",
 *  "spineRegion":"SPINE_REGION_THORACIC","cobbAngleDegrees":24,
 *  "convexSide":"SIDE_RIGHT","apex":"T8","risserGrade":2,"measuredBy":"dr-a"}}.
 * requestId is generated when absent; a retry with the same requestId stores
 * nothing new. Never queued in the outbox. */
SMP_API int smp_record_curve_measurement(smp_client *c, const char *request_json,
                                         char **response_json);

/* CurveService.ListCurveMeasurements: a patient's films, newest first.
 * ListCurveMeasurementsRequest -> ListCurveMeasurementsResponse, e.g.
 * {"patientId":"p-1","pageSize":20}; pass nextPageToken back as pageToken. */
SMP_API int smp_list_curve_measurements(smp_client *c, const char *request_json,
                                        char **response_json);

/* CurveService.AmendCurveMeasurement: a corrected revision with a reason.
 * AmendCurveMeasurementRequest -> CurveMeasurement. requestId as above. */
SMP_API int smp_amend_curve_measurement(smp_client *c, const char *request_json,
                                        char **response_json);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* SCOLIOMASSAGE_PLUGIN_H_ */
