#!/usr/bin/python3
"""GET /metrics on the real scoliomassaged: after real gRPC and HTTP calls,
the Prometheus text exposition (parsed here by an independent reader of the
0.0.4 format) counts exactly the calls made, per method and code and per
route and status; every histogram has _bucket (cumulative, ending in +Inf),
_sum and _count; no series appears twice; every family has HELP and TYPE.
Also: the group-commit batch sizes, queue depths, the outbox depth a host
reports in metadata, build info, and the refusals (no token 401, a host's
token 403, an admin's 200; dev mode on loopback without a token).
Usage: metrics_test.py PATH/TO/scoliomassaged
"""
import hashlib
import http.client
import os
import re
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import testlib  # noqa: E402

testlib.stubs()
import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from scoliomassage.v1 import outcome_pb2, outcome_pb2_grpc, protocol_pb2, protocol_pb2_grpc  # noqa: E402

failures = []
TOKENS = {"tok-admin": ("admin-a", "admin", "clinic-a"), "tok-host": ("frontdesk-a", "host", "clinic-a")}
RECOMMEND = "/scoliomassage.v1.ProtocolService/RecommendProtocol"
GET_OUTCOME = "/scoliomassage.v1.OutcomeService/GetOutcome"
LOG_OUTCOME = "/scoliomassage.v1.OutcomeService/LogOutcome"
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$')
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)')


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def parse_exposition(text):
    """{(name, frozenset(labels)): value}, {family: type}, {family: help}; checks the grammar."""
    samples, types, helps = {}, {}, {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("# HELP "):
            name, _, doc = line[7:].partition(" ")
            check(name not in helps, "HELP twice for " + name)
            helps[name] = doc
            continue
        if line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            check(kind in ("counter", "gauge", "histogram", "summary", "untyped"), "TYPE %s" % line)
            check(name not in types, "TYPE twice for " + name)
            types[name] = kind
            continue
        if line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        check(match is not None, "not a sample line: %r" % line)
        if not match:
            continue
        name, label_text, value = match.group(1), match.group(3) or "", match.group(4)
        labels = []
        position = 0
        while position < len(label_text):
            label = LABEL.match(label_text, position)
            check(label is not None, "bad labels in %r" % line)
            if not label:
                break
            labels.append((label.group(1), label.group(2)))
            position = label.end()
        key = (name, frozenset(labels))
        check(key not in samples, "duplicate series %s" % line)
        samples[key] = float(value)
    for key in samples:
        family = re.sub(r"_(bucket|sum|count)$", "", key[0]) if key[0] not in types else key[0]
        check(family in types and family in helps, "no TYPE/HELP for %s" % key[0])
    return samples, types, helps


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def check_histograms(samples, types):
    for family, kind in types.items():
        if kind != "histogram":
            continue
        series = {}
        for (name, labels), v in samples.items():
            if name.startswith(family + "_"):
                base = frozenset(l for l in labels if l[0] != "le")
                series.setdefault(base, {}).setdefault(name[len(family) + 1:], []).append((dict(labels), v))
        for base, parts in series.items():
            check(set(parts) == {"bucket", "sum", "count"}, "%s%s has %s" % (family, dict(base), sorted(parts)))
            if "bucket" not in parts or "count" not in parts:
                continue
            buckets = sorted(((float(l["le"]), v) for l, v in parts["bucket"]), key=lambda b: b[0])
            check(buckets[-1][0] == float("inf"), "%s: last bucket is +Inf" % family)
            check(all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), "%s: buckets cumulative" % family)
            check(buckets[-1][1] == parts["count"][0][1], "%s: +Inf bucket == count" % family)


def get(port, path, token=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", path, headers={"Authorization": "Bearer " + token} if token else {})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body, dict(response.getheaders())



def recommend_request(patient, pain=4):
    return json_format.ParseDict({
        "patientId": patient,
        "profile": {"ageYears": 30, "primaryRegion": "SPINE_REGION_LUMBAR", "curvePattern": "CURVE_PATTERN_C_CURVE",
                    "convexSide": "SIDE_RIGHT", "cobbAngleDegrees": 18},
        "screening": {"painNrs": pain},
    }, protocol_pb2.RecommendProtocolRequest())


def log_request(patient):
    return json_format.ParseDict({
        "requestId": str(uuid.uuid4()),
        "outcome": {"patientId": patient, "therapistId": "t-1", "protocolId": "lumbar-c-curve",
                    "sessionNumber": 1, "minutes": 15, "painBefore": 6, "painAfter": 3,
                    "performedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 300))},
    }, outcome_pb2.LogOutcomeRequest())


def test_with_tokens(binary):
    folder = tempfile.mkdtemp(prefix="scoliomassage-metrics-")
    with open(os.path.join(folder, "tokens"), "w") as f:
        for token, (principal, role, clinic) in TOKENS.items():
            f.write("token sha256:%s %s %s %s\n" % (hashlib.sha256(token.encode()).hexdigest(), principal, role, clinic))
    with open(os.path.join(folder, "secret"), "w") as f:
        f.write("s" * 40)
    server = testlib.Server(binary, extra_args=["--http_listen=127.0.0.1:0",
                                                "--tokens_file=" + os.path.join(folder, "tokens"),
                                                "--pseudonym_secret_file=" + os.path.join(folder, "secret")])
    server.start()
    ok = False
    try:
        port = server.http_port()
        host = (("authorization", "Bearer tok-host"),)
        with grpc.insecure_channel(server.address) as channel:
            protocol = protocol_pb2_grpc.ProtocolServiceStub(channel)
            outcome = outcome_pb2_grpc.OutcomeServiceStub(channel)
            for i in range(5):
                protocol.RecommendProtocol(recommend_request("p-%d" % i), metadata=host, timeout=10)
            for _ in range(2):
                try:
                    protocol.RecommendProtocol(recommend_request("p-bad", pain=42), metadata=host, timeout=10)
                    check(False, "pain 42 is refused")
                except grpc.RpcError as error:
                    check(error.code() == grpc.StatusCode.INVALID_ARGUMENT, "bad recommend: %s" % error.code())
            try:
                outcome.GetOutcome(outcome_pb2.GetOutcomeRequest(name="outcomes/" + "0" * 32), metadata=host, timeout=10)
            except grpc.RpcError as error:
                check(error.code() == grpc.StatusCode.NOT_FOUND, "missing outcome: %s" % error.code())
            for i in range(3):
                outcome.LogOutcome(log_request("p-%d" % i), timeout=10,
                                   metadata=host + (("x-smp-outbox-depth", str(7 + i)),))
        for _ in range(3):
            status, _, _ = get(port, "/cds-services")
            check(status == 200, "discovery %s" % status)

        status, body, _ = get(port, "/metrics")
        check(status == 401 and "UNAUTHENTICATED" in body, "no token: %s %s" % (status, body[:200]))
        status, body, _ = get(port, "/metrics", "tok-host")
        check(status == 403 and "ROLE_NOT_ALLOWED" in body, "host token: %s %s" % (status, body[:200]))
        status, body, headers = get(port, "/metrics", "tok-admin")
        check(status == 200, "admin scrape: %s %s" % (status, body[:200]))
        check(headers.get("Content-Type", "").startswith("text/plain; version=0.0.4"),
              "content type %s" % headers.get("Content-Type"))
        samples, types, _ = parse_exposition(body)
        check_histograms(samples, types)

        calls = "scoliomassage_grpc_calls_total"
        check(value(samples, calls, method=RECOMMEND, code="OK") == 5, "5 OK recommends: %s" % value(samples, calls, method=RECOMMEND, code="OK"))
        check(value(samples, calls, method=RECOMMEND, code="INVALID_ARGUMENT") == 2, "2 invalid recommends")
        check(value(samples, calls, method=GET_OUTCOME, code="NOT_FOUND") == 1, "1 NOT_FOUND")
        check(value(samples, calls, method=LOG_OUTCOME, code="OK") == 3, "3 logged outcomes")
        check(value(samples, "scoliomassage_grpc_call_duration_seconds_count", method=RECOMMEND, code="OK") == 5,
              "latency count of the OK recommends")
        check((value(samples, "scoliomassage_grpc_call_duration_seconds_sum", method=RECOMMEND, code="OK") or 0) > 0,
              "latency sum > 0")
        check(types.get("scoliomassage_grpc_call_duration_seconds") == "histogram", "latency is a histogram")
        check(value(samples, "scoliomassage_http_requests_total", route="GET /cds-services", status="200") == 3,
              "3 discovery requests: %s" % value(samples, "scoliomassage_http_requests_total", route="GET /cds-services", status="200"))
        check(value(samples, "scoliomassage_http_requests_total", route="GET /metrics", status="401") == 1,
              "the refused scrape is counted")
        check(value(samples, "scoliomassage_host_outbox_depth", principal="frontdesk-a") == 9,
              "the host's last reported outbox depth")
        check((value(samples, "scoliomassage_sqlite_commit_batch_size_count") or 0) >= 1, "commit batches observed")
        check(value(samples, "scoliomassage_call_queue_depth") == 0, "call queue empty when idle")
        check(value(samples, "scoliomassage_background_records_queue_depth") is not None, "background depth")
        check(value(samples, "scoliomassage_rejected_calls_total") == 0, "no rejected call")
        check(value(samples, "scoliomassage_background_records_dropped_total") == 0, "no dropped record")
        build = [labels for (name, labels) in samples if name == "scoliomassage_build_info"]
        check(len(build) == 1 and dict(build[0]).get("version"), "build info: %s" % build)

        # A second scrape counts the first (GET /metrics 200) and nothing else changed.
        status, body, _ = get(port, "/metrics", "tok-admin")
        again, _, _ = parse_exposition(body)
        check(value(again, "scoliomassage_http_requests_total", route="GET /metrics", status="200") == 1,
              "the first scrape is counted once")
        check(value(again, calls, method=RECOMMEND, code="OK") == 5, "scrapes are not gRPC calls")
        code = server.stop()
        check(code == 0, "SIGTERM exit code %s" % code)
        ok = not failures
    finally:
        server.cleanup(show_log=not ok)


def test_dev_mode(binary):
    server = testlib.Server(binary, extra_args=["--http_listen=127.0.0.1:0"])
    server.start()
    ok = False
    try:
        status, body, _ = get(server.http_port(), "/metrics")
        check(status == 200 and "scoliomassage_build_info" in body, "dev mode on loopback: %s" % status)
        ok = not failures
    finally:
        server.cleanup(show_log=not ok)


def main():
    binary = sys.argv[1]
    test_with_tokens(binary)
    test_dev_mode(binary)
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
