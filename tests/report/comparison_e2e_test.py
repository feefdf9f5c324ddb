#!/usr/bin/python3
"""The protocol comparison page end to end, on a real scoliomassaged
(--http_listen), read by a real browser:
- seeds episodes over gRPC: two protocols with 12 patients each (one session
  pattern per patient, known pain changes), a third with 3 patients (not
  enough data for the admin; suppressed for analytics);
- fetches GET /comparisons?format=html as an admin and as analytics and
  renders each in headless Chromium (tests/report/browser/render_comparison.mjs):
  no console errors, no request leaves the page, no script, the observational
  caveat is the first section, every SVG has a title and a desc, the forest
  plot has one row per group (withheld and suppressed groups as words, never
  a point), the tables print the same figures as the JSON answer and the
  means computed here from what was seeded, no horizontal scroll at 360 px,
  and printing gives at least one A4 page;
- ?format=svg is the forest plot alone, a bad format is 400 naming `format`,
  and the page is sent with a Content-Security-Policy that loads nothing.
Screenshots and PDFs are kept in ARTIFACTS.
Exits 77 (skipped) when chromium or node is absent.
Usage: comparison_e2e_test.py SCOLIOMASSAGED ARTIFACTS
"""
import datetime
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from urllib.parse import urlencode

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


TOKENS = {"tok-admin": ("admin-1", "admin", "clinic-a"),
          "tok-analytics": ("job-1", "analytics", "clinic-a")}

BASE_DAY = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.timezone.utc)
PROTOCOLS = ("lumbar-c-curve", "lumbar-s-curve", "thoracic-c-curve")


def performed_at(day):
    return (BASE_DAY + datetime.timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")


def seeded():
    """protocol -> [(patient, [pre-session pain per session])]: lumbar-c-curve
    falls about 3 points, lumbar-s-curve about 1, thoracic-c-curve has only 3
    patients."""
    plan = {}
    for protocol, patients, fall in (("lumbar-c-curve", 12, 3), ("lumbar-s-curve", 12, 1),
                                     ("thoracic-c-curve", 3, 2)):
        rows = []
        for i in range(patients):
            baseline = 5 + i % 3
            latest = max(0, baseline - fall - (i % 2))
            rows.append(("%s-p%02d<&>" % (protocol[:8], i), [baseline, (baseline + latest) // 2, latest]))
        plan[protocol] = rows
    return plan


def write_config(folder):
    tokens = os.path.join(folder, "tokens")
    with open(tokens, "w") as f:
        for token, (principal, role, clinic) in TOKENS.items():
            f.write("token sha256:%s %s %s %s\n" % (hashlib.sha256(token.encode()).hexdigest(),
                                                   principal, role, clinic))
    secret = os.path.join(folder, "pseudonym")
    with open(secret, "w") as f:
        f.write("comparison-test-pseudonym-secret-of-at-least-32-bytes")
    return tokens, secret


def seed(address, plan):
    import grpc
    from google.protobuf import json_format
    from scoliomassage.v1 import assessment_pb2, assessment_pb2_grpc, outcome_pb2, outcome_pb2_grpc
    channel = grpc.insecure_channel(address)
    stub = outcome_pb2_grpc.OutcomeServiceStub(channel)
    for protocol, rows in plan.items():
        for p, (patient, pains) in enumerate(rows):
            for n, pain in enumerate(pains, start=1):
                request = json_format.ParseDict({
                    "requestId": str(uuid.uuid4()),
                    "outcome": {"patientId": patient, "therapistId": "t-1", "protocolId": protocol,
                                "protocolVersion": 1, "sessionNumber": n, "minutes": 15,
                                "painBefore": pain, "painAfter": max(0, pain - 1),
                                "performedAt": performed_at(p + 7 * n)},
                }, outcome_pb2.LogOutcomeRequest())
                stub.LogOutcome(request, metadata=[("authorization", "Bearer tok-admin")], timeout=10)
    # ODI at the first and the last session of every lumbar-c-curve patient:
    # 60 then 40 (every item 3, then 2): a change of -20 each.
    assessments = assessment_pb2_grpc.AssessmentServiceStub(channel)
    for p, (patient, pains) in enumerate(plan["lumbar-c-curve"]):
        for n, value in ((1, 3), (len(pains), 2)):
            request = json_format.ParseDict({"requestId": str(uuid.uuid4()), "assessment": {
                "patientId": patient, "instrumentId": "odi", "performedAt": performed_at(p + 7 * n),
                "answers": [{"item": str(k + 1), "value": value} for k in range(10)]}},
                assessment_pb2.RecordAssessmentRequest())
            assessments.RecordAssessment(request, metadata=[("authorization", "Bearer tok-admin")], timeout=10)
    channel.close()


# CDS feedback as the feedback route stores it (its own tests cover the
# route): lumbar-c-curve 3 of 8 cards overridden, "too-sore" twice.
FEEDBACK = [("lumbar-c-curve", "overridden", "too-sore")] * 2 + [("lumbar-c-curve", "overridden", "other")] + \
    [("lumbar-c-curve", "accepted", "")] * 5


def seed_feedback(db_path):
    import sqlite3
    now_us = int(BASE_DAY.timestamp() * 1e6) + 86400 * 10 ** 6
    with sqlite3.connect(db_path) as db:
        for i, (protocol, outcome, reason) in enumerate(FEEDBACK):
            db.execute("INSERT INTO cds_feedback VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       ("clinic-a", "card-%d" % i, outcome, "scoliomassage-checkin", "recommendations/x", "protocol",
                        "p-x", protocol, 5, "urn:reasons" if reason else "", reason, "free text", 0, now_us,
                        now_us, "ehr"))




def one_decimal(value):
    """As the page prints a figure (core OneDecimal: half away from zero, no -0.0)."""
    rounded = math.copysign(math.floor(abs(value) * 10 + 0.5), value) / 10
    return "%.1f" % (0.0 if rounded == 0 else rounded)


def interval_text(estimate, value_key):
    text = one_decimal(estimate.get(value_key, 0))
    ci = estimate.get("ci95")
    if ci is None:
        return text
    return "%s (%s to %s)" % (text, one_decimal(ci.get("low", 0)), one_decimal(ci.get("high", 0)))


def check_page(name, result, url, answer, plan, analytics):
    check(result["status"] == 200, "%s: HTTP %s" % (name, result["status"]))
    check(result["contentType"].startswith("text/html"), "%s: content type %s" % (name, result["contentType"]))
    check("default-src 'none'" in result["csp"], "%s: CSP %r" % (name, result["csp"]))
    check(result["consoleErrors"] == [], "%s: console errors %s" % (name, result["consoleErrors"]))
    others = [u for u in result["requests"] if u != url and not u.endswith("/favicon.ico")]
    check(others == [], "%s: requests besides the page: %s" % (name, others))
    check(result["scripts"] == 0, "%s: %d scripts" % (name, result["scripts"]))
    check(result["firstSection"] == "caveat", "%s: first section %r" % (name, result["firstSection"]))
    check("not a causal effect" in result["caveat"], "%s: caveat %r" % (name, result["caveat"][:200]))
    check(result["scrollWidth"] <= result["innerWidth"],
          "%s: horizontal scroll at 360 px (%s > %s)" % (name, result["scrollWidth"], result["innerWidth"]))
    check(result["pdfPages"] >= 1, "%s: PDF has %d pages" % (name, result["pdfPages"]))
    for svg in result["svgs"]:
        check(svg["title"] != "" and svg["desc"] != "", "%s: an svg without title/desc: %s" % (name, svg["title"]))
        check(svg["width"] <= 360, "%s: svg wider than the viewport: %s" % (name, svg["width"]))
    groups = answer.get("groups", [])
    check(sorted(g["group"] for g in groups) == sorted(PROTOCOLS), "%s: groups %s" % (name, [g["group"] for g in groups]))
    shown = [g for g in groups if g.get("visibility") == "GROUP_VISIBILITY_SHOWN"]
    if not check(len(result["svgs"]) >= 1 if shown else result["noPlot"], "%s: no plot and no no-plot note" % name):
        return
    plot_rows = {r["label"]: r for r in (result["svgs"][0]["rows"] if shown else [])}
    table = {r["group"]: r for r in result["painTable"]}
    for g in groups:
        row = table.get(g["group"])
        if not check(row is not None, "%s: no pain-table row for %s" % (name, g["group"])):
            continue
        drawn = plot_rows.get(g["group"])
        visibility = g.get("visibility")
        if visibility == "GROUP_VISIBILITY_SHOWN":
            change = g["painChange"]
            expected = interval_text(change, "mean")
            check(row["estimates"] == [expected], "%s: %s table %s, JSON %s" % (name, g["group"], row["estimates"], expected))
            check(drawn is not None and drawn["value"] == expected and drawn["points"] == 1,
                  "%s: %s plot row %s, JSON %s" % (name, g["group"], drawn, expected))
            # Independently: the mean change from what was seeded.
            changes = [pains[-1] - pains[0] for _, pains in plan[g["group"]]]
            mean = sum(changes) / len(changes)
            check(expected.startswith(one_decimal(mean) + " "), "%s: %s mean %s, seeded %s" % (name, g["group"], expected, mean))
            check(row["cells"][1:4] == [str(len(changes)), str(len(changes)), str(len(changes))],
                  "%s: %s counts %s" % (name, g["group"], row["cells"][1:4]))
        else:
            word = "Suppressed" if visibility == "GROUP_VISIBILITY_SUPPRESSED" else "Not enough data"
            check(row["withheld"] and row["estimates"] == [], "%s: %s withheld row %s" % (name, g["group"], row))
            check(any(word in c for c in row["cells"]), "%s: %s says %r? %s" % (name, g["group"], word, row["cells"]))
            if drawn is not None:
                check(drawn["kind"] == "text" and drawn["points"] == 0 and word in drawn["text"],
                      "%s: %s drawn as %s" % (name, g["group"], drawn))
            if visibility == "GROUP_VISIBILITY_SUPPRESSED":
                check("0" not in row["cells"][1:3], "%s: %s suppressed counts %s" % (name, g["group"], row["cells"]))
    difference = answer.get("painChangeDifference")
    if difference:
        label = "Difference: %s minus %s" % (difference["firstGroup"], difference["secondGroup"])
        row = table.get(label)
        expected = interval_text(difference, "difference")
        check(row is not None and row["estimates"] == [expected], "%s: difference row %s, JSON %s" % (name, row, expected))
        check(plot_rows.get(label, {}).get("kind") == "difference", "%s: difference not drawn as a diamond row" % name)
    check_new_panels(name, result, groups)
    thoracic = next((g for g in groups if g["group"] == "thoracic-c-curve"), {})
    if analytics:
        check(thoracic.get("visibility") == "GROUP_VISIBILITY_SUPPRESSED", "analytics: 3 patients not suppressed")
    else:
        check(thoracic.get("visibility") == "GROUP_VISIBILITY_NOT_ENOUGH_DATA", "admin: 3 episodes not withheld")


def proportion_text(p):
    """As the page prints a proportion (core ProportionText)."""
    def percent(x):
        v = math.copysign(math.floor(abs(x) * 100 + 0.5), x)
        return "%d%%" % (0 if v == 0 else v)
    ci = p.get("ci95")
    text = percent(p.get("proportion", 0))
    return text if ci is None else "%s (%s to %s)" % (text, percent(ci.get("low", 0)), percent(ci.get("high", 0)))


def svg_rows(result, title_start):
    for svg in result["svgs"]:
        if svg["title"].startswith(title_start):
            return {r["label"]: r for r in svg["rows"]}
    return None


def check_new_panels(name, result, groups):
    """The questionnaire and CDS override tables and plots against the JSON
    and what was seeded; withheld groups in words, never points."""
    q_table = {}
    for row in result["questionnaireTable"]:
        q_table.setdefault(row["group"], []).append(row)
    o_table = {r["group"]: r for r in result["overridesTable"]}
    q_rows = svg_rows(result, "Questionnaire change")
    o_rows = svg_rows(result, "CDS override rate")
    shown = [g for g in groups if g.get("visibility") == "GROUP_VISIBILITY_SHOWN"]
    # A plot only with a point on it; else a note says why (as for pain).
    has_q = any(q["change"].get("n", 0) > 0 for g in shown for q in g.get("questionnaireChanges", []))
    has_o = any(g.get("cdsOverrides", {}).get("n", 0) > 0 for g in shown)
    check((q_rows is not None) == has_q and (has_q or "forest-questionnaires-none" in result["noPlot"]),
          "%s: questionnaire plot %s, expected %s" % (name, q_rows is not None, has_q))
    check((o_rows is not None) == has_o and (has_o or "forest-overrides-none" in result["noPlot"]),
          "%s: override plot %s, expected %s" % (name, o_rows is not None, has_o))
    q_rows, o_rows = q_rows or {}, o_rows or {}
    for g in groups:
        rows = q_table.get(g["group"], [])
        orow = o_table.get(g["group"])
        if not check(rows and orow is not None, "%s: %s missing from the new tables" % (name, g["group"])):
            continue
        if g.get("visibility") != "GROUP_VISIBILITY_SHOWN":
            word = "Suppressed" if g.get("visibility") == "GROUP_VISIBILITY_SUPPRESSED" else "Not enough data"
            for row in rows + [orow]:
                check(row["withheld"] and row["estimates"] == [] and any(word in c for c in row["cells"]),
                      "%s: %s withheld row %s" % (name, g["group"], row))
            for plot, drawn in ((q_rows, q_rows.get(g["group"])), (o_rows, o_rows.get(g["group"]))):
                if plot:
                    check(drawn is not None and drawn["kind"] == "text" and drawn["points"] == 0 and word in drawn["text"],
                          "%s: %s drawn as %s" % (name, g["group"], drawn))
            continue
        changes = {"%s %s" % (q["instrumentId"], q["domain"]): q for q in g.get("questionnaireChanges", [])}
        for row in rows:
            q = changes.get(row["questionnaire"])
            if q is None:
                check(row["estimates"] == [] and "not measured" in " ".join(row["cells"]),
                      "%s: %s %s should be not measured: %s" % (name, g["group"], row["questionnaire"], row))
                continue
            expected = interval_text(q["change"], "mean")
            check(row["estimates"] == [expected], "%s: %s questionnaire %s, JSON %s" % (name, g["group"], row["estimates"], expected))
            check(row["cells"][2] == str(q["change"]["n"]), "%s: %s questionnaire n %s" % (name, g["group"], row["cells"]))
            check(proportion_text(q["meaningful"]) in row["cells"][4], "%s: %s meaningful %s, JSON %s" % (name, g["group"], row["cells"][4], q["meaningful"]))
            drawn = q_rows.get(g["group"])
            check(drawn is not None and drawn["points"] == 1 and drawn["value"] == expected,
                  "%s: %s questionnaire plot row %s, JSON %s" % (name, g["group"], drawn, expected))
        if g["group"] == "lumbar-c-curve":
            odi = changes.get("odi total", {}).get("change", {})
            # Independently: every lumbar-c-curve episode went 60 -> 40.
            check(odi.get("mean") == -20 and odi.get("n") == 12, "%s: seeded ODI change -20 over 12: %s" % (name, odi))
        overrides = g.get("cdsOverrides", {})
        if overrides.get("n", 0) == 0:
            check(orow["estimates"] == ["no estimate"], "%s: %s override row %s" % (name, g["group"], orow))
            continue
        expected = proportion_text(overrides)
        check(orow["estimates"] == [expected] and orow["cells"][1] == "%d / %d" % (overrides.get("successes", 0), overrides["n"]),
              "%s: %s override row %s, JSON %s" % (name, g["group"], orow, overrides))
        reasons = ", ".join("%d (%s)" % (r["overriddenCount"], r.get("reasonCode") or "no reason given")
                            for r in g.get("topOverrideReasons", []))
        check(orow["cells"][3] == (reasons or "none"), "%s: %s reasons %s, JSON %s" % (name, g["group"], orow["cells"][3], reasons))
        drawn = o_rows.get(g["group"])
        check(drawn is not None and drawn["points"] == 1 and drawn["value"] == expected,
              "%s: %s override plot row %s" % (name, g["group"], drawn))
        if g["group"] == "lumbar-c-curve":
            check(overrides.get("successes") == 3 and overrides["n"] == 8, "%s: seeded 3 of 8 overridden: %s" % (name, overrides))
    # No evaluation was seeded: the page says so rather than print zeros.
    check(result["evaluationNone"] and result["evaluationTable"] == [], "%s: evaluation section %s" % (name, result["evaluationTable"]))


def run(binary, artifacts):
    testlib.stubs()
    plan = seeded()
    folder = tempfile.mkdtemp(prefix="scoliomassage-comparison-")
    tokens, secret = write_config(folder)
    server = testlib.Server(binary, extra_args=["--http_listen=127.0.0.1:0", "--tokens_file=" + tokens,
                                                "--pseudonym_secret_file=" + secret])
    server.start()
    ok = False
    try:
        port = server.http_port()
        seed(server.address, plan)
        seed_feedback(server.database[len("sqlite://"):])
        query = [("protocol_id", p) for p in PROTOCOLS]
        path = "/comparisons?" + urlencode(query)

        status, _, body = testlib.http_get(port, path + "&format=pdf", "tok-admin")
        check(status == 400 and b"format" in body, "bad format: %s %s" % (status, body[:200]))
        status, headers, body = testlib.http_get(port, path + "&format=svg", "tok-admin")
        check(status == 200 and headers.get("Content-Type", "").startswith("image/svg+xml"), "svg: %s %s" % (status, headers))
        check(body.startswith(b"<?xml") and b"<title" in body and b"<html" not in body, "svg body")
        check(b"left is better" in body, "svg: the axis label")

        jobs = []
        answers = {}
        for name, token in (("admin", "tok-admin"), ("analytics", "tok-analytics")):
            status, _, body = testlib.http_get(port, path, token)
            check(status == 200, "%s JSON: %s %s" % (name, status, body[:300]))
            answers[name] = json.loads(body) if status == 200 else {}
            jobs.append({"name": "comparison-" + name, "token": token,
                         "url": "http://127.0.0.1:%d%s&format=html" % (port, path)})
            status, _, page = testlib.http_get(port, path + "&format=html", token)
            check(status == 200, "%s page: %s" % (name, status))
            # The page is about groups: no patient id (seeded with markup) is on it.
            check(b"-p0" not in page and b"-p1" not in page, "%s page names a patient" % name)
            with open(os.path.join(artifacts, "comparison-%s.html" % name), "wb") as f:
                f.write(page)
        result = subprocess.run([NODE, os.path.join(BROWSER_DIR, "render_comparison.mjs"),
                                 json.dumps({"jobs": jobs, "artifacts": artifacts})],
                                capture_output=True, text=True, timeout=180, cwd=BROWSER_DIR)
        check(result.returncode == 0, "render_comparison.mjs exit %d: %s" % (result.returncode, result.stderr[-3000:]))
        results = {r["name"]: r for r in map(json.loads, filter(None, result.stdout.splitlines()))}
        for job in jobs:
            r = results.get(job["name"])
            if not check(r is not None, "no browser result for " + job["name"]):
                continue
            who = job["name"].split("-", 1)[1]
            check_page(job["name"], r, job["url"], answers[who], plan, analytics=(who == "analytics"))
        ok = not failures
    finally:
        server.cleanup(show_log=not ok)
        shutil.rmtree(folder, ignore_errors=True)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    if not os.access(CHROMIUM, os.X_OK) or NODE is None:
        print("SKIP: needs %s and node" % CHROMIUM)
        return 77
    if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
        print("FAIL: tests/report/browser/node_modules is missing: run tests/report/browser/install.sh")
        return 1
    artifacts = sys.argv[2]
    os.makedirs(artifacts, exist_ok=True)
    run(sys.argv[1], artifacts)
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("ok: comparison pages rendered in Chromium; artifacts in", artifacts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
