#!/usr/bin/python3
"""CDS Hooks 2.0 on the real scoliomassaged, checked by an independent client
(Python's http.client, PyJWT + cryptography to sign, jsonschema to validate):
- discovery lists both services with their prefetch templates;
- a call with prefetch gives the same decision, steps and cards as a gRPC
  RecommendProtocol with the same inputs, and is audited like it;
- every kind of bad JWT is refused 401/403 with a reason;
- malformed JSON, a wrong hook, missing prefetch (412), an oversized body (413)
  get their status with a reason and store no recommendation;
- CORS preflight; dev mode without --cds_issuers_file; 503 when overloaded;
- every response matches cds_schema.json and has no null, "", [] or {}.
Usage: cds_hooks_test.py PATH/TO/scoliomassaged
"""
import base64
import datetime
import http.client
import json
import os
import socket
import subprocess
import sqlite3
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import testlib  # noqa: E402

testlib.stubs()
import grpc  # noqa: E402
import jsonschema  # noqa: E402
import jwt  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from scoliomassage.v1 import protocol_pb2, protocol_pb2_grpc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = json.load(open(os.path.join(HERE, "cds_schema.json")))
ISS = "https://ehr.example.org"
CHECKIN = "/cds-services/scoliomassage-checkin"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_bytes(value, length=None):
    length = length or (value.bit_length() + 7) // 8
    return value.to_bytes(length, "big")


def validate(document, definition):
    try:
        jsonschema.validate(document, {**SCHEMA, "$ref": "#/definitions/" + definition})
    except jsonschema.ValidationError as error:
        check(False, "schema %s: %s in %s" % (definition, error.message, json.dumps(document)[:300]))
    find_empty(document, "$")


def find_empty(value, path):
    if value is None or value == "" or value == [] or value == {}:
        check(False, "empty value at %s" % path)
    elif isinstance(value, dict):
        for key, item in value.items():
            find_empty(item, path + "." + key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            find_empty(item, "%s[%d]" % (path, i))


def request(port, method, path, body=None, headers=None, raw=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    all_headers = {"Content-Type": "application/json"} if data is not None else {}
    all_headers.update(headers or {})
    connection.request(method, path, body=data, headers=all_headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = None
    return response.status, parsed, dict(response.getheaders())


BIRTH = "1992-03-01"


def age_today():
    today = datetime.datetime.utcnow().date()
    born = datetime.date(1992, 3, 1)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def bundle(*resources):
    return {"resourceType": "Bundle", "type": "searchset",
            "entry": [{"resource": r} for r in resources]}


def condition(patient, system, code):
    return {"resourceType": "Condition", "subject": {"reference": "Patient/" + patient},
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                           "code": "active"}]},
            "code": {"coding": [{"system": system, "code": code}]}}


ICD = "http://hl7.org/fhir/sid/icd-10-cm"


def prefetch(patient, extra_conditions=()):
    return {
        "patient": {"resourceType": "Patient", "id": patient, "birthDate": BIRTH},
        "scoliosis": bundle(condition(patient, ICD, "M41.126")),
        "cobb": bundle({"resourceType": "Observation", "status": "final",
                        "code": {"coding": [{"system": "urn:scoliomassage:codes", "code": "cobb-angle"}]},
                        "effectiveDateTime": "2026-01-10",
                        "valueQuantity": {"value": 22, "unit": "deg"},
                        "component": [
                            {"code": {"coding": [{"system": "urn:scoliomassage:codes", "code": "curve-pattern"}]},
                             "valueString": "C"},
                            {"code": {"coding": [{"system": "urn:scoliomassage:codes", "code": "convex-side"}]},
                             "valueString": "right"}]}),
        "pain": bundle({"resourceType": "Observation", "status": "final",
                        "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
                        "effectiveDateTime": "2026-02-01", "valueInteger": 5}),
        "conditions": bundle(*[condition(patient, ICD, code) for code in extra_conditions]),
    }


def hook_body(patient, hook="encounter-start", extra_conditions=(), **overrides):
    body = {"hook": hook, "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "Practitioner/1", "patientId": patient, "encounterId": "enc-1"},
            "prefetch": prefetch(patient, extra_conditions)}
    body.update(overrides)
    return body


def grpc_recommend(address, patient, contraindications):
    with grpc.insecure_channel(address) as channel:
        stub = protocol_pb2_grpc.ProtocolServiceStub(channel)
        req = json_format.ParseDict({
            "patientId": patient,
            "profile": {"ageYears": age_today(), "primaryRegion": "SPINE_REGION_LUMBAR",
                        "curvePattern": "CURVE_PATTERN_C_CURVE", "convexSide": "SIDE_RIGHT",
                        "cobbAngleDegrees": 22},
            "screening": {"painNrs": 5, "contraindications": contraindications},
        }, protocol_pb2.RecommendProtocolRequest())
        return stub.RecommendProtocol(req, timeout=10)


class Keys:
    def __init__(self, folder):
        self.ec = ec.generate_private_key(ec.SECP384R1())
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_ec = ec.generate_private_key(ec.SECP384R1())
        numbers = self.ec.public_key().public_numbers()
        rsa_numbers = self.rsa.public_key().public_numbers()
        jwks = {"keys": [
            {"kty": "EC", "crv": "P-384", "kid": "ec-1", "use": "sig", "alg": "ES384",
             "x": b64url(int_bytes(numbers.x, 48)), "y": b64url(int_bytes(numbers.y, 48))},
            {"kty": "RSA", "kid": "rsa-1", "alg": "RS384",
             "n": b64url(int_bytes(rsa_numbers.n)), "e": b64url(int_bytes(rsa_numbers.e))}]}
        with open(os.path.join(folder, "ehr-jwks.json"), "w") as f:
            json.dump(jwks, f)
        self.issuers_file = os.path.join(folder, "issuers.json")
        with open(self.issuers_file, "w") as f:
            json.dump({"issuers": [{"iss": ISS, "jwks": "ehr-jwks.json", "clinic": "clinic-a"}]}, f)

    def token(self, aud, alg="ES384", kid=None, key=None, **claims):
        now = int(time.time())
        payload = {"iss": ISS, "sub": "ehr-client", "aud": aud, "exp": now + 240, "iat": now,
                   "jti": str(uuid.uuid4())}
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        if key is None:
            key = self.ec if alg == "ES384" else self.rsa
        kid = kid or ("ec-1" if alg == "ES384" else "rsa-1")
        return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid, "typ": "JWT"})


def count_rows(db_path, sql, args):
    connection = sqlite3.connect(db_path)
    try:
        return connection.execute(sql, args).fetchone()[0]
    finally:
        connection.close()


def wait_rows(db_path, sql, args, want, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if count_rows(db_path, sql, args) >= want:
            return True
        time.sleep(0.1)
    return False



def test_with_issuers(binary):
    folder = tempfile.mkdtemp(prefix="scoliomassage-cds-")
    keys = Keys(folder)
    server = testlib.Server(binary, extra_args=["--http_listen=127.0.0.1:0",
                                                "--cds_issuers_file=" + keys.issuers_file])
    server.start()
    ok = False
    try:
        port = server.http_port()
        base = "http://127.0.0.1:%d" % port
        aud = base + CHECKIN
        db = server.database[len("sqlite://"):]

        status, doc, headers = request(port, "GET", "/cds-services")
        check(status == 200, "discovery status %s" % status)
        validate(doc, "discovery")
        services = {s["id"]: s for s in doc["services"]}
        check(services.get("scoliomassage-checkin", {}).get("hook") == "encounter-start", "checkin hook")
        check(services.get("scoliomassage-appointment", {}).get("hook") == "appointment-book", "appointment hook")
        templates = services["scoliomassage-checkin"]["prefetch"]
        check(templates.get("patient") == "Patient/{{context.patientId}}", "patient template")
        check("M41" in templates.get("scoliosis", "") and "298382003" in templates["scoliosis"], "scoliosis template")
        check("72514-3" in templates.get("pain", "") and "_sort=-date&_count=1" in templates["pain"], "pain template")
        check("cobb-angle" in templates.get("cobb", ""), "cobb template")
        check(headers.get("Access-Control-Allow-Origin") == "*", "CORS on discovery")

        status, _, headers = request(port, "OPTIONS", CHECKIN, headers={
            "Origin": "https://ehr.example.org", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        check(status == 204 and "Authorization" in headers.get("Access-Control-Allow-Headers", ""),
              "CORS preflight: %s %s" % (status, headers))

        # Same decision as gRPC, ES384 and RS384, plain and modified (pregnancy) and deferred (DVT).
        cases = [("ES384", "p-plain", [], []),
                 ("RS384", "p-pregnant", ["Z34.00"], ["CONTRAINDICATION_PREGNANCY"]),
                 ("ES384", "p-dvt", ["I82.409"], ["CONTRAINDICATION_SUSPECTED_DVT"])]
        for alg, patient, codes, contraindications in cases:
            status, doc, _ = request(port, "POST", CHECKIN, hook_body("cds-" + patient, extra_conditions=codes),
                                     {"Authorization": "Bearer " + keys.token(aud, alg=alg)})
            check(status == 200, "%s %s status %s %s" % (alg, patient, status, doc))
            if status != 200:
                continue
            validate(doc, "cardsResponse")
            expected = grpc_recommend(server.address, "grpc-" + patient, contraindications)
            cards = doc["cards"]
            check(cards[0]["indicator"] == "info", "first card is the protocol")
            decision_text = {1: "Proceed", 2: "Proceed, modified", 3: "Defer", 4: "Refer"}[expected.decision]
            check("**Decision:** " + decision_text in cards[0]["detail"],
                  "%s: decision %s not in %s" % (patient, decision_text, cards[0]["detail"][:200]))
            check(not expected.protocol.steps or ("`%s`" % expected.protocol.protocol_id) in cards[0]["detail"],
                  "%s: protocol id %s" % (patient, expected.protocol.protocol_id))
            check(len([l for l in cards[0]["detail"].splitlines() if l[:1].isdigit() and ". **" in l])
                  == len(expected.protocol.steps), "%s: step count" % patient)
            for step in expected.protocol.steps:
                check(("%d. **" % step.order) in cards[0]["detail"] and step.technique.replace("*", "\\*") in cards[0]["detail"],
                      "%s: step %d (%s) missing" % (patient, step.order, step.technique))
            check(("%d minutes" % expected.protocol.total_minutes) in cards[0]["detail"] or not expected.protocol.steps,
                  "%s: total minutes" % patient)
            got = [(c["indicator"]) for c in cards[1:]]
            want = [{1: "info", 2: "warning", 3: "critical"}[c.indicator] for c in expected.cards]
            check(got == want, "%s: card indicators %s != %s" % (patient, got, want))
            for card, grpc_card in zip(cards[1:], expected.cards):
                check(card["summary"] == grpc_card.summary[:139] or card["summary"].endswith("..."),
                      "%s: summary %r vs %r" % (patient, card["summary"], grpc_card.summary))
        check(wait_rows(db, "SELECT COUNT(*) FROM recommendations WHERE clinic_id='clinic-a'", (), 3),
              "three CDS recommendations stored for clinic-a")
        check(wait_rows(db, "SELECT COUNT(*) FROM audit_records WHERE clinic_id='clinic-a' AND method=? "
                            "AND role='host' AND principal LIKE 'cds:https://ehr.example.org%' AND status_code=0",
                        (CHECKIN.replace("/cds", "POST /cds", 1),), 3), "CDS calls audited")

        # Bad tokens: each refused with a reason, nothing stored.
        now = int(time.time())
        none_token = b64url(b'{"alg":"none","typ":"JWT","kid":"ec-1"}') + "." + b64url(json.dumps(
            {"iss": ISS, "aud": aud, "exp": now + 200, "iat": now, "jti": str(uuid.uuid4())}).encode()) + "."
        replayed = keys.token(aud)
        status, _, _ = request(port, "POST", CHECKIN, hook_body("p-replay"), {"Authorization": "Bearer " + replayed})
        check(status == 200, "first use of a jti is accepted (%s)" % status)
        bad = {
            "none alg": (none_token, "ALG_NOT_ALLOWED"),
            "HS256": (jwt.encode({"iss": ISS, "aud": aud, "exp": now + 200, "iat": now, "jti": "h"}, "secret",
                                 algorithm="HS256", headers={"kid": "ec-1"}), "ALG_NOT_ALLOWED"),
            "wrong aud": (keys.token(base + "/cds-services/scoliomassage-appointment"), "AUDIENCE_MISMATCH"),
            "expired": (keys.token(aud, exp=now - 600, iat=now - 700), "TOKEN_EXPIRED"),
            "future iat": (keys.token(aud, iat=now + 600, exp=now + 700), "TOKEN_NOT_YET_VALID"),
            "long-lived": (keys.token(aud, exp=now + 3600), "TOKEN_LIFETIME_TOO_LONG"),
            "unknown kid": (keys.token(aud, kid="nope"), "KID_UNKNOWN"),
            "unknown iss": (keys.token(aud, iss="https://evil.example"), "ISSUER_UNKNOWN"),
            "replayed jti": (replayed, "TOKEN_REPLAYED"),
            "bad signature": (keys.token(aud, key=keys.other_ec), "SIGNATURE_INVALID"),
            "RS384 with the EC kid": (keys.token(aud, alg="RS384", kid="ec-1"), "ALG_NOT_ALLOWED"),
            "no jti": (keys.token(aud, jti=None), "TOKEN_MALFORMED"),
            "garbage": ("abc.def", "TOKEN_MALFORMED"),
        }
        for name, (token, reason) in bad.items():
            status, doc, headers = request(port, "POST", CHECKIN, hook_body("p-badjwt"),
                                           {"Authorization": "Bearer " + token})
            check(status in (401, 403), "%s: status %s" % (name, status))
            check(doc is not None and doc["error"]["reason"] == reason,
                  "%s: reason %s, want %s" % (name, doc and doc["error"].get("reason"), reason))
            if doc:
                validate(doc, "error")
        status, doc, _ = request(port, "POST", CHECKIN, hook_body("p-badjwt"))
        check(status == 401 and doc["error"]["reason"] == "TOKEN_MISSING", "no token: %s %s" % (status, doc))

        # Bad requests with a good token: the right status and reason, nothing stored.
        def call(body=None, raw=None, headers=None):
            all_headers = {"Authorization": "Bearer " + keys.token(aud)}
            all_headers.update(headers or {})
            return request(port, "POST", CHECKIN, body, all_headers, raw=raw)
        no_patient = hook_body("p-bad")
        del no_patient["prefetch"]["patient"]
        null_conditions = hook_body("p-bad")
        null_conditions["prefetch"]["conditions"] = None
        no_birth = hook_body("p-bad")
        del no_birth["prefetch"]["patient"]["birthDate"]
        no_region = hook_body("p-bad")
        no_region["prefetch"]["scoliosis"] = bundle(condition("p-bad", ICD, "M41.20"))
        bad_requests = {
            "malformed JSON": (dict(raw=b'{"hook": "encounter-start",'), 400, "INVALID_JSON", "body"),
            "wrong hook": (dict(body=hook_body("p-bad", hook="patient-view")), 400, "INVALID_REQUEST", "hook"),
            "no hookInstance": (dict(body={k: v for k, v in hook_body("p-bad").items() if k != "hookInstance"}),
                                400, "INVALID_REQUEST", "hookInstance"),
            "no patientId": (dict(body=hook_body("p-bad", context={"userId": "x"})), 400, "INVALID_REQUEST",
                             "context.patientId"),
            "missing patient prefetch": (dict(body=no_patient), 412, "PREFETCH_MISSING", None),
            "null conditions prefetch": (dict(body=null_conditions), 412, "PREFETCH_MISSING", None),
            "no birthDate": (dict(body=no_birth), 400, "INVALID_REQUEST", "prefetch.patient.birthDate"),
            "no region": (dict(body=no_region), 400, "INVALID_REQUEST", "prefetch.scoliosis"),
            "oversized": (dict(raw=b'{"x":"' + b"a" * (2 << 20) + b'"}'), 413, "PAYLOAD_TOO_LARGE", None),
            "not JSON content type": (dict(body=hook_body("p-bad"), headers={"Content-Type": "text/plain"}),
                                      415, "UNSUPPORTED_MEDIA_TYPE", None),
        }
        for name, (kwargs, want_status, reason, field) in bad_requests.items():
            try:
                status, doc, _ = call(**kwargs)
            except (ConnectionError, http.client.HTTPException) as error:
                check(False, "%s: connection failed: %s" % (name, error))
                continue
            check(status == want_status, "%s: status %s, want %s (%s)" % (name, status, want_status, doc))
            check(doc is not None and doc["error"]["reason"] == reason,
                  "%s: reason %s, want %s" % (name, doc and doc["error"].get("reason"), reason))
            if doc:
                validate(doc, "error")
                if field:
                    fields = [v["field"] for v in doc["error"].get("fieldViolations", [])]
                    check(field in fields, "%s: field %s not in %s" % (name, field, fields))
        status, doc, _ = request(port, "POST", "/cds-services/nope", hook_body("p-bad"),
                                 {"Authorization": "Bearer " + keys.token(base + "/cds-services/nope")})
        check(status == 404 and doc["error"]["reason"] == "NOT_FOUND", "unknown service: %s" % status)
        status, doc, _ = request(port, "GET", "/nowhere")
        check(status == 404 and doc is not None, "unknown path: JSON 404")
        time.sleep(1.0)  # background writes are flushed well within this
        check(count_rows(db, "SELECT COUNT(*) FROM recommendations WHERE patient_id IN ('p-bad', 'p-badjwt')", ()) == 0,
              "a refused call stores no recommendation")
        check(count_rows(db, "SELECT COUNT(*) FROM recommendations WHERE patient_id='p-replay'", ()) == 1,
              "the replayed token stored nothing more")
        code = server.stop()
        check(code == 0, "SIGTERM exit code %s" % code)
        ok = not failures
    finally:
        server.cleanup(show_log=not ok)


def test_dev_mode_and_overload(binary):
    server = testlib.Server(binary, extra_args=["--http_listen=127.0.0.1:0", "--worker_threads=1",
                                                "--max_queued_calls=1"])
    server.start()
    ok = False
    try:
        port = server.http_port()
        status, doc, _ = request(port, "POST", CHECKIN, hook_body("p-dev"))
        check(status == 200, "dev mode: no JWT needed on loopback (%s %s)" % (status, doc))
        if status == 200:
            validate(doc, "cardsResponse")
        # Hold the one worker and the one queue slot with half-sent requests;
        # the next connection is answered 503 at once.
        holders = []
        for _ in range(2):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"POST /cds-services/scoliomassage-checkin HTTP/1.1\r\nHost: x\r\n")
            holders.append(s)
            time.sleep(0.2)
        start = time.time()
        status, doc, _ = request(port, "GET", "/cds-services")
        check(status == 503 and doc["error"]["reason"] == "OVERLOADED", "overload: %s %s" % (status, doc))
        check(time.time() - start < 2, "overload is answered at once")
        for s in holders:
            s.close()
        time.sleep(0.3)
        ok = not failures
    finally:
        server.cleanup(show_log=not ok)


def test_refuses_plaintext_off_loopback(binary):
    folder = tempfile.mkdtemp(prefix="scoliomassage-cds-")
    result = subprocess.run([binary, "--listen=127.0.0.1:0", "--http_listen=0.0.0.0:0",
                             "--database=sqlite://" + os.path.join(folder, "t.db")],
                            capture_output=True, timeout=30)
    check(result.returncode != 0 and b"plaintext" in result.stderr,
          "plaintext HTTP on 0.0.0.0 without --insecure must not start: %s %s" % (
              result.returncode, result.stderr[-300:]))


def main():
    binary = sys.argv[1]
    test_with_issuers(binary)
    test_dev_mode_and_overload(binary)
    test_refuses_plaintext_off_loopback(binary)
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
