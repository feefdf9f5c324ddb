#!/usr/bin/python3
"""PostgreSQL killed (issue 20): two scoliomassaged instances log concurrently
to one PostgreSQL (synchronous_commit=on) while the postmaster and every
backend are SIGKILLed and PostgreSQL is restarted (crash recovery). Clients
retry each request with the same request_id, alternating instances, as the
plugin and the CLI do. At the end: acknowledged = stored, lost 0,
duplicated 0, and both instances serve again without a restart.
Usage: with_postgres.sh --synchronous-commit postgres_kill_test.py PATH/TO/scoliomassaged [--long]
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
from reliability import Checker, Server, Stubs, grpc, log_request  # noqa: E402

check = Checker()


def pg(helper):
    subprocess.run(["bash", "-c", "source %s/../support/postgres.sh; %s" % (HERE, helper)], check=True,
                   timeout=120)


class Clients:
    def __init__(self, stubs, threads):
        self.stubs = stubs
        self.acked, self.requests, self.lock = {}, {}, threading.Lock()
        self.attempts = 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(threads)]

    def send(self, request_id, turn):
        stub = self.stubs[turn % len(self.stubs)]
        with self.lock:
            self.attempts += 1
        reply = stub.outcomes.LogOutcome(self.requests[request_id], timeout=3)
        with self.lock:
            first = self.acked.setdefault(request_id, reply.name)
        check(first == reply.name, "a retry of %s answered with another outcome" % request_id)

    def run(self, index):
        turn = index
        while not self.stop.is_set():
            request_id = str(uuid.uuid4())
            with self.lock:
                self.requests[request_id] = log_request("kill-p%d" % index, request_id)
            while not self.stop.is_set():
                turn += 1
                try:
                    self.send(request_id, turn)
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


def main():
    binary = sys.argv[1]
    long_run = "--long" in sys.argv[2:] or os.environ.get("SCOLIOMASSAGE_LONG_TESTS") == "1"
    kills = 10 if long_run else 2
    url = os.environ["SCOLIOMASSAGE_TEST_POSTGRES_URL"]
    with Server(binary, url) as a, Server(binary, url) as b:
        stubs = [Stubs(grpc.insecure_channel(s.address)) for s in (a, b)]
        with Clients(stubs, threads=8) as clients:
            for kill in range(kills):
                time.sleep(1.5)
                before = len(clients.acked)
                pg("postgres_kill")
                time.sleep(0.5)
                pg("postgres_restart_after_kill")
                print("kill %d: %d acknowledged before it" % (kill + 1, before), flush=True)
            time.sleep(1.5)
        # Every request ever sent is retried until acknowledged (the host's
        # outbox does the same), so acknowledged must end equal to sent.
        deadline = time.time() + 60
        for turn, request_id in enumerate(list(clients.requests)):
            while request_id not in clients.acked and time.time() < deadline:
                try:
                    clients.send(request_id, turn)
                except grpc.RpcError:
                    time.sleep(0.1)
        sent = len(clients.requests)
        acknowledged = len(clients.acked)
        rows = postgres_support.run_sql(
            url, "SELECT 'outcomes/' || outcome_id FROM outcome_latest WHERE clinic_id = 'dev' "
                 "AND patient_id LIKE 'kill-%'").split("\n")
        stored = [row for row in rows if row]
        keys = int(postgres_support.run_sql(
            url, "SELECT count(*) FROM idempotency_keys WHERE clinic_id = 'dev' AND operation = 'LogOutcome'"))
        lost = [n for n in clients.acked.values() if n not in set(stored)]
        duplicated = len(stored) - len(set(clients.acked.values()))
        print("kills %d, attempts %d, sent %d, acknowledged %d, stored %d, idempotency keys %d, lost %d, "
              "duplicated %d" % (kills, clients.attempts, sent, acknowledged, len(stored), keys, len(lost),
                                 duplicated), flush=True)
        check(acknowledged == sent, "every request acknowledged in the end (%d of %d)" % (acknowledged, sent))
        check(not lost, "lost 0 (%d)" % len(lost))
        check(duplicated == 0 and len(stored) == len(set(stored)) == keys, "duplicated 0")
        check(a.process.poll() is None and b.process.poll() is None, "both instances kept running")
        check(all(s.serving() for s in stubs), "both instances serve after the restarts")
    return check.exit_code("postgres_kill")


if __name__ == "__main__":
    sys.exit(main())
