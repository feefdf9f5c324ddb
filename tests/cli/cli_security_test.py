#!/usr/bin/python3
"""The client's TLS, mutual TLS and bearer tokens against a real scoliomassaged.

Makes a throwaway CA, server and client certificates with the openssl
command, and a credentials file holding only token hashes, then checks that
the client connects only when it should, and never prints the token.
"""

import argparse
import hashlib
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time

FAILURES = []


def check(condition, what, detail=""):
    print(f"{'ok  ' if condition else 'FAIL'} {what}" + ("" if condition else f"\n{detail}"))
    if not condition:
        FAILURES.append(what)


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(d):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
            "-keyout", "ca.key", "-out", "ca.pem", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name, subject, ext in (("server", "/CN=localhost", ["-extfile", "server.ext"]),
                               ("client", "/CN=admin-1.clinic-a", [])):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", f"{name}.key",
                "-out", f"{name}.csr", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-out", f"{name}.pem", *ext, cwd=d)
    # A CA the server does not use, to check that the client verifies.
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other-ca",
            "-keyout", "other.key", "-out", "other.pem", cwd=d)


def start_server(binary, d, name, extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOLIOMASSAGE_")}
    process = subprocess.Popen(
        [binary, "--listen=127.0.0.1:0", f"--database=sqlite://{d}/{name}.db",
         f"--tls_cert={d}/server.pem", f"--tls_key={d}/server.key",
         f"--tokens_file={d}/tokens", f"--pseudonym_secret_file={d}/pseudonym", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    log, ready, address = [], threading.Event(), []

    def drain():
        for line in process.stderr:
            log.append(line)
            match = re.search(r"scoliomassaged listening on (\S+:\d+)", line)
            if match and not ready.is_set():
                address.append(match.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    ready.wait(60)
    if not address:
        process.kill()
        raise RuntimeError(f"scoliomassaged ({name}) did not start:\n" + "".join(log))
    return process, address[0]


def stop(process):
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--server", required=True)
    options = parser.parse_args()

    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SCOLIOMASSAGE_")}

    def cli(*args, **env):
        result = subprocess.run([options.cli, *args], capture_output=True, text=True, timeout=60,
                                env={**base_env, "SCOLIOMASSAGE_DEADLINE_MS": "5000", **env})
        return result.returncode, result.stdout, result.stderr

    with tempfile.TemporaryDirectory(prefix="cli-tls-") as d:
        make_pki(d)
        admin_token = secrets.token_hex(16)
        analytics_token = secrets.token_hex(16)
        with open(os.path.join(d, "pseudonym"), "w") as f:
            f.write(secrets.token_hex(32))
        with open(os.path.join(d, "tokens"), "w") as f:
            for token, principal, role in ((admin_token, "ops-1", "admin"),
                                           (analytics_token, "job-1", "analytics")):
                digest = hashlib.sha256(token.encode()).hexdigest()
                f.write(f"token sha256:{digest} {principal} {role} clinic-a\n")
            f.write("cert CN=admin-1.clinic-a admin-1 admin clinic-a\n")
        with open(os.path.join(d, "token_file"), "w") as f:
            f.write(admin_token + "\n")
        ca = f"--tls_ca={d}/ca.pem"

        # TLS with bearer tokens.
        process, address = start_server(options.server, d, "tls", [])
        try:
            server = f"--server={address}"
            code, out, err = cli("protocols", server)
            check(code == 1, "a plaintext client cannot talk to a TLS server", f"{code}\n{err}")
            code, out, err = cli("protocols", server, ca)
            check(code == 1 and "UNAUTHENTICATED" in err, "TLS without a token: UNAUTHENTICATED",
                  f"{code}\n{err}")
            code, out, err = cli("protocols", server, ca, SCOLIOMASSAGE_TOKEN=admin_token)
            check(code == 0 and "lumbar-c-curve" in out, "TLS with SCOLIOMASSAGE_TOKEN works",
                  f"{code}\n{err}")
            code, out, err = cli("protocols", server, ca, f"--token_file={d}/token_file")
            check(code == 0 and "lumbar-c-curve" in out, "--token_file works", f"{code}\n{err}")
            code, out, err = cli("protocols", server, SCOLIOMASSAGE_TLS_CA=f"{d}/ca.pem",
                                 SCOLIOMASSAGE_TOKEN_FILE=f"{d}/token_file")
            check(code == 0, "SCOLIOMASSAGE_TLS_CA and SCOLIOMASSAGE_TOKEN_FILE work",
                  f"{code}\n{err}")
            code, out, err = cli("protocols", server, f"--tls_ca={d}/other.pem",
                                 SCOLIOMASSAGE_TOKEN=admin_token)
            check(code == 1 and admin_token not in out + err,
                  "a server certificate from another CA is refused", f"{code}\n{err}")
            wrong = secrets.token_hex(16)
            code, out, err = cli("protocols", server, ca, f"--token={wrong}")
            check(code == 1 and "UNAUTHENTICATED" in err and wrong not in out + err,
                  "a wrong token is UNAUTHENTICATED and is not printed", f"{code}\n{err}")
            code, out, err = cli("audit", server, ca, SCOLIOMASSAGE_TOKEN=analytics_token)
            check(code == 1 and "PERMISSION_DENIED" in err and analytics_token not in out + err,
                  "analytics may not read the audit log", f"{code}\n{err}")
            # Reading history is audited (ListProtocols reads no patient data).
            code, out, err = cli("history", server, ca, SCOLIOMASSAGE_TOKEN=admin_token)
            check(code == 0, "admin streams history over TLS", f"{code}\n{err}")
            for _ in range(20):  # audit rows may be written just after the reply
                code, out, err = cli("audit", server, ca, "--json", SCOLIOMASSAGE_TOKEN=admin_token)
                if code != 0 or "ops-1" in out:
                    break
                time.sleep(0.2)
            check(code == 0 and "ops-1" in out and admin_token not in out + err,
                  "admin reads the audit log, which names the principal, not the token",
                  f"{code}\n{out}\n{err}")
            code, out, err = cli("protocols", server, ca, f"--token={admin_token}",
                                 f"--token_file={d}/token_file")
            check(code == 2, "--token and --token_file together are a usage error", err)
        finally:
            stop(process)

        # Mutual TLS: the client certificate is the credential.
        process, address = start_server(options.server, d, "mtls", [f"--tls_client_ca={d}/ca.pem"])
        try:
            server = f"--server={address}"
            code, out, err = cli("protocols", server, ca)
            check(code == 1, "mTLS server refuses a client without a certificate",
                  f"{code}\n{err}")
            code, out, err = cli("protocols", server, ca, f"--tls_cert={d}/client.pem",
                                 f"--tls_key={d}/client.key")
            check(code == 0 and "lumbar-c-curve" in out, "mTLS with a client certificate works",
                  f"{code}\n{err}")
            code, out, err = cli("protocols", server, ca, f"--tls_cert={d}/client.pem")
            check(code == 2 and "--tls_key" in err, "--tls_cert without --tls_key is a usage error",
                  f"{code}\n{err}")
        finally:
            stop(process)

    if FAILURES:
        print(f"\n{len(FAILURES)} check(s) failed: " + "; ".join(FAILURES))
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
