#!/usr/bin/python3
"""The outbox drains in the background, off the check-in path (issue 18).

    outbox_background_test.py --server PATH/scoliomassaged --host PATH/plugin_call_host

1. A backlog of outcomes is queued while the service is down. The service
   comes back behind a loopback proxy that delays every byte by DELAY_MS each
   way, as a clinic's WAN link to a hosted service would (RTT 2 x DELAY_MS).
   A host then makes check-ins (smp_recommend_protocol) with a 1 s deadline
   while the backlog drains: each must succeed well within its deadline.
   (When every call first delivered up to 50 queued outcomes one by one,
   50 x RTT ate the deadline and the check-in failed.) The host exits while
   its delivery thread is mid-backlog; then a flush delivers the rest, and
   the service holds every queued outcome exactly once.
2. A host that queued outcomes and then only waits (no further call) sees
   them delivered once the service is reachable: the delivery thread's
   back-off timer, not a host call, drives it.

Counts come from the service itself (history through the plugin). Prints
what it measured and exits non-zero on any failure.
"""
import argparse
import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from outbox_test import Host, closed_port, outcome_request  # noqa: E402
from run_with_server import Server  # noqa: E402

SMP_OK, SMP_QUEUED = 0, 100
BACKLOG = 120
DELAY_MS = 25           # each way: RTT 50 ms, so 50 serial deliveries take 2.5 s
CHECKIN_DEADLINE_MS = 1000
failures = []


def expect(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


class DelayProxy:
    """A loopback TCP proxy that delivers every chunk `delay` seconds after it
    arrived, in order, in both directions. Until connect() its port is bound
    but not listening, so connections are refused: a service that is down."""

    def __init__(self, delay):
        self.delay = delay
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.target = "127.0.0.1:%d" % self.listener.getsockname()[1]
        self.sockets = []
        self.closed = False

    def connect(self, upstream):
        """From now on, forwards to `upstream` (HOST:PORT)."""
        self.upstream = upstream
        self.listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            host, port = self.upstream.rsplit(":", 1)
            try:
                server = socket.create_connection((host, int(port)))
            except OSError:
                client.close()
                continue
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sockets += [client, server]
            self._pipe(client, server)
            self._pipe(server, client)

    def _pipe(self, source, destination):
        chunks = queue.Queue()

        def read():
            while True:
                try:
                    data = source.recv(65536)
                except OSError:
                    data = b""
                chunks.put((time.monotonic() + self.delay, data))
                if not data:
                    return

        def write():
            while True:
                due, data = chunks.get()
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                try:
                    if not data:
                        destination.shutdown(socket.SHUT_WR)
                        return
                    destination.sendall(data)
                except OSError:
                    return

        threading.Thread(target=read, daemon=True).start()
        threading.Thread(target=write, daemon=True).start()

    def close(self):
        self.closed = True
        self.listener.close()
        for s in self.sockets:
            try:
                s.close()
            except OSError:
                pass


def queue_backlog(host, target, patient, protocol, count, extra=None):
    """Logs `count` outcomes while `target` is down; returns their request ids."""
    requests = [outcome_request(patient, protocol, 1 + i % 40) for i in range(count)]
    replies = host.run(target, "log", *requests, config=dict({"retries": 0}, **(extra or {})))
    queued = [r for r in replies if r["code"] == SMP_QUEUED]
    expect(len(queued) == count, f"{len(queued)} of {count} outcomes queued while down")
    return [r["response"]["requestId"] for r in queued]


def backlog_off_the_check_in_path(host, server_binary, database, protocol):
    patient = f"p-backlog-{os.getpid()}"
    down = f"127.0.0.1:{closed_port()}"
    started = time.monotonic()
    ids = queue_backlog(host, down, patient, protocol, BACKLOG)
    print(f"  queued {len(ids)} in {time.monotonic() - started:.1f} s", flush=True)

    with Server(server_binary, database) as server:
        proxy = DelayProxy(DELAY_MS / 1000)
        proxy.connect(server.target)
        try:
            checkin = {"patientId": patient, "profile": {
                "primaryRegion": "SPINE_REGION_LUMBAR", "curvePattern": "CURVE_PATTERN_C_CURVE"}}
            replies = host.run(proxy.target, "recommend", *[checkin] * 6,
                               config={"deadlineMs": CHECKIN_DEADLINE_MS, "retries": 0})
        finally:
            proxy.close()
        times = [r["ms"] for r in replies]
        print(f"  check-ins over RTT {2 * DELAY_MS} ms with {BACKLOG} queued: "
              + ", ".join(f"{t:.0f}" for t in times) + " ms", flush=True)
        expect(all(r["code"] == SMP_OK for r in replies),
               "every check-in succeeded while the backlog drained: "
               + ", ".join(f"{r['code']} {r['error'][:60]}" for r in replies if r["code"]))
        expect(max(times) < CHECKIN_DEADLINE_MS,
               f"every check-in returned within its {CHECKIN_DEADLINE_MS} ms deadline "
               f"(slowest {max(times):.0f} ms)")

        drained_before_exit = len(host.history(server.target, patient))
        expect(0 < drained_before_exit < BACKLOG,
               f"the host exited mid-backlog, {drained_before_exit} of {BACKLOG} delivered")

        (reply,) = host.run(server.target, "flush", config={"deadlineMs": 60000})
        response = reply["response"] or {}
        print("  flush ->", reply["code"], json.dumps(response), flush=True)
        expect(reply["code"] == SMP_OK and response.get("pending") == 0
               and response.get("rejected") == 0, "the flush delivered the rest")
        names = host.history(server.target, patient)
        expect(len(names) == BACKLOG and len(set(names)) == BACKLOG,
               f"every queued outcome is on the service exactly once: {len(names)} stored, "
               f"{len(set(names))} distinct, {BACKLOG} queued")


def delivered_by_the_timer(host, server_binary, database, protocol):
    patient = f"p-timer-{os.getpid()}"
    proxy = DelayProxy(0)  # not connected yet: the service is down
    try:
        with Server(server_binary, database) as server:
            config = {"target": proxy.target, "deadlineMs": 1000, "retries": 0,
                      "outboxPath": host.outbox, "outboxRetryMs": 100}
            requests = [json.dumps(outcome_request(patient, protocol, s)) for s in (1, 2, 3)]
            process = subprocess.Popen([host.binary, json.dumps(config), "log", *requests,
                                        "sleep:4000"], stdout=subprocess.PIPE, text=True)
            lines = [process.stdout.readline() for _ in requests]
            codes = [json.loads(line)["code"] if line else None for line in lines]
            expect(codes == [SMP_QUEUED] * 3, f"3 outcomes queued while down ({codes})")
            proxy.connect(server.target)  # the service is back; the host only waits
            came_back = time.monotonic()
            delivered_after = None
            while process.poll() is None:
                if len(host.history(server.target, patient)) == 3:
                    delivered_after = time.monotonic() - came_back
                    break
                time.sleep(0.05)
            process.wait(30)
            expect(delivered_after is not None,
                   "the waiting host's delivery thread delivered all 3 without another call"
                   + (f" ({delivered_after * 1000:.0f} ms after the service came back)"
                      if delivered_after is not None else ""))
            expect(len(host.history(server.target, patient)) == 3, "and exactly once")
    finally:
        proxy.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--host", required=True)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="smp-background-") as scratch:
        database = os.path.join(scratch, "service.db")
        host = Host(options.host, os.path.join(scratch, "outbox.db"))
        with Server(options.server, database) as server:
            (reply,) = host.run(server.target, "recommend", {
                "patientId": "p-background",
                "profile": {"primaryRegion": "SPINE_REGION_LUMBAR",
                            "curvePattern": "CURVE_PATTERN_C_CURVE"}}, outbox=False)
            if reply["code"] != SMP_OK:
                print("recommend failed:", reply["error"])
                return 1
            protocol = reply["response"]["protocol"]
        backlog_off_the_check_in_path(host, options.server, database, protocol)
        delivered_by_the_timer(host, options.server, database, protocol)
    if failures:
        print(f"FAILED: {len(failures)} failure(s)")
        return 1
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
