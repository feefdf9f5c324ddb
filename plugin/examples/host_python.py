#!/usr/bin/python3
"""A Python host for libscoliomassage_plugin.so, using only ctypes.

Runs one check-in against scoliomassaged: recommend a protocol for a lumbar
C-curve patient, log the session outcome, read the patient history; then
shows how a bad request and a service that is down look.

    host_python.py [PLUGIN_SO [TARGET]]     or env SMP_PLUGIN, SMP_TARGET, SMP_TOKEN

Exits 0 only when every expectation held, so tests can run it.
"""
import ctypes
import datetime
import json
import os
import socket
import sys
import time

SMP_OK, SMP_INVALID_ARGUMENT, SMP_UNAVAILABLE = 0, 3, 14
SMP_ABI_VERSION = 1


class Plugin:
    """The C ABI with Python types: JSON strings become dicts."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        lib.smp_client_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.smp_client_open.restype = ctypes.c_int
        lib.smp_client_close.argtypes = [ctypes.c_void_p]
        lib.smp_client_close.restype = None
        for name in ("smp_recommend_protocol", "smp_log_outcome", "smp_amend_outcome",
                     "smp_get_outcome", "smp_patient_history"):
            function = getattr(lib, name)
            # c_void_p, not c_char_p, for the result: ctypes would copy a
            # c_char_p and lose the pointer that smp_free needs.
            function.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                 ctypes.POINTER(ctypes.c_void_p)]
            function.restype = ctypes.c_int
        lib.smp_last_error.restype = ctypes.c_char_p
        lib.smp_strerror.argtypes = [ctypes.c_int]
        lib.smp_strerror.restype = ctypes.c_char_p
        lib.smp_free.argtypes = [ctypes.c_void_p]
        lib.smp_version.restype = ctypes.c_char_p
        lib.smp_abi_version.restype = ctypes.c_int
        self.lib = lib

    def version(self):
        return self.lib.smp_version().decode(), self.lib.smp_abi_version()

    def last_error(self):
        return self.lib.smp_last_error().decode()

    def strerror(self, code):
        return self.lib.smp_strerror(code).decode()

    def open(self, config):
        handle = ctypes.c_void_p()
        code = self.lib.smp_client_open(json.dumps(config).encode(), ctypes.byref(handle))
        return code, handle

    def close(self, handle):
        self.lib.smp_client_close(handle)

    def call(self, function, handle, request):
        """(code, response dict or None). The error text is last_error()."""
        raw = ctypes.c_void_p()
        body = request if isinstance(request, (bytes, type(None))) else json.dumps(request).encode()
        code = getattr(self.lib, function)(handle, body, ctypes.byref(raw))
        response = None
        if raw.value:
            try:
                response = json.loads(ctypes.string_at(raw.value).decode())
            finally:
                self.lib.smp_free(raw)
        return code, response


failures = 0


def expect(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures += 1


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    plugin_path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SMP_PLUGIN")
    target = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("SMP_TARGET")
    if not plugin_path or not target:
        print(__doc__, file=sys.stderr)
        return 2
    smp = Plugin(plugin_path)
    version, abi = smp.version()
    print(f"plugin {version}, ABI {abi}")
    expect(abi == SMP_ABI_VERSION, "library ABI matches this host")

    config = {"target": target, "deadlineMs": 5000}
    if os.environ.get("SMP_TOKEN"):
        config["token"] = os.environ["SMP_TOKEN"]
    code, client = smp.open(config)
    expect(code == SMP_OK, "open a client")
    if code != SMP_OK:
        print(smp.last_error(), file=sys.stderr)
        return 1
    try:
        # 1. Check-in: today's protocol for a lumbar C-curve patient.
        patient = f"py-host-{os.getpid()}-{int(time.time())}"
        code, recommendation = smp.call("smp_recommend_protocol", client, {
            "patientId": patient,
            "profile": {"ageYears": 14, "primaryRegion": "SPINE_REGION_LUMBAR",
                        "curvePattern": "CURVE_PATTERN_C_CURVE", "convexSide": "SIDE_RIGHT",
                        "cobbAngleDegrees": 22},
            "screening": {"painNrs": 5},
        })
        expect(code == SMP_OK, "recommend a protocol")
        if code != SMP_OK:
            print(" ", code, smp.last_error(), file=sys.stderr)
            return 1
        expect(recommendation.get("decision", "").startswith("DECISION_PROCEED"),
               "decision is to proceed")
        protocol = recommendation.get("protocol", {})
        expect(bool(protocol.get("protocolId")) and bool(protocol.get("steps")),
               "the recommendation has a protocol with steps")
        print(f"  protocol {protocol.get('protocolId')} v{protocol.get('protocolVersion')}, "
              f"session {protocol.get('sessionNumber')}, {protocol.get('totalMinutes')} minutes, "
              f"{len(protocol.get('steps', []))} steps")

        # 2. After the session: log what happened.
        performed_at = (datetime.datetime.now(datetime.timezone.utc)
                        - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        outcome = {
            "patientId": patient, "therapistId": "t-python-host",
            "recommendationId": recommendation.get("recommendationId", ""),
            "protocolId": protocol.get("protocolId"),
            "protocolVersion": protocol.get("protocolVersion", 0),
            "sessionNumber": protocol.get("sessionNumber", 1),
            "minutes": protocol.get("totalMinutes", 15),
            "painBefore": 5, "painAfter": 3,
            "tension": [{"region": "right lumbar paraspinals", "before": 2, "after": 1}],
            "relaxationNotes": "breathing slowed, relaxed",
            "performedAt": performed_at,
        }
        code, stored = smp.call("smp_log_outcome", client, {"outcome": outcome})
        expect(code == SMP_OK, "log the outcome")
        name = (stored or {}).get("name", "")
        print("  stored", name or smp.last_error())
        expect(name.startswith("outcomes/"), "the outcome has a name")
        expect((stored or {}).get("painAfter") == 3, "the stored outcome echoes painAfter")

        # 3. The therapist's view: the patient's history shows the session.
        code, history = smp.call("smp_patient_history", client,
                                 {"filter": {"patientId": patient}, "pageSize": 10})
        expect(code == SMP_OK, "read the patient history")
        names = [o.get("name") for o in (history or {}).get("outcomes", [])]
        expect(name in names, "the history contains the logged outcome")

        # 4. A bad request: pain 42 on a 0-10 scale.
        code, response = smp.call("smp_log_outcome", client,
                                  {"outcome": dict(outcome, painAfter=42)})
        error = smp.last_error()
        print(f"  bad request -> {code} {smp.strerror(code)}: {error}")
        expect(code == SMP_INVALID_ARGUMENT, "pain 42 is INVALID_ARGUMENT")
        expect("pain_after" in error or "painAfter" in error, "the last error names the field")
        expect(response is None, "no response on error")

        # 5. Malformed JSON never reaches the service.
        code, _ = smp.call("smp_recommend_protocol", client, b'{"patientId":')
        expect(code == SMP_INVALID_ARGUMENT and smp.last_error() != "",
               "malformed JSON is INVALID_ARGUMENT with a message")
        code, _ = smp.call("smp_recommend_protocol", client, None)
        expect(code == SMP_INVALID_ARGUMENT, "a NULL request is INVALID_ARGUMENT, not a crash")
    finally:
        smp.close(client)

    # 6. The service is down: UNAVAILABLE, quickly.
    code, client = smp.open({"target": f"127.0.0.1:{closed_port()}", "deadlineMs": 1000})
    expect(code == SMP_OK, "open a client for a closed port")
    started = time.monotonic()
    code, _ = smp.call("smp_recommend_protocol", client,
                       {"patientId": "p", "profile": {"primaryRegion": "SPINE_REGION_LUMBAR"}})
    elapsed = time.monotonic() - started
    print(f"  server down -> {code} {smp.strerror(code)} after {elapsed * 1000:.0f} ms: "
          f"{smp.last_error()}")
    expect(code == SMP_UNAVAILABLE, "a closed port is UNAVAILABLE")
    expect(elapsed < 1.5, "within the deadline")
    smp.close(client)

    print(f"{'FAILED' if failures else 'PASSED'}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
