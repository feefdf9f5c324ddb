#!/usr/bin/python3
"""SQLite -> PostgreSQL with scoliomassage-import, end to end:
1. log, amend and recommend through a scoliomassaged on SQLite;
2. stop it and run scoliomassage-import into a fresh PostgreSQL database;
3. run it again: it must copy nothing and still verify;
4. start scoliomassaged on PostgreSQL and read: the same outcomes, names,
   revisions and values, the same summaries; a LogOutcome retry with an old
   request_id returns the old outcome (idempotency keys moved too); the row
   counts of every table match the SQLite file.
Usage: import_test.py PATH/TO/scoliomassaged PATH/TO/scoliomassage-import
"""
import os
import random
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)
import postgres_support  # noqa: E402
import testlib  # noqa: E402

TABLES = ["outcome_revisions", "idempotency_keys", "recommendations", "audit_records"]
failures = []


def check(condition, message):
    print(("ok: " if condition else "FAIL: ") + message)
    if not condition:
        failures.append(message)


def parse_report(output):
    """{table: {source, copied, already_present, target}} from the tool's lines."""
    report = {}
    for line in output.splitlines():
        parts = line.split()
        if parts and parts[0] in TABLES:
            report[parts[0]] = {k: int(v) for k, v in (p.split("=") for p in parts[1:])}
    return report


def main():
    if not postgres_support.base_url():
        print("SKIP: SCOLIOMASSAGE_TEST_POSTGRES_URL is not set (source tests/support/postgres.sh)")
        return 77  # CTest's SKIP_RETURN_CODE
    server_binary, import_binary = sys.argv[1], sys.argv[2]
    testlib.stubs()
    import grpc
    import scenarios
    from scoliomassage.v1 import (outcome_pb2, outcome_pb2_grpc, protocol_pb2,
                                  protocol_pb2_grpc)

    rng = random.Random(23)
    sqlite_server = testlib.Server(server_binary)
    sqlite_path = sqlite_server.database[len("sqlite://"):]
    requests = []
    with postgres_support.Database("scoliomassage_import") as database:
        try:
            sqlite_server.start()
            with grpc.insecure_channel(sqlite_server.address) as channel:
                outcomes = outcome_pb2_grpc.OutcomeServiceStub(channel)
                protocols = protocol_pb2_grpc.ProtocolServiceStub(channel)
                for index in range(30):
                    request = scenarios.log_request(scenarios.outcome_dict("mig-%d" % (index % 5), rng))
                    stored = outcomes.LogOutcome(request, timeout=30)
                    requests.append((request, stored.name))
                for request, name in requests[:6]:
                    corrected = outcome_pb2.Outcome()
                    corrected.CopyFrom(request.outcome)
                    corrected.pain_after = 0
                    outcomes.AmendOutcome(outcome_pb2.AmendOutcomeRequest(
                        request_id=scenarios.str_uuid(), name=name, outcome=corrected, reason="typo"),
                        timeout=30)
                for index in range(4):
                    protocols.RecommendProtocol(protocol_pb2.RecommendProtocolRequest(
                        patient_id="mig-%d" % index,
                        profile=protocol_pb2.PatientProfile(age_years=15, primary_region=3, curve_pattern=1,
                                                            convex_side=2),
                        screening=protocol_pb2.Screening(pain_nrs=4)), timeout=30)
            before_history = scenarios.history(sqlite_server.address, True)
            before_summary = scenarios.summary(sqlite_server.address)
            check(sqlite_server.stop() == 0, "the SQLite server stops cleanly")

            with sqlite3.connect(sqlite_path) as source:
                source_counts = {t: source.execute("SELECT count(*) FROM %s" % t).fetchone()[0] for t in TABLES}
            check(source_counts["outcome_revisions"] == 36 and source_counts["recommendations"] == 4,
                  "the SQLite file holds what was written (%s)" % source_counts)

            first = subprocess.run([import_binary, "--from=sqlite://" + sqlite_path, "--to=" + database.url],
                                   capture_output=True, text=True, timeout=120)
            print(first.stdout + first.stderr)
            check(first.returncode == 0, "the first import succeeds")
            report = parse_report(first.stdout)
            check(all(report.get(t, {}).get("copied") == source_counts[t] for t in TABLES),
                  "the first run copies every row of every table (%s)" % report)

            second = subprocess.run([import_binary, "--from=sqlite://" + sqlite_path, "--to=" + database.url],
                                    capture_output=True, text=True, timeout=120)
            print(second.stdout + second.stderr)
            report = parse_report(second.stdout)
            check(second.returncode == 0 and all(
                report.get(t, {}).get("copied") == 0 and report[t]["already_present"] == source_counts[t]
                for t in TABLES), "re-running copies nothing twice (%s)" % report)
            target_counts = {t: int(postgres_support.run_sql(database.url, "SELECT count(*) FROM %s" % t))
                             for t in TABLES}
            check(target_counts == source_counts, "PostgreSQL row counts equal SQLite's (%s)" % target_counts)

            with testlib.Server(server_binary, database=database.url) as postgres_server:
                after_history = scenarios.history(postgres_server.address, True)
                check(after_history == before_history,
                      "history (every revision) is the same after the move (%d records)" % len(after_history))
                check(scenarios.summary(postgres_server.address) == before_summary,
                      "summaries are the same after the move")
                with grpc.insecure_channel(postgres_server.address) as channel:
                    outcomes = outcome_pb2_grpc.OutcomeServiceStub(channel)
                    request, name = requests[10]
                    replay = outcomes.LogOutcome(request, timeout=30)
                    check(replay.name == name, "a retry of an old request_id returns the old outcome")
                    amended = outcomes.GetOutcome(outcome_pb2.GetOutcomeRequest(name=requests[0][1]), timeout=30)
                    check(amended.revision == 2 and amended.pain_after == 0,
                          "an amended outcome keeps its latest revision")
                count = int(postgres_support.run_sql(database.url, "SELECT count(*) FROM outcome_revisions"))
                check(count == source_counts["outcome_revisions"], "the retry stored nothing new")
        finally:
            sqlite_server.cleanup(show_log=failures)
    print("import_test: %s" % ("ok" if not failures else "%d failure(s)" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
