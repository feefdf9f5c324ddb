#!/usr/bin/python3
"""The real scoliomassaged binary as a process, checked by an independent
Python client (Debian's python3-grpcio):
- health reports SERVING;
- reflection lists all three API services;
- SIGTERM with calls in flight: every call either completes or is refused
  cleanly, the process exits 0, and every acknowledged outcome is there after
  a restart.
Usage: process_test.py PATH/TO/scoliomassaged
"""
import os
import signal
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import testlib  # noqa: E402

testlib.stubs()
import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from stdgrpc.health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from stdgrpc.reflection.v1alpha import reflection_pb2, reflection_pb2_grpc  # noqa: E402
from scoliomassage.v1 import outcome_pb2, outcome_pb2_grpc  # noqa: E402

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def outcome_request(patient):
    return json_format.ParseDict({
        "requestId": str(uuid.uuid4()),
        "outcome": {
            "patientId": patient, "therapistId": "t-1", "protocolId": "thoracic-c-curve",
            "sessionNumber": 1, "minutes": 15, "painBefore": 6, "painAfter": 4,
            "performedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 120)),
        },
    }, outcome_pb2.LogOutcomeRequest())


def count_outcomes(address, patient):
    with grpc.insecure_channel(address) as channel:
        stub = outcome_pb2_grpc.OutcomeServiceStub(channel)
        total, token = 0, ""
        while True:
            page = stub.ListOutcomes(outcome_pb2.ListOutcomesRequest(
                filter=outcome_pb2.HistoryFilter(patient_id=patient), page_size=100, page_token=token), timeout=10)
            total += len(page.outcomes)
            token = page.next_page_token
            if not token:
                return total


def main():
    binary = sys.argv[1]
    server = testlib.Server(binary)
    server.start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            response = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
            check(response.status == health_pb2.HealthCheckResponse.SERVING, "health is SERVING")

            reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
            replies = list(reflection.ServerReflectionInfo(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5))
            names = {s.name for s in replies[0].list_services_response.service}
            for service in ("scoliomassage.v1.ProtocolService", "scoliomassage.v1.OutcomeService",
                            "scoliomassage.v1.HistoryService"):
                check(service in names, "reflection lists %s (got %s)" % (service, sorted(names)))
            file_reply = list(reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(
                file_containing_symbol="scoliomassage.v1.OutcomeService")]), timeout=5))[0]
            check(len(file_reply.file_descriptor_response.file_descriptor_proto) > 0,
                  "reflection returns the OutcomeService descriptor")

        # SIGTERM while 8 threads log outcomes as fast as they can.
        acknowledged = []
        errors = []
        stop = threading.Event()
        lock = threading.Lock()

        def writer():
            with grpc.insecure_channel(server.address) as channel:
                stub = outcome_pb2_grpc.OutcomeServiceStub(channel)
                while not stop.is_set():
                    try:
                        stored = stub.LogOutcome(outcome_request("drain-patient"), timeout=10)
                        with lock:
                            acknowledged.append(stored.name)
                    except grpc.RpcError as error:
                        with lock:
                            errors.append(error.code())
                        return

        threads = [threading.Thread(target=writer) for _ in range(8)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        code = server.stop(signal.SIGTERM, timeout=30)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        check(code == 0, "scoliomassaged exits 0 after SIGTERM (got %s)" % code)
        check(len(acknowledged) > 0, "some outcomes were acknowledged before SIGTERM")
        unexpected = [c for c in errors if c not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)]
        check(not unexpected, "calls cut by shutdown end UNAVAILABLE or CANCELLED, got %s" % unexpected)

        server.start()
        stored = count_outcomes(server.address, "drain-patient")
        # A call cut by shutdown after its commit may be stored unacknowledged.
        check(stored >= len(set(acknowledged)),
              "every acknowledged outcome is stored after restart: acknowledged %d, stored %d"
              % (len(set(acknowledged)), stored))
    finally:
        server.cleanup(show_log=failures, log_chars=4000)
    print("process_test: %s" % ("ok" if not failures else "%d failure(s)" % len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
