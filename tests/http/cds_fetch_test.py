#!/usr/bin/python3
"""CDS Hooks 2.0 "prefetch not provided" on the real scoliomassaged: the
service fetches missing prefetch from the EHR's fhirServer. A small FHIR
server on loopback (Python's http.server) serves the same resources the
prefetch would carry and records every request and its Authorization header.
- prefetch present: nothing is fetched;
- prefetch missing, fhirServer allowlisted: fetched with the EHR's access
  token (and nothing else of ours), the same cards as with the prefetch;
- fhirServer down, not allowlisted, plaintext off loopback, an untrusted TLS
  certificate, no fhirAuthorization, a 401, a redirect, a body that is not
  FHIR, a body too large: 412 PREFETCH_FETCH_FAILED naming the key, nothing
  stored, and (for the policy and TLS refusals) nothing requested;
- dev mode fetches from loopback only; a plaintext allowlist entry off
  loopback stops the start.
Usage: cds_fetch_test.py PATH/TO/scoliomassaged
"""
import datetime
import http.server
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cds_hooks_test as cds  # noqa: E402  (its helpers: keys, bodies, requests, schema)
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

TOKEN = "ehr-access-token-123"
check = cds.check


class FhirServer:
    """Serves /{mode}/... where mode picks the behaviour: fhir (good), fhir401,
    redirect, html, big, other (good, but never allowlisted)."""

    def __init__(self):
        self.requests = []  # (path, Authorization, all header names)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.requests.append((self.path, self.headers.get("Authorization"),
                                       sorted(k.lower() for k in self.headers.keys())))
                parts = urllib.parse.urlsplit(self.path)
                mode, _, rest = parts.path.lstrip("/").partition("/")
                query = urllib.parse.parse_qs(parts.query)
                if mode == "fhir401" or self.headers.get("Authorization") != "Bearer " + TOKEN:
                    return self.send(401, {"resourceType": "OperationOutcome", "issue": [
                        {"severity": "error", "code": "login"}]})
                if mode == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if mode == "html":
                    return self.send(200, b"<html>login page</html>", "text/html")
                if mode in ("big", "stream"):
                    # "stream": no Content-Length (HTTP/1.0, the body ends at close).
                    return self.send(200, b'{"resourceType":"Bundle","x":"' + b"a" * (2 << 20) + b'"}',
                                     length=mode == "big")
                patient = (query.get("patient") or [rest.partition("/")[2]])[0]
                data = cds.prefetch(patient)
                code = (query.get("code") or [""])[0]
                if rest.startswith("Patient/"):
                    return self.send(200, data["patient"])
                if rest.startswith("Condition") and "M41" in code:
                    return self.send(200, data["scoliosis"])
                if rest.startswith("Condition"):
                    return self.send(200, data["conditions"])
                if rest.startswith("Observation") and "cobb-angle" in code:
                    return self.send(200, data["cobb"])
                if rest.startswith("Observation") and "72514-3" in code:
                    return self.send(200, data["pain"])
                return self.send(404, {"resourceType": "OperationOutcome", "issue": [
                    {"severity": "error", "code": "not-found"}]})

            def send(self, status, body, content_type="application/fhir+json", length=True):
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if length:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the service stopped reading a too-large answer: expected

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = "http://127.0.0.1:%d" % self.port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


def self_signed_https(fhir):
    """The same FHIR server over TLS with a self-signed certificate: the
    service must refuse it (not trusted) before any request is sent.
    Returns (base URL, stop)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    folder = tempfile.mkdtemp(prefix="scoliomassage-tls-")
    cert_path, key_path = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), fhir.httpd.RequestHandlerClass)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return "https://127.0.0.1:%d/fhir" % httpd.server_address[1], httpd.shutdown


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def comparable(cards):
    """Cards without what differs per call (uuids, the recommendation id)."""
    out = []
    for card in cards:
        card = {k: v for k, v in card.items() if k != "uuid"}
        if "detail" in card:
            card["detail"] = "\n".join(l for l in card["detail"].splitlines() if not l.startswith("Recommendation `"))
        out.append(card)
    return out


def main():
    binary = sys.argv[1]
    fhir = FhirServer()
    down = "http://127.0.0.1:%d/fhir" % closed_port()
    untrusted, stop_tls = self_signed_https(fhir)
    folder = tempfile.mkdtemp(prefix="scoliomassage-cds-fetch-")
    keys = cds.Keys(folder)
    allowed = [fhir.base + "/" + mode for mode in ("fhir/", "fhir401", "redirect", "html", "big", "stream")] + [down, untrusted]
    with open(keys.issuers_file, "w") as f:
        json.dump({"issuers": [{"iss": cds.ISS, "jwks": "ehr-jwks.json", "clinic": "clinic-a",
                                "fhir_servers": allowed}]}, f)
    server = cds.testlib.Server(binary, extra_args=["--http_listen=127.0.0.1:0",
                                                    "--cds_issuers_file=" + keys.issuers_file])
    server.start()
    ok = False
    try:
        port = server.http_port()
        aud = "http://127.0.0.1:%d%s" % (port, cds.CHECKIN)
        db = server.database[len("sqlite://"):]
        auth = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300, "scope": "patient/*.read",
                "subject": "scoliomassage"}

        def call(body):
            jwt_token = keys.token(aud)
            status, doc, _ = cds.request(port, "POST", cds.CHECKIN, body, {"Authorization": "Bearer " + jwt_token})
            return status, doc, jwt_token

        # Prefetch present (and a fhirServer): nothing is fetched.
        status, with_prefetch, _ = call(cds.hook_body("f-a", fhirServer=fhir.base + "/fhir", fhirAuthorization=auth))
        check(status == 200, "with prefetch: %s %s" % (status, with_prefetch))
        check(fhir.requests == [], "prefetch present: nothing fetched (%s)" % fhir.requests)

        # Prefetch missing: fetched with the EHR's token, the same cards.
        body = cds.hook_body("f-a", fhirServer=fhir.base + "/fhir/", fhirAuthorization=auth)
        del body["prefetch"]
        status, fetched, jwt_token = call(body)
        check(status == 200, "fetched: %s %s" % (status, fetched))
        if status == 200:
            cds.validate(fetched, "cardsResponse")
            check(comparable(fetched["cards"]) == comparable(with_prefetch["cards"]),
                  "fetched prefetch gives the same cards:\n%s\n%s" % (fetched["cards"], with_prefetch["cards"]))
        paths = sorted(p for p, _, _ in fhir.requests)
        check(len(paths) == 5 and any(p == "/fhir/Patient/f-a" for p in paths), "five keys fetched: %s" % paths)
        check(all(a == "Bearer " + TOKEN for _, a, _ in fhir.requests),
              "the access token is passed through: %s" % [a for _, a, _ in fhir.requests])
        check(all(jwt_token not in (a or "") for _, a, _ in fhir.requests), "the EHR's JWT is never forwarded")
        check(all(set(h) <= {"host", "accept", "authorization", "user-agent", "connection", "accept-encoding"}
                  for _, _, h in fhir.requests), "no other headers sent: %s" % [h for _, _, h in fhir.requests])

        # Only some keys missing: only those are fetched.
        fhir.requests.clear()
        body = cds.hook_body("f-b", fhirServer=fhir.base + "/fhir", fhirAuthorization=auth)
        del body["prefetch"]["cobb"]
        status, _, _ = call(body)
        check(status == 200 and len(fhir.requests) == 1 and "cobb-angle" in urllib.parse.unquote(fhir.requests[0][0]),
              "one missing key, one fetch: %s %s" % (status, fhir.requests))

        # Failures: 412 naming the key, nothing stored.
        def no_prefetch(patient, **fields):
            body = cds.hook_body(patient, **fields)
            del body["prefetch"]
            return body
        failures = {
            "fhirServer down": (no_prefetch("f-bad", fhirServer=down, fhirAuthorization=auth), True, "unreachable"),
            "not allowlisted": (no_prefetch("f-bad", fhirServer=fhir.base + "/other", fhirAuthorization=auth),
                                False, "allowlist"),
            "no fhirAuthorization": (no_prefetch("f-bad", fhirServer=fhir.base + "/fhir"), False, "fhirAuthorization"),
            "wrong token (401)": (no_prefetch("f-bad", fhirServer=fhir.base + "/fhir",
                                              fhirAuthorization=dict(auth, access_token="stolen")), True, "401"),
            "401": (no_prefetch("f-bad", fhirServer=fhir.base + "/fhir401", fhirAuthorization=auth), True, "401"),
            "redirect": (no_prefetch("f-bad", fhirServer=fhir.base + "/redirect", fhirAuthorization=auth), True,
                         "redirect"),
            "not FHIR": (no_prefetch("f-bad", fhirServer=fhir.base + "/html", fhirAuthorization=auth), True, "JSON"),
            "too large": (no_prefetch("f-bad", fhirServer=fhir.base + "/big", fhirAuthorization=auth), True,
                          "too large"),
            "too large, no Content-Length": (no_prefetch("f-bad", fhirServer=fhir.base + "/stream",
                                                         fhirAuthorization=auth), True, "too large"),
            "untrusted TLS certificate": (no_prefetch("f-bad", fhirServer=untrusted, fhirAuthorization=auth), False,
                                          "TLS"),
            "plaintext off loopback": (no_prefetch("f-bad", fhirServer="http://ehr.example.org/fhir",
                                                   fhirAuthorization=auth), False, "plaintext"),
        }
        for name, (body, may_request, words) in failures.items():
            fhir.requests.clear()
            status, doc, _ = call(body)
            check(status == 412, "%s: status %s, want 412 (%s)" % (name, status, doc))
            error = (doc or {}).get("error", {})
            check(error.get("reason") == "PREFETCH_FETCH_FAILED", "%s: reason %s" % (name, error.get("reason")))
            check("prefetch 'patient'" in error.get("message", "") and words in error.get("message", ""),
                  "%s: message names the key and why: %s" % (name, error.get("message")))
            if doc:
                cds.validate(doc, "error")
            if not may_request:
                check(fhir.requests == [], "%s: nothing requested (%s)" % (name, fhir.requests))
        # Without any fhirServer, a missing prefetch is still PREFETCH_MISSING.
        status, doc, _ = call(no_prefetch("f-bad"))
        check(status == 412 and doc["error"]["reason"] == "PREFETCH_MISSING", "no fhirServer: %s %s" % (status, doc))
        time.sleep(1.0)  # background writes are flushed well within this
        check(cds.count_rows(db, "SELECT COUNT(*) FROM recommendations WHERE patient_id='f-bad'", ()) == 0,
              "a failed fetch stores no recommendation")
        check(cds.count_rows(db, "SELECT COUNT(*) FROM recommendations WHERE patient_id='f-a'", ()) == 2,
              "both good calls stored their recommendation")
        check(server.stop() == 0, "SIGTERM exit code")
        ok = not cds.failures
    finally:
        server.cleanup(show_log=not ok)
        stop_tls()

    # Dev mode (no tokens, no issuers file, loopback): any loopback fhirServer.
    server = cds.testlib.Server(binary, extra_args=["--http_listen=127.0.0.1:0"])
    server.start()
    ok = False
    try:
        port = server.http_port()
        fhir.requests.clear()
        body = cds.hook_body("f-dev", fhirServer=fhir.base + "/fhir", fhirAuthorization={"access_token": TOKEN})
        del body["prefetch"]
        status, doc, _ = cds.request(port, "POST", cds.CHECKIN, body)
        check(status == 200 and len(fhir.requests) == 5, "dev mode fetches from loopback: %s %s" % (status, doc))
        body["fhirServer"] = "https://ehr.example.org/fhir"
        status, doc, _ = cds.request(port, "POST", cds.CHECKIN, body)
        check(status == 412 and doc["error"]["reason"] == "PREFETCH_FETCH_FAILED",
              "dev mode refuses a server off loopback: %s %s" % (status, doc))
        ok = not cds.failures
    finally:
        server.cleanup(show_log=not ok)
        fhir.close()

    # An issuers file with a plaintext fhir_servers entry off loopback does not start.
    with open(keys.issuers_file, "w") as f:
        json.dump({"issuers": [{"iss": cds.ISS, "jwks": "ehr-jwks.json", "clinic": "clinic-a",
                                "fhir_servers": ["http://ehr.example.org/fhir"]}]}, f)
    result = subprocess.run([binary, "--listen=127.0.0.1:0", "--http_listen=127.0.0.1:0",
                             "--cds_issuers_file=" + keys.issuers_file,
                             "--database=sqlite://" + os.path.join(folder, "t.db")],
                            capture_output=True, timeout=30)
    check(result.returncode != 0 and b"fhir_servers" in result.stderr,
          "a plaintext fhir_servers entry refuses the start: %s %s" % (result.returncode, result.stderr[-300:]))

    if cds.failures:
        print("%d failure(s)" % len(cds.failures))
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
