#!/usr/bin/python3
"""Curve measurements and questionnaire scores as FHIR R4 Observations on the
real scoliomassaged, every resource checked by the independent validators of
fhir_test.py (npm @medplum/core over HL7's StructureDefinitions, and HL7's R4
JSON Schema):
- seeded over gRPC: sessions, films (one amended) and one assessment of each
  instrument (nrs, odi, ndi, srs22r, psfs);
- GET /fhir/Observation?patient=ID: the sessions' pain, then the Cobb angles
  (urn:scoliomassage:codes#cobb-angle, UCUM deg, the film's date, body site,
  convex side, apex, Risser) and the scores (NRS as LOINC 72514-3, others per
  instrument), paged across both without loss or repeat, total right, date
  ranges and code/category tokens honoured, a curve readable by id;
- on SQLite, and on PostgreSQL when SCOLIOMASSAGE_TEST_POSTGRES_URL is set;
- a clinical (admin) export has them in Observation.ndjson; an analytics
  search and export do not (the role table gives analytics neither).
Exit 77 (SKIP) when node is absent.
Usage: fhir_record_test.py PATH/TO/scoliomassaged
"""
import datetime
import json
import os
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fhir_test as ft  # noqa: E402  (validators, server start, HTTP helpers)

check = ft.check
CURVE_NOTE = "SECRET-CURVE-NOTE film read twice"
AMEND = "SECRET-CURVE-AMEND angle misread"
ANSWERS = {"nrs": 1, "odi": 10, "ndi": 10, "srs22r": 22, "psfs": 3}  # items answered
# Each instrument's scoreable domains for complete answers.
DOMAINS = {"nrs": ["total"], "odi": ["total"], "ndi": ["total"], "psfs": ["total"],
           "srs22r": ["function", "pain", "self_image", "mental_health", "satisfaction", "total"]}


class RecordSeeder:
    def __init__(self, address):
        ft.testlib.stubs()
        import grpc
        from google.protobuf import json_format
        from scoliomassage.v1 import assessment_pb2, assessment_pb2_grpc, curve_pb2, curve_pb2_grpc
        self.json_format, self.curve_pb, self.assessment_pb = json_format, curve_pb2, assessment_pb2
        channel = grpc.insecure_channel(address)
        self.curves = curve_pb2_grpc.CurveServiceStub(channel)
        self.assessments = assessment_pb2_grpc.AssessmentServiceStub(channel)

    def md(self, token):
        return (("authorization", "Bearer " + token),)

    def curve(self, token, measurement):
        request = self.json_format.ParseDict({"requestId": str(uuid.uuid4()), "measurement": measurement},
                                             self.curve_pb.RecordCurveMeasurementRequest())
        return self.curves.RecordCurveMeasurement(request, metadata=self.md(token), timeout=20)

    def amend_curve(self, token, name, measurement):
        request = self.json_format.ParseDict({"requestId": str(uuid.uuid4()), "name": name,
                                              "measurement": measurement, "reason": AMEND},
                                             self.curve_pb.AmendCurveMeasurementRequest())
        return self.curves.AmendCurveMeasurement(request, metadata=self.md(token), timeout=20)

    def assess(self, token, assessment):
        request = self.json_format.ParseDict({"requestId": str(uuid.uuid4()), "assessment": assessment},
                                             self.assessment_pb.RecordAssessmentRequest())
        return self.assessments.RecordAssessment(request, metadata=self.md(token), timeout=20)


def seed(seeder, record, now):
    base = now - datetime.timedelta(days=100)
    for i in range(2):
        seeder.log("tok-host-a", ft.outcome_dict("pr-1", "t-7", "SPINE_REGION_THORACIC",
                                                 base + datetime.timedelta(days=i), session=i + 1))
    films = [
        {"patientId": "pr-1", "takenAt": ft.iso(base + datetime.timedelta(days=5)), "spineRegion": "SPINE_REGION_THORACIC",
         "cobbAngleDegrees": 24.5, "convexSide": "SIDE_RIGHT", "apex": "T8",
         "measuredBy": "dr-radiology", "imagingRef": "ACC-1001", "notes": CURVE_NOTE},
        {"patientId": "pr-1", "takenAt": ft.iso(base + datetime.timedelta(days=40)),
         "spineRegion": "SPINE_REGION_THORACOLUMBAR", "cobbAngleDegrees": 18, "convexSide": "SIDE_LEFT",
         "risserGrade": 2, "measuredBy": "dr-radiology"},
        {"patientId": "pr-1", "takenAt": ft.iso(base + datetime.timedelta(days=80)), "spineRegion": "SPINE_REGION_LUMBAR",
         "cobbAngleDegrees": 12, "risserGrade": 0, "measuredBy": "dr-b"},
    ]
    curves = []
    for film in films:
        curves.append(record.curve("tok-host-a", film))
    first = dict(films[0])
    first["cobbAngleDegrees"] = 26
    first["risserGrade"] = 1
    curves[0] = record.amend_curve("tok-admin-a", curves[0].name, first)
    assessments = []
    for k, (instrument, items) in enumerate(sorted(ANSWERS.items())):
        low = 1 if instrument == "srs22r" else 0
        answers = [{"item": str(i + 1), "value": low + (i % 3)} for i in range(items)]
        assessments.append(record.assess("tok-host-a", {
            "patientId": "pr-1", "instrumentId": instrument, "answers": answers, "therapistId": "t-7",
            "performedAt": ft.iso(base + datetime.timedelta(days=50 + k))}))
    return curves, assessments


def run(binary, work, validator, database=None):
    server, port, _ = ft.start_server(binary, work, "pg" if database else "record", [], database)
    ok = False
    try:
        base = "http://127.0.0.1:%d" % port
        now = datetime.datetime.utcnow().replace(microsecond=0)
        seeder, record = ft.Seeder(server.address), RecordSeeder(server.address)
        curves, assessments = seed(seeder, record, now)
        n_scores = sum(len(DOMAINS[a.instrument_id]) for a in assessments)
        check(all(s.scoreable for a in assessments for s in a.scores), "complete answers are scoreable")
        want = 4 + len(curves) + n_scores

        status, statement, _, _ = ft.request(port, "GET", "/fhir/metadata")
        obs = [r for r in statement["rest"][0]["resource"] if r["type"] == "Observation"]
        check(obs and "cobb-angle" in obs[0].get("documentation", ""), "metadata documents the record Observations")
        validator.add(statement, "CapabilityStatement")

        # Paged across pain and record Observations: nothing lost or repeated.
        bundles, observations = ft.search_all(port, base, "/fhir/Observation?patient=pr-1&_count=3", "tok-host-a",
                                              validator, "record obs")
        check(bundles and bundles[0].get("total") == want, "total %s, want %d" % (bundles and bundles[0].get("total"), want))
        ids = [o["id"] for o in observations]
        check(len(ids) == want and len(set(ids)) == want, "%d unique Observations, want %d: %s" % (len(set(ids)), want, ids))
        cobb = [o for o in observations if o["code"]["coding"][0]["code"] == "cobb-angle"]
        check(len(cobb) == 3, "three Cobb Observations, got %d" % len(cobb))
        by_id = {o["id"]: o for o in cobb}
        amended = by_id.get("curve-" + curves[0].name.split("/")[1], {})
        check(amended.get("status") == "amended" and amended.get("meta", {}).get("versionId") == "2",
              "the amended film is version 2, amended")
        check(amended.get("valueQuantity") == {"value": 26, "unit": "deg", "system": "http://unitsofmeasure.org",
                                               "code": "deg"}, "Cobb in UCUM deg: %s" % amended.get("valueQuantity"))
        check(amended.get("effectiveDateTime", "").startswith(curves[0].taken_at.ToJsonString()[:19]),
              "effectiveDateTime is the film's date: %s vs %s" % (amended.get("effectiveDateTime"),
                                                                   curves[0].taken_at.ToJsonString()))
        check(amended.get("bodySite", {}).get("coding", [{}])[0].get("code") == "122495006", "thoracic body site")
        components = {c["code"]["coding"][0]["code"]: c for c in amended.get("component", [])}
        check(components.get("convex-side", {}).get("valueString") == "right", "convex side right")
        check(components.get("apex", {}).get("valueString") == "T8", "apex T8")
        check(components.get("risser-grade", {}).get("valueInteger") == 1, "Risser 1 after the amendment")
        check(CURVE_NOTE in json.dumps(amended.get("note")) and AMEND in json.dumps(amended.get("note")),
              "the clinician sees the note and the amendment reason")
        check(amended.get("derivedFrom", [{}])[0].get("identifier", {}).get("value") == "ACC-1001", "imaging ref")
        check(all(o["category"][0]["coding"][0]["code"] == "imaging" for o in cobb), "category imaging")
        check(all(o["subject"].get("reference") == "Patient/pr-1" for o in observations), "subject Patient/pr-1")
        lumbar = [o for o in cobb if o["bodySite"].get("text") == "Thoracolumbar spine"]
        check(len(lumbar) == 1 and "coding" not in lumbar[0]["bodySite"], "a junction is text only")

        scores = [o for o in observations if o["category"][0]["coding"][0]["code"] == "survey" and "partOf" not in o]
        check(len(scores) == n_scores, "%d score Observations, want %d" % (len(scores), n_scores))
        codes = {o["code"]["coding"][0]["code"] for o in scores}
        want_codes = {"72514-3", "odi-total", "ndi-total", "psfs-total"} | {
            "srs22r-" + d.replace("_", "-") for d in DOMAINS["srs22r"]}
        check(codes == want_codes, "score codes %s" % sorted(codes))
        expected = {"%s-%s" % (a.name.split("/")[1], s.domain.replace("_", "-")): s.value
                    for a in assessments for s in a.scores}
        for o in scores:
            value = o.get("valueInteger", o.get("valueQuantity", {}).get("value"))
            check(o["id"] in expected and value is not None and abs(expected[o["id"]] - value) < 1e-9,
                  "score value of %s: %s, stored %s" % (o["id"], value, expected.get(o["id"])))
        nrs = [o for o in scores if o["code"]["coding"][0]["code"] == "72514-3"]
        check(len(nrs) == 1 and isinstance(nrs[0].get("valueInteger"), int), "NRS as LOINC 72514-3 valueInteger")

        # Date range: only the films and scores inside it.
        cut = (now - datetime.timedelta(days=100) + datetime.timedelta(days=30)).strftime("%Y-%m-%d")
        _, late = ft.search_all(port, base, "/fhir/Observation?patient=pr-1&date=ge" + cut, "tok-host-a", validator,
                                "record date")
        check(len(late) == 2 + n_scores, "after %s: 2 films and every score, got %d" % (cut, len(late)))

        # code and category (token) searches, paged; no total with a filter.
        token_cases = {
            "code=urn:scoliomassage:codes|cobb-angle": {o["id"] for o in cobb},
            "code=http://loinc.org|72514-3": {o["id"] for o in observations
                                              if o["code"]["coding"][0]["code"] == "72514-3"},
            "category=survey": {o["id"] for o in observations if o["category"][0]["coding"][0]["code"] == "survey"},
            "category=imaging&code=urn:scoliomassage:codes|cobb-angle,urn:scoliomassage:codes|odi-total":
                {o["id"] for o in cobb},
            "code=urn:scoliomassage:codes|": {o["id"] for o in observations
                                              if o["code"]["coding"][0]["system"] == "urn:scoliomassage:codes"},
        }
        for query, want_ids in token_cases.items():
            found_bundles, found = ft.search_all(port, base, "/fhir/Observation?patient=pr-1&_count=2&" + query,
                                                 "tok-host-a", validator, "token " + query)
            got = [o["id"] for o in found]
            check(sorted(got) == sorted(want_ids), "%s: %s, want %s" % (query, sorted(got), sorted(want_ids)))
            check(found_bundles and "total" not in found_bundles[0], "%s: no total with a filter" % query)
        check(len(token_cases["code=http://loinc.org|72514-3"]) == 5, "pain LOINC: 4 session pains and the NRS")
        status, outcome, _, _ = ft.request(port, "GET", "/fhir/Procedure?patient=pr-1&code=97124", "tok-host-a")
        check(status == 400 and "code" in json.dumps(outcome), "code on Procedure is refused: %s" % status)

        # Read a curve by id; an unknown curve is 404.
        status, resource, headers, _ = ft.request(port, "GET", "/fhir/Observation/" + amended.get("id", "x"), "tok-host-a")
        check(status == 200 and resource == amended and headers.get("etag") == 'W/"2"', "read the curve: %s" % status)
        status, _, _, _ = ft.request(port, "GET", "/fhir/Observation/curve-" + "0" * 32, "tok-host-a")
        check(status == 404, "an unknown curve is 404 (%s)" % status)
        status, _, _, _ = ft.request(port, "GET", "/fhir/Observation/" + amended.get("id", "x"), "tok-admin-b")
        check(status == 404, "another clinic cannot read it (%s)" % status)

        # Clinical (admin) export: the record Observations are in Observation.ndjson.
        status, _, headers, _ = ft.kick_off(port, "/fhir/$export?_type=Observation", "tok-admin-a")
        check(status == 202, "admin kick-off %s" % status)
        status, manifest, _ = ft.wait_export(port, base, headers.get("content-location", ""), "tok-admin-a")
        check(status == 200, "admin export finished: %s %s" % (status, manifest))
        files = ft.download(port, base, manifest or {"output": []}, "tok-admin-a", validator, "admin export")
        exported = files.get("Observation", [])
        check({o["id"] for o in exported} == set(ids), "the export has the same %d Observations (%d)" % (
            len(ids), len(exported)))
        ft.request(port, "DELETE", path_of_status(headers, base), "tok-admin-a")

        # Analytics: sessions' pain only, pseudonyms.
        _, analytic = ft.search_all(port, base, "/fhir/Observation?_count=100", "tok-analytics-a", validator,
                                    "analytics obs")
        check(analytic and all("partOf" in o for o in analytic), "analytics see pain Observations only")
        status, _, headers, _ = ft.kick_off(port, "/fhir/$export?_type=Observation", "tok-analytics-a")
        status, manifest, _ = ft.wait_export(port, base, headers.get("content-location", ""), "tok-analytics-a")
        check(status == 200, "analytics export finished: %s %s" % (status, manifest))
        files = ft.download(port, base, manifest or {"output": []}, "tok-analytics-a", validator, "analytics export")
        check(files.get("Observation") and all("partOf" in o for o in files["Observation"]),
              "an analytics export has pain Observations only")
        check(server.stop() == 0, "SIGTERM exit code")
        ok = not ft.failures
    finally:
        server.cleanup(show_log=not ok)


def main():
    binary = sys.argv[1]
    ft.need_validator()
    validator = ft.Validator()
    work = tempfile.mkdtemp(prefix="scoliomassage-fhir-record-")
    run(binary, work, validator)
    import postgres_support
    if postgres_support.base_url():
        with postgres_support.Database("scoliomassage_fhir_record") as database:
            validator.schema_only = True  # the npm validator sees the SQLite run's resources
            run(binary, work, validator, database.url)
            validator.schema_only = False
    else:
        print("PostgreSQL not set up (SCOLIOMASSAGE_TEST_POSTGRES_URL): SQLite only")
    validator.validate()
    if ft.failures:
        print("%d of %d checks failed" % (len(ft.failures), ft.checks))
        sys.exit(1)
    print("OK: %d checks" % ft.checks)


def path_of_status(headers, base):
    location = headers.get("content-location", "")
    return location[len(base):] if location.startswith(base) else "/fhir/$export-status/none"


if __name__ == "__main__":
    main()
