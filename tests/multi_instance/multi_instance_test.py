#!/usr/bin/python3
"""Two scoliomassaged replicas on one PostgreSQL (issue 6), checked by an
independent Python client:
- both start at the same moment on an empty database (the migration runs
  once, under the advisory lock);
- 50 concurrent LogOutcome retries with one request_id, spread over both
  replicas, store exactly one outcome and all get its name back;
- concurrent amendments of one outcome through both replicas get distinct,
  gap-free revision numbers;
- history (every page, every revision) and summaries read through either
  replica agree, and with what was logged;
- SIGKILL of one replica under concurrent load loses no acknowledged outcome
  (read back through the other).
Usage: multi_instance_test.py PATH/TO/scoliomassaged
Skips (exit 77, which CTest reports as skipped) only when SCOLIOMASSAGE_TEST_POSTGRES_URL is unset.
"""
import glob
import os
import random
import signal
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
MIGRATIONS = os.path.join(HERE, "..", "..", "service", "storage", "migrations", "postgresql")
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)
import postgres_support  # noqa: E402
import testlib  # noqa: E402

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)
    else:
        print("ok:", message)


def main():
    if not postgres_support.base_url():
        print("SKIP: SCOLIOMASSAGE_TEST_POSTGRES_URL is not set (source tests/support/postgres.sh)")
        return 77  # CTest's SKIP_RETURN_CODE
    binary = sys.argv[1]
    testlib.stubs()
    import grpc  # noqa: F401
    import scenarios

    with postgres_support.Database("scoliomassage_multi") as database:
        replicas = [testlib.Server(binary, database=database.url) for _ in range(2)]
        try:
            start_together(replicas)
            rows = postgres_support.run_sql(
                database.url, "SELECT count(*) || '/' || count(DISTINCT version) FROM schema_migrations")
            expected = len(glob.glob(os.path.join(MIGRATIONS, "*.sql")))
            check(rows == "%d/%d" % (expected, expected),
                  "each of the %d migrations ran exactly once for two replicas (rows/versions: %s)"
                  % (expected, rows))
            scenarios.same_request_id_on_both_replicas(replicas, check)
            scenarios.concurrent_amendments_on_both_replicas(replicas, check)
            scenarios.reads_agree_across_replicas(replicas, check, random.Random(11))
            scenarios.kill_one_replica_under_load(replicas, check)
        finally:
            if failures:
                for replica in replicas:
                    print("--- replica log ---")
                    print(replica.log()[-3000:])
            for replica in replicas:
                replica.cleanup()
    print("multi_instance_test: %s" % ("ok" if not failures else "%d failure(s)" % len(failures)))
    return 1 if failures else 0


def start_together(replicas):
    errors = []

    def start(replica):
        try:
            replica.start()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=start, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError("a replica did not start: %s" % errors)


if __name__ == "__main__":
    sys.exit(main())
