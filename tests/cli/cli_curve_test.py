#!/usr/bin/python3
"""The curve record and curve amend subcommands of the real scoliomassage binary
against a real scoliomassaged (dev mode, fresh SQLite file): a film is stored
and printed, a retry with the same request_id stores nothing new (from the
input or from --request_id), the request_id a run generated is printed and
retries safely, an amendment is a new revision that keeps the old one
readable, a reused request_id with another body and bad input are refused
(naming the field) and change nothing."""

import argparse
import datetime
import json
import os
import re
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_end_to_end_test import FAILURES, Cli, Server, check, write_json  # noqa: E402


def film(patient, days_ago, cobb, **extra):
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days_ago)
    measurement = {"patientId": patient, "takenAt": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "spineRegion": "SPINE_REGION_THORACIC", "cobbAngleDegrees": cobb,
                   "convexSide": "SIDE_RIGHT", "apex": "T8",
                   "measuredBy": "dr-radiology", "imagingRef": "PACS-1"}
    measurement.update(extra)
    return measurement


def films_of(cli, patient):
    code, out, err = cli.run("curve", "list", f"--patient={patient}", "--json")
    if not check(code == 0, f"curve list --patient={patient} exits 0", f"exit {code}\n{err}"):
        return []
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--server", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        server = Server(args.server, workdir)
        try:
            run(Cli(args.cli, server.address), workdir)
        finally:
            server.stop()
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    return 0


def run(cli, workdir):
    # record, with the request_id in the input
    request_id = str(uuid.uuid4())
    body = {"requestId": request_id, "measurement": film("p-1", 200, 22.5, risserGrade=2)}
    path = write_json(workdir, "film.json", body)
    stored = cli.json("curve", "record", f"--json_in={path}")
    name = (stored or {}).get("name", "")
    check(re.fullmatch(r"curveMeasurements/[0-9a-f]{32}", name) is not None,
          "curve record prints the stored film with its name", json.dumps(stored))
    check(stored is not None and stored.get("revision") == 1 and stored.get("cobbAngleDegrees") == 22.5
          and stored.get("risserGrade") == 2 and stored.get("createTime"),
          "revision 1, the Cobb angle and Risser grade as sent, a create time", json.dumps(stored))

    again = cli.json("curve", "record", f"--json_in={path}")
    check(again == stored, "a retry with the same request_id returns the first film", json.dumps(again))
    check(len(films_of(cli, "p-1")) == 1, "...and stores nothing new")

    # record from stdin with --request_id, and a generated request_id
    flag_id = str(uuid.uuid4())
    second_body = json.dumps({"measurement": film("p-1", 20, 27)})
    code, out, err = cli.run("curve", "record", "--json_in=-", f"--request_id={flag_id}", stdin=second_body)
    check(code == 0, "curve record --json_in=- --request_id=UUID exits 0", f"exit {code}\n{err}")
    second = json.loads(out) if code == 0 else {}
    code, out, err = cli.run("curve", "record", "--json_in=-", f"--request_id={flag_id}", stdin=second_body)
    check(code == 0 and json.loads(out).get("name") == second.get("name"),
          "the same --request_id retries safely", f"exit {code}\n{err}")
    code, out, err = cli.run("curve", "record", "--json_in=-", stdin=json.dumps({"measurement": film("p-2", 5, 15)}))
    generated = re.search(r"--request_id=([0-9a-f-]{36})", err)
    check(code == 0 and generated is not None, "without a request_id one is generated and printed",
          f"exit {code}\n{err}")
    if generated:
        code, out2, err = cli.run("curve", "record", "--json_in=-", f"--request_id={generated.group(1)}",
                                  stdin=json.dumps({"measurement": film("p-2", 5, 15)}))
        check(code == 0 and json.loads(out2).get("name") == json.loads(out).get("name"),
              "rerunning with the printed request_id stores nothing new", f"exit {code}\n{err}")
    check(len(films_of(cli, "p-2")) == 1, "p-2 has one film")

    # a reused request_id with another body
    other = {"requestId": request_id, "measurement": film("p-1", 200, 30)}
    code, out, err = cli.run("curve", "record", f"--json_in={write_json(workdir, 'other.json', other)}")
    check(code != 0 and "ALREADY_EXISTS" in err, "a reused request_id with another body is refused",
          f"exit {code}\n{err}")

    # bad input names the field and stores nothing
    bad = {"measurement": film("p-3", 1, 130, risserGrade=7)}
    code, out, err = cli.run("curve", "record", f"--json_in={write_json(workdir, 'bad.json', bad)}")
    check(code == 1 and "measurement.cobb_angle_degrees" in err and "measurement.risser_grade" in err,
          "bad input is INVALID_ARGUMENT naming the fields", f"exit {code}\n{err}")
    check(len(films_of(cli, "p-3")) == 0, "nothing was stored for it")

    # amend: a new revision; the first stays readable
    amend_id = str(uuid.uuid4())
    amendment = {"requestId": amend_id, "name": name, "reason": "re-measured on the original film",
                 "measurement": film("p-1", 200, 24.0, risserGrade=2)}
    amend_path = write_json(workdir, "amend.json", amendment)
    amended = cli.json("curve", "amend", f"--json_in={amend_path}")
    check(amended is not None and amended.get("name") == name and amended.get("revision") == 2
          and amended.get("cobbAngleDegrees") == 24.0
          and amended.get("amendReason") == "re-measured on the original film",
          "curve amend stores revision 2 with the reason", json.dumps(amended))
    retried = cli.json("curve", "amend", f"--json_in={amend_path}")
    check(retried is not None and retried.get("revision") == 2, "retrying the amendment adds no revision",
          json.dumps(retried))
    listed = films_of(cli, "p-1")
    mine = [f for f in listed if f.get("name") == name]
    check(len(listed) == 2 and len(mine) == 1 and mine[0].get("revision") == 2,
          "curve list shows the latest revision only", json.dumps(listed))
    first = cli.json("curve", "get", name, "--revision=1")
    check(first is not None and first.get("cobbAngleDegrees") == 22.5 and first.get("revision") == 1,
          "curve get --revision=1 still reads the first value", json.dumps(first))
    code, out, err = cli.run("curve", "list", "--patient=p-1")
    check(code == 0 and "24.0" in out and "22.5" not in out, "the table shows the amended angle", out)

    # amend errors
    missing = {"name": "curveMeasurements/" + "0" * 32, "reason": "typo",
               "measurement": film("p-1", 200, 24.0)}
    code, out, err = cli.run("curve", "amend", f"--json_in={write_json(workdir, 'missing.json', missing)}")
    check(code != 0 and "NOT_FOUND" in err, "amending an unknown film is NOT_FOUND", f"exit {code}\n{err}")
    no_reason = {"name": name, "measurement": film("p-1", 200, 25.0)}
    code, out, err = cli.run("curve", "amend", f"--json_in={write_json(workdir, 'noreason.json', no_reason)}")
    check(code == 1 and "reason" in err, "an amendment without a reason is refused naming it",
          f"exit {code}\n{err}")
    check((cli.json("curve", "get", name) or {}).get("revision") == 2, "the refused amendments changed nothing")
    code, out, err = cli.run("curve", "frobnicate")
    check(code == 2 and "record, list, amend or get" in err, "an unknown action is a usage error",
          f"exit {code}\n{err}")


if __name__ == "__main__":
    sys.exit(main())
