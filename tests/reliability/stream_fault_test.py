#!/usr/bin/python3
"""Faults on the QueryHistory stream: clients that cancel mid-stream, and slow
consumers over a large history.

  cancel:  many streams cancelled after 0..300 records (and right after the
           call starts); then health is SERVING, unary calls work, a resume
           from the last token received continues exactly after it, and a full
           stream still returns every record.
  slow:    4 streams each read one record every 50 ms for about 10 s (after
           skipping 0, 150, 300, 450 records, so page fetches happen mid-way) over a
           history of a few thousand outcomes, while other calls go on; the
           server's RSS stays flat (a stream holds one page, never the whole
           history), other calls keep low latency, and thread count stays
           bounded.

Usage: stream_fault_test.py PATH/TO/scoliomassaged [--slow-seconds=N]
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reliability import (Checker, Server, Stubs, fill_store, grpc, history_pb2,  # noqa: E402
                         log_request, outcome_pb2, proc_status)

HISTORY_SIZE = 3000


def main():
    binary = sys.argv[1]
    slow_seconds = 10.0
    for arg in sys.argv[2:]:
        if arg.startswith("--slow-seconds="):
            slow_seconds = float(arg.split("=", 1)[1])
    check = Checker()
    server = Server(binary, extra_args=["--log_level=error"])
    server.start()
    pid = server.process.pid
    try:
        with grpc.insecure_channel(server.address) as channel:
            stubs = Stubs(channel)
            started = time.time()
            # ~1 KiB of notes each, so the history is a few MiB: a server that
            # buffered whole streams would show it in RSS.
            fill_store(stubs, HISTORY_SIZE, patient="stream-p", notes="relaxed " * 128)
            print("stored %d outcomes in %.1f s" % (HISTORY_SIZE, time.time() - started), flush=True)
            request = history_pb2.QueryHistoryRequest(filter=outcome_pb2.HistoryFilter(patient_id="stream-p"))

            # ---- cancel mid-stream ------------------------------------------
            cancelled = 0
            for i, stop_after in enumerate([0, 1, 5, 255, 256, 257, 300, 2, 100, 0] * 3):
                stream = stubs.history.QueryHistory(request, timeout=60)
                last_token = None
                seen = 0
                try:
                    for record in stream:
                        if seen == stop_after:
                            break
                        seen += 1
                        last_token = record.resume_token
                except grpc.RpcError as error:
                    check(False, "stream %d failed before the cancel: %s" % (i, error))
                stream.cancel()
                cancelled += 1
                if last_token and i % 5 == 0:
                    # Resuming after a cancel continues right after the last record.
                    resumed = stubs.history.QueryHistory(history_pb2.QueryHistoryRequest(
                        filter=request.filter, resume_token=last_token), timeout=60)
                    rest = sum(1 for _ in resumed)
                    check(rest == HISTORY_SIZE - seen,
                          "resume after %d records returns the other %d (got %d)" % (seen, HISTORY_SIZE - seen, rest))
            check(stubs.serving(), "health SERVING after %d cancelled streams" % cancelled)
            check(stubs.outcomes.LogOutcome(log_request("stream-q"), timeout=10).name != "",
                  "LogOutcome works after the cancels")
            full = sum(1 for _ in stubs.history.QueryHistory(request, timeout=60))
            check(full == HISTORY_SIZE, "a full stream after the cancels returns %d records (got %d)"
                  % (HISTORY_SIZE, full))
            print("cancelled %d streams mid-way; server fine" % cancelled, flush=True)

            # ---- slow consumers ---------------------------------------------
            threads0, rss0 = proc_status(pid)
            samples = []
            latencies = []
            errors = []
            stop = threading.Event()
            received = [0] * 4

            def slow_reader(index):
                stream = stubs.history.QueryHistory(request, timeout=slow_seconds + 60)
                # Reader i first takes 150*i records at full speed, so the
                # slow part crosses the server's 256-record page boundary.
                fast = 150 * index
                deadline = None
                try:
                    for _ in stream:
                        received[index] += 1
                        if received[index] <= fast:
                            continue
                        if deadline is None:
                            deadline = time.time() + slow_seconds
                        if time.time() > deadline:
                            break
                        time.sleep(0.05)
                except grpc.RpcError as error:
                    errors.append("slow reader %d: %s" % (index, error.code().name))
                stream.cancel()

            def other_calls():
                n = 0
                while not stop.is_set():
                    begin = time.time()
                    try:
                        if n % 3 == 0:
                            stubs.serving(timeout=5)
                        elif n % 3 == 1:
                            stubs.outcomes.ListOutcomes(outcome_pb2.ListOutcomesRequest(
                                filter=outcome_pb2.HistoryFilter(patient_id="stream-p"), page_size=20), timeout=5)
                        else:
                            stubs.outcomes.LogOutcome(log_request("stream-other"), timeout=5)
                        latencies.append(time.time() - begin)
                    except grpc.RpcError as error:
                        errors.append("other call: %s %s" % (error.code().name, error.details()))
                    n += 1
                    time.sleep(0.05)

            readers = [threading.Thread(target=slow_reader, args=(i,)) for i in range(4)]
            other = threading.Thread(target=other_calls)
            for t in readers:
                t.start()
            other.start()
            while any(t.is_alive() for t in readers):
                samples.append(proc_status(pid))
                time.sleep(0.5)
            stop.set()
            for t in readers:
                t.join()
            other.join()
            threads_max = max(s[0] for s in samples)
            rss_max = max(s[1] for s in samples)
            rss_first = samples[min(2, len(samples) - 1)][1]
            latencies.sort()
            p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else None
            print("slow consumers: received %s records in %.0f s each; RSS %d -> max %d KiB; threads %d -> max %d; "
                  "%d other calls, p99 %.1f ms" % (received, slow_seconds, rss0, rss_max, threads0, threads_max,
                                                   len(latencies), (p99 or 0) * 1000), flush=True)
            check(not errors, "no errors during slow consumption: %s" % errors[:5])
            check(all(r >= 150 * i + slow_seconds / 0.05 * 0.5 for i, r in enumerate(received)),
                  "each slow reader kept receiving (%s)" % received)
            # Flat: growth after the first second stays within a few MiB, far
            # below the history's size (~%d MiB).
            check(rss_max - rss_first < 16 * 1024,
                  "RSS flat under slow consumers: %d -> %d KiB" % (rss_first, rss_max))
            check(threads_max <= threads0 + 8, "threads bounded: %d -> %d" % (threads0, threads_max))
            check(len(latencies) >= slow_seconds * 5, "other calls were served (%d)" % len(latencies))
            check(p99 is not None and p99 < 1.0, "other calls p99 under 1 s while streams are slow (%s)" % p99)
            check(stubs.serving(), "health SERVING at the end")
        code = server.stop()
        check(code == 0, "SIGTERM exit code 0 (got %s)" % code)
    finally:
        server.cleanup(show_log=check.failures)
    return check.exit_code("stream_fault")


if __name__ == "__main__":
    sys.exit(main())
