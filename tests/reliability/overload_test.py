#!/usr/bin/python3
"""Overload: concurrent work is bounded and the excess is refused quickly.

The server runs with --worker_threads=2 --max_queued_calls=4. Three waves of
600 concurrent calls each (SummarizeOutcomes, ListOutcomes, LogOutcome,
RecommendProtocol, QueryHistory; 30 s deadline) are fired at once while a
separate thread checks health every 50 ms. Checks:
  - some calls get RESOURCE_EXHAUSTED (reason OVERLOADED), and they get it
    fast: the slowest refusal is well under the deadline;
  - every call ends OK or RESOURCE_EXHAUSTED, nothing else;
  - every health check during the flood is answered SERVING;
  - after each wave, sequential calls all succeed again;
  - the server's thread count and RSS (/proc/PID/status) stay bounded, and do
    not grow from wave to wave.

Usage: overload_test.py PATH/TO/scoliomassaged
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reliability import (Checker, Server, Stubs, error_reason, fill_store, grpc,  # noqa: E402
                         history_pb2, log_request, outcome_pb2, proc_status, recommend_request)

WAVE = 600
WAVES = 3
DEADLINE_S = 30


def main():
    binary = sys.argv[1]
    check = Checker()
    server = Server(binary, extra_args=["--worker_threads=2", "--max_queued_calls=4", "--log_level=error"])
    server.start()
    pid = server.process.pid
    try:
        with grpc.insecure_channel(server.address) as channel, \
                grpc.insecure_channel(server.address, options=[("grpc.use_local_subchannel_pool", 1)]) as health_channel:
            stubs = Stubs(channel)
            health_stubs = Stubs(health_channel)
            # Enough history that a summary or a history stream takes real work.
            fill_store(stubs, 1500, patient="load-p", parallel=4)  # within the small bound
            check(stubs.serving(), "SERVING before the flood")
            threads0, rss0 = proc_status(pid)
            print("before: %d threads, RSS %d KiB" % (threads0, rss0), flush=True)

            peaks = []
            for wave in range(WAVES):
                results = []
                lock = threading.Lock()
                health_answers = []
                samples = []
                stop = threading.Event()

                def health_loop():
                    while not stop.is_set():
                        begin = time.time()
                        try:
                            ok = health_stubs.serving(timeout=2)
                            health_answers.append((ok, time.time() - begin))
                        except grpc.RpcError as error:
                            health_answers.append((False, error.code().name))
                        samples.append(proc_status(pid))
                        time.sleep(0.05)

                watcher = threading.Thread(target=health_loop)
                watcher.start()

                def done(future, begin, kind):
                    elapsed = time.time() - begin
                    try:
                        result = future.result()
                        if kind == "history":
                            # A stream: drain it to learn how it ended.
                            for _ in result:
                                pass
                        code, reason = grpc.StatusCode.OK, None
                    except grpc.RpcError as error:
                        code, reason = error.code(), error_reason(error)
                    with lock:
                        results.append((kind, code, reason, elapsed))

                def done_stream(stream, begin):
                    try:
                        for _ in stream:
                            pass
                        code, reason = grpc.StatusCode.OK, None
                    except grpc.RpcError as error:
                        code, reason = error.code(), error_reason(error)
                    with lock:
                        results.append(("history", code, reason, time.time() - begin))

                futures = []
                begin_wave = time.time()
                for i in range(WAVE):
                    kind = ("summary", "list", "log", "recommend", "history")[i % 5]
                    begin = time.time()
                    if kind == "summary":
                        future = stubs.history.SummarizeOutcomes.future(
                            history_pb2.SummarizeOutcomesRequest(group_by=[1, 3, 5]), timeout=DEADLINE_S)
                    elif kind == "list":
                        future = stubs.outcomes.ListOutcomes.future(outcome_pb2.ListOutcomesRequest(
                            filter=outcome_pb2.HistoryFilter(patient_id="load-p"), page_size=100), timeout=DEADLINE_S)
                    elif kind == "log":
                        future = stubs.outcomes.LogOutcome.future(log_request("load-q"), timeout=DEADLINE_S)
                    elif kind == "recommend":
                        future = stubs.protocols.RecommendProtocol.future(recommend_request("load-r"),
                                                                          timeout=DEADLINE_S)
                    else:
                        future = None
                    if future is not None:
                        future.add_done_callback(lambda f, b=begin, k=kind: done(f, b, k))
                        futures.append(future)
                    else:
                        stream = stubs.history.QueryHistory(history_pb2.QueryHistoryRequest(
                            filter=outcome_pb2.HistoryFilter(patient_id="load-p")), timeout=DEADLINE_S)
                        t = threading.Thread(target=lambda s=stream, b=begin: done_stream(s, b))
                        t.start()
                        futures.append(t)

                while True:
                    with lock:
                        if len(results) >= WAVE:
                            break
                    if time.time() - begin_wave > DEADLINE_S + 30:
                        break
                    time.sleep(0.05)
                stop.set()
                watcher.join()
                wave_seconds = time.time() - begin_wave

                codes = {}
                for kind, code, reason, elapsed in results:
                    codes[code.name] = codes.get(code.name, 0) + 1
                refused = [r for r in results if r[1] == grpc.StatusCode.RESOURCE_EXHAUSTED]
                slowest_refusal = max((r[3] for r in refused), default=0)
                threads_peak = max((s[0] for s in samples), default=0)
                rss_peak = max((s[1] for s in samples), default=0)
                peaks.append((threads_peak, rss_peak))
                health_ok = sum(1 for ok, _ in health_answers if ok)
                health_slowest = max((t for ok, t in health_answers if ok), default=0)
                print("wave %d: %d calls in %.1f s: %s; slowest refusal %.3f s; health %d/%d SERVING "
                      "(slowest %.3f s); peak %d threads, RSS %d KiB" % (
                          wave + 1, len(results), wave_seconds, codes, slowest_refusal, health_ok,
                          len(health_answers), health_slowest, threads_peak, rss_peak), flush=True)

                check(len(results) == WAVE, "wave %d: every call ended (%d of %d)" % (wave + 1, len(results), WAVE))
                check(len(refused) > 0, "wave %d: some calls were refused with RESOURCE_EXHAUSTED" % (wave + 1))
                check(set(codes) <= {"OK", "RESOURCE_EXHAUSTED"},
                      "wave %d: only OK or RESOURCE_EXHAUSTED, got %s" % (wave + 1, codes))
                check(codes.get("OK", 0) > 0, "wave %d: some calls still succeed under load" % (wave + 1))
                check(all(r[2] == "OVERLOADED" for r in refused),
                      "wave %d: refusals carry reason OVERLOADED (%s)" % (wave + 1, {r[2] for r in refused}))
                check(slowest_refusal < 5.0,
                      "wave %d: refusals are quick (slowest %.2f s, deadline %d s)" % (
                          wave + 1, slowest_refusal, DEADLINE_S))
                check(len(health_answers) > 0 and health_ok == len(health_answers),
                      "wave %d: every health check answered SERVING (%d/%d: %s)" % (
                          wave + 1, health_ok, len(health_answers),
                          [a for a in health_answers if not a[0]][:3]))
                check(health_slowest < 2.0, "wave %d: health answered within 2 s" % (wave + 1))

                # Recovered: calls one at a time all succeed.
                for i in range(20):
                    try:
                        stubs.outcomes.LogOutcome(log_request("load-after"), timeout=10)
                        stubs.history.SummarizeOutcomes(history_pb2.SummarizeOutcomesRequest(group_by=[1]),
                                                        timeout=10)
                    except grpc.RpcError as error:
                        check(False, "wave %d: after the flood call %d failed: %s" % (wave + 1, i, error.code()))
                        break
                check(stubs.serving(), "wave %d: SERVING after the flood" % (wave + 1))

            threads1, rss1 = proc_status(pid)
            print("after: %d threads, RSS %d KiB" % (threads1, rss1), flush=True)
            worst_threads = max(p[0] for p in peaks)
            check(worst_threads <= threads0 + 16,
                  "thread count bounded under flood: %d before, peak %d" % (threads0, worst_threads))
            check(max(p[1] for p in peaks) < rss0 + 200 * 1024,
                  "RSS bounded under flood: %d KiB before, peak %d KiB" % (rss0, max(p[1] for p in peaks)))
            check(peaks[-1][1] < peaks[0][1] + 32 * 1024,
                  "RSS does not grow wave to wave: %s" % [p[1] for p in peaks])
        code = server.stop()
        check(code == 0, "SIGTERM exit code 0 (got %s)" % code)
    finally:
        server.cleanup(show_log=check.failures)
    return check.exit_code("overload")


if __name__ == "__main__":
    sys.exit(main())
