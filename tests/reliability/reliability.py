"""Shared pieces of the Python reliability tests (run with /usr/bin/python3).

Importing this generates the API stubs (testlib.stubs()).
"""
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import testlib  # noqa: E402,F401

testlib.stubs()
import grpc  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402
from stdgrpc.health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from scoliomassage.v1 import (history_pb2, history_pb2_grpc, outcome_pb2,  # noqa: E402
                              outcome_pb2_grpc, protocol_pb2, protocol_pb2_grpc)

Server = testlib.Server


class Checker:
    """Collects failures so one run reports all of them."""

    def __init__(self):
        self.failures = []

    def __call__(self, condition, message):
        if not condition:
            self.failures.append(message)
            print("FAIL:", message, flush=True)
        return condition

    def exit_code(self, name):
        print("%s %s: %d failures" % ("FAIL" if self.failures else "PASS", name, len(self.failures)), flush=True)
        return 1 if self.failures else 0


def log_request(patient="rel-p1", request_id=None, notes=""):
    performed = timestamp_pb2.Timestamp(seconds=int(time.time()) - 3600)
    return outcome_pb2.LogOutcomeRequest(
        request_id=request_id or str(uuid.uuid4()),
        outcome=outcome_pb2.Outcome(
            patient_id=patient, therapist_id="t-rel", protocol_id="thoracic-c-curve", session_number=1,
            minutes=15, pain_before=6, pain_after=3, relaxation_notes=notes, performed_at=performed))


def recommend_request(patient="rel-p1"):
    return protocol_pb2.RecommendProtocolRequest(
        patient_id=patient,
        profile=protocol_pb2.PatientProfile(age_years=15, primary_region=3, curve_pattern=1, convex_side=2),
        screening=protocol_pb2.Screening(pain_nrs=4))


class Stubs:
    def __init__(self, channel):
        self.outcomes = outcome_pb2_grpc.OutcomeServiceStub(channel)
        self.history = history_pb2_grpc.HistoryServiceStub(channel)
        self.protocols = protocol_pb2_grpc.ProtocolServiceStub(channel)
        self.health = health_pb2_grpc.HealthStub(channel)

    def serving(self, timeout=5):
        return self.health.Check(health_pb2.HealthCheckRequest(), timeout=timeout).status == \
            health_pb2.HealthCheckResponse.SERVING


def error_reason(error):
    """ErrorInfo.reason from grpc-status-details-bin, or None."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            for detail in status_pb2.Status.FromString(value).details:
                if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                    info = error_details_pb2.ErrorInfo()
                    detail.Unpack(info)
                    return info.reason
    return None


def proc_status(pid):
    """(threads, VmRSS in KiB) of a process, from /proc/PID/status."""
    threads = rss = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                threads = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return threads, rss


def fill_store(stubs, count, patient="rel-fill", notes="", parallel=64):
    """Logs `count` outcomes, `parallel` in flight at a time; returns their names."""
    names = []
    pending = []
    for i in range(count):
        pending.append(stubs.outcomes.LogOutcome.future(log_request(patient, notes=notes), timeout=60))
        if len(pending) >= parallel:
            names += [f.result().name for f in pending]
            pending = []
    names += [f.result().name for f in pending]
    return names


def history_count(stubs, **filter_fields):
    request = history_pb2.QueryHistoryRequest(filter=outcome_pb2.HistoryFilter(**filter_fields))
    return sum(1 for _ in stubs.history.QueryHistory(request, timeout=60))
