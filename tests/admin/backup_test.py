#!/usr/bin/python3
"""scoliomassage-admin backup and verify, end to end with real processes:
1. a real scoliomassaged on a SQLite file; writer threads keep logging
   outcomes over gRPC;
2. `backup --to=FILE` runs in the middle of that load; `verify FILE` passes;
3. restore by the README's steps (stop the server, put the copy in place of
   the database file, start it) and find every outcome that was acknowledged
   before the backup started, and nothing that was never sent;
4. verify refuses a file with flipped bytes and one with another schema
   version; backup refuses a postgresql:// URL, pointing to pg_dump.
Usage: backup_test.py PATH/TO/scoliomassaged PATH/TO/scoliomassage-admin
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import testlib  # noqa: E402

failures = []


def check(condition, message):
    print(("ok: " if condition else "FAIL: ") + message)
    if not condition:
        failures.append(message)


def admin(binary, *args, env=None):
    result = subprocess.run([binary, *args], capture_output=True, text=True, timeout=120, env=env)
    print("$ scoliomassage-admin %s -> %d\n%s%s" % (" ".join(args), result.returncode, result.stdout,
                                                      result.stderr))
    return result


def facts(output):
    """{name: int} from the indented "  name  value" lines of backup/verify."""
    out = {}
    for line in output.splitlines():
        parts = line.split()
        if line.startswith("  ") and len(parts) == 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


def log_request(outcome_pb2, patient, index):
    request = outcome_pb2.LogOutcomeRequest(request_id=str(uuid.uuid4()))
    o = request.outcome
    o.patient_id, o.therapist_id, o.protocol_id = patient, "t-backup", "thoracic-c-curve"
    o.session_number, o.minutes, o.pain_before, o.pain_after = 1 + index % 5, 15, 6, 3
    o.performed_at.FromSeconds(int(time.time()) - 3600)
    return request


def all_names(grpc, history_pb2, history_pb2_grpc, address):
    with grpc.insecure_channel(address) as channel:
        stub = history_pb2_grpc.HistoryServiceStub(channel)
        return {r.outcome.name for r in stub.QueryHistory(history_pb2.QueryHistoryRequest(), timeout=60)}


def main():
    server_binary, admin_binary = sys.argv[1], sys.argv[2]
    testlib.stubs()
    import grpc
    from scoliomassage.v1 import history_pb2, history_pb2_grpc, outcome_pb2, outcome_pb2_grpc

    work = tempfile.mkdtemp(prefix="scoliomassage-backup-")
    server = testlib.Server(server_binary)
    database_path = server.database[len("sqlite://"):]
    backup_path = os.path.join(work, "backup.db")
    acknowledged = []  # (monotonic time of the answer, name)
    sent = set()
    lock = threading.Lock()
    stop = threading.Event()
    errors = []

    def writer(number):
        with grpc.insecure_channel(server.address) as channel:
            stub = outcome_pb2_grpc.OutcomeServiceStub(channel)
            index = 0
            while not stop.is_set():
                try:
                    stored = stub.LogOutcome(log_request(outcome_pb2, "bk-%d-%d" % (number, index % 7), index),
                                             timeout=30)
                except grpc.RpcError as error:
                    errors.append(str(error))
                    return
                with lock:
                    acknowledged.append((time.monotonic(), stored.name))
                index += 1

    try:
        server.start()
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 150 and not errors and time.monotonic() < deadline:
            time.sleep(0.05)
        backup_started = time.monotonic()
        with lock:
            before = {name for _, name in acknowledged}
        result = admin(admin_binary, "--database=" + server.database, "backup", "--to=" + backup_path)
        time.sleep(0.5)  # the writers keep going after the backup too
        stop.set()
        for thread in threads:
            thread.join()
        check(not errors, "the writers saw no errors during the backup (%s)" % errors[:1])
        with lock:
            sent = {name for _, name in acknowledged}
            after_backup = sum(1 for t, _ in acknowledged if t > backup_started)
        check(result.returncode == 0, "backup exits 0 while the server serves")
        check(os.path.exists(backup_path) and not os.path.exists(backup_path + ".tmp"),
              "the backup file is in place and no .tmp is left")
        copied = facts(result.stdout)
        check(copied.get("schema_version", 0) >= 1 and copied.get("outcome_revisions", 0) >= len(before),
              "backup reports the schema version and at least the %d acknowledged outcomes (%s)"
              % (len(before), copied))
        check(after_backup > 0, "outcomes were acknowledged after the backup started (%d): it ran under load"
              % after_backup)
        for suffix in ("-wal", "-shm", "-journal"):
            check(not os.path.exists(backup_path + suffix), "the backup is one file: no %s beside it" % suffix)

        verified = admin(admin_binary, "verify", backup_path)
        check(verified.returncode == 0 and "verified:" in verified.stdout, "verify accepts the backup")
        check(facts(verified.stdout).get("outcome_revisions") == copied.get("outcome_revisions"),
              "verify counts what backup copied")

        # Restore, by the README's steps: stop, replace the file, start.
        check(server.stop() == 0, "the server stops cleanly")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(database_path + suffix):
                os.rename(database_path + suffix, database_path + suffix + ".before-restore")
        shutil.copyfile(backup_path, database_path)
        server.start()
        restored = all_names(grpc, history_pb2, history_pb2_grpc, server.address)
        missing = before - restored
        check(not missing, "every outcome acknowledged before the backup started is restored "
              "(%d of %d; missing %s)" % (len(before) - len(missing), len(before), sorted(missing)[:3]))
        check(restored <= sent, "the restored store holds only outcomes that were logged (%d)" % len(restored))
        check(len(restored) == copied.get("outcomes"), "the restored server sees what backup reported")
        with grpc.insecure_channel(server.address) as channel:
            stored = outcome_pb2_grpc.OutcomeServiceStub(channel).LogOutcome(
                log_request(outcome_pb2, "after-restore", 0), timeout=30)
        check(stored.name.startswith("outcomes/"), "the restored server takes new outcomes")
        check(server.stop() == 0, "the restored server stops cleanly")

        # A damaged copy: flip bytes in the outcome table's root page.
        damaged = os.path.join(work, "damaged.db")
        shutil.copyfile(backup_path, damaged)
        with sqlite3.connect(damaged) as db:
            page_size = db.execute("PRAGMA page_size").fetchone()[0]
            root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'outcome_revisions'").fetchone()[0]
        with open(damaged, "r+b") as f:
            f.seek((root - 1) * page_size)
            header = bytearray(f.read(64))
            f.seek((root - 1) * page_size)
            f.write(bytes(b ^ 0xFF for b in header))
        bad = admin(admin_binary, "verify", damaged)
        check(bad.returncode == 3 and "FAILED verification" in bad.stderr,
              "verify exits 3 and says why on a file with flipped bytes")

        garbage = os.path.join(work, "garbage.db")
        with open(garbage, "wb") as f:
            f.write(os.urandom(8192))
        bad = admin(admin_binary, "verify", garbage)
        check(bad.returncode == 3 and "not a readable SQLite database" in bad.stderr,
              "verify exits 3 on a file that is not a database")

        future = os.path.join(work, "future.db")
        shutil.copyfile(backup_path, future)
        with sqlite3.connect(future) as db:
            db.execute("INSERT INTO schema_migrations (version, name, applied_at_us) VALUES (999, 'future', 0)")
        bad = admin(admin_binary, "verify", future)
        check(bad.returncode == 3 and "schema version 999" in bad.stderr,
              "verify exits 3 on a schema version this build does not expect, naming it")

        missing_file = admin(admin_binary, "verify", os.path.join(work, "absent.db"))
        check(missing_file.returncode == 1 and "not a file" in missing_file.stderr,
              "verify exits 1 when the file is not there")
        check(not os.path.exists(os.path.join(work, "absent.db")), "verify creates nothing")

        postgres = admin(admin_binary, "--database=postgresql://u@127.0.0.1:1/db", "backup",
                         "--to=" + os.path.join(work, "pg.db"))
        check(postgres.returncode == 2 and "pg_dump" in postgres.stderr and "point-in-time" in postgres.stderr,
              "backup refuses PostgreSQL and points to pg_dump and point-in-time recovery")

        env = dict(os.environ, SCOLIOMASSAGE_DATABASE=server.database)
        again = admin(admin_binary, "backup", "--to=" + backup_path, env=env)
        check(again.returncode == 0, "SCOLIOMASSAGE_DATABASE names the store; an existing backup is replaced")
        check(admin(admin_binary, "backup").returncode == 2, "backup without --to is a usage error (2)")
        check(admin(admin_binary, "frobnicate").returncode == 2, "an unknown command is a usage error (2)")
        helped = admin(admin_binary, "--help")
        check("export-patient" in helped.stdout + helped.stderr, "--help lists the commands")
    finally:
        stop.set()
        server.cleanup(show_log=bool(failures))
        shutil.rmtree(work, ignore_errors=True)
    print("backup_test: %s" % ("ok" if not failures else "%d failure(s)" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
