#!/usr/bin/python3
"""The patient report end to end, on a real scoliomassaged (--http_listen),
read by a real browser:
- seeds patients over gRPC: one with a single session, one with gaps and
  adverse events (and markup in its text), one with many sessions;
- fetches each report over HTTP with a bearer token and renders it in headless
  Chromium (tests/report/browser/render.mjs, DevTools protocol): no console
  errors, no request leaves the page, every SVG has a title, the data tables
  match what was logged (sessions, dates, pain, gaps), no horizontal scroll at
  360 px, and printing to PDF gives at least one A4 page;
- the access rules over HTTP and gRPC: 401 without a token, analytics 403, a
  therapist only their sessions, another clinic's patient 404, bad format 400;
- the plugin's smp_patient_report, the CLI and the HTTP face give the same page.
Screenshots and PDFs are kept in ARTIFACTS.
Exits 77 (skipped) when chromium or node is absent.
Usage: report_e2e_test.py SCOLIOMASSAGED CLI PLUGIN_CALL_HOST ARTIFACTS
"""
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import testlib  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NODE = shutil.which("node")
BROWSER_DIR = os.path.join(HERE, "browser")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)
    return condition


TOKENS = {"tok-host": ("frontdesk", "host", "clinic-a"),
          "tok-admin": ("admin-1", "admin", "clinic-a"),
          "tok-ther-1": ("t-1", "therapist", "clinic-a"),
          "tok-analytics": ("job-1", "analytics", "clinic-a"),
          "tok-host-b": ("frontdesk-b", "host", "clinic-b")}

BASE_DAY = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.timezone.utc)


def performed_at(day):
    return (BASE_DAY + datetime.timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_of(day):
    return (BASE_DAY + datetime.timedelta(days=day)).strftime("%Y-%m-%d")


def sessions_for():
    """What is logged: patient -> list of session dicts."""
    one = [dict(n=1, day=0, before=6, after=4, minutes=15, therapist="t-1", events=[])]
    gaps = []
    pains = {1: (7, 5), 2: (7, 4), 3: (6, 5), 5: (5, 3), 6: (6, 6), 9: (4, 2), 10: (4, 3)}
    for n, (before, after) in pains.items():
        events = []
        if n == 3:
            events = [{"type": "ADVERSE_EVENT_TYPE_BRUISING", "severity": "SEVERITY_MILD",
                       "description": "small bruise <b>left</b> & \"lower\" back"}]
        if n == 6:
            events = [{"type": "ADVERSE_EVENT_TYPE_INCREASED_PAIN", "severity": "SEVERITY_MODERATE"}]
        gaps.append(dict(n=n, day=n * 7, before=before, after=after, minutes=15 if n < 4 else 20,
                         therapist="t-1" if n % 2 else "t-2", events=events))
    many = []
    for n in range(1, 61):
        before = max(1, 7 - n // 10)
        many.append(dict(n=n, day=n * 3, before=before, after=max(0, before - 2),
                         minutes=min(40, 15 + 5 * max(0, n - 3)), therapist="t-2", events=[]))
    return {"p-one": one, "p-gaps<&>": gaps, "p-many": many}


def write_config(folder):
    tokens = os.path.join(folder, "tokens")
    with open(tokens, "w") as f:
        for token, (principal, role, clinic) in TOKENS.items():
            f.write("token sha256:%s %s %s %s\n" % (hashlib.sha256(token.encode()).hexdigest(),
                                                   principal, role, clinic))
    secret = os.path.join(folder, "pseudonym")
    with open(secret, "w") as f:
        f.write("report-test-pseudonym-secret-of-at-least-32-bytes")
    return tokens, secret


def seed(address, logged):
    import grpc
    from google.protobuf import json_format
    from scoliomassage.v1 import outcome_pb2, outcome_pb2_grpc
    channel = grpc.insecure_channel(address)
    stub = outcome_pb2_grpc.OutcomeServiceStub(channel)
    for patient, sessions in logged.items():
        for s in sessions:
            request = json_format.ParseDict({
                "requestId": str(uuid.uuid4()),
                "outcome": {"patientId": patient, "therapistId": s["therapist"],
                            "protocolId": "lumbar-c-curve", "protocolVersion": 1,
                            "sessionNumber": s["n"], "minutes": s["minutes"],
                            "painBefore": s["before"], "painAfter": s["after"],
                            "adverseEvents": s["events"], "performedAt": performed_at(s["day"])},
            }, outcome_pb2.LogOutcomeRequest())
            stub.LogOutcome(request, metadata=[("authorization", "Bearer tok-admin")], timeout=10)
    channel.close()




def quote(patient):
    from urllib.parse import quote as q
    return q(patient, safe="")


def without_generated_time(page):
    return re.sub(r'<p class="generated">.*?</p>', "", page, flags=re.S)


def check_tables(name, result, sessions):
    pain_rows = [r for r in result["painTable"] if not r["gap"]]
    check(len(pain_rows) == len(sessions), "%s: %d pain rows for %d sessions" % (name, len(pain_rows), len(sessions)))
    for row, s in zip(pain_rows, sessions):
        cells = row["cells"]
        expected = [str(s["n"]), date_of(s["day"]), str(s["before"]), str(s["after"])]
        check(cells[:4] == expected, "%s: pain row %s, logged %s" % (name, cells[:4], expected))
        if s["events"]:
            check("mild" in cells[5] or "moderate" in cells[5], "%s: session %d events cell %r" % (name, s["n"], cells[5]))
        else:
            check(cells[5] == "none", "%s: session %d events cell %r" % (name, s["n"], cells[5]))
    dose_rows = [r for r in result["doseTable"] if not r["gap"]]
    check([r["cells"][2] for r in dose_rows] == [str(s["minutes"]) for s in sessions],
          "%s: minutes column %s" % (name, [r["cells"][2] for r in dose_rows]))
    # A gap row for each run of sessions that was not logged.
    numbers = [s["n"] for s in sessions]
    expected_gaps = sum(1 for a, b in zip(numbers, numbers[1:]) if b - a > 1)
    gap_rows = [r for r in result["painTable"] if r["gap"]]
    check(len(gap_rows) == expected_gaps, "%s: %d gap rows, expected %d" % (name, len(gap_rows), expected_gaps))


def check_page(name, result, sessions, report_url):
    check(result["status"] == 200, "%s: HTTP %s" % (name, result["status"]))
    check(result["contentType"].startswith("text/html"), "%s: content type %s" % (name, result["contentType"]))
    check(result["consoleErrors"] == [], "%s: console errors %s" % (name, result["consoleErrors"]))
    others = [u for u in result["requests"] if u != report_url and not u.endswith("/favicon.ico")]
    check(others == [], "%s: requests besides the page: %s" % (name, others))
    check(result["scripts"] == 0, "%s: %d scripts" % (name, result["scripts"]))
    check(len(result["svgs"]) >= 2, "%s: %d svgs" % (name, len(result["svgs"])))
    for svg in result["svgs"]:
        check(svg["title"] != "" and svg["desc"] != "", "%s: an svg without title/desc: %s" % (name, svg))
        check(svg["width"] <= 360, "%s: svg wider than the viewport: %s" % (name, svg["width"]))
    check(result["scrollWidth"] <= result["innerWidth"],
          "%s: horizontal scroll at 360 px (%s > %s)" % (name, result["scrollWidth"], result["innerWidth"]))
    check(result["pdfPages"] >= 1, "%s: PDF has %d pages" % (name, result["pdfPages"]))
    check("No films recorded" in result["curve"], "%s: curve section %r" % (name, result["curve"][:80]))
    check_tables(name, result, sessions)


def run(binary, cli, call_host, artifacts):
    import testlib as _  # noqa: F401
    testlib.stubs()
    import grpc
    from scoliomassage.v1 import report_pb2, report_pb2_grpc
    logged = sessions_for()
    folder = tempfile.mkdtemp(prefix="scoliomassage-report-")
    tokens, secret = write_config(folder)
    server = testlib.Server(binary, extra_args=["--http_listen=127.0.0.1:0", "--tokens_file=" + tokens,
                                                "--pseudonym_secret_file=" + secret])
    server.start()
    ok = False
    try:
        port = server.http_port()
        seed(server.address, logged)

        # Access over HTTP.
        path = "/patients/p-gaps%3C%26%3E/report"
        check(testlib.http_get(port, path)[0] == 401, "no token: 401")
        check(testlib.http_get(port, path, "tok-analytics")[0] == 403, "analytics: 403")
        check(testlib.http_get(port, path, "tok-host-b")[0] == 404, "another clinic: 404")
        check(testlib.http_get(port, "/patients/p-nobody/report", "tok-host")[0] == 404, "unknown patient: 404")
        status, _, body = testlib.http_get(port, path + "?format=pdf", "tok-host")
        check(status == 400 and b"format" in body, "bad format: %s %s" % (status, body[:200]))
        status, headers, body = testlib.http_get(port, path + "?format=svg", "tok-host")
        check(status == 200 and headers.get("Content-Type", "").startswith("image/svg+xml"), "svg: %s %s" % (status, headers))
        check(body.startswith(b"<?xml") and b"<title" in body and b"<html" not in body, "svg body")
        status, headers, body = testlib.http_get(port, path, "tok-ther-1")
        page = body.decode()
        check(status == 200, "therapist: %s" % status)
        check("Sessions logged by t-1 only" in page, "therapist scope note")
        own = [s for s in logged["p-gaps<&>"] if s["therapist"] == "t-1"]
        check(page.count('<tr data-session="') == 2 * len(own), "therapist sees only t-1's sessions")
        check("default-src 'none'" in headers.get("Content-Security-Policy", ""), "CSP header")
        check("&lt;&amp;&gt;" in page and "p-gaps<&>" not in page, "patient id escaped")
        check("&lt;b&gt;left&lt;/b&gt;" in page, "event description escaped")

        # Access over gRPC.
        channel = grpc.insecure_channel(server.address)
        stub = report_pb2_grpc.ReportServiceStub(channel)
        request = report_pb2.GetPatientReportRequest(patient_id="p-one")
        try:
            stub.GetPatientReport(request, metadata=[("authorization", "Bearer tok-analytics")], timeout=10)
            check(False, "gRPC analytics allowed")
        except grpc.RpcError as error:
            check(error.code() == grpc.StatusCode.PERMISSION_DENIED, "gRPC analytics: %s" % error.code())
        grpc_page = stub.GetPatientReport(request, metadata=[("authorization", "Bearer tok-host")], timeout=10)
        check(grpc_page.session_count == 1, "gRPC session_count %d" % grpc_page.session_count)
        channel.close()

        # The browser.
        jobs = []
        for name, patient in (("one-session", "p-one"), ("gaps-and-events", "p-gaps<&>"), ("many-sessions", "p-many")):
            jobs.append({"name": name, "token": "tok-host",
                         "url": "http://127.0.0.1:%d/patients/%s/report" % (port, quote(patient))})
        result = subprocess.run([NODE, os.path.join(BROWSER_DIR, "render.mjs"),
                                 json.dumps({"jobs": jobs, "artifacts": artifacts})],
                                capture_output=True, text=True, timeout=180, cwd=BROWSER_DIR)
        check(result.returncode == 0, "render.mjs exit %d: %s" % (result.returncode, result.stderr[-3000:]))
        results = {r["name"]: r for r in map(json.loads, filter(None, result.stdout.splitlines()))}
        for job, patient in zip(jobs, ("p-one", "p-gaps<&>", "p-many")):
            r = results.get(job["name"])
            if not check(r is not None, "no browser result for " + job["name"]):
                continue
            check_page(job["name"], r, logged[patient], job["url"])
        if "one-session" in results:
            check("Not enough data" in results["one-session"]["summary"], "one session: %r" % results["one-session"]["summary"])
        if "gaps-and-events" in results:
            summary = results["gaps-and-events"]["summary"]
            check(summary == "Pre-session pain fell from 7 to 4 over 7 sessions: a meaningful improvement.",
                  "gaps summary %r" % summary)
        if "many-sessions" in results:
            summary = results["many-sessions"]["summary"]
            check(summary == "Pre-session pain fell from 7 to 1 over 60 sessions: a meaningful improvement.",
                  "many summary %r" % summary)
            check("Next session: 40 minutes" in results["many-sessions"]["nextDose"], "next dose %r" % results["many-sessions"]["nextDose"])

        # One page, three ways: HTTP, the CLI and the plugin.
        _, _, http_body = testlib.http_get(port, path, "tok-host")
        cli_run = subprocess.run([cli, "report", "--patient=p-gaps<&>", "--server=" + server.address],
                                 env={**os.environ, "SCOLIOMASSAGE_TOKEN": "tok-host"},
                                 capture_output=True, timeout=30)
        check(cli_run.returncode == 0, "CLI exit %d: %s" % (cli_run.returncode, cli_run.stderr[-500:]))
        config = json.dumps({"target": server.address, "token": "tok-host", "deadlineMs": 10000})
        plugin_run = subprocess.run([call_host, config, "report", json.dumps({"patientId": "p-gaps<&>"})],
                                    capture_output=True, text=True, timeout=30)
        line = json.loads(plugin_run.stdout.splitlines()[0]) if plugin_run.stdout else {}
        check(line.get("code") == 0, "plugin: %s" % plugin_run.stdout[:500])
        envelope = line.get("response") or {}
        check(envelope.get("contentType") == "text/html; charset=utf-8", "plugin contentType %r" % envelope.get("contentType"))
        check(envelope.get("sessionCount") == len(logged["p-gaps<&>"]), "plugin sessionCount")
        pages = {"http": without_generated_time(http_body.decode()),
                 "cli": without_generated_time(cli_run.stdout.decode()),
                 "plugin": without_generated_time(envelope.get("content", ""))}
        check(len(pages["http"]) > 1000, "HTTP page is empty")
        check(pages["cli"] == pages["http"], "CLI page differs from the HTTP page")
        check(pages["plugin"] == pages["http"], "plugin page differs from the HTTP page")
        # Every view is audited, refused ones too, under the patient's pseudonym.
        from scoliomassage.v1 import audit_pb2, audit_pb2_grpc
        channel = grpc.insecure_channel(server.address)
        records = audit_pb2_grpc.AuditServiceStub(channel).ListAuditRecords(
            audit_pb2.ListAuditRecordsRequest(page_size=1000),
            metadata=[("authorization", "Bearer tok-admin")], timeout=10).records
        channel.close()
        route = [r for r in records if r.method == "GET /patients/{patient_id}/report"]
        via_grpc = [r for r in records if r.method == "/scoliomassage.v1.ReportService/GetPatientReport"]
        check(len(via_grpc) >= 2, "gRPC report views audited: %d" % len(via_grpc))
        check(any(r.principal == "job-1" and r.status_code == 7 for r in route + via_grpc),
              "the refused analytics view is audited")
        check(any(r.principal == "t-1" and r.status_code == 0 for r in route), "the therapist's view is audited")
        check(all("p-gaps" not in r.subject and "p-one" not in r.subject for r in route + via_grpc),
              "audit subjects are pseudonyms, never patient ids")
        with open(os.path.join(artifacts, "gaps-and-events.html"), "w") as f:
            f.write(http_body.decode())
        ok = not failures
    finally:
        server.cleanup(show_log=not ok)
        shutil.rmtree(folder, ignore_errors=True)


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    if not os.access(CHROMIUM, os.X_OK) or NODE is None:
        print("SKIP: needs %s and node" % CHROMIUM)
        return 77
    if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
        print("FAIL: tests/report/browser/node_modules is missing: run tests/report/browser/install.sh")
        return 1
    artifacts = sys.argv[4]
    os.makedirs(artifacts, exist_ok=True)
    run(sys.argv[1], sys.argv[2], sys.argv[3], artifacts)
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("ok: reports rendered in Chromium; artifacts in", artifacts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
