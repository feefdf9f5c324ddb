#!/usr/bin/python3
"""Bad input: a table of malformed requests across every method, sent to a
real scoliomassaged over gRPC by an independent client (python3-grpcio).

Each row expects a specific status code and, for INVALID_ARGUMENT, the exact
field path in the google.rpc.BadRequest carried in the
grpc-status-details-bin trailer (decoded with the generated google.rpc
stubs). After the table the store must be unchanged: the same outcomes,
history records and revisions through the API, and the same row counts in
the SQLite file (outcome_revisions, idempotency_keys, recommendations).
Audit rows are expected to grow: refused calls are audited too.

A second, smaller table sends bytes that are not a valid message at all
(invalid UTF-8 in a proto3 string, truncated fields, an oversized message):
those never reach the service's code and gRPC answers them itself. gRPC
1.51's callback API answers a request it cannot deserialize with
UNIMPLEMENTED (server_callback_handlers.h: a failed Deserialize gets an
UnimplementedUnaryReactor), and an oversized one with RESOURCE_EXHAUSTED.
That code is gRPC's, not ours; what this test holds the server to is that it
refuses them and stays healthy and unchanged.

Usage: bad_input_test.py PATH/TO/scoliomassaged
"""
import math
import os
import sqlite3
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import testlib  # noqa: E402

testlib.stubs()
import grpc  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402
from stdgrpc.health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from scoliomassage.v1 import (audit_pb2, history_pb2, outcome_pb2,  # noqa: E402
                              protocol_pb2)

NOW = int(time.time())
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)
    return condition


def ts(seconds, nanos=0):
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)


def good_outcome(**changes):
    outcome = outcome_pb2.Outcome(
        patient_id="bad-input-p1", therapist_id="t-1", protocol_id="thoracic-c-curve",
        session_number=1, minutes=15, pain_before=6, pain_after=3, performed_at=ts(NOW - 3600))
    for key, value in changes.items():
        setattr(outcome, key, value)
    return outcome


def log_request(outcome=None, request_id=None, **changes):
    request = outcome_pb2.LogOutcomeRequest(
        request_id=str(uuid.uuid4()) if request_id is None else request_id,
        outcome=outcome if outcome is not None else good_outcome(**changes))
    return request


def outcome_without(field):
    outcome = good_outcome()
    outcome.ClearField(field)
    return outcome


def outcome_with(mutate):
    outcome = good_outcome()
    mutate(outcome)
    return outcome


def recommend(**changes):
    request = protocol_pb2.RecommendProtocolRequest(
        patient_id="bad-input-p1",
        profile=protocol_pb2.PatientProfile(age_years=15, primary_region=3, curve_pattern=1,
                                            convex_side=2),
        screening=protocol_pb2.Screening(pain_nrs=4))
    for key, value in changes.items():
        setattr(request, key, value)
    return request


def recommend_with(mutate):
    request = recommend()
    mutate(request)
    return request


def amend(name, **changes):
    request = outcome_pb2.AmendOutcomeRequest(
        request_id=str(uuid.uuid4()), name=name, outcome=good_outcome(), reason="typo in minutes")
    for key, value in changes.items():
        setattr(request, key, value)
    return request


def amend_with(name, mutate):
    request = amend(name)
    mutate(request)
    return request


def hfilter(**kw):
    return outcome_pb2.HistoryFilter(**kw)


LONG_ID = "x" * 129
MISSING_NAME = "outcomes/" + "0" * 32

RECOMMEND = "/scoliomassage.v1.ProtocolService/RecommendProtocol"
LIST_PROTOCOLS = "/scoliomassage.v1.ProtocolService/ListProtocols"
LOG = "/scoliomassage.v1.OutcomeService/LogOutcome"
AMEND = "/scoliomassage.v1.OutcomeService/AmendOutcome"
GET = "/scoliomassage.v1.OutcomeService/GetOutcome"
LIST = "/scoliomassage.v1.OutcomeService/ListOutcomes"
HISTORY = "/scoliomassage.v1.HistoryService/QueryHistory"
SUMMARIZE = "/scoliomassage.v1.HistoryService/SummarizeOutcomes"
AUDIT = "/scoliomassage.v1.AuditService/ListAuditRecords"

RESPONSE_TYPES = {
    RECOMMEND: protocol_pb2.RecommendProtocolResponse,
    LIST_PROTOCOLS: protocol_pb2.ListProtocolsResponse,
    LOG: outcome_pb2.Outcome, AMEND: outcome_pb2.Outcome, GET: outcome_pb2.Outcome,
    LIST: outcome_pb2.ListOutcomesResponse, HISTORY: history_pb2.HistoryRecord,
    SUMMARIZE: history_pb2.SummarizeOutcomesResponse, AUDIT: audit_pb2.ListAuditRecordsResponse,
}
INVALID = grpc.StatusCode.INVALID_ARGUMENT


def table(existing):
    """(label, method, request, expected code, expected field(s) or None).

    `existing` is the name of a stored outcome, so amendments reach the
    checks that need a real one."""
    wrong_case = existing.upper().replace("OUTCOMES/", "outcomes/")
    return [
        # ---- RecommendProtocol ------------------------------------------------
        ("recommend: no patient_id", RECOMMEND, recommend(patient_id=""), INVALID, "patient_id"),
        ("recommend: patient_id 129 bytes", RECOMMEND, recommend(patient_id=LONG_ID), INVALID, "patient_id"),
        ("recommend: encounter_id 129 bytes", RECOMMEND, recommend(encounter_id=LONG_ID), INVALID, "encounter_id"),
        ("recommend: session_number 0", RECOMMEND, recommend(session_number=0), INVALID, "session_number"),
        ("recommend: session_number 1001", RECOMMEND, recommend(session_number=1001), INVALID, "session_number"),
        ("recommend: no profile", RECOMMEND, recommend_with(lambda r: r.ClearField("profile")), INVALID,
         ["profile", "profile.primary_region"]),
        ("recommend: primary_region unspecified", RECOMMEND,
         recommend_with(lambda r: setattr(r.profile, "primary_region", 0)), INVALID, "profile.primary_region"),
        ("recommend: primary_region 99", RECOMMEND,
         recommend_with(lambda r: setattr(r.profile, "primary_region", 99)), INVALID, "profile.primary_region"),
        ("recommend: curve_pattern 42", RECOMMEND,
         recommend_with(lambda r: setattr(r.profile, "curve_pattern", 42)), INVALID, "profile.curve_pattern"),
        ("recommend: convex_side SIDE_BOTH", RECOMMEND,
         recommend_with(lambda r: setattr(r.profile, "convex_side", 3)), INVALID, "profile.convex_side"),
        ("recommend: age -1", RECOMMEND,
         recommend_with(lambda r: setattr(r.profile, "age_years", -1)), INVALID, "profile.age_years"),
        ("recommend: age 121", RECOMMEND,
         recommend_with(lambda r: setattr(r.profile, "age_years", 121)), INVALID, "profile.age_years"),
        ("recommend: cobb -5", RECOMMEND,
         recommend_with(lambda r: setattr(r.profile, "cobb_angle_degrees", -5.0)), INVALID,
         "profile.cobb_angle_degrees"),
        ("recommend: cobb NaN", RECOMMEND,
         recommend_with(lambda r: setattr(r.profile, "cobb_angle_degrees", math.nan)), INVALID,
         "profile.cobb_angle_degrees"),
        ("recommend: cobb infinity", RECOMMEND,
         recommend_with(lambda r: setattr(r.profile, "cobb_angle_degrees", math.inf)), INVALID,
         "profile.cobb_angle_degrees"),
        ("recommend: risser 6", RECOMMEND,
         recommend_with(lambda r: setattr(r.profile, "risser_grade", 6)), INVALID, "profile.risser_grade"),
        ("recommend: pain_nrs 11", RECOMMEND,
         recommend_with(lambda r: setattr(r.screening, "pain_nrs", 11)), INVALID, "screening.pain_nrs"),
        ("recommend: pain_nrs -1", RECOMMEND,
         recommend_with(lambda r: setattr(r.screening, "pain_nrs", -1)), INVALID, "screening.pain_nrs"),
        ("recommend: contraindication unspecified", RECOMMEND,
         recommend_with(lambda r: r.screening.contraindications.append(0)), INVALID,
         "screening.contraindications"),
        ("recommend: contraindication 999", RECOMMEND,
         recommend_with(lambda r: r.screening.contraindications.append(999)), INVALID,
         "screening.contraindications"),
        ("recommend: notes 2001 bytes", RECOMMEND,
         recommend_with(lambda r: setattr(r.screening, "notes", "n" * 2001)), INVALID, "screening.notes"),

        # ---- LogOutcome -------------------------------------------------------
        ("log: no request_id", LOG, log_request(request_id=""), INVALID, "request_id"),
        ("log: request_id not a UUID", LOG, log_request(request_id="retry-1"), INVALID, "request_id"),
        ("log: request_id UUID with braces", LOG,
         log_request(request_id="{" + str(uuid.uuid4())[:34] + "}"), INVALID, "request_id"),
        ("log: no outcome", LOG, outcome_pb2.LogOutcomeRequest(request_id=str(uuid.uuid4())), INVALID, "outcome"),
        ("log: no patient_id", LOG, log_request(patient_id=""), INVALID, "outcome.patient_id"),
        ("log: no therapist_id", LOG, log_request(therapist_id=""), INVALID, "outcome.therapist_id"),
        ("log: no protocol_id", LOG, log_request(protocol_id=""), INVALID, "outcome.protocol_id"),
        ("log: patient_id 129 bytes", LOG, log_request(patient_id=LONG_ID), INVALID, "outcome.patient_id"),
        ("log: encounter_id 129 bytes", LOG, log_request(encounter_id=LONG_ID), INVALID, "outcome.encounter_id"),
        ("log: recommendation_id 129 bytes", LOG, log_request(recommendation_id=LONG_ID), INVALID,
         "outcome.recommendation_id"),
        ("log: spine_region 77", LOG, log_request(spine_region=77), INVALID, "outcome.spine_region"),
        ("log: unknown protocol, no region", LOG, log_request(protocol_id="no-such-protocol"), INVALID,
         "outcome.spine_region"),
        ("log: session_number 0", LOG, log_request(session_number=0), INVALID, "outcome.session_number"),
        ("log: session_number 1001", LOG, log_request(session_number=1001), INVALID, "outcome.session_number"),
        ("log: minutes 0", LOG, log_request(minutes=0), INVALID, "outcome.minutes"),
        ("log: minutes 121", LOG, log_request(minutes=121), INVALID, "outcome.minutes"),
        ("log: pain_before absent", LOG, log_request(outcome=outcome_without("pain_before")), INVALID,
         "outcome.pain_before"),
        ("log: pain_before -1", LOG, log_request(pain_before=-1), INVALID, "outcome.pain_before"),
        ("log: pain_after 11", LOG, log_request(pain_after=11), INVALID, "outcome.pain_after"),
        ("log: tension[0] no region", LOG,
         log_request(outcome=outcome_with(lambda o: o.tension.add(region="", before=1, after=1))), INVALID,
         "outcome.tension[0].region"),
        ("log: tension[1].before 4", LOG,
         log_request(outcome=outcome_with(lambda o: (o.tension.add(region="neck", before=1, after=1),
                                                     o.tension.add(region="back", before=4, after=1)))),
         INVALID, "outcome.tension[1].before"),
        ("log: tension[0].after -1", LOG,
         log_request(outcome=outcome_with(lambda o: o.tension.add(region="neck", before=1, after=-1))),
         INVALID, "outcome.tension[0].after"),
        ("log: 33 tension entries", LOG,
         log_request(outcome=outcome_with(
             lambda o: [o.tension.add(region="r%d" % i, before=1, after=1) for i in range(33)])),
         INVALID, "outcome.tension"),
        ("log: adverse event without type", LOG,
         log_request(outcome=outcome_with(lambda o: o.adverse_events.add(severity=1))), INVALID,
         "outcome.adverse_events[0].type"),
        ("log: adverse event severity 9", LOG,
         log_request(outcome=outcome_with(lambda o: o.adverse_events.add(type=1, severity=9))), INVALID,
         "outcome.adverse_events[0].severity"),
        ("log: adverse event description 2001 bytes", LOG,
         log_request(outcome=outcome_with(
             lambda o: o.adverse_events.add(type=1, severity=1, description="d" * 2001))), INVALID,
         "outcome.adverse_events[0].description"),
        ("log: 33 adverse events", LOG,
         log_request(outcome=outcome_with(
             lambda o: [o.adverse_events.add(type=1, severity=1) for _ in range(33)])),
         INVALID, "outcome.adverse_events"),
        ("log: relaxation_notes 4001 bytes", LOG, log_request(relaxation_notes="r" * 4001), INVALID,
         "outcome.relaxation_notes"),
        ("log: performed_at absent", LOG, log_request(outcome=outcome_without("performed_at")), INVALID,
         "outcome.performed_at"),
        ("log: performed_at tomorrow", LOG,
         log_request(outcome=outcome_with(lambda o: o.performed_at.CopyFrom(ts(NOW + 86400)))), INVALID,
         "outcome.performed_at"),
        ("log: performed_at nanos -1", LOG,
         log_request(outcome=outcome_with(lambda o: o.performed_at.CopyFrom(ts(NOW - 60, -1)))), INVALID,
         "outcome.performed_at"),
        ("log: performed_at year 10000", LOG,
         log_request(outcome=outcome_with(lambda o: o.performed_at.CopyFrom(ts(253402300800)))), INVALID,
         "outcome.performed_at"),

        # ---- AmendOutcome -----------------------------------------------------
        ("amend: no name", AMEND, amend(""), INVALID, "name"),
        ("amend: name without collection", AMEND, amend(existing[len("outcomes/"):]), INVALID, "name"),
        ("amend: name upper-case hex", AMEND, amend(wrong_case), INVALID, "name"),
        ("amend: name too short", AMEND, amend("outcomes/abc"), INVALID, "name"),
        ("amend: no request_id", AMEND, amend(existing, request_id=""), INVALID, "request_id"),
        ("amend: request_id not a UUID", AMEND, amend(existing, request_id="x"), INVALID, "request_id"),
        ("amend: no reason", AMEND, amend(existing, reason=""), INVALID, "reason"),
        ("amend: reason 1001 bytes", AMEND, amend(existing, reason="r" * 1001), INVALID, "reason"),
        ("amend: no outcome", AMEND, amend_with(existing, lambda r: r.ClearField("outcome")), INVALID, "outcome"),
        ("amend: minutes 500", AMEND, amend_with(existing, lambda r: setattr(r.outcome, "minutes", 500)),
         INVALID, "outcome.minutes"),
        ("amend: pain_after absent", AMEND, amend_with(existing, lambda r: r.outcome.ClearField("pain_after")),
         INVALID, "outcome.pain_after"),
        ("amend: unknown outcome", AMEND, amend(MISSING_NAME), grpc.StatusCode.NOT_FOUND, None),

        # ---- GetOutcome -------------------------------------------------------
        ("get: no name", GET, outcome_pb2.GetOutcomeRequest(), INVALID, "name"),
        ("get: name not hex", GET, outcome_pb2.GetOutcomeRequest(name="outcomes/" + "z" * 32), INVALID, "name"),
        ("get: other collection", GET, outcome_pb2.GetOutcomeRequest(name="patients/" + "0" * 32), INVALID,
         "name"),
        ("get: revision -1", GET, outcome_pb2.GetOutcomeRequest(name=existing, revision=-1), INVALID, "revision"),
        ("get: unknown outcome", GET, outcome_pb2.GetOutcomeRequest(name=MISSING_NAME),
         grpc.StatusCode.NOT_FOUND, None),
        ("get: revision 99 of a real outcome", GET, outcome_pb2.GetOutcomeRequest(name=existing, revision=99),
         grpc.StatusCode.NOT_FOUND, None),

        # ---- ListOutcomes -----------------------------------------------------
        ("list: page_size -1", LIST, outcome_pb2.ListOutcomesRequest(page_size=-1), INVALID, "page_size"),
        ("list: page_size 101", LIST, outcome_pb2.ListOutcomesRequest(page_size=101), INVALID, "page_size"),
        ("list: page_token garbage", LIST, outcome_pb2.ListOutcomesRequest(page_token="not-a-token"), INVALID,
         "page_token"),
        ("list: filter.spine_region 99", LIST,
         outcome_pb2.ListOutcomesRequest(filter=hfilter(spine_region=99)), INVALID, "filter.spine_region"),
        ("list: filter.patient_id 129 bytes", LIST,
         outcome_pb2.ListOutcomesRequest(filter=hfilter(patient_id=LONG_ID)), INVALID, "filter.patient_id"),
        ("list: start after end", LIST,
         outcome_pb2.ListOutcomesRequest(filter=hfilter(start_time=ts(NOW), end_time=ts(NOW - 10))), INVALID,
         "filter.end_time"),
        ("list: start_time nanos too big", LIST,
         outcome_pb2.ListOutcomesRequest(filter=hfilter(start_time=ts(NOW, 1000000000))), INVALID,
         "filter.start_time"),

        # ---- QueryHistory (server stream) -------------------------------------
        ("history: filter.spine_region 99", HISTORY,
         history_pb2.QueryHistoryRequest(filter=hfilter(spine_region=99)), INVALID, "filter.spine_region"),
        ("history: filter.therapist_id 129 bytes", HISTORY,
         history_pb2.QueryHistoryRequest(filter=hfilter(therapist_id=LONG_ID)), INVALID, "filter.therapist_id"),
        ("history: empty range", HISTORY,
         history_pb2.QueryHistoryRequest(filter=hfilter(start_time=ts(NOW), end_time=ts(NOW))), INVALID,
         "filter.end_time"),
        ("history: end_time before year 1", HISTORY,
         history_pb2.QueryHistoryRequest(filter=hfilter(end_time=ts(-62135596801))), INVALID, "filter.end_time"),
        ("history: resume_token garbage", HISTORY,
         history_pb2.QueryHistoryRequest(resume_token="bm90IGEgdG9rZW4"), INVALID, "resume_token"),

        # ---- SummarizeOutcomes ------------------------------------------------
        ("summary: group_by unspecified", SUMMARIZE, history_pb2.SummarizeOutcomesRequest(group_by=[0]), INVALID,
         "group_by[0]"),
        ("summary: group_by 42", SUMMARIZE, history_pb2.SummarizeOutcomesRequest(group_by=[42]), INVALID,
         "group_by[0]"),
        ("summary: group_by twice", SUMMARIZE, history_pb2.SummarizeOutcomesRequest(group_by=[1, 2, 1]), INVALID,
         "group_by[2]"),
        ("summary: filter.protocol_id 129 bytes", SUMMARIZE,
         history_pb2.SummarizeOutcomesRequest(filter=hfilter(protocol_id=LONG_ID)), INVALID,
         "filter.protocol_id"),
        ("summary: start after end", SUMMARIZE,
         history_pb2.SummarizeOutcomesRequest(filter=hfilter(start_time=ts(NOW), end_time=ts(1))), INVALID,
         "filter.end_time"),

        # ---- ListAuditRecords -------------------------------------------------
        ("audit: page_size -1", AUDIT, audit_pb2.ListAuditRecordsRequest(page_size=-1), INVALID, "page_size"),
        ("audit: page_size 1001", AUDIT, audit_pb2.ListAuditRecordsRequest(page_size=1001), INVALID, "page_size"),
        ("audit: page_token garbage", AUDIT, audit_pb2.ListAuditRecordsRequest(page_token="!!!"), INVALID,
         "page_token"),
    ]


def decode_details(error):
    """(BadRequest field names, ErrorInfo reason) from the status details."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            fields, reason = [], None
            for detail in status.details:
                if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    bad = error_details_pb2.BadRequest()
                    detail.Unpack(bad)
                    fields += [v.field for v in bad.field_violations]
                elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                    info = error_details_pb2.ErrorInfo()
                    detail.Unpack(info)
                    reason = info.reason
            return fields, reason, status
    return None, None, None


def call(channel, method, request_bytes, streaming=False, timeout=10):
    """Sends raw bytes; returns (code, error or None)."""
    deserialize = RESPONSE_TYPES[method].FromString
    try:
        if streaming:
            rpc = channel.unary_stream(method, request_serializer=None, response_deserializer=deserialize)
            for _ in rpc(request_bytes, timeout=timeout):
                pass
        else:
            rpc = channel.unary_unary(method, request_serializer=None, response_deserializer=deserialize)
            rpc(request_bytes, timeout=timeout)
        return grpc.StatusCode.OK, None
    except grpc.RpcError as error:
        return error.code(), error


def store_counts(channel, db_path):
    stub_list = channel.unary_unary(LIST, request_serializer=outcome_pb2.ListOutcomesRequest.SerializeToString,
                                    response_deserializer=outcome_pb2.ListOutcomesResponse.FromString)
    listed, token = [], ""
    while True:
        page = stub_list(outcome_pb2.ListOutcomesRequest(page_size=100, page_token=token), timeout=10)
        listed += [(o.name, o.revision, o.minutes) for o in page.outcomes]
        token = page.next_page_token
        if not token:
            break
    history = channel.unary_stream(HISTORY, request_serializer=history_pb2.QueryHistoryRequest.SerializeToString,
                                   response_deserializer=history_pb2.HistoryRecord.FromString)
    records = [(r.outcome.name, r.outcome.revision)
               for r in history(history_pb2.QueryHistoryRequest(include_revisions=True), timeout=10)]
    rows = {}
    with sqlite3.connect("file:%s?mode=ro" % db_path, uri=True) as db:
        for table_name in ("outcome_revisions", "idempotency_keys", "recommendations"):
            rows[table_name] = db.execute("SELECT COUNT(*) FROM %s" % table_name).fetchone()[0]
    return {"listed": sorted(listed), "history": sorted(records), "rows": rows}


def wire_table():
    """Bytes that do not parse as the request message."""
    valid_log = log_request().SerializeToString()
    bad_utf8_patient = recommend().SerializeToString() + b"\x0a\x02\xc3\x28"  # patient_id = C3 28
    bad_utf8_notes = outcome_pb2.LogOutcomeRequest(
        request_id=str(uuid.uuid4())).SerializeToString() + b"\x12\x04\x22\x02\xff\xfe"  # outcome.patient_id
    return [
        ("wire: invalid UTF-8 in recommend.patient_id", RECOMMEND, bad_utf8_patient),
        ("wire: invalid UTF-8 in outcome.patient_id", LOG, bad_utf8_notes),
        ("wire: truncated LogOutcomeRequest", LOG, valid_log[:-3]),
        ("wire: length past the end", LOG, b"\x12\xff\xff\x03abc"),
        ("wire: wrong wire type for request_id", LOG, b"\x0d\x01\x02\x03\x04"),
        ("wire: group end tag", GET, b"\x0c"),
        ("wire: 2 MB message", LOG, b"\x0a" + b"\x80\x80\x80\x01" + b"a" * (2 * 1024 * 1024)),
    ]


def main():
    binary = sys.argv[1]
    server = testlib.Server(binary, extra_args=["--log_level=error"])
    server.start()
    db_path = server.database[len("sqlite://"):]
    try:
        with grpc.insecure_channel(server.address) as channel:
            # Something real in the store, so "unchanged" means something.
            log_rpc = channel.unary_unary(LOG, request_serializer=outcome_pb2.LogOutcomeRequest.SerializeToString,
                                          response_deserializer=outcome_pb2.Outcome.FromString)
            stored = [log_rpc(log_request(patient_id="bad-input-p%d" % i), timeout=10) for i in range(5)]
            existing = stored[0].name
            rec_rpc = channel.unary_unary(
                RECOMMEND, request_serializer=protocol_pb2.RecommendProtocolRequest.SerializeToString,
                response_deserializer=protocol_pb2.RecommendProtocolResponse.FromString)
            rec_rpc(recommend(), timeout=10)
            time.sleep(1.0)  # recommendations are saved in the background
            before = store_counts(channel, db_path)

            rows = table(existing)
            methods = {row[1] for row in rows}
            print("%d malformed requests across %d methods" % (len(rows), len(methods)))
            check(len(rows) >= 50, "at least 50 rows")
            for label, method, request, expected_code, expected_field in rows:
                code, error = call(channel, method, request.SerializeToString(), streaming=(method == HISTORY))
                if not check(code == expected_code, "%s: expected %s, got %s (%s)" % (
                        label, expected_code.name, code.name, error.details() if error else "")):
                    continue
                fields, reason, status = decode_details(error)
                check(status is not None, "%s: grpc-status-details-bin present" % label)
                if status is None:
                    continue
                check(status.code == expected_code.value[0], "%s: google.rpc.Status code" % label)
                if expected_field is not None:
                    expected_fields = expected_field if isinstance(expected_field, list) else [expected_field]
                    expected_field = expected_fields[0]
                    check(fields == expected_fields,
                          "%s: BadRequest names exactly %r, got %r" % (label, expected_fields, fields))
                    check(reason == "INVALID_REQUEST", "%s: ErrorInfo reason INVALID_REQUEST, got %r" % (label, reason))
                    check(expected_field.split("[")[0].split(".")[-1] in error.details() or
                          expected_field in error.details(),
                          "%s: the message names the field: %r" % (label, error.details()))
                else:
                    check(not fields, "%s: no field violations for %s, got %r" % (label, expected_code.name, fields))
                    check(bool(reason), "%s: an ErrorInfo reason" % label)

            # Bytes that are not a message at all: gRPC refuses them before
            # the service runs; the server must survive and stay correct.
            for label, method, payload in wire_table():
                code, error = call(channel, method, payload)
                check(code in (grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.INTERNAL,
                               grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.RESOURCE_EXHAUSTED),
                      "%s: refused (got %s)" % (label, code.name))
                print("  %-45s -> %s" % (label, code.name))

            health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
            check(health.status == health_pb2.HealthCheckResponse.SERVING, "health SERVING after the table")
            time.sleep(1.0)
            after = store_counts(channel, db_path)
            check(after["listed"] == before["listed"], "ListOutcomes unchanged: %d -> %d outcomes" % (
                len(before["listed"]), len(after["listed"])))
            check(after["history"] == before["history"], "QueryHistory unchanged: %d -> %d records" % (
                len(before["history"]), len(after["history"])))
            check(after["rows"] == before["rows"], "SQLite rows unchanged: %s -> %s" % (before["rows"], after["rows"]))
            print("store before: %d outcomes, rows %s; after: %d outcomes, rows %s" % (
                len(before["listed"]), before["rows"], len(after["listed"]), after["rows"]))
            # And still writable.
            log_rpc(log_request(), timeout=10)
        check(server.process.poll() is None, "the server is still running")
        code = server.stop()
        check(code == 0, "SIGTERM exit code 0 (got %s)" % code)
    finally:
        server.cleanup(show_log=failures)
    print("%s: %d failures" % ("FAIL" if failures else "PASS", len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
