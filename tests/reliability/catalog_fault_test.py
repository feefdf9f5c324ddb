#!/usr/bin/python3
"""Fault: a corrupt or missing protocol catalog.

scoliomassaged must refuse to start (exit code != 0, never a crash signal,
within seconds) and say what is wrong on stderr: the file and line of a
corrupt catalog, the path of a missing one. It must not start serving on half
a catalog, and it must not create or touch the database file's data.

Usage: catalog_fault_test.py PATH/TO/scoliomassaged
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reliability import Checker, testlib  # noqa: E402

CATALOG_DIR = os.path.join(testlib.ROOT, "service", "catalog", "data")


def run_server(binary, catalog, workdir):
    process = subprocess.run(
        [binary, "--listen=127.0.0.1:0", "--database=sqlite://" + os.path.join(workdir, "db", "c.db"),
         "--catalog=" + catalog], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    # The parser quotes the offending text, which may be any bytes.
    return process.returncode, (process.stdout + process.stderr).decode(errors="replace")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def main():
    binary = sys.argv[1]
    check = Checker()
    work = tempfile.mkdtemp(prefix="scoliomassage-catalog-")
    try:
        thoracic = open(os.path.join(CATALOG_DIR, "thoracic.textproto")).read()
        lines = thoracic.splitlines()
        # The line of the first "technique:" in the shipped file: break it.
        target = next(i for i, line in enumerate(lines) if "technique:" in line)
        broken = list(lines)
        broken[target] = broken[target].replace("technique:", "technique {")
        # A directory like the shipped one, with one corrupt file in it.
        corrupt_dir = os.path.join(work, "corrupt-dir")
        shutil.copytree(CATALOG_DIR, corrupt_dir)
        write(os.path.join(corrupt_dir, "thoracic.textproto"), "\n".join(broken) + "\n")

        unknown_field = list(lines)
        unknown_field.insert(target, "    massage_pressure: 9")

        cases = [
            # (label, catalog path, text that stderr must contain (regex))
            ("syntax error in one file of a directory", corrupt_dir,
             r"thoracic\.textproto:%d:\d+" % (target + 1)),
            ("syntax error in a single file",
             write(os.path.join(work, "broken.textproto"), "\n".join(broken) + "\n"),
             r"broken\.textproto:%d:\d+" % (target + 1)),
            ("unknown field",
             write(os.path.join(work, "unknown.textproto"), "\n".join(unknown_field) + "\n"),
             r"unknown\.textproto:%d:\d+" % (target + 1)),
            ("truncated file",
             write(os.path.join(work, "truncated.textproto"), thoracic[:len(thoracic) // 2]),
             r"truncated\.textproto:\d+:\d+"),
            ("binary garbage",
             write(os.path.join(work, "garbage.textproto"), "\x00\x01\x02\xff garbage {{{ \n"),
             r"garbage\.textproto:1:\d+"),
            ("wrong enum value",
             write(os.path.join(work, "enum.textproto"),
                   thoracic.replace("spine_region: SPINE_REGION_THORACIC", "spine_region: SPINE_REGION_TAIL", 1)),
             r"enum\.textproto:\d+:\d+.*SPINE_REGION_TAIL"),
            ("empty file",
             write(os.path.join(work, "empty.textproto"), "# nothing here\n"),
             r"empty\.textproto:1:1"),
            ("missing file", os.path.join(work, "no-such-catalog.textproto"),
             re.escape(os.path.join(work, "no-such-catalog.textproto"))),
            ("missing directory", os.path.join(work, "no-such-dir"),
             re.escape(os.path.join(work, "no-such-dir"))),
            ("directory without catalog files", os.path.join(work, "db"),
             re.escape(os.path.join(work, "db"))),
        ]
        os.makedirs(os.path.join(work, "db"), exist_ok=True)
        for label, catalog, expected in cases:
            code, output = run_server(binary, catalog, work)
            first = next((line for line in output.splitlines() if line.strip()), "")
            print("%-42s exit %s: %s" % (label, code, first[:160]), flush=True)
            check(code is not None and code > 0, "%s: exit code > 0 (not a signal), got %s" % (label, code))
            check("listening on" not in output, "%s: never starts serving" % label)
            check(re.search(expected, output) is not None,
                  "%s: stderr matches %r; got:\n%s" % (label, expected, output[-1500:]))
            check("catalog" in output.lower(), "%s: stderr says it is the catalog" % label)
        # The good catalog still starts, so the failures above are about the files.
        server = testlib.Server(binary, extra_args=["--catalog=" + CATALOG_DIR])
        try:
            server.start()
        except RuntimeError as error:
            check(False, "the shipped catalog starts: %s" % error)
        finally:
            server.cleanup()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return check.exit_code("catalog_fault")


if __name__ == "__main__":
    sys.exit(main())
