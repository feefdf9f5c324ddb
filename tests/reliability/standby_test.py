#!/usr/bin/python3
"""Analytics on a PostgreSQL hot standby (issue 20), with a real primary and a
real streaming standby on loopback (run by with_postgres.sh --standby):

1. streams: 3000 outcomes stored, then history streamed through the standby
   while four writers go on logging, each stream resumed from the last token
   of the one before; at the end the records streamed equal the primary's,
   none twice. A token from a standby stream resumes on a primary-only
   server. The standby really served (its table scan counters rose).
2. fallback: standby stopped -> analytics through a fallback=primary server
   still answer, through a fallback=unavailable one fail UNAVAILABLE
   (ANALYTICS_STANDBY_UNAVAILABLE) and its HistoryService health goes
   NOT_SERVING; writes answer on both. Replay paused past the lag bound ->
   ANALYTICS_STANDBY_LAGGING, and a stream that outruns the paused standby
   still returns the newest record (it waited, then read the primary).
3. failover: synchronous replication on, writers running, the standby
   promoted and the old primary SIGKILLed; a new server on the promoted
   standby has every acknowledged outcome, retries of the unanswered ones
   store each once, and a full stream has no record twice.
Usage: with_postgres.sh --standby --synchronous-commit standby_test.py PATH/TO/scoliomassaged [--long]
"""
import os
import subprocess
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import postgres_support  # noqa: E402
import testlib  # noqa: E402
from reliability import (Checker, Server, Stubs, error_reason, grpc, health_pb2,  # noqa: E402
                         history_pb2, log_request)

CLINIC = "dev"
LONG = False
check = Checker()


def pg(helper):
    subprocess.run(["bash", "-c", "source %s/../support/postgres.sh; %s" % (HERE, helper)], check=True,
                   timeout=120)


def sql(url, query):
    return postgres_support.run_sql(url, query)


def stream(stubs, token="", limit=None, timeout=60):
    """(names, last token, error code or None)."""
    names = []
    try:
        for record in stubs.history.QueryHistory(history_pb2.QueryHistoryRequest(resume_token=token),
                                                 timeout=timeout):
            names.append(record.outcome.name)
            token = record.resume_token
            if limit is not None and len(names) >= limit:
                break
    except grpc.RpcError as error:
        return names, token, error
    return names, token, None


def primary_names(url):
    rows = sql(url, "SELECT 'outcomes/' || outcome_id FROM outcome_latest WHERE clinic_id = '%s'" % CLINIC)
    return set(filter(None, rows.split("\n")))


class Writers:
    """Threads logging outcomes, each retrying its request_id until acknowledged
    or stopped. acked: request_id -> name; pending: request_ids never answered."""

    def __init__(self, stubs, threads=4, timeout=3):
        self.stubs, self.timeout = stubs, timeout
        self.acked, self.pending, self.lock = {}, set(), threading.Lock()
        self.requests = {}  # request_id -> the request, sent again unchanged on a retry
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(threads)]

    def run(self, index):
        while not self.stop.is_set():
            request_id = str(uuid.uuid4())
            request = log_request("sb-p%d" % index, request_id)
            with self.lock:
                self.pending.add(request_id)
                self.requests[request_id] = request
            while not self.stop.is_set():
                try:
                    reply = self.stubs.outcomes.LogOutcome(request, timeout=self.timeout)
                    with self.lock:
                        self.acked[request_id] = reply.name
                        self.pending.discard(request_id)
                    break
                except grpc.RpcError:
                    time.sleep(0.05)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def standby_scans(url):
    return int(sql(url, "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0) "
                        "FROM pg_stat_user_tables") or 0)


def health(stubs, service):
    try:
        return stubs.health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status
    except grpc.RpcError:
        return None


def standby_metrics(server):
    """The scoliomassage_analytics_standby_* gauges of GET /metrics (dev mode, loopback)."""
    _, _, body = testlib.http_get(server.http_port(), "/metrics")
    body = body.decode()
    gauges = {}
    for line in body.splitlines():
        if line.startswith("scoliomassage_analytics_standby_"):
            name, value = line.split()
            gauges[name] = float(value)
    return gauges


def wait_until(condition, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def summarize(stubs):
    try:
        stubs.history.SummarizeOutcomes(history_pb2.SummarizeOutcomesRequest(), timeout=10)
        return None
    except grpc.RpcError as error:
        return error


def phase_streams(binary, primary, standby, seeded):
    with Server(binary, primary, ["--analytics_database=" + standby, "--analytics_max_lag=5s"]) as a, \
            Server(binary, primary) as p:
        sa = Stubs(grpc.insecure_channel(a.address))
        sp = Stubs(grpc.insecure_channel(p.address))
        with Writers(sp, threads=8) as seed:
            wait_until(lambda: len(seed.acked) >= seeded, 120)
        print("seeded %d outcomes" % len(seed.acked), flush=True)
        scans_before = standby_scans(standby)

        # A token from a standby stream resumes on a primary-only server.
        first, token, error = stream(sa, limit=seeded // 2)
        rest, _, error2 = stream(sp, token)
        check(error is None and error2 is None, "half through the standby, the rest through the primary")
        both = first + rest
        check(len(both) == len(set(both)) and set(both) == primary_names(primary),
              "standby token resumed on the primary: %d records, %d distinct, %d stored" %
              (len(both), len(set(both)), len(primary_names(primary))))

        # Follow the history through the standby while writes go on.
        seen, token, streams, errors = [], "", 0, 0
        with Writers(sp, threads=4) as writers:
            deadline = time.time() + (30 if LONG else 5)
            while time.time() < deadline:
                names, token, error = stream(sa, token)
                seen += names
                streams += 1
                errors += error is not None
        for _ in range(20):  # the tail, once writes stopped
            names, token, error = stream(sa, token)
            seen += names
            if not names and error is None:
                break
        stored = primary_names(primary)
        missing = stored - set(seen)
        print("followed: %d streams, %d records, %d stored, %d written meanwhile, %d errors" %
              (streams, len(seen), len(stored), len(writers.acked), errors), flush=True)
        check(errors == 0, "no stream failed")
        check(len(seen) == len(set(seen)), "no record streamed twice (%d vs %d)" % (len(seen), len(set(seen))))
        check(not missing, "no stored record skipped (%d missing)" % len(missing))
        check(set(writers.acked.values()) <= set(seen), "every acknowledged outcome streamed")
        time.sleep(1.2)  # table counters are flushed within a second
        check(standby_scans(standby) > scans_before, "the standby served the analytics reads")


def phase_fallback(binary, primary, standby):
    base = ["--analytics_database=" + standby]
    with Server(binary, primary, base + ["--analytics_max_lag=3s"]) as a, \
            Server(binary, primary, base + ["--analytics_max_lag=1s", "--analytics_fallback=unavailable",
                                            "--http_listen=127.0.0.1:0"]) as b:
        sa = Stubs(grpc.insecure_channel(a.address))
        sb = Stubs(grpc.insecure_channel(b.address))
        check(summarize(sa) is None and summarize(sb) is None, "both answer with the standby up")
        check(wait_until(lambda: standby_metrics(b).get("scoliomassage_analytics_standby_usable") == 1.0, 5),
              "metrics: the standby is usable (%s)" % standby_metrics(b))

        pg("postgres_pause_standby")
        error = summarize(sa)
        check(error is None, "standby down, fallback=primary: Summarize answered from the primary")
        names, _, error = stream(sa)
        check(error is None and set(names) == primary_names(primary),
              "standby down, fallback=primary: the full history streamed")
        error = summarize(sb)
        check(error is not None and error.code() == grpc.StatusCode.UNAVAILABLE and
              error_reason(error) == "ANALYTICS_STANDBY_UNAVAILABLE",
              "standby down, fallback=unavailable: UNAVAILABLE ANALYTICS_STANDBY_UNAVAILABLE (%s)" %
              str(error and (error.code(), error_reason(error))))
        _, _, error = stream(sb)
        check(error is not None and error.code() == grpc.StatusCode.UNAVAILABLE,
              "standby down, fallback=unavailable: QueryHistory UNAVAILABLE")
        for stubs, name in ((sa, "a"), (sb, "b")):
            try:
                stubs.outcomes.LogOutcome(log_request("sb-fallback"), timeout=10)
                check(True, "writes answer with the standby down (%s)" % name)
            except grpc.RpcError as failure:
                check(False, "write failed with the standby down (%s): %s" % (name, failure))
        check(wait_until(lambda: health(sb, "scoliomassage.v1.HistoryService") ==
                         health_pb2.HealthCheckResponse.NOT_SERVING, 5),
              "fallback=unavailable: HistoryService health NOT_SERVING while the standby is down")
        check(wait_until(lambda: standby_metrics(b).get("scoliomassage_analytics_standby_usable") == 0.0, 5),
              "metrics: the standby is not usable while down (%s)" % standby_metrics(b))
        check(health(sa, "scoliomassage.v1.HistoryService") == health_pb2.HealthCheckResponse.SERVING and
              health(sb, "") == health_pb2.HealthCheckResponse.SERVING,
              "overall health and fallback=primary stay SERVING")

        pg("postgres_resume_standby")
        check(wait_until(lambda: summarize(sb) is None, 15), "standby back: analytics answer again")
        check(wait_until(lambda: health(sb, "scoliomassage.v1.HistoryService") ==
                         health_pb2.HealthCheckResponse.SERVING, 5), "standby back: HistoryService SERVING")

        # Replay paused: the standby falls behind while writes go on.
        sql(standby, "SELECT pg_wal_replay_pause()")
        newest = sa.outcomes.LogOutcome(log_request("sb-lag"), timeout=10).name
        started = time.time()
        names, _, error = stream(sa)
        check(error is None and newest in names,
              "a stream that outran the paused standby still has the newest record (%.1f s)" %
              (time.time() - started))
        sa.outcomes.LogOutcome(log_request("sb-lag"), timeout=10)
        time.sleep(2.5)
        sa.outcomes.LogOutcome(log_request("sb-lag"), timeout=10)
        error = summarize(sb)
        check(error is not None and error_reason(error) == "ANALYTICS_STANDBY_LAGGING",
              "lag past the bound, fallback=unavailable: ANALYTICS_STANDBY_LAGGING (%s)" %
              str(error and (error.code(), error_reason(error))))
        check(summarize(sa) is None, "lag past the bound, fallback=primary: answered")
        lagging = standby_metrics(b)
        check(lagging.get("scoliomassage_analytics_standby_lag_bytes", 0) > 0 and
              lagging.get("scoliomassage_analytics_standby_lag_seconds", 0) > 1,
              "metrics: the lag in bytes and seconds while replay is paused (%s)" % lagging)
        sql(standby, "SELECT pg_wal_replay_resume()")
        check(wait_until(lambda: summarize(sb) is None, 15), "replay resumed: analytics answer again")
        log = b.log()
        check("analytics standby not usable" in log and "lag_bytes" in log, "the lag is logged")


def phase_failover(binary, primary, standby):
    sql(primary, "ALTER SYSTEM SET synchronous_standby_names = '*'")
    sql(primary, "ALTER SYSTEM SET synchronous_commit = 'on'")
    sql(primary, "SELECT pg_reload_conf()")
    check(wait_until(lambda: sql(primary, "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")
                     == "1", 15), "the standby is synchronous")
    before = primary_names(primary)
    with Server(binary, primary, ["--analytics_database=" + standby]) as a:
        sa = Stubs(grpc.insecure_channel(a.address))
        with Writers(sa, threads=4, timeout=2) as writers:
            time.sleep(2)
            pg("postgres_promote_standby")
            time.sleep(1)
        pg("postgres_kill")  # fence the old primary
    acked, pending = writers.acked, writers.pending
    print("failover: %d acknowledged, %d unanswered" % (len(acked), len(pending)), flush=True)
    with Server(binary, standby) as c:
        sc = Stubs(grpc.insecure_channel(c.address))
        stored = primary_names(standby)
        lost = [rid for rid, name in acked.items() if name not in stored]
        check(before <= stored, "everything stored before the writers ran survived")
        check(not lost, "no acknowledged outcome lost in the failover (%d lost)" % len(lost))
        for request_id in pending:
            sc.outcomes.LogOutcome(writers.requests[request_id], timeout=10)
        keys = sql(standby, "SELECT count(*) || '/' || count(DISTINCT outcome_id) FROM idempotency_keys "
                            "WHERE clinic_id = '%s' AND operation = 'LogOutcome'" % CLINIC)
        outcomes = len(primary_names(standby))
        check(keys == "%d/%d" % (outcomes, outcomes), "one outcome per request_id (%s keys, %d outcomes)" %
              (keys, outcomes))
        names, _, error = stream(sc)
        check(error is None and len(names) == len(set(names)) == outcomes,
              "the promoted standby streams every record once (%d)" % len(names))
        # A retry of an acknowledged request returns the same outcome.
        if acked:
            request_id, name = next(iter(acked.items()))
            again = sc.outcomes.LogOutcome(writers.requests[request_id], timeout=10)
            check(again.name == name, "a retry after the failover replays the first answer")


def main():
    binary = sys.argv[1]
    long_run = "--long" in sys.argv[2:] or os.environ.get("SCOLIOMASSAGE_LONG_TESTS") == "1"
    primary = os.environ["SCOLIOMASSAGE_TEST_POSTGRES_URL"]
    standby = os.environ["SCOLIOMASSAGE_TEST_STANDBY_URL"]
    global LONG
    LONG = long_run
    started = time.time()
    phase_streams(binary, primary, standby, 20000 if long_run else 3000)
    print("streams: %.1f s" % (time.time() - started), flush=True)
    phase_fallback(binary, primary, standby)
    print("fallback: %.1f s" % (time.time() - started), flush=True)
    phase_failover(binary, primary, standby)
    print("failover: %.1f s" % (time.time() - started), flush=True)
    return check.exit_code("standby")


if __name__ == "__main__":
    sys.exit(main())
