#!/usr/bin/python3
"""Writes the seed corpora under tests/fuzz/corpus/<target>/ (run once; the
output is committed, and fuzzing adds to it with `run.sh --merge`).

Seeds are small valid and nearly valid requests for each RPC, in the input
layout of each target: one selector byte, then the message bytes (binary)
or JSON text; the catalog seeds are the shipped catalog files."""
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import testlib  # noqa: E402

testlib.stubs()
from google.protobuf import json_format, timestamp_pb2  # noqa: E402
from scoliomassage.v1 import audit_pb2, history_pb2, outcome_pb2, protocol_pb2  # noqa: E402

CORPUS = os.path.join(HERE, "corpus")


def save(target, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def outcome(**kw):
    base = dict(patient_id="p-1", therapist_id="t-1", protocol_id="thoracic-c-curve", session_number=2,
                minutes=15, pain_before=6, pain_after=3, performed_at=timestamp_pb2.Timestamp(seconds=1717100000),
                relaxation_notes="relaxed", tension=[outcome_pb2.Tension(region="neck", before=2, after=1)],
                adverse_events=[outcome_pb2.AdverseEvent(type=1, severity=1, description="sore")])
    base.update(kw)
    return outcome_pb2.Outcome(**base)


RID = "3f0c2a9e-6b1d-4c8e-9f7a-2d5e8b1c0a47"
NAME = "outcomes/" + "0123456789abcdef" * 2
filters = [outcome_pb2.HistoryFilter(),
           outcome_pb2.HistoryFilter(patient_id="p-1", spine_region=3,
                                     start_time=timestamp_pb2.Timestamp(seconds=1),
                                     end_time=timestamp_pb2.Timestamp(seconds=1717100000))]
recommends = [
    protocol_pb2.RecommendProtocolRequest(
        patient_id="p-1", profile=protocol_pb2.PatientProfile(age_years=14, primary_region=r, curve_pattern=c,
                                                              convex_side=s, cobb_angle_degrees=25, risser_grade=2),
        screening=protocol_pb2.Screening(pain_nrs=p, contraindications=k), session_number=n)
    for r, c, s, p, k, n in [(3, 1, 2, 4, [], 1), (5, 2, 1, 8, [], 3), (1, 1, 1, 2, [1], 2), (6, 2, 2, 0, [11], 9),
                             (2, 0, 0, 10, [13, 9], 1), (4, 1, 2, 6, [], 12)]]
messages = {
    0: recommends,
    1: [outcome_pb2.LogOutcomeRequest(request_id=RID, outcome=outcome()),
        outcome_pb2.LogOutcomeRequest(request_id="x", outcome=outcome(minutes=0, pain_after=11))],
    2: [outcome_pb2.AmendOutcomeRequest(request_id=RID, name=NAME, outcome=outcome(minutes=20), reason="typo")],
    3: [outcome_pb2.GetOutcomeRequest(name=NAME, revision=2), outcome_pb2.GetOutcomeRequest(name="outcomes/x")],
    4: [outcome_pb2.ListOutcomesRequest(filter=f, page_size=20, page_token="cDF8MTcxNzEwMDAwMDAwMDAwMHwwMTIz")
        for f in filters],
    5: [history_pb2.QueryHistoryRequest(filter=f, include_revisions=True,
                                        resume_token="aDF8MTcxNzEwMDAwMDAwMDAwMHwwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZnwx")
        for f in filters],
    6: [history_pb2.SummarizeOutcomesRequest(filter=f, group_by=[1, 2, 5]) for f in filters],
    7: [audit_pb2.ListAuditRecordsRequest(page_size=10, page_token="YTF8MXwy")],
}
for selector, requests in messages.items():
    for request in requests:
        save("fuzz_binary_requests", bytes([selector]) + request.SerializeToString())
save("fuzz_binary_requests", bytes([8]) + b"aDF8MTcxNzEwMDAwMDAwMDAwMHwwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZnwx")

json_selectors = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5}
for selector, requests in messages.items():
    if selector not in json_selectors:
        continue
    for request in requests:
        text = json_format.MessageToJson(request, indent=None)
        save("fuzz_plugin_json", bytes([json_selectors[selector]]) + text.encode())
for text in ['{"requestId":"%s","outcome":{"patient_id":"p-1","painBefore":0,"performedAt":"2024-05-30T20:13:20Z",'
             '"spineRegion":"SPINE_REGION_LUMBAR","adverseEvents":[{"type":"ADVERSE_EVENT_TYPE_BRUISING"}]}}' % RID,
             '{"patientId":"p\\u00e9","profile":{"primaryRegion":3,"cobbAngleDegrees":"NaN"}}', '{}', '[]', 'null',
             '{"name":"outcomes/0123","revision":"7"}']:
    save("fuzz_plugin_json", bytes([1 if "requestId" in text else 0]) + text.encode())
save("fuzz_plugin_json", bytes([6]) + 'req "quoted" \\ \n\t\x01 é'.encode())

catalog_dir = os.path.join(testlib.ROOT, "service", "catalog", "data")
texts = [open(os.path.join(catalog_dir, name), "rb").read() for name in sorted(os.listdir(catalog_dir))
         if name.endswith(".textproto")]
for text in texts:
    save("fuzz_catalog", text)
save("fuzz_catalog", texts[0] + b"\n#---\n" + texts[1])
print("seeds written under", CORPUS)
