#!/usr/bin/python3
"""Privacy for analytics and the record stream, through the real server.

1. Small-group suppression: sessions by three therapists for 6, 5 and 4
   patients. Grouped by therapist, the analytics role sees the 4-patient
   group suppressed (suppressed = true, no counts), its complement (the
   5-patient group) hidden too, the 6-patient group and the total with
   their counts; an admin of the clinic sees every count. A 4-patient
   selection without group_by is suppressed for analytics.
2. The history stream with films and questionnaires: include = all kinds
   returns outcomes, curve measurements and assessments interleaved in write
   order, pseudonymised (no patient id, measured_by or imaging_ref); a new
   stream resumed from a record in the middle returns exactly the rest;
   a client that does not ask gets outcomes only, as before.
Usage: analytics_privacy_test.py PATH/TO/scoliomassaged
"""
import hashlib
import os
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import testlib  # noqa: E402

testlib.stubs()
import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from scoliomassage.v1 import (assessment_pb2, assessment_pb2_grpc, curve_pb2, curve_pb2_grpc,  # noqa: E402
                              history_pb2, history_pb2_grpc, outcome_pb2, outcome_pb2_grpc)

TOKENS = {
    "tok-host": ("frontdesk", "host", "clinic-a"),
    "tok-analytics": ("analyst", "analytics", "clinic-a"),
    "tok-admin": ("admin", "admin", "clinic-a"),
}
failures = []


def check(condition, message):
    print(("ok: " if condition else "FAIL: ") + message)
    if not condition:
        failures.append(message)


def md(token):
    return (("authorization", "Bearer " + token),)


def ago(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds))


def log_request(patient, therapist):
    return json_format.ParseDict({
        "requestId": str(uuid.uuid4()),
        "outcome": {"patientId": patient, "therapistId": therapist, "protocolId": "lumbar-c-curve",
                    "sessionNumber": 1, "minutes": 15, "painBefore": 6, "painAfter": 3,
                    "relaxationNotes": "felt looser", "performedAt": ago(600)},
    }, outcome_pb2.LogOutcomeRequest())


def film_request(patient, days_ago, cobb):
    return json_format.ParseDict({
        "requestId": str(uuid.uuid4()),
        "measurement": {"patientId": patient, "takenAt": ago(days_ago * 86400),
                        "spineRegion": "SPINE_REGION_THORACIC", "cobbAngleDegrees": cobb,
                        "measuredBy": "dr-radiology", "imagingRef": "PACS-77", "notes": "clear film"},
    }, curve_pb2.RecordCurveMeasurementRequest())


def odi_request(patient):
    return json_format.ParseDict({
        "requestId": str(uuid.uuid4()),
        "assessment": {"patientId": patient, "instrumentId": "odi", "performedAt": ago(300),
                       "answers": [{"item": str(i), "value": 2} for i in range(1, 11)]},
    }, assessment_pb2.RecordAssessmentRequest())


def name_of(record):
    if record.kind == history_pb2.HISTORY_RECORD_KIND_CURVE_MEASUREMENT:
        return record.curve_measurement.name
    if record.kind == history_pb2.HISTORY_RECORD_KIND_ASSESSMENT:
        return record.assessment.name
    return record.outcome.name


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="scoliomassage-privacy-")
    tokens_path = os.path.join(work, "tokens")
    with open(tokens_path, "w") as f:
        for token, (principal, role, clinic) in TOKENS.items():
            f.write("token sha256:%s %s %s %s\n" % (hashlib.sha256(token.encode()).hexdigest(),
                                                   principal, role, clinic))
    secret_path = os.path.join(work, "pseudonym")
    with open(secret_path, "w") as f:
        f.write("s" * 40)
    server = testlib.Server(binary, extra_args=["--tokens_file=" + tokens_path,
                                                "--pseudonym_secret_file=" + secret_path])
    try:
        server.start()
        channel = grpc.insecure_channel(server.address)
        outcomes = outcome_pb2_grpc.OutcomeServiceStub(channel)
        curves = curve_pb2_grpc.CurveServiceStub(channel)
        assessments = assessment_pb2_grpc.AssessmentServiceStub(channel)
        history = history_pb2_grpc.HistoryServiceStub(channel)

        # --- 1. small groups -----------------------------------------------
        sizes = {"t-six": 6, "t-five": 5, "t-four": 4}
        for therapist, patients in sizes.items():
            for i in range(patients):
                outcomes.LogOutcome(log_request("%s-p%d" % (therapist, i), therapist), metadata=md("tok-host"))
        by_therapist = history_pb2.SummarizeOutcomesRequest(group_by=[history_pb2.GROUP_BY_THERAPIST])
        admin = history.SummarizeOutcomes(by_therapist, metadata=md("tok-admin"))
        admin_groups = {g.key: g for g in admin.groups}
        check(sorted(admin_groups) == sorted(sizes), "admin sees every therapist group: %s" % sorted(admin_groups))
        for therapist, patients in sizes.items():
            group = admin_groups.get(therapist)
            check(group is not None and not group.suppressed and group.patient_count == patients
                  and group.session_count == patients,
                  "admin sees %s with %d patients" % (therapist, patients))
        check(admin.total.patient_count == 15 and not admin.total.suppressed, "admin sees the total (15 patients)")

        analytics = history.SummarizeOutcomes(by_therapist, metadata=md("tok-analytics"))
        groups = {g.key: g for g in analytics.groups}
        check(sorted(groups) == sorted(sizes), "analytics sees every group's key")
        four = groups.get("t-four")
        check(four is not None and four.suppressed and four.session_count == 0 and four.patient_count == 0
              and four.mean_pain_relief == 0, "the 4-patient group is suppressed and carries no counts")
        five = groups.get("t-five")
        check(five is not None and five.suppressed and five.session_count == 0,
              "its complement (5 patients) is hidden too, so the total cannot reveal it")
        six = groups.get("t-six")
        check(six is not None and not six.suppressed and six.patient_count == 6 and six.session_count == 6,
              "the 6-patient group keeps its counts")
        check(not analytics.total.suppressed and analytics.total.patient_count == 15,
              "the total is shown: it reveals only the sum of two hidden groups")
        one = history_pb2.SummarizeOutcomesRequest(filter={"therapist_id": "t-four"})
        single = history.SummarizeOutcomes(one, metadata=md("tok-analytics"))
        check(len(single.groups) == 1 and single.groups[0].suppressed and single.groups[0].session_count == 0,
              "a 4-patient selection without group_by is suppressed for analytics")
        single_admin = history.SummarizeOutcomes(one, metadata=md("tok-admin"))
        check(len(single_admin.groups) == 1 and single_admin.groups[0].patient_count == 4,
              "...and shown to the admin")

        # --- 2. the stream with films and questionnaires ----------------------
        written = []  # names in write order, after the 15 sessions above
        written.append(curves.RecordCurveMeasurement(film_request("film-p1", 200, 20), metadata=md("tok-host")).name)
        written.append(assessments.RecordAssessment(odi_request("film-p1"), metadata=md("tok-host")).name)
        written.append(outcomes.LogOutcome(log_request("film-p1", "t-six"), metadata=md("tok-host")).name)
        written.append(curves.RecordCurveMeasurement(film_request("film-p1", 10, 27), metadata=md("tok-host")).name)
        written.append(assessments.RecordAssessment(odi_request("film-p2"), metadata=md("tok-host")).name)

        everything = history_pb2.QueryHistoryRequest(include=[
            history_pb2.HISTORY_RECORD_KIND_OUTCOME, history_pb2.HISTORY_RECORD_KIND_CURVE_MEASUREMENT,
            history_pb2.HISTORY_RECORD_KIND_ASSESSMENT])
        records = list(history.QueryHistory(everything, metadata=md("tok-analytics")))
        check(len(records) == 20, "the stream holds 16 outcomes, 2 films and 2 assessments (%d)" % len(records))
        tail = [name_of(r) for r in records[15:]]
        check(tail == written, "films and assessments interleave in write order: %s" % tail)
        films = [r.curve_measurement for r in records if r.kind == history_pb2.HISTORY_RECORD_KIND_CURVE_MEASUREMENT]
        check(len(films) == 2 and all(f.patient_pseudonym and not f.patient_id and not f.measured_by
                                      and not f.imaging_ref and not f.notes for f in films),
              "analytics films carry a pseudonym and no patient id, measured_by, imaging_ref or notes")
        check(films and films[0].cobb_angle_degrees == 20, "...and keep the Cobb angle")
        scored = [r.assessment for r in records if r.kind == history_pb2.HISTORY_RECORD_KIND_ASSESSMENT]
        check(len(scored) == 2 and all(a.patient_pseudonym and not a.patient_id and a.scores for a in scored),
              "analytics assessments carry a pseudonym and their scores")
        check(len(set(r.resume_token for r in records)) == 20, "every record has its own resume token")

        middle = records[16]  # the first assessment
        resumed = list(history.QueryHistory(history_pb2.QueryHistoryRequest(
            include=everything.include, resume_token=middle.resume_token), metadata=md("tok-analytics")))
        check([name_of(r) for r in resumed] == written[2:], "resuming from the middle returns exactly the rest")

        admin_records = list(history.QueryHistory(everything, metadata=md("tok-admin")))
        admin_films = [r.curve_measurement for r in admin_records
                       if r.kind == history_pb2.HISTORY_RECORD_KIND_CURVE_MEASUREMENT]
        check(admin_films and admin_films[0].patient_id == "film-p1" and admin_films[0].imaging_ref == "PACS-77",
              "the admin's stream keeps the patient id and imaging reference")

        old = list(history.QueryHistory(history_pb2.QueryHistoryRequest(), metadata=md("tok-analytics")))
        check(len(old) == 16 and all(r.HasField("outcome") and not r.HasField("curve_measurement")
                                     and not r.HasField("assessment") for r in old),
              "a client that does not ask gets the 16 outcomes only")
        check(old[0].resume_token == records[0].resume_token, "outcome tokens are the same in both streams")

        try:
            list(history.QueryHistory(history_pb2.QueryHistoryRequest(
                include=[history_pb2.HISTORY_RECORD_KIND_CURVE_MEASUREMENT],
                filter={"therapist_id": "t-six"}), metadata=md("tok-analytics")))
            check(False, "a therapist filter on films is refused")
        except grpc.RpcError as error:
            check(error.code() == grpc.StatusCode.INVALID_ARGUMENT, "a therapist filter on films is INVALID_ARGUMENT")
    finally:
        server.stop()
        server.cleanup(show_log=bool(failures))
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
