#!/usr/bin/python3
"""CDS Hooks 2.0 feedback on the real scoliomassaged, from an independent
client (http.client, PyJWT), then the override rates over gRPC:
- a hook call's cards get feedback: accepted and overridden (with a reason the
  card offered), the JWT's aud the feedback URL or the service URL;
- a repeated report is harmless (200, nothing more stored);
- bad JWTs are refused 401 with a reason and store nothing;
- bad bodies (malformed JSON, bad fields, an unknown card, another clinic's
  card, an override without the reason the card asks for, a reason it did not
  offer) get 400/404 with a reason and store nothing, not even their good
  entries;
- SummarizeOutcomes reports the override rate by rule and by reason, counts
  only, to the clinic's admin; the analytics role sees the same rules and
  reasons suppressed (the feedback is one patient's, fewer than 5), and the
  clinician's comment never reaches analytics.
Usage: cds_feedback_test.py PATH/TO/scoliomassaged
"""
import datetime
import hashlib
import json
import os
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cds_hooks_test as cds  # noqa: E402  (its helpers; importing it runs no test)
from cds_hooks_test import check, failures, request  # noqa: E402

import grpc  # noqa: E402
from scoliomassage.v1 import history_pb2, history_pb2_grpc  # noqa: E402

import testlib  # noqa: E402

ISS_B = "https://ehr-b.example.org"
COMMENT = "private remark about patient cds-fb-1"


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry(card, outcome, reason=None, comment=None, **extra):
    e = {"card": card, "outcome": outcome, "outcomeTimestamp": now_rfc3339()}
    if reason is not None or comment is not None:
        e["overrideReason"] = {}
        if reason is not None:
            e["overrideReason"]["reason"] = reason
        if comment is not None:
            e["overrideReason"]["userComment"] = comment
    e.update(extra)
    return e


def main():
    binary = sys.argv[1]
    folder = tempfile.mkdtemp(prefix="scoliomassage-cdsfb-")
    keys = cds.Keys(folder)
    # A second EHR, another clinic, with the same keys.
    with open(keys.issuers_file, "w") as f:
        json.dump({"issuers": [{"iss": cds.ISS, "jwks": "ehr-jwks.json", "clinic": "clinic-a"},
                               {"iss": ISS_B, "jwks": "ehr-jwks.json", "clinic": "clinic-b"}]}, f)
    tokens = os.path.join(folder, "tokens")
    with open(tokens, "w") as f:
        f.write("token sha256:%s analyst-a analytics clinic-a\n" % hashlib.sha256(b"tok-analytics-a").hexdigest())
        f.write("token sha256:%s admin-a admin clinic-a\n" % hashlib.sha256(b"tok-admin-a").hexdigest())
    secret = os.path.join(folder, "pseudonym")
    with open(secret, "w") as f:
        f.write("s" * 40)
    server = testlib.Server(binary, extra_args=["--http_listen=127.0.0.1:0",
                                                "--cds_issuers_file=" + keys.issuers_file,
                                                "--tokens_file=" + tokens,
                                                "--pseudonym_secret_file=" + secret])
    server.start()
    ok = False
    try:
        port = server.http_port()
        base = "http://127.0.0.1:%d" % port
        service_url = base + cds.CHECKIN
        feedback_url = service_url + "/feedback"
        feedback_path = cds.CHECKIN + "/feedback"
        db = server.database[len("sqlite://"):]

        # A check-in that gives warning cards (pregnancy: proceed, modified).
        status, doc, _ = request(port, "POST", cds.CHECKIN, cds.hook_body("cds-fb-1", extra_conditions=["Z34.00"]),
                                 {"Authorization": "Bearer " + keys.token(service_url)})
        check(status == 200, "hook call: %s %s" % (status, doc))
        cards = doc["cards"]
        uuids = [c["uuid"] for c in cards]
        check(len(set(uuids)) == len(uuids), "card uuids are distinct")
        protocol_card = cards[0]
        offering = [c for c in cards if c.get("overrideReasons")]
        check(offering, "a card offers overrideReasons: %s" % [c["indicator"] for c in cards])
        warning = offering[0]
        reason = dict(warning["overrideReasons"][0])
        check(cds.wait_rows(db, "SELECT COUNT(*) FROM recommendations WHERE patient_id='cds-fb-1'", (), 1),
              "the recommendation is stored")

        def send(body=None, raw=None, aud=feedback_url, token=None, headers=None):
            all_headers = {"Authorization": "Bearer " + (token or keys.token(aud))}
            all_headers.update(headers or {})
            return request(port, "POST", feedback_path, body, all_headers, raw=raw)

        def rows():
            return cds.count_rows(db, "SELECT COUNT(*) FROM cds_feedback", ())

        # Accepted (aud = the feedback URL) and overridden (aud = the service URL).
        status, doc, _ = send({"feedback": [entry(protocol_card["uuid"], "accepted")]})
        check(status == 200 and doc == {"received": 1, "stored": 1}, "accepted: %s %s" % (status, doc))
        body = {"feedback": [entry(warning["uuid"].upper(), "overridden", reason=reason, comment=COMMENT)]}
        status, doc, _ = send(body, aud=service_url)
        check(status == 200 and doc == {"received": 1, "stored": 1}, "overridden: %s %s" % (status, doc))
        check(rows() == 2, "two feedback rows: %d" % rows())
        stored = cds.count_rows(db, "SELECT COUNT(*) FROM cds_feedback WHERE card_uuid=? AND outcome='overridden' "
                                    "AND reason_code=? AND rule_id<>'' AND user_comment=?",
                                (warning["uuid"], reason["code"], COMMENT), )
        check(stored == 1, "the override is stored with its rule, reason and comment")
        check(cds.count_rows(db, "SELECT COUNT(*) FROM cds_feedback WHERE card_uuid=? AND rule_id='protocol'",
                             (protocol_card["uuid"],)) == 1, "the protocol card is filed under rule 'protocol'")

        # Duplicates are harmless.
        status, doc, _ = send(body)
        check(status == 200 and doc == {"received": 1, "stored": 0}, "duplicate: %s %s" % (status, doc))
        check(rows() == 2, "a duplicate stores nothing")

        # Bad JWTs.
        now = int(time.time())
        good = {"feedback": [entry(cards[-1]["uuid"], "accepted")]}
        bad_tokens = {
            "wrong aud": (keys.token(base + "/cds-services/scoliomassage-appointment/feedback"), "AUDIENCE_MISMATCH"),
            "expired": (keys.token(feedback_url, exp=now - 600, iat=now - 700), "TOKEN_EXPIRED"),
            "bad signature": (keys.token(feedback_url, key=keys.other_ec), "SIGNATURE_INVALID"),
            "garbage": ("abc.def", "TOKEN_MALFORMED"),
        }
        for name, (token, want) in bad_tokens.items():
            status, doc, _ = send(good, token=token)
            check(status == 401 and doc and doc["error"]["reason"] == want,
                  "JWT %s: %s %s" % (name, status, doc))
        status, doc, _ = request(port, "POST", feedback_path, good)
        check(status == 401 and doc["error"]["reason"] == "TOKEN_MISSING", "no JWT: %s %s" % (status, doc))
        check(rows() == 2, "refused tokens store nothing")

        # Bad bodies: each refused with a reason, nothing stored.
        new_good = entry(cards[-1]["uuid"], "accepted")
        bad_bodies = {
            "malformed JSON": (dict(raw=b'{"feedback": ['), 400, "INVALID_JSON", "body"),
            "no feedback": (dict(body={"x": 1}), 400, "INVALID_REQUEST", "feedback"),
            "empty feedback": (dict(body={"feedback": []}), 400, "INVALID_REQUEST", "feedback"),
            "bad outcome": (dict(body={"feedback": [new_good, entry(cards[-1]["uuid"], "ignored")]}),
                            400, "INVALID_REQUEST", "feedback[1].outcome"),
            "no timestamp": (dict(body={"feedback": [{"card": cards[-1]["uuid"], "outcome": "accepted"}]}),
                             400, "INVALID_REQUEST", "feedback[0].outcomeTimestamp"),
            "bad timestamp": (dict(body={"feedback": [dict(new_good, outcomeTimestamp="yesterday")]}),
                              400, "INVALID_REQUEST", "feedback[0].outcomeTimestamp"),
            "not a uuid": (dict(body={"feedback": [entry("card-1", "accepted")]}),
                           400, "INVALID_REQUEST", "feedback[0].card"),
            "accepted with a reason": (dict(body={"feedback": [entry(cards[-1]["uuid"], "accepted", reason=reason)]}),
                                       400, "INVALID_REQUEST", "feedback[0].overrideReason"),
            "override without the reason": (dict(body={"feedback": [new_good, entry(warning["uuid"], "overridden")]}),
                                            400, "OVERRIDE_REASON_REQUIRED", "feedback[1].overrideReason"),
            "reason not offered": (dict(body={"feedback": [new_good, entry(warning["uuid"], "overridden", reason={
                "system": "urn:other", "code": "busy"})]}), 400, "OVERRIDE_REASON_UNKNOWN",
                "feedback[1].overrideReason.reason"),
            "suggestions never offered": (dict(body={"feedback": [entry(cards[-1]["uuid"], "accepted",
                                                                        acceptedSuggestions=[{"id": "s1"}])]}),
                                          400, "INVALID_REQUEST", "feedback[0].acceptedSuggestions"),
            "unknown card": (dict(body={"feedback": [new_good, entry(str(uuid.uuid4()), "accepted")]}),
                             404, "CARD_UNKNOWN", None),
            "another clinic's card": (dict(body={"feedback": [new_good]},
                                           token=keys.token(feedback_url, iss=ISS_B)), 404, "CARD_UNKNOWN", None),
            "comment too long": (dict(body={"feedback": [entry(warning["uuid"], "overridden", reason=reason,
                                                               comment="x" * 5000)]}),
                                 400, "INVALID_REQUEST", "feedback[0].overrideReason.userComment"),
            "text/plain": (dict(body={"feedback": [new_good]}, headers={"Content-Type": "text/plain"}),
                           415, "UNSUPPORTED_MEDIA_TYPE", None),
        }
        for name, (kwargs, want_status, want_reason, field) in bad_bodies.items():
            status, doc, _ = send(**kwargs)
            check(status == want_status and doc and doc["error"]["reason"] == want_reason,
                  "%s: %s %s (want %s %s)" % (name, status, doc, want_status, want_reason))
            if doc and field:
                fields = [v["field"] for v in doc["error"].get("fieldViolations", [])]
                check(field in fields, "%s: field %s not in %s" % (name, field, fields))
            check(rows() == 2, "%s stored nothing (%d rows)" % (name, rows()))
        status, doc, _ = request(port, "POST", "/cds-services/nope/feedback", good,
                                 {"Authorization": "Bearer " + keys.token(base + "/cds-services/nope/feedback")})
        check(status == 404 and doc["error"]["reason"] == "NOT_FOUND", "unknown service: %s" % status)

        # A third card's override with another offered reason, then the summary.
        if len(offering) > 1:
            status, doc, _ = send({"feedback": [entry(offering[1]["uuid"], "overridden",
                                                      reason=dict(offering[1]["overrideReasons"][1]))]})
            check(status == 200, "second override: %s %s" % (status, doc))
        check(cds.wait_rows(db, "SELECT COUNT(*) FROM audit_records WHERE method=? AND status_code=0",
                            ("POST " + feedback_path,), 3), "feedback calls are audited")

        with grpc.insecure_channel(server.address) as channel:
            stub = history_pb2_grpc.HistoryServiceStub(channel)
            summary = stub.SummarizeOutcomes(history_pb2.SummarizeOutcomesRequest(), timeout=10,
                                             metadata=(("authorization", "Bearer tok-admin-a"),))
            hidden = stub.SummarizeOutcomes(history_pb2.SummarizeOutcomesRequest(), timeout=10,
                                            metadata=(("authorization", "Bearer tok-analytics-a"),))
        check(hidden.feedback_by_rule and all(r.suppressed and r.feedback_count == 0 for r in hidden.feedback_by_rule)
              and hidden.overrides_by_reason
              and all(r.suppressed and r.overridden_count == 0 for r in hidden.overrides_by_reason),
              "analytics sees one patient's feedback suppressed: %s" % hidden)
        check(sorted(r.rule_id for r in hidden.feedback_by_rule) == sorted(r.rule_id for r in summary.feedback_by_rule),
              "...under the same rules")
        by_rule = {r.rule_id: r for r in summary.feedback_by_rule}
        check("protocol" in by_rule and by_rule["protocol"].accepted_count == 1 and
              by_rule["protocol"].override_rate == 0.0, "protocol card: %s" % by_rule.get("protocol"))
        overridden = [r for r in summary.feedback_by_rule if r.overridden_count > 0]
        want_overrides = 2 if len(offering) > 1 else 1
        check(sum(r.overridden_count for r in overridden) == want_overrides, "overrides by rule: %s" % overridden)
        for r in overridden:
            check(r.override_rate == r.overridden_count / r.feedback_count, "rate of %s" % r.rule_id)
        reasons = {(r.reason_system, r.reason_code): r for r in summary.overrides_by_reason}
        first = reasons.get((reason["system"], reason["code"]))
        check(first is not None and first.overridden_count == 1 and
              abs(first.share_of_overrides - 1.0 / want_overrides) < 1e-9, "by reason: %s" % reasons)
        check(COMMENT.encode() not in summary.SerializeToString() and b"cds-fb-1" not in summary.SerializeToString()
              and COMMENT.encode() not in hidden.SerializeToString() and b"cds-fb-1" not in hidden.SerializeToString(),
              "summaries carry no comment and no patient id")

        # Feedback sent the moment its hook call answered (the recommendation
        # may still be queued for its background write) is accepted.
        for attempt in range(5):
            patient = "cds-fb-fast-%d" % attempt
            status, doc, _ = request(port, "POST", cds.CHECKIN, cds.hook_body(patient),
                                     {"Authorization": "Bearer " + keys.token(service_url)})
            fast = doc["cards"][0]["uuid"] if status == 200 else "none"
            status, doc, _ = send({"feedback": [entry(fast, "accepted")]})
            check(status == 200 and doc == {"received": 1, "stored": 1},
                  "feedback right after its hook call (%d): %s %s" % (attempt, status, doc))


        code = server.stop()
        check(code == 0, "SIGTERM exit code %s" % code)
        ok = not failures
    finally:
        server.cleanup(show_log=not ok)
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
