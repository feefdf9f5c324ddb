#!/usr/bin/python3
"""The assess and episode subcommands of the real scoliomassage binary against a
real scoliomassaged (dev mode, fresh SQLite file). Scores and the summary by
instrument are checked against values computed here from the answers sent."""

import argparse
import datetime
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_end_to_end_test import FAILURES, Cli, Server, check, write_json  # noqa: E402


def odi(patient, answers, hours_ago):
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=hours_ago)
    return {"assessment": {
        "patientId": patient, "instrumentId": "odi",
        "performedAt": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "answers": [{"item": str(i + 1), "value": v} for i, v in enumerate(answers)]}}


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
    sent = {"p-1": [[4, 4, 4, 4, 4, 0, 0, 0, 0, 0], [2, 2, 2, 2, 2, 1, 1, 0, 0, 0]],
            "p-2": [[5, 5, 5, 5, 5, 5, 5, 5, 5]]}  # nine sections: one may be missing
    scores = []
    for patient, sets in sent.items():
        for n, answers in enumerate(sets):
            path = write_json(workdir, f"{patient}-{n}.json", odi(patient, answers, 10 - n))
            stored = cli.json("assess", "record", f"--json_in={path}")
            if stored is None:
                continue
            expected = sum(answers) / (5 * len(answers)) * 100
            scores.append(expected)
            total = stored.get("scores", [{}])[0]
            check(abs(total.get("value", -1) - expected) < 1e-9 and total.get("scoreable"),
                  f"{patient} ODI scored {expected:.2f}", json.dumps(stored))
            check(stored.get("episode", "").startswith("episodes/"), "the assessment joined an episode")

    bad = odi("p-3", [4, 4, 4, 9, 4, 0, 0, 0, 0, 0], 1)
    code, out, err = cli.run("assess", "record", f"--json_in={write_json(workdir, 'bad.json', bad)}")
    check(code == 1 and "assessment.answers[3].value" in err and 'item "4"' in err,
          "a bad answer is rejected naming the item", f"exit {code}\n{err}")
    listed = cli.json("assess", "list", "--patient=p-3", "--json")
    check(listed is not None and not listed.get("assessments"), "nothing was stored for it",
          json.dumps(listed))

    code, out, err = cli.run("assess", "list", "--patient=p-1", "--instrument=odi")
    check(code == 0 and "total=40" in out and "total=24" in out, "assess list shows the scores", out)

    summary = cli.json("summary", "--group_by=instrument", "--json")
    groups = (summary or {}).get("groups", [])
    check(len(groups) == 1 and groups[0].get("key") == "odi|total", "one group: odi|total",
          json.dumps(summary))
    if groups:
        mean = sum(scores) / len(scores)
        check(int(groups[0].get("assessmentCount", 0)) == len(scores) and
              abs(groups[0].get("meanScore", -1) - mean) < 1e-9 and
              int(groups[0].get("patientCount", 0)) == 2,
              f"the summary by instrument matches an independent computation ({mean:.3f})",
              json.dumps(groups[0]))

    episodes = cli.json("episode", "list", "--patient=p-1", "--json")
    name = ((episodes or {}).get("episodes") or [{}])[0].get("name", "")
    check(name.startswith("episodes/"), "episode list names the open episode", json.dumps(episodes))
    code, out, err = cli.run("episode", "result", name)
    check(code == 0 and "odi" in out and "40" in out and "24" in out and "yes" in out,
          "episode result shows ODI 40 -> 24 as meaningful", f"exit {code}\n{out}{err}")
    closed = cli.json("episode", "close", name)
    check(closed is not None and not closed.get("open"), "episode close discharges", json.dumps(closed))
    opened = cli.json("episode", "open", "--patient=p-1")
    check(opened is not None and opened.get("open") and opened.get("name") != name,
          "episode open starts a new one", json.dumps(opened))
    code, out, err = cli.run("episode", "frobnicate")
    check(code == 2 and "open, close, list, result" in err, "an unknown action is a usage error",
          f"exit {code}\n{err}")


if __name__ == "__main__":
    sys.exit(main())
