#!/usr/bin/python3
"""CompareProtocols done-when test, against the real scoliomassaged process.

A clinic is seeded with known effects through the gRPC API (outcomes,
questionnaires, films and CDS feedback stored as the server stores them):
  A thoracic-c-curve: 24 patients whose pre-session pain falls by about 3;
  B lumbar-c-curve:   20 patients whose pain falls by about 1;
  C cervical-c-curve, D thoracic-s-curve: 3 patients each (small groups).
Then, over gRPC and over the HTTP face:
- the comparison recovers the effects (-3 and -1 lie in their 95% intervals);
- every figure agrees with this file's own computation (Student t, Welch,
  Wilson, Newcombe and exact Poisson, written here from the formulas with
  math.lgamma and bisection, not from the server's libraries);
- the analytics role sees C and D as suppressed, never as 0, and no patient
  id; the admin sees their counts (withheld as "not enough data");
- host callers are refused, bad input is INVALID_ARGUMENT naming the field;
- another clinic sees nothing, and the call is audited.
- the CLI (`scoliomassage compare`) prints the table and the JSON, and exits
  2 on a bad flag and 1 with the field on a refused request.
Usage: comparison_test.py PATH/TO/scoliomassaged PATH/TO/scoliomassage
"""
import datetime
import hashlib
import json
import math
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import testlib  # noqa: E402

testlib.stubs()
import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402
from scoliomassage.v1 import (assessment_pb2, assessment_pb2_grpc, comparison_pb2,  # noqa: E402
                              curve_pb2, curve_pb2_grpc, history_pb2_grpc, outcome_pb2,
                              outcome_pb2_grpc)

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def near(a, b, tolerance=1e-6):
    return abs(a - b) <= tolerance * max(1.0, abs(b))


# --- independent statistics (no scipy here): ---------------------------------

def betacf(a, b, x):
    """Continued fraction of the incomplete beta (Lentz), to 1e-15."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c if abs(1 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c if abs(1 + aa / c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return h


def inc_beta(a, b, x):
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * betacf(a, b, x) / a
    return 1 - front * betacf(b, a, 1 - x) / b


def t_cdf(t, df):
    tail = 0.5 * inc_beta(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t > 0 else tail


def bisect(f, target, low, high):
    for _ in range(200):
        mid = (low + high) / 2
        if f(mid) < target:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def t_quantile(p, df):
    return bisect(lambda t: t_cdf(t, df), p, 0, 1000)


def z_quantile(p):
    return bisect(lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2))), p, 0, 40)


def gamma_p(s, x):
    """Regularized lower incomplete gamma P(s, x), by its series."""
    if x <= 0:
        return 0.0
    term = total = 1.0 / s
    n = s
    for _ in range(10000):
        n += 1
        term *= x / n
        total += term
        if term < total * 1e-17:
            break
    return total * math.exp(-x + s * math.log(x) - math.lgamma(s))


def chi2_quantile(p, df):
    return bisect(lambda x: gamma_p(df / 2, x / 2), p, 0, 10000)


def mean_ci(values):
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def wilson(k, n):
    z = z_quantile(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (0.0 if k == 0 else centre - half), (1.0 if k == n else centre + half)


def poisson_rate(events, sessions):
    low = 0.0 if events == 0 else chi2_quantile(0.025, 2 * events) / 2
    high = chi2_quantile(0.975, 2 * events + 2) / 2
    return 100 * events / sessions, 100 * low / sessions, 100 * high / sessions


def welch(a, b):
    ma, sa, _, _ = mean_ci(a)
    mb, sb, _, _ = mean_ci(b)
    va, vb = sa * sa / len(a), sb * sb / len(b)
    df = (va + vb) ** 2 / (va * va / (len(a) - 1) + vb * vb / (len(b) - 1))
    half = t_quantile(0.975, df) * math.sqrt(va + vb)
    return ma - mb, ma - mb - half, ma - mb + half


def newcombe(k1, n1, k2, n2):
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def meaningful_pain(baseline, latest):
    fall = baseline - latest
    return fall >= 2 or (baseline > 0 and fall >= 0.3 * baseline)


# --- the seeded clinic ----------------------------------------------------------

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def at(days_ago, hour=9):
    return (NOW - datetime.timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0).strftime("%Y-%m-%dT%H:%M:%SZ")


GROUPS = {
    # protocol: (region, patients, effect, baseline Cobb)
    "thoracic-c-curve": ("SPINE_REGION_THORACIC", 24, -3, 20.0),
    "lumbar-c-curve": ("SPINE_REGION_LUMBAR", 20, -1, 32.0),
    "cervical-c-curve": ("SPINE_REGION_CERVICAL", 3, -2, 15.0),
    "thoracic-s-curve": ("SPINE_REGION_THORACIC", 3, -2, 28.0),
}


def seed(channel, token, clinic_tag):
    """Logs every episode; returns what the server should find, per protocol."""
    rng = random.Random(17)
    meta = (("authorization", "Bearer " + token),)
    outcomes = outcome_pb2_grpc.OutcomeServiceStub(channel)
    assessments = assessment_pb2_grpc.AssessmentServiceStub(channel)
    curves = curve_pb2_grpc.CurveServiceStub(channel)
    expected = {}
    for protocol, (region, patients, effect, cobb) in GROUPS.items():
        group = expected.setdefault(protocol, {"patients": 0, "changes": [], "responders": 0, "events": 0,
                                               "sessions": 0, "baseline": [], "odi": [], "odi_meaningful": 0,
                                               "cobb": []})
        for i in range(patients):
            patient = "%s-%s-%d" % (clinic_tag, protocol, i)
            baseline = rng.randint(5, 8)
            latest = max(0, baseline + effect + rng.choice((-1, 0, 1)))
            sessions = 4
            pains = [baseline, baseline + (latest - baseline) // 2, latest + rng.choice((0, 1)), latest]
            events = 1 if rng.random() < 0.08 else 0
            for s in range(sessions):
                outcome = {
                    "patientId": patient, "therapistId": "t-1", "protocolId": protocol, "protocolVersion": 2,
                    "spineRegion": region, "sessionNumber": s + 1, "minutes": 20, "painBefore": pains[s],
                    "painAfter": max(0, pains[s] - 1), "performedAt": at(28 - 7 * s),
                }
                if events and s == 1:
                    outcome["adverseEvents"] = [{"type": "ADVERSE_EVENT_TYPE_PROLONGED_SORENESS",
                                                 "severity": "SEVERITY_MILD"}]
                request = json_format.ParseDict({"requestId": str(uuid.uuid4()), "outcome": outcome},
                                                outcome_pb2.LogOutcomeRequest())
                outcomes.LogOutcome(request, metadata=meta, timeout=10)
            # ODI at the first and last session: every item 3 (60) then all 2
            # (40) in A; in the others 60 then 58 (one item 2), not meaningful.
            if protocol in ("thoracic-c-curve", "lumbar-c-curve"):
                last = [2] * 10 if protocol == "thoracic-c-curve" else [2] + [3] * 9
                for days, answers in ((28, [3] * 10), (7, last)):
                    request = json_format.ParseDict({"requestId": str(uuid.uuid4()), "assessment": {
                        "patientId": patient, "instrumentId": "odi", "performedAt": at(days, 10),
                        "answers": [{"item": str(k + 1), "value": v} for k, v in enumerate(answers)]}},
                        assessment_pb2.RecordAssessmentRequest())
                    assessments.RecordAssessment(request, metadata=meta, timeout=10)
                odi_change = sum(last) * 2 - 60
                group["odi"].append(odi_change)
                group["odi_meaningful"] += 1 if -odi_change >= 10 else 0
            film = json_format.ParseDict({"requestId": str(uuid.uuid4()), "measurement": {
                "patientId": patient, "takenAt": at(40), "spineRegion": region,
                "cobbAngleDegrees": cobb + rng.choice((-2, 0, 2)), "convexSide": "SIDE_RIGHT",
                "measuredBy": "dr-x"}}, curve_pb2.RecordCurveMeasurementRequest())
            stored = curves.RecordCurveMeasurement(film, metadata=meta, timeout=10)
            group["patients"] += 1
            group["changes"].append(latest - baseline)
            group["responders"] += 1 if meaningful_pain(baseline, latest) else 0
            group["events"] += events
            group["sessions"] += sessions
            group["baseline"].append(baseline)
            group["cobb"].append(stored.cobb_angle_degrees)
    return expected


def seed_feedback(db_path, clinic):
    """CDS feedback rows as the feedback route stores them (its own test
    covers the route): A 3 overridden ("too-sore" twice) of 10; B none of 4."""
    rows = [("thoracic-c-curve", "overridden", "too-sore")] * 2 + [("thoracic-c-curve", "overridden", "other")] + \
        [("thoracic-c-curve", "accepted", "")] * 7 + [("lumbar-c-curve", "accepted", "")] * 4
    now_us = int(NOW.timestamp() * 1e6) - 5 * 86400 * 10 ** 6
    with sqlite3.connect(db_path) as db:
        for i, (protocol, outcome, reason) in enumerate(rows):
            db.execute("INSERT INTO cds_feedback VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       (clinic, "card-%d" % i, outcome, "scoliomassage-checkin", "recommendations/x", "protocol",
                        "p-x", protocol, 3 if protocol.startswith("thoracic") else 5,
                        "urn:reasons" if reason else "", reason, "free text never shown", 0, now_us, now_us, "ehr"))


def details(error):
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            fields = []
            for detail in status_pb2.Status.FromString(value).details:
                if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    bad = error_details_pb2.BadRequest()
                    detail.Unpack(bad)
                    fields += [v.field for v in bad.field_violations]
            return fields
    return []


def http_get(port, path, token):
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                     headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def group_of(response, name):
    for g in response["groups"]:
        if g["group"] == name:
            return g
    return None


def check_figures(response, expected):
    """Every shown group's figures against this file's own computation."""
    for protocol in ("thoracic-c-curve", "lumbar-c-curve"):
        e = expected[protocol]
        g = group_of(response, protocol)
        check(g is not None and g["visibility"] == "GROUP_VISIBILITY_SHOWN", "%s is shown: %s" % (protocol, g))
        if g is None:
            continue
        check(g["patientCount"] == e["patients"] and g["episodeCount"] == e["patients"],
              "%s counts: %s/%s vs %s" % (protocol, g["patientCount"], g["episodeCount"], e["patients"]))
        check(g["sessionCount"] == e["sessions"], "%s sessions" % protocol)
        mean, sd, low, high = mean_ci(e["changes"])
        pc = g["painChange"]
        check(near(pc["mean"], mean) and near(pc["sd"], sd) and near(pc["ci95"]["low"], low) and
              near(pc["ci95"]["high"], high),
              "%s pain change %s vs %.6f (%.6f, %.6f)" % (protocol, pc, mean, low, high))
        effect = GROUPS[protocol][2]
        check(pc["ci95"]["low"] <= effect <= pc["ci95"]["high"],
              "%s: the true effect %d lies in %s" % (protocol, effect, pc["ci95"]))
        low, high = wilson(e["responders"], e["patients"])
        r = g["responders"]
        check(r.get("successes", 0) == e["responders"] and near(r["ci95"].get("low", 0), low) and near(r["ci95"]["high"], high),
              "%s responders %s vs %d (%.6f, %.6f)" % (protocol, r, e["responders"], low, high))
        rate, low, high = poisson_rate(e["events"], e["sessions"])
        a = g["adverseEvents"]
        check(near(a.get("per100Sessions", 0), rate) and near(a["ci95"].get("low", 0), low) and
              near(a["ci95"]["high"], high),
              "%s adverse events %s vs %.6f (%.6f, %.6f)" % (protocol, a, rate, low, high))
        q = g.get("questionnaireChanges", [])
        check(len(q) == 1 and q[0]["instrumentId"] == "odi" and q[0]["domain"] == "total",
              "%s ODI total change: %s" % (protocol, q))
        if q:
            odi = e["odi"]
            # Every change is the same number: sd 0, the interval a point.
            check(near(q[0]["change"]["mean"], sum(odi) / len(odi)), "%s ODI mean change" % protocol)
            low, high = wilson(e["odi_meaningful"], len(odi))
            m = q[0]["meaningful"]
            check(m.get("successes", 0) == e["odi_meaningful"] and near(m["ci95"].get("low", 0), low) and
                  near(m["ci95"]["high"], high), "%s ODI meaningful %s vs %d" % (protocol, m, e["odi_meaningful"]))
        cobb_mean = sum(e["cobb"]) / len(e["cobb"])
        check(near(g["baselineCobbDegrees"]["mean"], cobb_mean), "%s baseline Cobb" % protocol)
    diff = response["painChangeDifference"]
    first, second = diff["firstGroup"], diff["secondGroup"]
    check({first, second} == {"thoracic-c-curve", "lumbar-c-curve"}, "the difference is of A and B: %s" % diff)
    a, b = expected[first], expected[second]
    d, low, high = welch(a["changes"], b["changes"])
    check(near(diff["difference"], d) and near(diff["ci95"]["low"], low) and near(diff["ci95"]["high"], high),
          "Welch difference %s vs %.6f (%.6f, %.6f)" % (diff, d, low, high))
    true_difference = GROUPS[first][2] - GROUPS[second][2]
    check(diff["ci95"]["low"] <= true_difference <= diff["ci95"]["high"],
          "the true difference %d lies in %s" % (true_difference, diff["ci95"]))
    d, low, high = newcombe(a["responders"], a["patients"], b["responders"], b["patients"])
    diff = response["responderDifference"]
    check(diff["firstGroup"] == first and near(diff["difference"], d) and near(diff["ci95"]["low"], low) and
          near(diff["ci95"]["high"], high), "Newcombe difference %s vs %.6f (%.6f, %.6f)" % (diff, d, low, high))
    caveats = response["caveats"]
    check("not a causal effect" in caveats[0], "the observational caveat comes first: %s" % caveats[0])
    check(any("Cobb angle differed" in c for c in caveats), "the Cobb difference is named: %s" % caveats)


# --- a protocol evaluation with overrides ---------------------------------------

CATALOG_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "service", "catalog", "data")
EVALUATION = """evaluations {
  clinic_id: "clinic-a"
  name: "lumbar-2027"
  protocol_id: "lumbar-c-curve"
  variant_a_version: 1
  variant_b_version: 2
  start_date: "2026-01-01"
}
"""


def write_two_version_catalog(folder):
    """The shipped catalog plus version 1 of lumbar-c-curve (shipped: 2)."""
    from google.protobuf import text_format
    from scoliomassage.v1 import catalog_pb2
    catalog = os.path.join(folder, "catalog")
    os.makedirs(catalog)
    previous = None
    for name in sorted(os.listdir(CATALOG_DIR)):
        if not name.endswith(".textproto"):
            continue
        with open(os.path.join(CATALOG_DIR, name)) as f:
            text = f.read()
        with open(os.path.join(catalog, name), "w") as f:
            f.write(text)
        parsed = text_format.Parse(text, catalog_pb2.Catalog())
        for protocol in parsed.protocols:
            if protocol.id == "lumbar-c-curve":
                previous = catalog_pb2.Catalog()
                old = previous.protocols.add()
                old.CopyFrom(protocol)
                old.version = 1
                old.title = "Lumbar C-curve, previous version"
    with open(os.path.join(catalog, "zz-lumbar-previous.textproto"), "w") as f:
        f.write(text_format.MessageToString(previous))
    evaluations = os.path.join(folder, "evaluations.textproto")
    with open(evaluations, "w") as f:
        f.write(EVALUATION)
    return catalog, evaluations


def seed_evaluation(channel):
    """30 patients check in under lumbar-2027 (the hash assigns each); the
    first 6 assigned A are overridden to B, as patients doing worse often
    are. Pain over 3 sessions: on A as assigned 6 -> 3, on B as assigned
    6 -> 5, overridden A -> B 6 -> 6. 3 more patients log sessions of
    version 2 without a check-in: in no evaluation, 6 -> 4. Returns each
    patient's (assigned, received, change)."""
    from scoliomassage.v1 import protocol_pb2, protocol_pb2_grpc
    meta = (("authorization", "Bearer tok-host-a"),)  # check-in is the host software's
    protocols = protocol_pb2_grpc.ProtocolServiceStub(channel)
    outcomes = outcome_pb2_grpc.OutcomeServiceStub(channel)

    def check_in(patient, override=None):
        request = {"patientId": patient, "profile": {"primaryRegion": "SPINE_REGION_LUMBAR",
                   "curvePattern": "CURVE_PATTERN_C_CURVE", "convexSide": "SIDE_RIGHT", "ageYears": 35},
                   "screening": {"painNrs": 4}}
        if override:
            request["variantOverride"] = {"variant": override, "reason": "flared on the previous version"}
        response = protocols.RecommendProtocol(json_format.ParseDict(request, protocol_pb2.RecommendProtocolRequest()),
                                               metadata=meta, timeout=10)
        return response.basis.evaluation

    def log(patient, version, pains):
        for s, pain in enumerate(pains):
            outcome = {"patientId": patient, "therapistId": "t-1", "protocolId": "lumbar-c-curve",
                       "protocolVersion": version, "spineRegion": "SPINE_REGION_LUMBAR", "sessionNumber": s + 1,
                       "minutes": 20, "painBefore": pain, "painAfter": max(0, pain - 1), "performedAt": at(21 - 7 * s)}
            outcomes.LogOutcome(json_format.ParseDict({"requestId": str(uuid.uuid4()), "outcome": outcome},
                                                      outcome_pb2.LogOutcomeRequest()),
                               metadata=(("authorization", "Bearer tok-admin-a"),), timeout=10)

    plan = {}
    overridden = 0
    for i in range(30):
        patient = "ev-%02d" % i
        assignment = check_in(patient)
        assigned = "A" if assignment.assigned_variant == 1 else "B"
        received = assigned
        if assigned == "A" and overridden < 6:
            assignment = check_in(patient, "EVALUATION_VARIANT_B")
            check(assignment.overridden and assignment.variant == 2, "override recorded: %s" % assignment)
            received = "B"
            overridden += 1
        pains = {("A", "A"): [6, 4, 3], ("B", "B"): [6, 6, 5], ("A", "B"): [6, 6, 6]}[(assigned, received)]
        log(patient, 1 if received == "A" else 2, pains)
        plan[patient] = (assigned, received, pains[-1] - pains[0])
    for i in range(3):
        log("ev-none-%d" % i, 2, [6, 5, 4])
        plan["ev-none-%d" % i] = (None, None, -2)
    return plan


def count(c):
    """A SuppressibleCount as JSON: its number, or "suppressed"."""
    return "suppressed" if c.get("suppressed") else c.get("episodeCount", 0)


def check_evaluation_comparison(binary, folder, tokens, secret, cli_binary):
    catalog, evaluations = write_two_version_catalog(folder)
    server = testlib.Server(binary, extra_args=["--http_listen=127.0.0.1:0", "--tokens_file=" + tokens,
                                                "--pseudonym_secret_file=" + secret, "--catalog=" + catalog,
                                                "--evaluations_file=" + evaluations])
    server.start()
    ok = False
    try:
        with grpc.insecure_channel(server.address) as channel:
            plan = seed_evaluation(channel)
            history = history_pb2_grpc.HistoryServiceStub(channel)

            def compare(token, by):
                request = json_format.ParseDict({"protocolIds": ["lumbar-c-curve"], "compareBy": by},
                                                comparison_pb2.CompareProtocolsRequest())
                return json_format.MessageToDict(history.CompareProtocols(
                    request, metadata=(("authorization", "Bearer " + token),), timeout=10))

            moved = [p for p, (a, r, _) in plan.items() if a == "A" and r == "B"]
            check(len(moved) == 6, "6 overridden A -> B: %d (the hash gave fewer than 6 A?)" % len(moved))
            # Independently, from the plan: as received, by version.
            received = {"lumbar-c-curve@1": [], "lumbar-c-curve@2": []}
            assigned = {"lumbar-c-curve@1": [], "lumbar-c-curve@2": []}
            for patient, (a, r, change) in plan.items():
                version = "lumbar-c-curve@%d" % (1 if r == "A" else 2)
                received[version].append((a, r, change))
                if a is not None:
                    assigned["lumbar-c-curve@%d" % (1 if a == "A" else 2)].append((a, r, change))
            as_received = compare("tok-admin-a", "COMPARE_BY_PROTOCOL_VERSION")
            itt = compare("tok-admin-a", "COMPARE_BY_ASSIGNED_VARIANT")
            for name, answer, groups in (("as received", as_received, received), ("intention to treat", itt, assigned)):
                check([g["group"] for g in answer.get("groups", [])] == ["lumbar-c-curve@1", "lumbar-c-curve@2"],
                      "%s groups: %s" % (name, [g["group"] for g in answer.get("groups", [])]))
                for g in answer.get("groups", []):
                    rows = groups[g["group"]]
                    letter = "A" if g["group"].endswith("@1") else "B"
                    e = g.get("evaluation", {})
                    in_eval = [r for r in rows if r[0] is not None]
                    expected = {
                        "assignedA": sum(1 for r in in_eval if r[0] == "A"),
                        "assignedB": sum(1 for r in in_eval if r[0] == "B"),
                        "receivedA": sum(1 for r in in_eval if r[1] == "A"),
                        "receivedB": sum(1 for r in in_eval if r[1] == "B"),
                        "overridden": sum(1 for r in in_eval if r[0] != r[1]),
                        # Into: received this variant, assigned the other; out of: the reverse.
                        "overriddenInto": sum(1 for r in plan.values() if r[1] == letter and r[0] not in (None, letter)),
                        "overriddenOutOf": sum(1 for r in plan.values() if r[0] == letter and r[1] != letter),
                        "notInEvaluation": len(rows) - len(in_eval),
                    }
                    got = {k: count(e.get(k, {})) for k in expected}
                    check(got == expected, "%s %s evaluation counts %s, expected %s" % (name, g["group"], got, expected))
                    changes = [r[2] for r in rows]
                    check(g["episodeCount"] == len(rows), "%s %s episodes %s vs %d" % (name, g["group"], g["episodeCount"], len(rows)))
                    if len(rows) >= 10:
                        mean, _, low, high = mean_ci(changes)
                        pc = g["painChange"]
                        check(near(pc["mean"], mean) and near(pc["ci95"]["low"], low) and near(pc["ci95"]["high"], high),
                              "%s %s pain change %s vs %.6f (%.6f, %.6f)" % (name, g["group"], pc, mean, low, high))
            # The overrides make the as-received difference larger than the
            # intention-to-treat one: the 6 who did worse left A.
            d_received = as_received.get("painChangeDifference", {}).get("difference")
            d_itt = itt.get("painChangeDifference", {}).get("difference")
            check(d_received is not None and d_itt is not None and d_received < d_itt,
                  "as received %s vs intention to treat %s" % (d_received, d_itt))
            check(count(itt.get("episodesNotInEvaluation", {})) == 3 and "episodesNotInEvaluation" not in as_received,
                  "left out by assigned variant: %s" % itt.get("episodesNotInEvaluation"))
            check(itt.get("compareBy") == "COMPARE_BY_ASSIGNED_VARIANT", "compare_by echoed: %s" % itt.get("compareBy"))
            check(any("not concealed randomisation" in c for c in as_received["caveats"]) and
                  any("overrides can bias" in c for c in as_received["caveats"]) and
                  any("intention to treat" in c for c in itt["caveats"]), "evaluation caveats: %s" % itt["caveats"])
            check("not concealed randomisation" in itt["method"], "method names the assignment")

            # Analytics: the 3 left out and everything that would give them away.
            analytics = compare("tok-analytics-a", "COMPARE_BY_ASSIGNED_VARIANT")
            check(analytics.get("episodesNotInEvaluation", {}).get("suppressed") is True and
                  "episodeCount" not in analytics.get("episodesNotInEvaluation", {}) and
                  analytics.get("totalsSuppressed") is True, "analytics left out: %s" % analytics.get("episodesNotInEvaluation"))
            analytics = compare("tok-analytics-a", "COMPARE_BY_PROTOCOL_VERSION")
            g2 = group_of(analytics, "lumbar-c-curve@2") or {}
            e2 = g2.get("evaluation", {})
            check(e2.get("notInEvaluation", {}).get("suppressed") is True and "episodeCount" not in e2.get("notInEvaluation", {}),
                  "analytics: 3 in no evaluation suppressed, not 0: %s" % e2)

        # The HTTP face: the same counts; the page shows them in words.
        port = server.http_port()
        status, doc = http_get(port, "/comparisons?protocol_id=lumbar-c-curve&compare_by=COMPARE_BY_ASSIGNED_VARIANT",
                               "tok-admin-a")
        check(status == 200 and [count(g["evaluation"]["overriddenOutOf"]) for g in doc.get("groups", [])] == [6, 0],
              "HTTP by assigned variant: %s %s" % (status, doc.get("groups")))
        status, _, page = testlib.http_get(port, "/comparisons?protocol_id=lumbar-c-curve&compare_by="
                                           "COMPARE_BY_ASSIGNED_VARIANT&format=html", "tok-admin-a")
        page = page.decode()
        for g in doc.get("groups", []):
            e = g["evaluation"]
            words = "%s in all; %s into; %s out of" % (count(e["overridden"]), count(e.get("overriddenInto", {})),
                                                      count(e.get("overriddenOutOf", {})))
            check(words in page, "the page shows %s's overrides as %r" % (g["group"], words))
        check("Left out (in no evaluation): 3 episodes" in page, "the page shows the episodes left out")
        result = subprocess.run([cli_binary, "compare", "--server=" + server.address, "--token=tok-admin-a",
                                 "--protocol=lumbar-c-curve", "--by=assigned"], capture_output=True, text=True, timeout=30)
        check(result.returncode == 0 and "intention to treat" in result.stdout and
              "Left out, in no evaluation: 3 episodes" in result.stdout, "cli --by=assigned: %s %s" % (result.returncode, result.stdout[-800:]))
        ok = not failures
    finally:
        server.cleanup(show_log=not ok)


def main():
    binary, cli_binary = sys.argv[1], sys.argv[2]
    folder = tempfile.mkdtemp(prefix="scoliomassage-compare-")
    tokens = os.path.join(folder, "tokens")
    entries = [("tok-admin-a", "admin-a", "admin", "clinic-a"), ("tok-analytics-a", "analyst-a", "analytics", "clinic-a"),
               ("tok-host-a", "host-a", "host", "clinic-a"), ("tok-therapist-a", "t-1", "therapist", "clinic-a"),
               ("tok-admin-b", "admin-b", "admin", "clinic-b")]
    with open(tokens, "w") as f:
        for token, principal, role, clinic in entries:
            f.write("token sha256:%s %s %s %s\n" % (hashlib.sha256(token.encode()).hexdigest(), principal, role, clinic))
    secret = os.path.join(folder, "pseudonym")
    with open(secret, "w") as f:
        f.write("c" * 40)
    server = testlib.Server(binary, extra_args=["--http_listen=127.0.0.1:0", "--tokens_file=" + tokens,
                                                "--pseudonym_secret_file=" + secret])
    server.start()
    ok = False
    try:
        port = server.http_port()
        with grpc.insecure_channel(server.address) as channel:
            expected = seed(channel, "tok-admin-a", "a")
            seed_feedback(server.database[len("sqlite://"):], "clinic-a")
            history = history_pb2_grpc.HistoryServiceStub(channel)

            def compare(token, **fields):
                request = json_format.ParseDict(fields, comparison_pb2.CompareProtocolsRequest())
                response = history.CompareProtocols(request, metadata=(("authorization", "Bearer " + token),),
                                                    timeout=10)
                return json_format.MessageToDict(response)

            admin = compare("tok-admin-a")
            check_figures(admin, expected)
            for small in ("cervical-c-curve", "thoracic-s-curve"):
                g = group_of(admin, small)
                check(g is not None and g["visibility"] == "GROUP_VISIBILITY_NOT_ENOUGH_DATA" and
                      g["patientCount"] == 3 and "painChange" not in g,
                      "admin sees %s's counts, estimates withheld: %s" % (small, g))
            a = group_of(admin, "thoracic-c-curve")
            # 3 of 10 overridden, "too-sore" first; lumbar 0 of 4 with an upper limit.
            low, high = wilson(3, 10)
            check(a["cdsOverrides"]["successes"] == 3 and a["cdsOverrides"]["n"] == 10 and
                  near(a["cdsOverrides"]["ci95"]["low"], low) and near(a["cdsOverrides"]["ci95"]["high"], high),
                  "override rate %s" % a["cdsOverrides"])
            check(a["topOverrideReasons"][0]["reasonCode"] == "too-sore" and
                  a["topOverrideReasons"][0]["overriddenCount"] == 2, "top reason %s" % a["topOverrideReasons"])
            b = group_of(admin, "lumbar-c-curve")
            check(b["cdsOverrides"].get("successes", 0) == 0 and b["cdsOverrides"]["n"] == 4 and
                  near(b["cdsOverrides"]["ci95"]["high"], wilson(0, 4)[1]), "zero overrides %s" % b["cdsOverrides"])
            check("free text" not in json.dumps(admin), "no free text in the comparison")

            analytics = compare("tok-analytics-a")
            check_figures(analytics, expected)
            for small in ("cervical-c-curve", "thoracic-s-curve"):
                g = group_of(analytics, small)
                check(g is not None and g["visibility"] == "GROUP_VISIBILITY_SUPPRESSED" and "patientCount" not in g
                      and "episodeCount" not in g, "analytics sees %s suppressed: %s" % (small, g))
            check("a-thoracic" not in json.dumps(analytics), "no patient id reaches analytics")

            # Criteria: one region; a pattern; one protocol by version.
            lumbar = compare("tok-analytics-a", spineRegion="SPINE_REGION_LUMBAR")
            check([g["group"] for g in lumbar["groups"]] == ["lumbar-c-curve"], "region: %s" % lumbar["groups"])
            s_curve = compare("tok-admin-a", curvePattern="CURVE_PATTERN_S_CURVE")
            check([g["group"] for g in s_curve["groups"]] == ["thoracic-s-curve"], "pattern: %s" % s_curve["groups"])
            named = compare("tok-analytics-a", protocolIds=["thoracic-c-curve", "lumbar-c-curve"])
            check(named["painChangeDifference"]["firstGroup"] == "thoracic-c-curve" and
                  [g["group"] for g in named["groups"]] == ["thoracic-c-curve", "lumbar-c-curve"],
                  "named protocols come in the order named: %s" % named["groups"])
            check_figures(named, expected)
            by_version = compare("tok-admin-a", protocolIds=["thoracic-c-curve"], compareBy="COMPARE_BY_PROTOCOL_VERSION")
            check([g["group"] for g in by_version["groups"]] == ["thoracic-c-curve@2"], "by version: %s" % by_version)
            later = compare("tok-admin-a", startTime=at(1))
            check(later.get("groups", []) == [], "no episode opened yesterday: %s" % later.get("groups"))

            # Other clinics, roles and bad input.
            check(compare("tok-admin-b").get("groups", []) == [], "clinic B sees nothing of A")
            for token in ("tok-host-a", "tok-therapist-a"):
                try:
                    compare(token)
                    check(False, "%s is refused" % token)
                except grpc.RpcError as error:
                    check(error.code() == grpc.StatusCode.PERMISSION_DENIED, "%s: %s" % (token, error.code()))
            for fields, field in (({"startTime": at(1), "endTime": at(3)}, "end_time"),
                                  ({"protocolIds": ["Bad Id"]}, "protocol_ids[0]")):
                try:
                    compare("tok-admin-a", **fields)
                    check(False, "%s is refused" % field)
                except grpc.RpcError as error:
                    check(error.code() == grpc.StatusCode.INVALID_ARGUMENT and field in details(error),
                          "%s: %s %s" % (field, error.code(), details(error)))
            raw = comparison_pb2.CompareProtocolsRequest()
            raw.spine_region = 99  # an enum value this server does not know
            try:
                history.CompareProtocols(raw, metadata=(("authorization", "Bearer tok-admin-a"),), timeout=10)
                check(False, "an unknown spine_region is refused")
            except grpc.RpcError as error:
                check(error.code() == grpc.StatusCode.INVALID_ARGUMENT and "spine_region" in details(error),
                      "unknown enum: %s %s" % (error.code(), details(error)))

        # The HTTP face: the same answer, the same roles, errors naming the field.
        check(port is not None, "the HTTP face listens")
        status, doc = http_get(port, "/comparisons", "tok-analytics-a")
        check(status == 200, "GET /comparisons: %s %s" % (status, doc))
        if status == 200:
            check_figures(doc, expected)
            check(group_of(doc, "cervical-c-curve")["visibility"] == "GROUP_VISIBILITY_SUPPRESSED",
                  "HTTP analytics: small groups suppressed")
        status, doc = http_get(port, "/comparisons?" + urllib.parse.urlencode(
            [("protocol_id", "lumbar-c-curve"), ("protocol_id", "thoracic-c-curve"),
             ("compare_by", "COMPARE_BY_PROTOCOL_VERSION")]), "tok-admin-a")
        check(status == 200 and [g["group"] for g in doc["groups"]] == ["lumbar-c-curve@2", "thoracic-c-curve@2"],
              "HTTP protocols by version: %s %s" % (status, doc.get("groups")))
        status, doc = http_get(port, "/comparisons", "tok-host-a")
        check(status == 403, "HTTP host refused: %s" % status)
        status, doc = http_get(port, "/comparisons?spine_region=NOWHERE", "tok-admin-a")
        check(status == 400 and any(v["field"] == "spine_region" for v in doc.get("error", {}).get("fieldViolations", [])),
              "HTTP bad spine_region: %s %s" % (status, doc))
        status, doc = http_get(port, "/comparisons?" + urllib.parse.urlencode(
            {"start_time": at(1), "end_time": at(3)}), "tok-admin-a")
        check(status == 400 and any(v["field"] == "end_time" for v in doc.get("error", {}).get("fieldViolations", [])),
              "HTTP end before start: %s %s" % (status, doc))
        status, doc = http_get(port, "/comparisons?regoin=LUMBAR", "tok-admin-a")
        check(status == 400 and any(v["field"] == "regoin" for v in doc.get("error", {}).get("fieldViolations", [])),
              "HTTP unknown parameter: %s %s" % (status, doc))

        # The CLI: a table by default, JSON on request, exit codes for scripts.
        def cli(*args):
            return subprocess.run([cli_binary, "compare", "--server=" + server.address, "--token=tok-admin-a"] +
                                  list(args), capture_output=True, text=True, timeout=30)
        result = cli("--protocol=thoracic-c-curve,lumbar-c-curve,cervical-c-curve")
        check(result.returncode == 0, "cli compare: %s %s" % (result.returncode, result.stderr))
        lines = result.stdout.splitlines()
        check(lines and lines[0].startswith("GROUP") and "PAIN CHANGE" in lines[0], "cli header: %s" % lines[:1])
        a = expected["thoracic-c-curve"]
        mean, _, low, high = mean_ci(a["changes"])
        row = [l for l in lines if l.startswith("thoracic-c-curve ")]
        check(row and ("%+.2f (%+.2f to %+.2f)" % (mean, low, high)) in row[0], "cli A row: %s" % row)
        check(any(l.startswith("cervical-c-curve") and "not enough data" in l for l in lines), "cli withheld row")
        check(any("pain change, thoracic-c-curve minus lumbar-c-curve" in l for l in lines), "cli difference")
        check(any(l.startswith("Note: Observational comparison") for l in lines), "cli caveat")
        result = cli("--region=lumbar", "--format=json")
        check(result.returncode == 0 and [g["group"] for g in json.loads(result.stdout)["groups"]] == ["lumbar-c-curve"],
              "cli --format=json: %s %s" % (result.returncode, result.stdout[:200]))
        result = cli("--by=therapist")
        check(result.returncode == 2 and "--by" in result.stderr, "cli usage error: %s %s" % (result.returncode, result.stderr))
        result = cli("--since=2026-03-02", "--until=2026-03-01")
        check(result.returncode == 1 and "end_time" in result.stderr, "cli server error: %s %s" % (result.returncode, result.stderr))

        # Audited: every call, on both faces, under its method.
        server.stop()
        with sqlite3.connect(server.database[len("sqlite://"):]) as db:
            grpc_calls = db.execute("SELECT count(*) FROM audit_records WHERE clinic_id='clinic-a' AND method LIKE "
                                    "'%CompareProtocols%'").fetchone()[0]
        check(grpc_calls >= 12, "comparisons are audited: %d records" % grpc_calls)
        ok = not failures
    finally:
        server.cleanup(show_log=not ok)
    check_evaluation_comparison(binary, folder, tokens, secret, cli_binary)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("comparison_test: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
