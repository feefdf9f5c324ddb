#!/usr/bin/python3
"""scoliomassage-admin export-patient (a data-subject request), end to end:
two clinics on one real scoliomassaged (tokens file, pseudonym secret), the
same patient id in both, a second patient in the first clinic. The export of
(clinic-a, P) holds exactly P's outcome revisions and recommendations in
clinic-a (not Q's, not clinic-b's P), and the audit records of the calls that
wrote and read them (LogOutcome, AmendOutcome, GetOutcome, ListOutcomes,
RecommendProtocol), found through the patient's pseudonym and outcome names.
Every table of the schema with a patient_id column is in the export.
With --postgres the store is a private database on the test PostgreSQL
(SCOLIOMASSAGE_TEST_POSTGRES_URL; SKIP, exit 77, without it).
Usage: export_test.py PATH/TO/scoliomassaged PATH/TO/scoliomassage-admin [--postgres]
"""
import contextlib
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import testlib  # noqa: E402

failures = []
TOKENS = {"host-a": ("host", "clinic-a"), "admin-a": ("admin", "clinic-a"), "host-b": ("host", "clinic-b")}


def check(condition, message):
    print(("ok: " if condition else "FAIL: ") + message)
    if not condition:
        failures.append(message)


def pseudonym(secret, clinic, patient):
    clinic_key = hmac.new(secret, clinic.encode(), hashlib.sha256).digest()
    return "p_" + hmac.new(clinic_key, patient.encode(), hashlib.sha256).digest()[:16].hex()


def main():
    server_binary, admin_binary = sys.argv[1], sys.argv[2]
    if "--postgres" not in sys.argv[3:]:
        return run(server_binary, admin_binary, None)
    import postgres_support
    if not postgres_support.base_url():
        print("SKIP: SCOLIOMASSAGE_TEST_POSTGRES_URL is not set (source tests/support/postgres.sh)")
        return 77
    with postgres_support.Database("scoliomassage_export") as database:
        return run(server_binary, admin_binary, database.url)


def patient_tables_of(database):
    """Tables with a patient_id column, from the store's own catalog."""
    if database.startswith("postgresql://"):
        import postgres_support
        rows = postgres_support.run_sql(database, "SELECT c.table_name FROM information_schema.columns c "
                                        "JOIN information_schema.tables t USING (table_schema, table_name) "
                                        "WHERE c.column_name = 'patient_id' AND t.table_type = 'BASE TABLE' "
                                        "AND c.table_schema = current_schema()")
        return set(rows.split())
    with contextlib.closing(sqlite3.connect(database[len("sqlite://"):])) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t for t in tables if any(c[1] == "patient_id" for c in db.execute("PRAGMA table_info(%s)" % t))}


def run(server_binary, admin_binary, database):
    testlib.stubs()
    import grpc
    from scoliomassage.v1 import outcome_pb2, outcome_pb2_grpc, protocol_pb2, protocol_pb2_grpc

    work = tempfile.mkdtemp(prefix="scoliomassage-export-")
    secret = os.urandom(48)
    secret_file = os.path.join(work, "pseudonym")
    with open(secret_file, "wb") as f:
        f.write(secret)
    with open(os.path.join(work, "tokens"), "w") as f:
        for token, (role, clinic) in TOKENS.items():
            f.write("token sha256:%s %s %s %s\n" % (hashlib.sha256(token.encode()).hexdigest(), token, role, clinic))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOLIOMASSAGE_")}
    server = testlib.Server(server_binary, database=database, env=env, extra_args=[
        "--tokens_file=" + os.path.join(work, "tokens"), "--pseudonym_secret_file=" + secret_file])
    names = {}  # (clinic, patient) -> [outcome names]

    def call(method, request, token):
        return method(request, timeout=30, metadata=[("authorization", "Bearer " + token)])

    def log(stub, token, clinic, patient, pain_after):
        request = outcome_pb2.LogOutcomeRequest(request_id=str(uuid.uuid4()))
        o = request.outcome
        o.patient_id, o.therapist_id, o.protocol_id = patient, "t-1", "lumbar-c-curve"
        o.session_number, o.minutes, o.pain_before, o.pain_after = 1, 15, 6, pain_after
        o.relaxation_notes = "notes of %s in %s" % (patient, clinic)
        o.performed_at.FromSeconds(int(time.time()) - 7200)
        stored = call(stub.LogOutcome, request, token)
        names.setdefault((clinic, patient), []).append(stored.name)
        return request, stored

    def recommend(stub, token, patient):
        return call(stub.RecommendProtocol, protocol_pb2.RecommendProtocolRequest(
            patient_id=patient, profile=protocol_pb2.PatientProfile(age_years=30, primary_region=5),
            screening=protocol_pb2.Screening(pain_nrs=4)), token)

    def export(*args):
        result = subprocess.run([admin_binary, "--database=" + server.database, "export-patient", *args],
                                capture_output=True, text=True, timeout=60, env=env)
        print("$ export-patient %s -> %d\n%s" % (" ".join(args), result.returncode, result.stderr))
        return result

    try:
        server.start()
        with grpc.insecure_channel(server.address) as channel:
            outcomes = outcome_pb2_grpc.OutcomeServiceStub(channel)
            protocols = protocol_pb2_grpc.ProtocolServiceStub(channel)
            rec_a = recommend(protocols, "host-a", "P")
            recommend(protocols, "host-a", "Q")
            recommend(protocols, "host-b", "P")
            first_request, first = log(outcomes, "host-a", "clinic-a", "P", 3)
            for pain in (2, 1):
                log(outcomes, "host-a", "clinic-a", "P", pain)
            for pain in (4, 5):
                log(outcomes, "host-a", "clinic-a", "Q", pain)
                log(outcomes, "host-b", "clinic-b", "P", pain)
            corrected = outcome_pb2.Outcome()
            corrected.CopyFrom(first_request.outcome)
            corrected.pain_after = 0
            call(outcomes.AmendOutcome, outcome_pb2.AmendOutcomeRequest(
                request_id=str(uuid.uuid4()), name=first.name, outcome=corrected, reason="typo"), "admin-a")
            call(outcomes.GetOutcome, outcome_pb2.GetOutcomeRequest(name=first.name), "host-a")
            call(outcomes.GetOutcome, outcome_pb2.GetOutcomeRequest(name=names[("clinic-a", "Q")][0]), "host-a")
            call(outcomes.ListOutcomes, outcome_pb2.ListOutcomesRequest(
                filter=outcome_pb2.HistoryFilter(patient_id="P"), page_size=10), "host-a")
            call(outcomes.ListOutcomes, outcome_pb2.ListOutcomesRequest(
                filter=outcome_pb2.HistoryFilter(patient_id="P"), page_size=10), "host-b")
        # Audit records are written just after each response; a clean stop
        # flushes them.
        check(server.stop() == 0, "the server stops cleanly")

        result = export("--clinic=clinic-a", "--patient=P", "--pseudonym_secret_file=" + secret_file)
        check(result.returncode == 0, "export-patient exits 0")
        document = json.loads(result.stdout)
        p_a = pseudonym(secret, "clinic-a", "P")
        check(document["patient_pseudonym"] == p_a, "the export computes the server's pseudonym")
        check(document["clinic_id"] == "clinic-a" and document["patient_id"] == "P", "it names the subject")

        revisions = document["tables"]["outcome_revisions"]
        exported = sorted((r["outcome"]["name"], r["revision"]) for r in revisions)
        expected = sorted([(n, 1) for n in names[("clinic-a", "P")]] + [(first.name, 2)])
        check(exported == expected, "exactly P's outcome revisions in clinic-a (%s)" % exported)
        check(all(r["outcome"]["patientId"] == "P" and "clinic-a" in r["outcome"]["relaxationNotes"]
                  for r in revisions), "every revision is P's in clinic-a, with its notes")
        check(any(r["amend_reason"] == "typo" and r["outcome"]["painAfter"] == 0 for r in revisions)
              or any(r["revision"] == 2 and r["outcome"].get("painAfter", 0) == 0 for r in revisions),
              "the amendment is there with its values")
        recommendations = document["tables"]["recommendations"]
        check([r["recommendation_id"] for r in recommendations] == [rec_a.recommendation_id],
              "exactly P's recommendation in clinic-a")
        check(recommendations and recommendations[0]["request"]["patientId"] == "P"
              and recommendations[0]["response"]["recommendationId"] == rec_a.recommendation_id,
              "the recommendation carries its request and response")
        check(document["tables"]["patient_progress"] == [{"sessions_logged": 3}], "P's progress: 3 sessions")
        text = result.stdout
        for name in names[("clinic-a", "Q")] + names[("clinic-b", "P")]:
            check(name.split("/")[1] not in text, "no trace of another patient's outcome %s" % name)
        check("clinic-b" not in text.replace('"clinic_id": "clinic-a"', ""), "no trace of clinic-b")

        audit = document["audit_records"]
        p_names = set(names[("clinic-a", "P")])
        by_method = {}
        for record in audit:
            by_method.setdefault(record["method"].rsplit("/", 1)[-1], []).append(record)
        check(all(r["subject"] == p_a or r["subject"] in p_names for r in audit),
              "every audit record is about P in clinic-a (%d)" % len(audit))
        check(len(by_method.get("LogOutcome", [])) == 3, "the three LogOutcome calls are audited")
        check([r["principal"] for r in by_method.get("AmendOutcome", [])] == ["admin-a"],
              "the amendment is audited under its caller")
        check([r["subject"] for r in by_method.get("GetOutcome", [])] == [first.name],
              "the GetOutcome that read P's outcome, and not the one that read Q's")
        check([(r["principal"], r["subject"]) for r in by_method.get("ListOutcomes", [])] == [("host-a", p_a)],
              "the ListOutcomes of P in clinic-a, and not clinic-b's")
        check(len(by_method.get("RecommendProtocol", [])) == 1, "P's check-in in clinic-a is audited")
        check(all(r["status"] == "OK" and r["time"].endswith("Z") for r in audit), "records carry status and time")

        # Every table that holds a patient_id is exported: a new one must be
        # added to PatientTables() in service/admin/patient_export.cc.
        patient_tables = patient_tables_of(server.database)
        check(patient_tables == set(document["tables"]),
              "the export covers every table with a patient_id (schema %s, export %s)"
              % (sorted(patient_tables), sorted(document["tables"])))

        out_file = os.path.join(work, "P.json")
        to_file = export("--clinic=clinic-a", "--patient=P", "--pseudonym_secret_file=" + secret_file,
                         "--to=" + out_file)
        check(to_file.returncode == 0 and to_file.stdout == "", "--to writes the file, nothing to stdout")
        with open(out_file) as f:
            from_file = json.load(f)
        from_file.pop("exported_at"), document.pop("exported_at")
        # The first export is itself in the audit trail now, under the operator.
        new_audit = [r for r in from_file.pop("audit_records") if r not in document["audit_records"]]
        check([(r["method"], r["role"], r["subject"], r["principal"].startswith("scoliomassage-admin:"))
               for r in new_audit] == [("scoliomassage-admin/export-patient", "admin", p_a, True)],
              "the first export is recorded in the audit trail (%s)" % new_audit)
        document.pop("audit_records")
        check(from_file == document, "the file holds the same export")
        check(stat.S_IMODE(os.stat(out_file).st_mode) == 0o600, "the export file is readable by its owner only")

        nobody = export("--clinic=clinic-a", "--patient=nobody", "--pseudonym_secret_file=" + secret_file)
        empty = json.loads(nobody.stdout) if nobody.returncode == 0 else {}
        check(nobody.returncode == 0 and all(not rows for rows in empty.get("tables", {"x": [1]}).values())
              and empty.get("audit_records") == [], "an unknown patient exports empty tables, exit 0")
        b = export("--clinic=clinic-b", "--patient=P", "--pseudonym_secret_file=" + secret_file)
        b_doc = json.loads(b.stdout)
        check(sorted(r["outcome"]["name"] for r in b_doc["tables"]["outcome_revisions"])
              == sorted(names[("clinic-b", "P")]), "clinic-b's P is exported on its own")

        no_secret = export("--clinic=clinic-a", "--patient=P")
        check(no_secret.returncode == 2 and "pseudonym_secret_file" in no_secret.stderr,
              "without the pseudonym secret: usage error naming the flag")
        no_clinic = export("--patient=P", "--pseudonym_secret_file=" + secret_file)
        check(no_clinic.returncode == 2 and "--clinic" in no_clinic.stderr, "without --clinic: usage error")
        fhir = export("--clinic=clinic-a", "--patient=P", "--pseudonym_secret_file=" + secret_file, "--format=fhir")
        check(fhir.returncode == 2 and "fhir" in fhir.stderr and fhir.stdout == "",
              "--format=fhir says it is not available yet")
        short = os.path.join(work, "short")
        with open(short, "wb") as f:
            f.write(b"too short")
        check(export("--clinic=clinic-a", "--patient=P", "--pseudonym_secret_file=" + short).returncode == 2,
              "a secret shorter than the server's minimum is refused")
    finally:
        server.cleanup(show_log=bool(failures))
        shutil.rmtree(work, ignore_errors=True)
    print("export_test: %s" % ("ok" if not failures else "%d failure(s)" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
