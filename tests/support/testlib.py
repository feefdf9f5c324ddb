"""Shared helpers for the Python end-to-end tests (run with /usr/bin/python3).

- stubs(): generates Python protobuf/gRPC stubs for the API and the standard
  health/reflection protos into a temp folder and imports them.
- Server: starts a real scoliomassaged on a free loopback port with a temp
  SQLite file, waits for its "listening on" line, stops it with SIGTERM.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_STUB_DIR = None


def stubs():
    """Generates the stubs once per process and puts them on sys.path.

    The API protos keep their paths (scoliomassage.v1, google.rpc as an
    implicit namespace package beside the system's google.protobuf). The
    standard health and reflection protos are generated under "stdgrpc." so
    they do not shadow the installed grpc package: import them as
    stdgrpc.health.v1.health_pb2 (their proto package stays grpc.health.v1).
    """
    global _STUB_DIR
    if _STUB_DIR:
        return _STUB_DIR
    out = tempfile.mkdtemp(prefix="scoliomassage-stubs-")
    sources = tempfile.mkdtemp(prefix="scoliomassage-protos-")
    shutil.copytree(os.path.join(ROOT, "proto"), sources, dirs_exist_ok=True)
    shutil.copytree(os.path.join(ROOT, "tests", "proto", "grpc"), os.path.join(sources, "stdgrpc"))
    protos = []
    for dirpath, _, files in os.walk(sources):
        for name in files:
            if name.endswith(".proto"):
                protos.append(os.path.relpath(os.path.join(dirpath, name), sources))
    subprocess.run(
        ["protoc", "-I" + sources, "-I/usr/include", "--python_out=" + out, "--grpc_out=" + out,
         "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin"] + sorted(protos),
        check=True, cwd=sources)
    shutil.rmtree(sources, ignore_errors=True)
    sys.path.insert(0, out)
    _STUB_DIR = out
    return out


class Server:
    """A real scoliomassaged process for one test."""

    def __init__(self, binary, database=None, extra_args=(), env=None):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="scoliomassage-test-")
        self.database = database or "sqlite://" + os.path.join(self.dir, "test.db")
        self.extra_args = list(extra_args)
        self.env = env
        self.process = None
        self.port = None
        self.log_path = os.path.join(self.dir, "server.log")

    def start(self, timeout=30):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.binary, "--listen=127.0.0.1:0", "--database=" + self.database] + self.extra_args,
            stdout=log, stderr=subprocess.PIPE, env=self.env)
        deadline = time.time() + timeout
        pattern = re.compile(rb"scoliomassaged listening on [0-9.]+:(\d+)")
        while time.time() < deadline:
            line = self.process.stderr.readline()
            if not line:
                if self.process.poll() is not None:
                    raise RuntimeError("scoliomassaged exited with %s; log: %s" % (self.process.returncode, self.log()))
                continue
            log.write(line)
            match = pattern.search(line)
            if match:
                self.port = int(match.group(1))
                # Keep draining stderr into the log so the pipe never fills.
                self._drain = subprocess.Popen(["cat"], stdin=self.process.stderr, stdout=log)
                return self
        raise RuntimeError("scoliomassaged did not start in time")

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def http_port(self):
        """The port of the HTTP face (--http_listen=...:0), from its log line."""
        for line in self.log().splitlines():
            if "HTTP listening on" in line:
                return int(line.rsplit(":", 1)[1])
        raise RuntimeError("no HTTP listening line: " + self.log()[-2000:])

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Sends `sig` and returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.process = None
        return code

    def cleanup(self, show_log=False, log_chars=3000):
        """Stops the server and removes its folder. With show_log (a test
        that failed), prints the last log_chars characters of its log first."""
        if show_log:
            print(self.log()[-log_chars:])
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


def http_get(port, path, token=None):
    """GET on loopback with an optional bearer token: (status, headers, body bytes)."""
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", path, headers={"Authorization": "Bearer " + token} if token else {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body
