#!/usr/bin/python3
"""The offline clinic, end to end: outcomes logged while scoliomassaged is
down are queued in the plugin's outbox, survive the host process exiting,
and arrive exactly once when the service is back.

    outbox_test.py --server PATH/scoliomassaged --host PATH/plugin_call_host

Each "host process" is a fresh plugin_call_host run (one client, some calls,
exit), so nothing survives between them but the outbox file. A host's
delivery thread starts delivering at open, so a flush may find that some rows
are already gone; the counts that matter come from the service. Counts come
from the service itself (smp_patient_history). Prints the counts and exits
non-zero on any mismatch.
"""
import argparse
import datetime
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_with_server import Server  # noqa: E402

SMP_OK, SMP_UNAVAILABLE, SMP_QUEUED = 0, 14, 100
failures = []


def expect(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Host:
    """Runs one short-lived host process per call()."""

    def __init__(self, binary, outbox):
        self.binary = binary
        self.outbox = outbox

    def run(self, target, function, *requests, outbox=True, config=None):
        config = dict({"target": target, "deadlineMs": 3000, "retries": 1}, **(config or {}))
        if outbox:
            config["outboxPath"] = self.outbox
        # "sleep:MS" pauses the host with its client open (plugin_call_host).
        args = [self.binary, json.dumps(config), function] + [
            r if isinstance(r, str) and r.startswith("sleep:") else json.dumps(r)
            for r in requests]
        result = subprocess.run(args, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"host failed ({result.returncode}): {result.stdout}{result.stderr}")
        return [json.loads(line) for line in result.stdout.splitlines()]

    def history(self, target, patient, outbox=False):
        """Every outcome name of the patient, all pages."""
        names, token = [], ""
        while True:
            request = {"filter": {"patientId": patient}, "pageSize": 100}
            if token:
                request["pageToken"] = token
            (reply,) = self.run(target, "history", request, outbox=outbox)
            if reply["code"] != SMP_OK:
                raise RuntimeError("history: " + reply["error"])
            names += [o["name"] for o in reply["response"].get("outcomes", [])]
            token = reply["response"].get("nextPageToken", "")
            if not token:
                return names


def outcome_request(patient, protocol, session, pain_after=2):
    performed_at = (datetime.datetime.now(datetime.timezone.utc)
                    - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"outcome": {
        "patientId": patient, "therapistId": "t-outbox", "protocolId": protocol["protocolId"],
        "protocolVersion": protocol.get("protocolVersion", 0), "sessionNumber": session,
        "minutes": protocol.get("totalMinutes", 15), "painBefore": 5, "painAfter": pain_after,
        "performedAt": performed_at}}


def queue_while_down(host, down, patient, protocol, sessions, pain_after=2):
    replies = host.run(down, "log",
                       *[outcome_request(patient, protocol, s, pain_after) for s in sessions])
    ids = []
    for reply in replies:
        ok = reply["code"] == SMP_QUEUED and (reply["response"] or {}).get("queued") is True
        expect(ok, f"log while down is QUEUED ({reply['code']}: {reply['error'][:80]})")
        ids.append((reply["response"] or {}).get("requestId"))
    return ids


def flush(host, target):
    (reply,) = host.run(target, "flush")
    print("  flush ->", reply["code"], json.dumps(reply["response"]), flush=True)
    return reply


def outbox_depths(server):
    """scoliomassage_host_outbox_depth per principal, from GET /metrics (dev mode)."""
    port = next(int(line.rsplit(":", 1)[1]) for line in server.log
                if "HTTP listening on" in line)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/metrics")
    body = connection.getresponse().read().decode()
    connection.close()
    return {line.split()[0]: float(line.split()[1]) for line in body.splitlines()
            if line.startswith("scoliomassage_host_outbox_depth{")}


def copy_outbox(source, destination):
    # The host closed its client, so SQLite checkpointed the WAL into the
    # main file; copy the side files anyway in case one is left.
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(destination + suffix):
            os.remove(destination + suffix)
        if os.path.exists(source + suffix):
            shutil.copy2(source + suffix, destination + suffix)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--host", required=True)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="smp-outbox-") as scratch:
        database = os.path.join(scratch, "service.db")
        outbox = os.path.join(scratch, "outbox.db")
        host = Host(options.host, outbox)
        down = f"127.0.0.1:{closed_port()}"
        patient_a, patient_b, patient_c = (f"p-outbox-{x}-{os.getpid()}" for x in "abc")

        # 0. The protocol to log against, from the service itself.
        with Server(options.server, database) as server:
            (reply,) = host.run(server.target, "recommend", {
                "patientId": patient_a,
                "profile": {"primaryRegion": "SPINE_REGION_LUMBAR",
                            "curvePattern": "CURVE_PATTERN_C_CURVE"}}, outbox=False)
            if reply["code"] != SMP_OK:
                print("recommend failed:", reply["error"])
                return 1
            protocol = reply["response"]["protocol"]

        # 1. The service is down: five sessions are queued; the host exits.
        ids_a = queue_while_down(host, down, patient_a, protocol, range(1, 6))
        expect(len(set(ids_a)) == 5, "each queued outcome has its own request id")
        reply = flush(host, down)
        expect(reply["code"] == SMP_UNAVAILABLE and reply["response"]["pending"] == 5,
               "a new host process still finds 5 pending while the service is down")

        # 2. The service is back; a restarted host's delivery thread delivers
        # them in the background (a host process that opens the outbox and
        # waits a little, as a host's session would).
        with Server(options.server, database, ["--http_listen=127.0.0.1:0"]) as server:
            # Each round is a host session that stays open for a second; a
            # loaded CI machine may need several (each durable write waits
            # for the disk), so wait for delivery rather than for a guess.
            deadline = time.monotonic() + 60
            names = []
            while len(names) < 5 and time.monotonic() < deadline:
                host.run(server.target, "history", {"filter": {"patientId": patient_a}},
                         "sleep:1000")
                names = host.history(server.target, patient_a)
            expect(len(names) == 5, f"a restarted host delivered them in the background: "
                                    f"history shows {len(names)} of 5")
            reply = flush(host, server.target)
            expect(reply["code"] == SMP_OK and reply["response"]["delivered"] == 0
                   and reply["response"]["pending"] == 0, "nothing left to flush")
            # Every call of a host with an outbox reports its depth; the
            # service keeps the last report per principal as a gauge.
            host.run(server.target, "history", {"filter": {"patientId": patient_a}})
            depths = outbox_depths(server)
            expect(len(depths) == 1 and list(depths.values()) == [0.0],
                   f"metrics: the host reported an empty outbox ({depths})")

        # 3. Down again: three more, for another patient.
        queue_while_down(host, down, patient_b, protocol, range(1, 4))
        snapshot = os.path.join(scratch, "outbox-snapshot.db")
        copy_outbox(outbox, snapshot)

        # 4. Back again: smp_flush delivers them explicitly.
        with Server(options.server, database) as server:
            reply = flush(host, server.target)
            # The restarted host's delivery thread may have sent some before
            # the flush got to them; either way none is left.
            expect(reply["code"] == SMP_OK and reply["response"]["delivered"] <= 3
                   and reply["response"]["pending"] == 0, "smp_flush delivered the 3")
            expect(len(host.history(server.target, patient_b)) == 3, "patient B has 3 outcomes")

            # 5. A host that died after the service acknowledged but before
            # the rows were deleted: its outbox still holds all 3. Delivering
            # them again must not store them again.
            copy_outbox(snapshot, outbox)
            reply = flush(host, server.target)
            expect(reply["code"] == SMP_OK and reply["response"]["pending"] == 0,
                   "the stale outbox is delivered again (same request ids)")
            stored_b = host.history(server.target, patient_b)
            expect(len(stored_b) == 3, f"still exactly 3 outcomes for B, not {len(stored_b)}")
            stored_a = host.history(server.target, patient_a)
            expect(len(stored_a) == 5, f"still exactly 5 outcomes for A, not {len(stored_a)}")

        # 6. An outcome the service refuses once it sees it (pain 42) is kept
        # aside as rejected, never retried, and does not block the others.
        queue_while_down(host, down, patient_c, protocol, [1], pain_after=42)
        queue_while_down(host, down, patient_c, protocol, [2])
        with Server(options.server, database) as server:
            reply = flush(host, server.target)
            response = reply["response"] or {}
            rejected = response.get("rejectedOutcomes", [])
            expect(response.get("delivered", -1) <= 1 and response.get("rejected") == 1,
                   "one delivered, one rejected")
            expect(reply["code"] == SMP_OK and response.get("pending") == 0,
                   "the outbox is empty but for the rejected one")
            expect(len(rejected) == 1 and rejected[0]["code"] == 3
                   and ("pain_after" in rejected[0]["error"] or "painAfter" in rejected[0]["error"]),
                   "the rejection names the field")
            expect(len(host.history(server.target, patient_c)) == 1, "patient C has 1 outcome")
            reply = flush(host, server.target)
            expect(reply["response"]["delivered"] == 0 and reply["response"]["rejected"] == 1,
                   "the rejected outcome is not sent again")

        queued = 5 + 3 + 2
        stored = len(stored_a) + len(stored_b) + 1
        print(f"queued {queued}, rejected 1, stored {stored}, lost {max(0, queued - 1 - stored)}, "
              f"duplicated {max(0, stored - (queued - 1))}")
    if failures:
        print(f"FAILED: {len(failures)} failure(s)")
        return 1
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
