#!/usr/bin/python3
"""Security of the real server, from an independent client.

- every RPC but health needs credentials (UNAUTHENTICATED otherwise);
- the role x method matrix, every cell asserted;
- clinic isolation: another clinic's outcome is NOT_FOUND, and history,
  lists and summaries return zero foreign records (SQLite and PostgreSQL);
- analytics sees pseudonyms and no free text;
- the tokens file reloads on SIGHUP;
- tokens never appear in the logs;
- every mutating call and every history read leaves an audit row;
- TLS: a plaintext client against a TLS server fails; mTLS without a client
  certificate fails; with one, the certificate's identity is the caller.
Usage: security_test.py PATH/TO/scoliomassaged
"""
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import postgres_support  # noqa: E402
import testlib  # noqa: E402

testlib.stubs()
import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from stdgrpc.health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from scoliomassage.v1 import (audit_pb2, audit_pb2_grpc, history_pb2, history_pb2_grpc,  # noqa: E402
                              outcome_pb2, outcome_pb2_grpc, protocol_pb2, protocol_pb2_grpc)
from scoliomassage.v1 import report_pb2, report_pb2_grpc  # noqa: E402

failures = []
checks = 0


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        failures.append(message)
        print("FAIL:", message)


TOKENS = {
    # token: (principal, role, clinic)
    "tok-host-a": ("frontdesk-a", "host", "clinic-a"),
    "tok-therapist-a": ("t-a1", "therapist", "clinic-a"),
    "tok-therapist-a2": ("t-a2", "therapist", "clinic-a"),
    "tok-analytics-a": ("analyst-a", "analytics", "clinic-a"),
    "tok-admin-a": ("admin-a", "admin", "clinic-a"),
    "tok-admin-b": ("admin-b", "admin", "clinic-b"),
    "tok-host-b": ("frontdesk-b", "host", "clinic-b"),
}


def tokens_file(path, tokens, extra=""):
    with open(path, "w") as f:
        f.write("# test tokens\n")
        for token, (principal, role, clinic) in tokens.items():
            f.write("token sha256:%s %s %s %s\n" % (hashlib.sha256(token.encode()).hexdigest(), principal, role, clinic))
        f.write(extra)


def md(token):
    return (("authorization", "Bearer " + token),)


def now_minus(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds))


def log_request(patient, therapist="t-a1", pain_before=6, pain_after=3, notes="felt looser"):
    return json_format.ParseDict({
        "requestId": str(uuid.uuid4()),
        "outcome": {"patientId": patient, "therapistId": therapist, "protocolId": "lumbar-c-curve",
                    "sessionNumber": 1, "minutes": 15, "painBefore": pain_before, "painAfter": pain_after,
                    "relaxationNotes": notes, "performedAt": now_minus(300)},
    }, outcome_pb2.LogOutcomeRequest())


def recommend_request(patient):
    return json_format.ParseDict({
        "patientId": patient,
        "profile": {"ageYears": 30, "primaryRegion": "SPINE_REGION_LUMBAR", "curvePattern": "CURVE_PATTERN_C_CURVE",
                    "convexSide": "SIDE_RIGHT", "cobbAngleDegrees": 18},
        "screening": {"painNrs": 4},
    }, protocol_pb2.RecommendProtocolRequest())


class Stubs:
    def __init__(self, channel):
        self.protocol = protocol_pb2_grpc.ProtocolServiceStub(channel)
        self.outcome = outcome_pb2_grpc.OutcomeServiceStub(channel)
        self.history = history_pb2_grpc.HistoryServiceStub(channel)
        self.audit = audit_pb2_grpc.AuditServiceStub(channel)
        self.health = health_pb2_grpc.HealthStub(channel)
        self.report = report_pb2_grpc.ReportServiceStub(channel)


def code_of(call):
    try:
        result = call()
        if hasattr(result, "__iter__") and not hasattr(result, "ListFields"):
            list(result)
        return grpc.StatusCode.OK
    except grpc.RpcError as error:
        return error.code()


def role_matrix(stubs, seeded_name):
    methods = {
        "RecommendProtocol": lambda m: stubs.protocol.RecommendProtocol(recommend_request("p-matrix"), metadata=m, timeout=10),
        "ListProtocols": lambda m: stubs.protocol.ListProtocols(protocol_pb2.ListProtocolsRequest(), metadata=m, timeout=10),
        "LogOutcome": lambda m: stubs.outcome.LogOutcome(log_request("p-matrix"), metadata=m, timeout=10),
        "AmendOutcome": lambda m: stubs.outcome.AmendOutcome(outcome_pb2.AmendOutcomeRequest(
            request_id=str(uuid.uuid4()), name=seeded_name, reason="typo in pain score",
            outcome=log_request("p-seed").outcome), metadata=m, timeout=10),
        "GetOutcome": lambda m: stubs.outcome.GetOutcome(outcome_pb2.GetOutcomeRequest(name=seeded_name), metadata=m, timeout=10),
        "ListOutcomes": lambda m: stubs.outcome.ListOutcomes(outcome_pb2.ListOutcomesRequest(), metadata=m, timeout=10),
        "QueryHistory": lambda m: stubs.history.QueryHistory(history_pb2.QueryHistoryRequest(), metadata=m, timeout=10),
        "SummarizeOutcomes": lambda m: stubs.history.SummarizeOutcomes(history_pb2.SummarizeOutcomesRequest(), metadata=m, timeout=10),
        "ListAuditRecords": lambda m: stubs.audit.ListAuditRecords(audit_pb2.ListAuditRecordsRequest(), metadata=m, timeout=10),
        # p-seed's session was logged by t-a1, the therapist token's principal.
        "GetPatientReport": lambda m: stubs.report.GetPatientReport(report_pb2.GetPatientReportRequest(patient_id="p-seed"), metadata=m, timeout=10),
    }
    allowed = {
        "host": {"RecommendProtocol", "ListProtocols", "LogOutcome", "GetOutcome", "ListOutcomes", "GetPatientReport"},
        "therapist": {"ListProtocols", "LogOutcome", "AmendOutcome", "GetOutcome", "GetPatientReport"},
        "analytics": {"ListProtocols", "QueryHistory", "SummarizeOutcomes"},
        "admin": set(methods),
    }
    role_tokens = {"host": "tok-host-a", "therapist": "tok-therapist-a", "analytics": "tok-analytics-a", "admin": "tok-admin-a"}
    for role, token in role_tokens.items():
        for name, call in methods.items():
            code = code_of(lambda: call(md(token)))
            expected_ok = name in allowed[role]
            if expected_ok:
                check(code == grpc.StatusCode.OK, "%s may call %s (got %s)" % (role, name, code))
            else:
                check(code == grpc.StatusCode.PERMISSION_DENIED, "%s may not call %s (got %s)" % (role, name, code))
    for name, call in methods.items():
        check(code_of(lambda: call(())) == grpc.StatusCode.UNAUTHENTICATED, "%s without credentials is UNAUTHENTICATED" % name)
        check(code_of(lambda: call(md("not-a-token"))) == grpc.StatusCode.UNAUTHENTICATED, "%s with a bad token is UNAUTHENTICATED" % name)


def tenancy(stubs, name_a):
    code = code_of(lambda: stubs.outcome.GetOutcome(outcome_pb2.GetOutcomeRequest(name=name_a), metadata=md("tok-admin-b"), timeout=10))
    check(code == grpc.StatusCode.NOT_FOUND, "clinic B reading clinic A's outcome gets NOT_FOUND (got %s)" % code)
    code = code_of(lambda: stubs.outcome.AmendOutcome(outcome_pb2.AmendOutcomeRequest(
        request_id=str(uuid.uuid4()), name=name_a, reason="x", outcome=log_request("p-seed").outcome),
        metadata=md("tok-admin-b"), timeout=10))
    check(code == grpc.StatusCode.NOT_FOUND, "clinic B amending clinic A's outcome gets NOT_FOUND (got %s)" % code)
    code = code_of(lambda: stubs.report.GetPatientReport(report_pb2.GetPatientReportRequest(patient_id="p-seed"),
                                                         metadata=md("tok-admin-b"), timeout=10))
    check(code == grpc.StatusCode.NOT_FOUND, "clinic B's report of clinic A's patient gets NOT_FOUND (got %s)" % code)
    history_b = list(stubs.history.QueryHistory(history_pb2.QueryHistoryRequest(), metadata=md("tok-admin-b"), timeout=10))
    check(all(r.outcome.patient_id.startswith("b-") for r in history_b), "clinic B's history holds only clinic B's patients")
    check(len(history_b) == 1, "clinic B sees exactly its one outcome (got %d)" % len(history_b))
    listed = stubs.outcome.ListOutcomes(outcome_pb2.ListOutcomesRequest(), metadata=md("tok-host-b"), timeout=10)
    check(all(o.patient_id.startswith("b-") for o in listed.outcomes), "clinic B's list holds no foreign record")
    summary = stubs.history.SummarizeOutcomes(history_pb2.SummarizeOutcomesRequest(), metadata=md("tok-admin-b"), timeout=10)
    check(sum(g.session_count for g in summary.groups) == 1, "clinic B's summary counts only its own session")
    # The clinic comes from the credentials: a request cannot name another clinic.
    a_count = len(list(stubs.history.QueryHistory(history_pb2.QueryHistoryRequest(), metadata=md("tok-admin-a"), timeout=10)))
    check(a_count >= 2, "clinic A still sees its own outcomes")


def analytics_minimum(stubs):
    records = list(stubs.history.QueryHistory(history_pb2.QueryHistoryRequest(), metadata=md("tok-analytics-a"), timeout=10))
    check(len(records) > 0, "analytics streams history")
    check(all(r.outcome.patient_id == "" for r in records), "analytics never receives a patient id")
    check(all(r.outcome.patient_pseudonym.startswith("p_") for r in records), "analytics receives a pseudonym")
    check(all(r.outcome.relaxation_notes == "" for r in records), "analytics receives no free-text notes")
    again = list(stubs.history.QueryHistory(history_pb2.QueryHistoryRequest(), metadata=md("tok-analytics-a"), timeout=10))
    check([r.outcome.patient_pseudonym for r in records] == [r.outcome.patient_pseudonym for r in again], "pseudonyms are stable")


def audit_rows(stubs):
    records = stubs.audit.ListAuditRecords(audit_pb2.ListAuditRecordsRequest(page_size=1000), metadata=md("tok-admin-a"), timeout=10).records
    methods = {r.method for r in records}
    for method in ("/scoliomassage.v1.OutcomeService/LogOutcome", "/scoliomassage.v1.OutcomeService/AmendOutcome",
                   "/scoliomassage.v1.HistoryService/QueryHistory", "/scoliomassage.v1.ProtocolService/RecommendProtocol"):
        check(method in methods, "audit has a row for %s" % method)
    check(all(r.clinic_id == "clinic-a" for r in records), "clinic A's audit holds only clinic A's rows")
    check(all("p-" not in r.subject and "b-" not in r.subject for r in records), "audit subjects are never patient ids")
    check(any(r.status_code == grpc.StatusCode.PERMISSION_DENIED.value[0] for r in records), "denied calls are audited too")


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="scoliomassage-sec-")
    tokens_path = os.path.join(work, "tokens")
    tokens_file(tokens_path, TOKENS)
    global SECRET_ARG
    secret_path = os.path.join(work, "pseudonym")
    with open(secret_path, "w") as f:
        f.write("s" * 40)
    SECRET_ARG = "--pseudonym_secret_file=" + secret_path
    databases = ["sqlite://" + os.path.join(work, "sec.db")]
    # A private PostgreSQL database: the counts below assume no other test's rows.
    postgres = None
    if postgres_support.base_url():
        postgres = postgres_support.Database("scoliomassage_security").__enter__()
        databases.append(postgres.url)
    try:
        for database in databases:
            run_backend(binary, database, tokens_path)
    finally:
        if postgres:
            postgres.__exit__(None, None, None)

    tls_checks(binary, work, tokens_path)
    pseudonym_secret_checks(binary, work, tokens_path)
    print("security_test: %d checks, %d failed" % (checks, len(failures)))
    sys.exit(1 if failures else 0)


def pseudonym_secret_checks(binary, work, tokens_path):
    """Outside dev mode a missing or short pseudonym secret stops the start."""
    database = "--database=sqlite://" + os.path.join(work, "secret.db")
    result = subprocess.run([binary, "--listen=127.0.0.1:0", "--tokens_file=" + tokens_path, database],
                            capture_output=True, timeout=30)
    check(result.returncode != 0 and b"pseudonym_secret_file" in result.stderr,
          "credentials without --pseudonym_secret_file stop the start with a clear message")
    short = os.path.join(work, "short-secret")
    with open(short, "w") as f:
        f.write("x" * 31)
    result = subprocess.run([binary, "--listen=127.0.0.1:0", "--tokens_file=" + tokens_path, database,
                             "--pseudonym_secret_file=" + short], capture_output=True, timeout=30)
    check(result.returncode != 0 and b"at least 32" in result.stderr,
          "a pseudonym secret under 32 bytes stops the start")


def run_backend(binary, database, tokens_path):
    print("--- backend", database.split(":")[0])
    server = testlib.Server(binary, database=database, extra_args=["--tokens_file=" + tokens_path, SECRET_ARG])
    server.start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            stubs = Stubs(channel)
            health = stubs.health.Check(health_pb2.HealthCheckRequest(), timeout=5)
            check(health.status == health_pb2.HealthCheckResponse.SERVING, "health needs no credentials")
            seeded = stubs.outcome.LogOutcome(log_request("p-seed"), metadata=md("tok-therapist-a"), timeout=10)
            stubs.outcome.LogOutcome(log_request("p-two"), metadata=md("tok-host-a"), timeout=10)
            stubs.outcome.LogOutcome(log_request("b-1", therapist="t-b1"), metadata=md("tok-host-b"), timeout=10)
            role_matrix(stubs, seeded.name)
            # A therapist amends only their own outcomes.
            code = code_of(lambda: stubs.outcome.AmendOutcome(outcome_pb2.AmendOutcomeRequest(
                request_id=str(uuid.uuid4()), name=seeded.name, reason="not mine",
                outcome=log_request("p-seed").outcome), metadata=md("tok-therapist-a2"), timeout=10))
            check(code == grpc.StatusCode.PERMISSION_DENIED, "a therapist cannot amend another's outcome (got %s)" % code)
            # Authorship cannot be forged: a therapist writes as themselves.
            forged = log_request("p-forged", therapist="t-a2")
            code = code_of(lambda: stubs.outcome.LogOutcome(forged, metadata=md("tok-therapist-a"), timeout=10))
            check(code == grpc.StatusCode.PERMISSION_DENIED,
                  "a therapist cannot log an outcome under another therapist's id (got %s)" % code)
            stored_forged = list(stubs.outcome.ListOutcomes(outcome_pb2.ListOutcomesRequest(
                filter=outcome_pb2.HistoryFilter(patient_id="p-forged")), metadata=md("tok-admin-a"), timeout=10).outcomes)
            check(not stored_forged, "the forged outcome was not stored (found %d)" % len(stored_forged))
            code = code_of(lambda: stubs.outcome.AmendOutcome(outcome_pb2.AmendOutcomeRequest(
                request_id=str(uuid.uuid4()), name=seeded.name, reason="reassign",
                outcome=log_request("p-seed", therapist="t-a2").outcome), metadata=md("tok-therapist-a"), timeout=10))
            check(code == grpc.StatusCode.PERMISSION_DENIED,
                  "a therapist cannot amend their outcome over to another therapist (got %s)" % code)
            current = stubs.outcome.GetOutcome(outcome_pb2.GetOutcomeRequest(name=seeded.name), metadata=md("tok-admin-a"), timeout=10)
            check(current.therapist_id == "t-a1", "the outcome still belongs to its therapist (got %s)" % current.therapist_id)
            # A host logs on behalf of the clinic's therapists.
            code = code_of(lambda: stubs.outcome.LogOutcome(log_request("p-host", therapist="t-a2"), metadata=md("tok-host-a"), timeout=10))
            check(code == grpc.StatusCode.OK, "a host may log an outcome for any therapist of its clinic (got %s)" % code)
            tenancy(stubs, seeded.name)
            analytics_minimum(stubs)
            time.sleep(0.5)  # audit rows are written just after the response
            audit_rows(stubs)

            # SIGHUP reload: a new token works, a removed one stops working.
            new_tokens = dict(TOKENS)
            del new_tokens["tok-host-a"]
            new_tokens["tok-host-a-rotated"] = ("frontdesk-a", "host", "clinic-a")
            tokens_file(tokens_path, new_tokens)
            server.process.send_signal(signal.SIGHUP)
            time.sleep(1.0)
            code = code_of(lambda: stubs.outcome.ListOutcomes(outcome_pb2.ListOutcomesRequest(), metadata=md("tok-host-a-rotated"), timeout=10))
            check(code == grpc.StatusCode.OK, "a token added to the file works after SIGHUP (got %s)" % code)
            code = code_of(lambda: stubs.outcome.ListOutcomes(outcome_pb2.ListOutcomesRequest(), metadata=md("tok-host-a"), timeout=10))
            check(code == grpc.StatusCode.UNAUTHENTICATED, "a token removed from the file fails after SIGHUP (got %s)" % code)
            tokens_file(tokens_path, TOKENS)
            server.process.send_signal(signal.SIGHUP)
            time.sleep(0.5)
    finally:
        code = server.stop()
        log = server.log()
        for token in list(TOKENS) + ["tok-host-a-rotated"]:
            check(token not in log, "token %s never appears in the log" % token)
        check(code == 0, "server exits 0")
        server.cleanup()


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_pki(work):
    ca_key, ca_crt = os.path.join(work, "ca.key"), os.path.join(work, "ca.crt")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_crt, "-days", "2", "-subj", "/CN=test-ca")
    ext = os.path.join(work, "san.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")

    def leaf(name, cn):
        key, csr, crt = (os.path.join(work, name + s) for s in (".key", ".csr", ".crt"))
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=" + cn)
        openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext)
        return key, crt

    return ca_crt, leaf("server", "localhost"), leaf("client", "therapist-7.clinic-a")


def tls_checks(binary, work, tokens_path):
    print("--- TLS and mTLS")
    ca_crt, (server_key, server_crt), (client_key, client_crt) = make_pki(work)
    with open(tokens_path, "a") as f:
        f.write("cert CN=therapist-7.clinic-a t-7 therapist clinic-a\n")
    read = lambda p: open(p, "rb").read()  # noqa: E731
    server = testlib.Server(binary, extra_args=["--tokens_file=" + tokens_path, SECRET_ARG, "--tls_cert=" + server_crt,
                                                "--tls_key=" + server_key, "--tls_client_ca=" + ca_crt])
    server.start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            code = code_of(lambda: health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=3))
            check(code == grpc.StatusCode.UNAVAILABLE, "a plaintext client cannot talk to the TLS server (got %s)" % code)
        no_cert = grpc.ssl_channel_credentials(root_certificates=read(ca_crt))
        with grpc.secure_channel(server.address, no_cert, options=(("grpc.ssl_target_name_override", "localhost"),)) as channel:
            code = code_of(lambda: health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=3))
            check(code == grpc.StatusCode.UNAVAILABLE, "a client without a certificate is refused by mTLS (got %s)" % code)
        with_cert = grpc.ssl_channel_credentials(root_certificates=read(ca_crt), private_key=read(client_key),
                                                 certificate_chain=read(client_crt))
        with grpc.secure_channel(server.address, with_cert, options=(("grpc.ssl_target_name_override", "localhost"),)) as channel:
            stubs = Stubs(channel)
            stored = stubs.outcome.LogOutcome(log_request("p-tls", therapist="t-7"), timeout=10)
            check(stored.name.startswith("outcomes/"), "the certificate's identity logs an outcome over mTLS")
            code = code_of(lambda: stubs.history.QueryHistory(history_pb2.QueryHistoryRequest(), timeout=10))
            check(code == grpc.StatusCode.PERMISSION_DENIED, "the certificate maps to the therapist role (got %s)" % code)
    finally:
        server.cleanup()
    # Plaintext on a non-loopback address is refused unless --insecure.
    result = subprocess.run([binary, "--listen=0.0.0.0:0", "--tokens_file=" + tokens_path, SECRET_ARG,
                             "--database=sqlite://" + os.path.join(work, "x.db")],
                            capture_output=True, timeout=30)
    check(result.returncode != 0 and b"plaintext" in result.stderr,
          "plaintext on a non-loopback address is refused without --insecure")


if __name__ == "__main__":
    main()
