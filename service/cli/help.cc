#include "cli/help.h"

namespace scoliomassage::cli {

std::string HelpText() {
  return R"(scoliomassage - command-line client for scoliomassaged (gRPC)

Usage:
  scoliomassage <subcommand> [flags]

Subcommands:
  recommend --json_in=FILE|-   Today's massage protocol for a patient. The input is a
                               RecommendProtocolRequest in proto3 JSON. Prints the
                               decision, the steps, the cards and the basis for a
                               person, or the response JSON with --json.
  protocols                    The protocols the server has loaded (a table, or --json).
  log --json_in=FILE|-         Log a session outcome (a LogOutcomeRequest). Prints the
                               stored Outcome as JSON; its "name" is outcomes/{id}.
  amend --json_in=FILE|-       Store a corrected revision (an AmendOutcomeRequest with
                               name, outcome and reason). Prints the new revision.
  get NAME [--revision=N]      One outcome by name (outcomes/{id}, or just the id).
                               --revision=0 (the default) is the latest revision.
  history [filters]            Stream outcomes, oldest first, one record per line:
                               --format=jsonl (default) prints each HistoryRecord as
                               JSON ({"outcome":...,"resumeToken":...}); --format=csv
                               prints a header and the key columns, resume_token last.
  summary [filters]            Session count, mean pain before/after, mean relief,
                               meaningful-relief rate and adverse-event rate, grouped
                               with --group_by. A table, or the response JSON with --json.
  audit                        Admins: who read or wrote patient data (a table, or one
                               JSON record per line with --json). Follows every page.
  report --patient=ID          The patient's progress report: one self-contained HTML
                               page on stdout (scoliomassage report --patient=p-1 >
                               report.html), the same page as the HTTP face's
                               /patients/{id}/report. --json prints the PatientReport.
  assess record --json_in=FILE|-   Score and store a questionnaire (a RecordAssessmentRequest:
                               patientId, instrumentId, answers [{item, value}], performedAt).
                               Prints the stored Assessment with its scores and episode.
  assess list --patient=ID [--instrument=ID]   A patient's assessments, newest first
                               (a table, or --json).
  assess instruments           The loaded questionnaire definitions (a table, or --json).
  episode open --patient=ID    Open an episode of care (sessions and assessments also open
                               one when none is open).
  episode close NAME           Close an episode at discharge (episodes/{id}).
  episode list --patient=ID    A patient's episodes, newest first.
  episode result NAME          Baseline against latest: pre-session pain and each
                               questionnaire domain, with "meaningful" by its threshold.
  curve record --json_in=FILE|-  Store a curve measurement (a RecordCurveMeasurementRequest:
                               patient, film date, region, Cobb angle, apex, convex side,
                               Risser grade on the US scale 0-5). Prints it as JSON.
  curve list --patient=ID      The patient's films, newest first (a table, or one JSON
                               record per line with --json). Follows every page.
  curve amend --json_in=FILE|-   A corrected revision (name, measurement and reason).
  curve get NAME [--revision=N]  One measurement (curveMeasurements/{id}, or the id).
  compare [criteria]           Compare protocols over episodes of care: per protocol (or
                               --by=version) patients, episodes, the change in pre-session
                               pain with its 95% CI, responders (a fall of 2 points or 30%),
                               adverse events per 100 sessions, questionnaire change, CDS
                               overrides, and the first two groups' difference. Fewer than
                               10 episodes: "not enough data"; analytics callers see groups
                               of fewer than 5 patients as "suppressed". Observational, not
                               causal. A table, or --format=json (or --json).
  version                      Print the client version.
  help                         Print this text.

Connection flags (each has an environment variable; the flag wins):
  --server=HOST:PORT           SCOLIOMASSAGE_SERVER          default 127.0.0.1:50051
  --token=TOKEN                SCOLIOMASSAGE_TOKEN           bearer token, sent as
                               "authorization: Bearer TOKEN"; never printed. Prefer the
                               environment or --token_file: flags show up in `ps`.
  --token_file=FILE            SCOLIOMASSAGE_TOKEN_FILE      read the token from FILE
  --tls                        SCOLIOMASSAGE_TLS=1           TLS with the system roots
  --tls_ca=FILE                SCOLIOMASSAGE_TLS_CA          TLS, trusting this CA (PEM)
  --tls_cert=FILE              SCOLIOMASSAGE_TLS_CERT        client certificate (mTLS)
  --tls_key=FILE               SCOLIOMASSAGE_TLS_KEY         its private key (mTLS)
  --tls_server_name=NAME       SCOLIOMASSAGE_TLS_SERVER_NAME name expected in the
                               server certificate, when it differs from HOST
  --deadline_ms=N              SCOLIOMASSAGE_DEADLINE_MS     default 10000, per call.
                               history streams have no deadline unless you set one.
  Without --tls, --tls_ca or --tls_cert the connection is plaintext, which the server
  accepts only in its development mode on loopback.

Subcommand flags:
  --json_in=FILE|-             request JSON for recommend, log, amend ("-" is stdin)
  --json                       JSON output for recommend, protocols, summary, audit
  --request_id=UUID            log, amend, curve record/amend: the idempotency key. If neither the input
                               nor this flag has one, a UUID is generated and printed
                               on stderr; rerun with it to retry without duplicates.
  --revision=N                 get: a specific revision
  Filters for history and summary (empty means no filter):
  --patient=ID  --therapist=ID  --protocol=ID   (report: --patient, required)
  --region=NAME                lumbar, thoracic, ... or SPINE_REGION_LUMBAR
  --since=TIME                 performed at or after TIME (inclusive)
  --until=TIME                 performed before TIME (exclusive)
                               TIME is RFC 3339 (2026-03-01T08:00:00Z) or a date
                               (2026-03-01, midnight UTC). audit takes these two too.
  --resume_token=TOKEN         history: continue after the record with this token
  --include_revisions          history: every revision, not only the latest
  --format=jsonl|csv           history output (default jsonl)
  --group_by=LIST              summary: comma-separated protocol, region, session,
                               therapist, month (UTC "YYYY-MM"), episode; empty is one
                               group. "instrument" (alone or with episode) summarizes
                               questionnaire scores instead of sessions; "curve_region"
                               (alone) summarizes films: Cobb angles, true progressions.
                               For the analytics role a group of fewer than 5 patients
                               prints "suppressed" (README, "Privacy for analytics").
  --instrument=ID              assess list: only this instrument
  compare criteria (empty means any): --region=NAME, --pattern=c|s, --protocol=ID[,ID...],
  --since=TIME and --until=TIME (episodes opened in [since, until)),
  --by=protocol|version (default protocol), --format=table|json|html|svg (default table; html the page, svg the plot)
  --page_size=N                audit: records per page, 1-1000 (default: the server's);
                               curve list: 1-100

Streaming and resuming (history):
  Records are written as they arrive; nothing is buffered. While stderr is a terminal
  a progress line shows the count and the rate. If the stream breaks, the error and
  the last resume_token are printed on stderr, as
    resume_token: TOKEN
  Rerun the same command with --resume_token=TOKEN and append to the same output:
  there is no gap and no duplicate.

Exit status:
  0  success
  1  the server returned an error, or it could not be reached (the error is printed
     as "scoliomassage: CODE: message", then any bad fields as "  field: why" and
     the reason as "  reason: REASON")
  2  usage error: a bad flag, subcommand or input file; nothing was sent

Examples:
  export SCOLIOMASSAGE_SERVER=massage.clinic.example:50051
  export SCOLIOMASSAGE_TLS_CA=/etc/scoliomassage/ca.pem
  export SCOLIOMASSAGE_TOKEN_FILE=$HOME/.config/scoliomassage/token
  scoliomassage protocols
  scoliomassage recommend --json_in=checkin.json
  scoliomassage log --json_in=outcome.json --request_id=6f1c2d9e-8d7b-4c1e-9a55-3f0e2b7c4a10
  scoliomassage get outcomes/1a2b3c --revision=1
  scoliomassage history --region=lumbar --since=2026-01-01 --format=csv > lumbar.csv
  scoliomassage history --resume_token=TOKEN >> history.jsonl
  scoliomassage summary --group_by=protocol,month
  scoliomassage summary --therapist=t-17 --json | jq '.groups[0].meanPainRelief'
  scoliomassage audit --since=2026-03-01 --until=2026-04-01 --json
  scoliomassage assess record --json_in=odi.json
  scoliomassage assess list --patient=p-1 --instrument=odi
  scoliomassage episode result episodes/4be0...
  scoliomassage summary --group_by=instrument
  scoliomassage curve record --json_in=film.json
  scoliomassage curve list --patient=p-1
  scoliomassage compare --region=thoracic --pattern=c --since=2026-01-01
  scoliomassage compare --protocol=thoracic-c-curve --by=version --format=json
)";
}

}  // namespace scoliomassage::cli
