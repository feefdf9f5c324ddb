#!/usr/bin/python3
"""A slow, then stalled database (issue 20): scoliomassaged talks to
PostgreSQL through a local TCP proxy (test-only, below) that first delays
every chunk, then stops forwarding altogether (the sockets stay open, as
with a hung database host or a network black hole). While it stalls, calls
from 8 clients with 2 s deadlines must end within their deadline (+0.5 s)
with UNAVAILABLE or DEADLINE_EXCEEDED, the server's threads and memory
(/proc/PID/status Threads, VmRSS) must stay bounded, health must answer, and
once the stall clears writes must succeed again without a restart.
Usage: with_postgres.sh postgres_stall_test.py PATH/TO/scoliomassaged [--long]
"""
import os
import select
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from reliability import Checker, Server, Stubs, grpc, history_pb2, log_request  # noqa: E402

check = Checker()


class StallingProxy:
    """127.0.0.1:port -> target. delay: seconds added per chunk; stalled:
    nothing is read or forwarded (the kernel buffers fill, nothing is reset)."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.delay = 0.0
        self.stalled = threading.Event()
        self.closed = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self.pump, args=(client, upstream), daemon=True).start()

    def pump(self, a, b):
        peers = {a: b, b: a}
        try:
            while not self.closed:
                if self.stalled.is_set():
                    time.sleep(0.05)
                    continue
                readable, _, _ = select.select(list(peers), [], [], 0.1)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if self.delay:
                        time.sleep(self.delay)
                    peers[sock].sendall(data)
        except OSError:
            pass
        finally:
            a.close()
            b.close()


def proc_status(pid):
    values = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Threads", "VmRSS"):
                values[key] = int(value.split()[0])
    return values


def call_wave(stubs, seconds, deadline=2.0):
    """8 clients calling for `seconds`; returns (codes, slowest overrun)."""
    codes, overrun, lock = {}, [0.0], threading.Lock()
    stop = time.time() + seconds

    def client(i):
        while time.time() < stop:
            started = time.time()
            try:
                if i % 2:
                    stubs.outcomes.LogOutcome(log_request("stall-p%d" % i), timeout=deadline)
                else:
                    stubs.history.SummarizeOutcomes(history_pb2.SummarizeOutcomesRequest(), timeout=deadline)
                code = "OK"
            except grpc.RpcError as error:
                code = error.code().name
            with lock:
                codes[code] = codes.get(code, 0) + 1
                overrun[0] = max(overrun[0], time.time() - started - deadline)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes, overrun[0]


def main():
    binary = sys.argv[1]
    long_run = "--long" in sys.argv[2:] or os.environ.get("SCOLIOMASSAGE_LONG_TESTS") == "1"
    stall_seconds = 30 if long_run else 6
    proxy = StallingProxy(int(os.environ["PG_TEST_PORT"]))
    url = "postgresql://postgres@127.0.0.1:%d/scoliomassage_test?pool_wait_ms=1000" % proxy.port
    with Server(binary, url) as server:
        stubs = Stubs(grpc.insecure_channel(server.address))
        pid = server.process.pid
        codes, _ = call_wave(stubs, 1.5)
        check(set(codes) == {"OK"}, "healthy database: every call OK (%s)" % codes)
        before = proc_status(pid)

        proxy.delay = 0.05
        codes, overrun = call_wave(stubs, 2)
        print("slow (50 ms per chunk): %s, slowest overrun %.2f s" % (codes, overrun), flush=True)
        check(overrun < 0.5, "slow database: calls end within their deadline")

        proxy.delay = 0.0
        proxy.stalled.set()
        peak = dict(before)
        sampler_stop = threading.Event()

        def sample():
            while not sampler_stop.is_set():
                for key, value in proc_status(pid).items():
                    peak[key] = max(peak[key], value)
                time.sleep(0.2)

        sampler = threading.Thread(target=sample)
        sampler.start()
        codes, overrun = call_wave(stubs, stall_seconds)
        health_ok = stubs.serving(timeout=2)
        sampler_stop.set()
        sampler.join()
        print("stalled %d s: %s, slowest overrun %.2f s" % (stall_seconds, codes, overrun), flush=True)
        check(set(codes) <= {"UNAVAILABLE", "DEADLINE_EXCEEDED", "OK"} and
              codes.get("UNAVAILABLE", 0) + codes.get("DEADLINE_EXCEEDED", 0) > 0,
              "stalled database: calls fail with UNAVAILABLE or DEADLINE_EXCEEDED (%s)" % codes)
        check(overrun < 0.5, "stalled database: every call ends within its deadline (+0.5 s)")
        check(health_ok, "health answers while the database stalls")

        proxy.stalled.clear()
        recovered = False
        deadline = time.time() + 20
        while time.time() < deadline and not recovered:
            try:
                stubs.outcomes.LogOutcome(log_request("stall-after"), timeout=5)
                recovered = True
            except grpc.RpcError:
                time.sleep(0.2)
        check(recovered, "writes succeed once the stall clears")
        codes, _ = call_wave(stubs, 1.5)
        check(set(codes) == {"OK"}, "after the stall: every call OK (%s)" % codes)
        time.sleep(0.5)
        after = proc_status(pid)
        print("Threads before %d, peak %d, after %d; VmRSS before %d kB, peak %d kB, after %d kB" %
              (before["Threads"], peak["Threads"], after["Threads"], before["VmRSS"], peak["VmRSS"],
               after["VmRSS"]), flush=True)
        check(peak["Threads"] <= before["Threads"] + 16, "threads stay bounded while stalled")
        check(after["Threads"] <= before["Threads"] + 4, "threads back after the stall")
        check(peak["VmRSS"] - before["VmRSS"] < 64 * 1024, "memory stays bounded while stalled")
    proxy.closed = True
    proxy.listener.close()
    return check.exit_code("postgres_stall")


if __name__ == "__main__":
    sys.exit(main())
