#!/usr/bin/python3
"""End-to-end test of the scoliomassage client against a real scoliomassaged.

Starts the server on a free loopback port with a fresh SQLite file (dev mode,
no authentication), then drives every subcommand through the real binary and
checks its output, its stderr and its exit code. Expected values (sums of
step minutes, summary means and rates) are computed here from what the test
sent, never copied from the server's answers.
"""

import argparse
import csv
import datetime
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid

FAILURES = []


def check(condition, what, detail=""):
    if condition:
        print(f"ok   {what}")
    else:
        print(f"FAIL {what}\n{detail}")
        FAILURES.append(what)
    return condition


class Server:
    def __init__(self, binary, workdir):
        self.database = os.path.join(workdir, "cli-e2e.db")
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCOLIOMASSAGE_")}
        self.process = subprocess.Popen(
            [binary, "--listen=127.0.0.1:0", f"--database=sqlite://{self.database}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        self.log = []
        self.address = None
        ready = threading.Event()

        def drain():
            for line in self.process.stderr:
                self.log.append(line)
                match = re.search(r"scoliomassaged listening on (\S+:\d+)", line)
                if match and not ready.is_set():
                    self.address = match.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(60) or self.address is None:
            self.stop()
            raise RuntimeError("scoliomassaged did not start:\n" + "".join(self.log))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Cli:
    def __init__(self, binary, address):
        self.binary = binary
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SCOLIOMASSAGE_")}
        self.env["SCOLIOMASSAGE_SERVER"] = address

    def run(self, *args, stdin=None, env=None):
        result = subprocess.run([self.binary, *args], input=stdin, capture_output=True,
                                text=True, env=env or self.env, timeout=60)
        return result.returncode, result.stdout, result.stderr

    def json(self, *args, stdin=None):
        code, out, err = self.run(*args, stdin=stdin)
        if not check(code == 0, f"{' '.join(args)} exits 0", f"exit {code}\n{err}"):
            return None
        try:
            return json.loads(out)
        except json.JSONDecodeError as error:
            check(False, f"{' '.join(args)} prints JSON", f"{error}\n{out}")
            return None


def loads(text):
    """The JSON document in text, or {} (which then fails the checks)."""
    try:
        value = json.loads(text)
        return value if isinstance(value, dict) else {}
    except json.JSONDecodeError:
        return {}


def write_json(workdir, name, message):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        json.dump(message, f)
    return path


def rfc3339(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def meaningful(before, after):
    # clinical.md: at least 2 points, or at least 30% of pain_before.
    drop = before - after
    return before > 0 and (drop >= 2 or drop >= 0.3 * before)


def history_lines(cli, *args):
    code, out, err = cli.run("history", *args)
    check(code == 0, f"history {' '.join(args)} exits 0", err)
    return [loads(line) for line in out.splitlines() if line.strip()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--server", required=True)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cli-e2e-") as workdir:
        server = Server(options.server, workdir)
        try:
            run_checks(Cli(options.cli, server.address), server, workdir)
        finally:
            server.stop()

    if FAILURES:
        print(f"\n{len(FAILURES)} check(s) failed: " + "; ".join(FAILURES))
        return 1
    print("\nall checks passed")
    return 0


def run_checks(cli, server, workdir):
    # --- protocols -------------------------------------------------------
    code, out, err = cli.run("protocols")
    check(code == 0 and "lumbar-c-curve" in out and out.startswith("id"),
          "protocols prints a table with lumbar-c-curve", f"{code}\n{out}\n{err}")
    listed = cli.json("protocols", "--json")
    ids = [p.get("id") for p in (listed or {}).get("protocols", [])]
    check("lumbar-c-curve" in ids, "protocols --json lists lumbar-c-curve", str(ids))

    # --- recommend ---------------------------------------------------------
    checkin = {
        "patientId": "p-e2e-1",
        "profile": {"ageYears": 15, "primaryRegion": "SPINE_REGION_LUMBAR",
                    "curvePattern": "CURVE_PATTERN_C_CURVE", "convexSide": "SIDE_RIGHT",
                    "cobbAngleDegrees": 18, "risserGrade": 4},
        "screening": {"painNrs": 4},
    }
    checkin_path = write_json(workdir, "checkin.json", checkin)
    recommendation = cli.json("recommend", f"--json_in={checkin_path}", "--json") or {}
    protocol = recommendation.get("protocol", {})
    steps = protocol.get("steps", [])
    check(recommendation.get("decision") in ("DECISION_PROCEED", "DECISION_PROCEED_MODIFIED"),
          "recommend --json: massage may proceed", json.dumps(recommendation)[:2000])
    check(protocol.get("protocolId") == "lumbar-c-curve", "recommend --json: lumbar-c-curve",
          str(protocol.get("protocolId")))
    check(len(steps) > 0 and sum(s.get("minutes", 0) for s in steps) ==
          protocol.get("totalMinutes"), "recommend --json: step minutes add up to the total",
          json.dumps(steps)[:2000])

    code, readable, err = cli.run("recommend", "--json_in=-", stdin=json.dumps(checkin))
    check(code == 0, "recommend (readable, stdin) exits 0", err)
    decision_short = recommendation.get("decision", "?").replace("DECISION_", "")
    check(f"Decision: {decision_short}" in readable, "recommend shows the decision", readable)
    check("lumbar-c-curve" in readable and "Basis:" in readable,
          "recommend shows the protocol and the basis", readable)
    techniques = [s.get("technique", "") for s in steps]
    positions = [s.get("position", "").replace("POSITION_", "").lower() for s in steps]
    check(all(t in readable for t in techniques) and all(p in readable for p in positions),
          "recommend shows every step's technique and position", readable)
    # Steps appear in their order: each technique is found after the one before.
    position = readable.find("Steps:")
    in_order = position >= 0
    for technique in techniques:
        position = readable.find(technique, position + 1)
        in_order = in_order and position >= 0
    check(in_order, "recommend lists the steps in order", readable)
    for card in recommendation.get("cards", []):
        check(card.get("summary", "") in readable, f"recommend shows card {card.get('summary')}",
              readable)

    # --- log ---------------------------------------------------------------
    performed = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    first_id = str(uuid.uuid4())
    first_outcome = {
        "patientId": "p-e2e-1", "therapistId": "t-1",
        "recommendationId": recommendation.get("recommendationId", ""),
        "protocolId": "lumbar-c-curve", "protocolVersion": protocol.get("protocolVersion", 1),
        "sessionNumber": 1, "minutes": protocol.get("totalMinutes", 15),
        "painBefore": 6, "painAfter": 3, "performedAt": rfc3339(performed),
        "tension": [{"region": "right lumbar paraspinals", "before": 2, "after": 1}],
    }
    log_path = write_json(workdir, "log1.json", {"requestId": first_id, "outcome": first_outcome})
    logged = cli.json("log", f"--json_in={log_path}") or {}
    name = logged.get("name", "")
    check(name.startswith("outcomes/") and len(name) > len("outcomes/"),
          "log returns outcomes/{id}", json.dumps(logged))
    check(logged.get("revision") == 1 and logged.get("painAfter") == 3,
          "log returns revision 1 with the body sent", json.dumps(logged))

    again = cli.json("log", f"--json_in={log_path}") or {}
    check(again.get("name") == name and again.get("revision") == 1,
          "log with the same request_id returns the same outcome", json.dumps(again))

    changed = dict(first_outcome, painAfter=2)
    conflict_path = write_json(workdir, "log1b.json", {"requestId": first_id, "outcome": changed})
    code, out, err = cli.run("log", f"--json_in={conflict_path}")
    check(code == 1 and "scoliomassage: ALREADY_EXISTS" in err,
          "log with a reused request_id and another body fails with ALREADY_EXISTS",
          f"exit {code}\n{out}\n{err}")

    # A request without request_id: the client makes one, prints it, and a
    # retry with it is idempotent.
    second_outcome = {
        "patientId": "p-e2e-2", "therapistId": "t-2", "protocolId": "lumbar-c-curve",
        "protocolVersion": protocol.get("protocolVersion", 1), "sessionNumber": 1, "minutes": 15,
        "painBefore": 5, "painAfter": 5,
        "performedAt": rfc3339(performed + datetime.timedelta(minutes=20)),
    }
    code, out, err = cli.run("log", "--json_in=-", stdin=json.dumps({"outcome": second_outcome}))
    generated = re.search(r"--request_id=([0-9a-f-]{36})", err)
    check(code == 0 and generated is not None,
          "log without request_id prints the generated UUID on stderr", f"{code}\n{err}")
    second = loads(out) if code == 0 else {}
    if generated:
        check(uuid.UUID(generated.group(1)).version == 4, "the generated request_id is a UUID v4",
              generated.group(1))
        code, out, err = cli.run("log", "--json_in=-", f"--request_id={generated.group(1)}",
                                 stdin=json.dumps({"outcome": second_outcome}))
        check(code == 0 and loads(out).get("name") == second.get("name") != None,
              "retrying with the printed request_id returns the same outcome", f"{out}\n{err}")

    # --- get and amend ---------------------------------------------------------
    got = cli.json("get", name) or {}
    check(got.get("name") == name and got.get("painBefore") == 6, "get returns the outcome",
          json.dumps(got))
    bare = cli.json("get", name.split("/", 1)[-1]) or {}
    check(bare.get("name") == name, "get accepts the bare id", json.dumps(bare))

    amended_body = dict(first_outcome, painAfter=1)
    amend_path = write_json(workdir, "amend.json", {
        "requestId": str(uuid.uuid4()), "name": name, "outcome": amended_body,
        "reason": "pain after the session was misrecorded"})
    amended = cli.json("amend", f"--json_in={amend_path}") or {}
    check(amended.get("name") == name and amended.get("revision") == 2 and
          amended.get("painAfter") == 1, "amend stores revision 2", json.dumps(amended))
    latest = cli.json("get", name) or {}
    check(latest.get("revision") == 2 and latest.get("painAfter") == 1,
          "get returns the latest revision", json.dumps(latest))
    original = cli.json("get", name, "--revision=1") or {}
    check(original.get("revision") == 1 and original.get("painAfter") == 3,
          "get --revision=1 still returns the original", json.dumps(original))

    # --- history -------------------------------------------------------------
    records = history_lines(cli)
    names = [r.get("outcome", {}).get("name") for r in records]
    check(names == [name, second.get("name")], "history streams 2 records, oldest first",
          json.dumps(records)[:3000])
    check(all(r.get("resumeToken") for r in records), "every history record has a resume_token",
          json.dumps(records)[:3000])
    if records:
        first = records[0]["outcome"]
        check(first.get("revision") == 2 and first.get("painAfter") == 1,
              "history shows the latest revision", json.dumps(first))

    everything = history_lines(cli, "--include_revisions")
    check(len(everything) == 3, "history --include_revisions streams every revision",
          json.dumps(everything)[:3000])

    code, out, err = cli.run("history", "--format=csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    check(code == 0 and [r["name"] for r in rows] == names,
          "history --format=csv has a header and one row per record", f"{out}\n{err}")
    if rows and records:
        check(rows[0]["resume_token"] == records[0]["resumeToken"] and
              rows[0]["pain_after"] == "1" and rows[0]["patient_id"] == "p-e2e-1",
              "history csv carries the key columns and the resume_token", out)

    if records:
        rest = history_lines(cli, f"--resume_token={records[0]['resumeToken']}")
        check([r["outcome"]["name"] for r in rest] == names[1:],
              "history resumed after the first record returns only the rest",
              json.dumps(rest)[:2000])

    only_two = history_lines(cli, "--patient=p-e2e-2")
    check([r["outcome"]["name"] for r in only_two] == names[1:], "history --patient filters",
          json.dumps(only_two)[:2000])
    check(len(history_lines(cli, "--region=lumbar")) == 2, "history --region=lumbar keeps both")
    check(len(history_lines(cli, "--region=thoracic")) == 0,
          "history --region=thoracic returns none")
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    check(len(history_lines(cli, f"--since={tomorrow}")) == 0,
          "history --since in the future returns none")

    # --- summary ---------------------------------------------------------------
    # What the test sent, after the amendment: not what the server returned.
    finals = [amended_body, second_outcome]
    reliefs = [o["painBefore"] - o["painAfter"] for o in finals]
    summary = cli.json("summary", "--json") or {}
    groups = summary.get("groups", [])
    check(len(groups) == 1, "summary without --group_by has one group", json.dumps(summary))
    if groups:
        group = groups[0]
        check(int(group.get("sessionCount", 0)) == len(finals), "summary session_count",
              json.dumps(group))
        check(abs(group.get("meanPainRelief", -99) - sum(reliefs) / len(reliefs)) < 1e-9,
              "summary mean_pain_relief matches the test's own mean", json.dumps(group))
        expected_rate = sum(meaningful(o["painBefore"], o["painAfter"]) for o in finals) / len(finals)
        check(abs(group.get("meaningfulReliefRate", -1) - expected_rate) < 1e-9,
              "summary meaningful_relief_rate matches the test's own rate", json.dumps(group))

    by_therapist = cli.json("summary", "--group_by=therapist", "--json") or {}
    counts = {g.get("keyParts", {}).get("therapist", g.get("key")): int(g.get("sessionCount", 0))
              for g in by_therapist.get("groups", [])}
    check(counts == {"t-1": 1, "t-2": 1}, "summary --group_by=therapist splits the sessions",
          json.dumps(by_therapist))
    code, out, err = cli.run("summary", "--group_by=protocol,region")
    check(code == 0 and out.startswith("protocol") and "spine_region" in out.splitlines()[0]
          and "lumbar-c-curve" in out, "summary prints a table with a column per dimension",
          f"{out}\n{err}")

    # --- audit (dev mode: every caller is admin) ---------------------------------
    code, out, err = cli.run("audit", "--json", "--page_size=2")
    audit = [loads(line) for line in out.splitlines() if line.strip()] if code == 0 else []
    check(code == 0 and len(audit) > 2,
          "audit --json follows next_page_token past the first page", f"{code}\n{out}\n{err}")
    check(any(a.get("method", "").endswith("/LogOutcome") for a in audit),
          "audit lists the LogOutcome calls", out[:3000])
    code, out, err = cli.run("audit")
    check(code == 0 and out.startswith("time") and "LogOutcome" in out,
          "audit prints a table", f"{out}\n{err}")

    # --- errors ------------------------------------------------------------------
    bad = dict(second_outcome, painBefore=42, patientId="p-e2e-bad")
    code, out, err = cli.run("log", "--json_in=-", stdin=json.dumps(
        {"requestId": str(uuid.uuid4()), "outcome": bad}))
    check(code == 1 and "INVALID_ARGUMENT" in err and "outcome.pain_before" in err,
          "pain 42 exits 1 and names outcome.pain_before", f"exit {code}\n{err}")
    check(len(history_lines(cli)) == 2, "the bad outcome was not stored")

    for args, what in ((["history", "--format=xml"], "an unknown --format"),
                       (["get"], "get without a name"),
                       (["frobnicate"], "an unknown subcommand"),
                       (["audit", "--patient=x"], "a flag of another subcommand"),
                       (["log", "--json_in=/nonexistent/x.json"], "a missing input file"),
                       (["summary", "--group_by=patient"], "an unknown --group_by")):
        code, out, err = cli.run(*args)
        check(code == 2 and err.startswith("scoliomassage: "), f"{what} is a usage error (exit 2)",
              f"exit {code}\n{err}")
    code, out, err = cli.run("log", "--json_in=-", stdin='{"outcome": {"painBefor": 3}}')
    check(code == 2 and "painBefor" in err, "a typo in the input JSON is caught before sending",
          f"exit {code}\n{err}")
    code, out, err = cli.run("--help")
    check(code == 0 and "Exit status" in out and "SCOLIOMASSAGE_TOKEN" in out,
          "--help documents exit codes and environment variables", out[:500])

    # --- server down -----------------------------------------------------------------
    server.stop()
    code, out, err = cli.run("protocols", "--deadline_ms=3000")
    check(code == 1 and "scoliomassage: UNAVAILABLE" in err, "server down: UNAVAILABLE, exit 1",
          f"exit {code}\n{err}")
    code, out, err = cli.run("history", "--resume_token=tok-before-outage")
    check(code == 1 and "UNAVAILABLE" in err and "--resume_token=tok-before-outage" in err,
          "a failed history stream prints the resume_token to continue from", f"exit {code}\n{err}")


if __name__ == "__main__":
    sys.exit(main())
