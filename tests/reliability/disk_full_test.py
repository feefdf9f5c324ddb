#!/usr/bin/python3
"""Fault: the disk fills up.

The SQLite file lives on a small tmpfs this test mounts (4 MiB), so the disk
really fills: SQLite sees ENOSPC exactly as on a full clinic server.
Checks:
  - LogOutcome gets RESOURCE_EXHAUSTED, reason STORE_DISK_FULL, with a message
    that says the disk is full;
  - while full, the server keeps serving health, GetOutcome, ListOutcomes,
    QueryHistory and RecommendProtocol;
  - when space is freed, LogOutcome works again without a restart, and a retry
    of the refused request_id is stored exactly once.
Mounting needs root (CAP_SYS_ADMIN); without it the test is skipped (exit 77)
rather than faked.

Usage: disk_full_test.py PATH/TO/scoliomassaged
"""
import errno
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reliability import (Checker, Server, Stubs, error_reason, grpc, history_count,  # noqa: E402
                         log_request, outcome_pb2, recommend_request)

SKIP = 77


def main():
    binary = sys.argv[1]
    check = Checker()
    mount_point = tempfile.mkdtemp(prefix="scoliomassage-diskfull-")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount_point],
                             stderr=subprocess.PIPE).returncode == 0
    if not mounted:
        print("SKIP: cannot mount a tmpfs here (needs root)")
        os.rmdir(mount_point)
        return SKIP
    server = Server(binary, database="sqlite://" + os.path.join(mount_point, "full.db"),
                    extra_args=["--log_level=error"])
    try:
        server.start()
        with grpc.insecure_channel(server.address) as channel:
            stubs = Stubs(channel)
            early = [stubs.outcomes.LogOutcome(log_request("disk-p"), timeout=10).name for _ in range(20)]

            # Take nearly all of the remaining space with a filler file.
            filler = os.path.join(mount_point, "filler")
            # Unbuffered: a short write raises here, and close() has nothing
            # left to flush (a buffered file would raise ENOSPC again there).
            with open(filler, "wb", buffering=0) as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                except OSError as error:
                    check(error.errno == errno.ENOSPC, "filler stops at ENOSPC (%s)" % error)
            # Leave a few pages free so the store fills up under LogOutcome.
            os.truncate(filler, max(0, os.path.getsize(filler) - 64 * 1024))

            refused = None
            stored_while_filling = 0
            notes = "n" * 3000
            for _ in range(3000):
                request = log_request("disk-p", notes=notes)
                try:
                    stubs.outcomes.LogOutcome(request, timeout=10)
                    stored_while_filling += 1
                except grpc.RpcError as error:
                    refused = (request, error)
                    break
            if not check(refused is not None, "LogOutcome is refused once the disk is full"):
                return check.exit_code("disk_full")
            request, error = refused
            print("disk full after %d more outcomes: %s %s (reason %s)" % (
                stored_while_filling, error.code().name, error.details(), error_reason(error)), flush=True)
            check(error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED,
                  "disk full is RESOURCE_EXHAUSTED (got %s: %s)" % (error.code().name, error.details()))
            check(error_reason(error) == "STORE_DISK_FULL", "reason STORE_DISK_FULL (got %r)" % error_reason(error))
            check("full" in error.details().lower(), "the message says the disk is full: %r" % error.details())

            # A second refused write, to be sure the first was not a fluke.
            try:
                stubs.outcomes.LogOutcome(log_request("disk-p", notes=notes), timeout=10)
                check(False, "still full: a second big LogOutcome is refused")
            except grpc.RpcError as second:
                check(second.code() == grpc.StatusCode.RESOURCE_EXHAUSTED,
                      "second refusal is RESOURCE_EXHAUSTED (got %s)" % second.code().name)

            # Reads and health go on while the disk is full.
            check(stubs.serving(), "health SERVING while the disk is full")
            got = stubs.outcomes.GetOutcome(outcome_pb2.GetOutcomeRequest(name=early[0]), timeout=10)
            check(got.name == early[0], "GetOutcome while full")
            page = stubs.outcomes.ListOutcomes(outcome_pb2.ListOutcomesRequest(
                filter=outcome_pb2.HistoryFilter(patient_id="disk-p"), page_size=100), timeout=10)
            check(len(page.outcomes) > 0, "ListOutcomes while full")
            stored_before = history_count(stubs, patient_id="disk-p")
            check(stored_before == 20 + stored_while_filling,
                  "QueryHistory while full sees every acknowledged outcome (%d, expected %d)"
                  % (stored_before, 20 + stored_while_filling))
            recommendation = stubs.protocols.RecommendProtocol(recommend_request("disk-p"), timeout=10)
            check(recommendation.protocol.protocol_id != "", "RecommendProtocol while full")

            # Free the space: the same request_id now goes through, once.
            os.remove(filler)
            recovered = None
            deadline = time.time() + 20
            while time.time() < deadline:
                try:
                    recovered = stubs.outcomes.LogOutcome(request, timeout=10)
                    break
                except grpc.RpcError as retry_error:
                    last = retry_error
                    time.sleep(0.2)
            if check(recovered is not None, "LogOutcome works again after space is freed (last: %s)" % (
                    None if recovered else last.details())):
                again = stubs.outcomes.LogOutcome(request, timeout=10)
                check(again.name == recovered.name, "a retry of the refused request_id returns the same outcome")
                for _ in range(20):
                    stubs.outcomes.LogOutcome(log_request("disk-p", notes=notes), timeout=10)
                after = history_count(stubs, patient_id="disk-p")
                check(after == stored_before + 21, "after recovery: %d stored, expected %d" % (after, stored_before + 21))
            check(stubs.serving(), "health SERVING after recovery")
        check(server.process.poll() is None, "the server never exited")
        code = server.stop()
        check(code == 0, "SIGTERM exit code 0 (got %s)" % code)
        integrity = subprocess.run(
            ["/usr/bin/python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1])"
             ".execute('PRAGMA integrity_check').fetchone()[0])", os.path.join(mount_point, "full.db")],
            stdout=subprocess.PIPE, text=True).stdout.strip()
        check(integrity == "ok", "integrity_check after the disk-full episode: %s" % integrity)
    finally:
        server.cleanup(show_log=check.failures, log_chars=4000)
        subprocess.run(["umount", mount_point])
        shutil.rmtree(mount_point, ignore_errors=True)
    return check.exit_code("disk_full")


if __name__ == "__main__":
    sys.exit(main())
