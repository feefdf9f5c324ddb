#!/usr/bin/python3
"""Runs a command against a real scoliomassaged on a free loopback port.

    run_with_server.py --server PATH [--database PATH] [--server-arg ARG]...
                       -- COMMAND ARG...

Starts the server with --listen=127.0.0.1:0 and a temporary SQLite database
(or --database), waits for its "scoliomassaged listening on HOST:PORT" line
on stderr, runs COMMAND with SMP_TARGET=HOST:PORT in its environment (and
"{target}" in its arguments replaced), then stops the server. Exits with the
command's status, or 1 when the server did not come up.

Also importable: `Server` is the same thing as a context manager, for tests
that stop and restart the server (outbox_test.py).
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

READY = re.compile(r"scoliomassaged listening on (\S+:\d+)")
START_TIMEOUT_S = 30


class Server:
    """One scoliomassaged process; the database file outlives it."""

    def __init__(self, binary, database, extra_args=()):
        self.binary = binary
        self.database = database
        self.extra_args = list(extra_args)
        self.process = None
        self.target = None
        self.log = []

    def start(self):
        args = [self.binary, "--listen=127.0.0.1:0",
                "--database=sqlite://" + self.database] + self.extra_args
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        ready = threading.Event()

        def pump():  # keep reading so the server never blocks on a full pipe
            for line in self.process.stderr:
                self.log.append(line)
                match = READY.search(line)
                if match and not ready.is_set():
                    self.target = match.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready.wait(0.1):
            if time.monotonic() > deadline:
                break
        if self.target is None:
            self.stop()
            raise RuntimeError("scoliomassaged did not report listening:\n" + "".join(self.log))
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--database")
    parser.add_argument("--server-arg", action="append", default=[])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    if not command:
        parser.error("no command")
    with tempfile.TemporaryDirectory(prefix="smp-server-") as scratch:
        database = options.database or os.path.join(scratch, "scoliomassage.db")
        try:
            server = Server(options.server, database, options.server_arg).start()
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
        try:
            env = dict(os.environ, SMP_TARGET=server.target)
            args = [a.replace("{target}", server.target) for a in command]
            print("server at", server.target, "running:", " ".join(args), flush=True)
            result = subprocess.run(args, env=env)
        finally:
            server.stop()
        if result.returncode != 0:
            print("--- server log ---\n" + "".join(server.log[-40:]), file=sys.stderr)
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
