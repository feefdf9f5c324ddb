#!/usr/bin/python3
"""The Debian packages, on this machine, end to end:
1. `cpack -G DEB` in the build folder makes scoliomassage,
   libscoliomassage-plugin1 and libscoliomassage-plugin-dev, with
   dpkg-shlibdeps' Depends, a maintainer, a description and a copyright file;
2. `dpkg -i` installs them: the system user, /var/lib/scoliomassage,
   /etc/scoliomassage, the unit, the .so with its SONAME link;
3. plugin/examples/host_c.c compiles against the installed header with
   `pkg-config --cflags --libs scoliomassage-plugin`;
4. the installed daemon (started directly, not by systemd: there may be none)
   serves on a free loopback port with a temp database and the installed
   catalog, and the host program runs its check-in against it through the
   installed libscoliomassage_plugin.so.1; the installed admin tool backs up
   and verifies that database;
5. `dpkg -r` removes every file the packages listed but keeps the data,
   `dpkg --purge` removes the data, the settings and the user.
Needs root and dpkg (else SKIP, exit 77). The packages are purged even when
a step fails. Usage: packages_test.py BUILD_DIR SOURCE_DIR VERSION
"""
import glob
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time

PACKAGES = ["scoliomassage", "libscoliomassage-plugin1", "libscoliomassage-plugin-dev"]
failures = []


def check(condition, message):
    print(("ok: " if condition else "FAIL: ") + message)
    if not condition:
        failures.append(message)


def run(*args, timeout=300, **kwargs):
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, **kwargs)
    if result.returncode != 0:
        print("$ %s -> %d\n%s%s" % (" ".join(args), result.returncode, result.stdout[-3000:], result.stderr[-3000:]))
    return result


def installed(package):
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return status.returncode == 0 and "installed" in status.stdout and "not-installed" not in status.stdout


def start_daemon(binary, work):
    log_path = os.path.join(work, "daemon.log")
    log = open(log_path, "w")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOLIOMASSAGE_")}
    process = subprocess.Popen([binary, "--listen=127.0.0.1:0", "--database=sqlite://%s/store.db" % work],
                               stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + 30
    while time.time() < deadline and process.poll() is None:
        with open(log_path) as f:
            match = re.search(r"scoliomassaged listening on ([0-9.]+:\d+)", f.read())
        if match:
            return process, match.group(1), log_path
        time.sleep(0.1)
    return process, None, log_path


def main():
    build, source, version = sys.argv[1], sys.argv[2], sys.argv[3]
    if os.geteuid() != 0 or not shutil.which("dpkg") or not shutil.which("cpack"):
        print("SKIP: needs root, dpkg and cpack to install the packages on this machine")
        return 77
    already = [p for p in PACKAGES if installed(p)]
    if already:
        print("SKIP: %s already installed on this machine; not touching it" % already)
        return 77
    work = tempfile.mkdtemp(prefix="scoliomassage-packages-")
    os.chmod(work, 0o755)
    daemon = None
    try:
        made = run("cpack", "-G", "DEB", "-B", os.path.join(work, "debs"), cwd=build, timeout=600)
        check(made.returncode == 0, "cpack -G DEB builds the packages")
        debs = {}
        for path in glob.glob(os.path.join(work, "debs", "*.deb")):
            debs[run("dpkg-deb", "-f", path, "Package").stdout.strip()] = path
        check(sorted(debs) == sorted(PACKAGES), "three packages: %s" % sorted(debs))
        if sorted(debs) != sorted(PACKAGES):
            return 1
        fields = {p: run("dpkg-deb", "-f", debs[p]).stdout for p in PACKAGES}
        for package, control in fields.items():
            check("Version: %s" % version in control and "Maintainer: " in control and "Description: " in control,
                  "%s has the version, a maintainer and a description" % package)
        check(re.search(r"^Depends:.*libgrpc", fields["scoliomassage"], re.M) is not None,
              "the daemon's Depends come from dpkg-shlibdeps (libgrpc...)")
        check(re.search(r"^Depends:.*libgrpc", fields["libscoliomassage-plugin1"], re.M) is not None,
              "the plugin's Depends come from dpkg-shlibdeps")
        check("Depends: libscoliomassage-plugin1 (= %s)" % version in fields["libscoliomassage-plugin-dev"],
              "-dev depends on the same version of the runtime")
        contents = {p: run("dpkg-deb", "-c", debs[p]).stdout for p in PACKAGES}
        check("./usr/lib/libscoliomassage_plugin.so.%s" % version in contents["libscoliomassage-plugin1"]
              and "libscoliomassage_plugin.so.1 -> " in contents["libscoliomassage-plugin1"]
              and "libscoliomassage_plugin.so ->" not in contents["libscoliomassage-plugin1"],
              "the runtime holds the library and its SONAME link, not the namelink")
        check("libscoliomassage_plugin.so -> " in contents["libscoliomassage-plugin-dev"]
              and "scoliomassage-plugin.pc" in contents["libscoliomassage-plugin-dev"]
              and "ScoliomassagePluginConfig.cmake" in contents["libscoliomassage-plugin-dev"],
              "-dev holds the namelink, the .pc and the CMake package")
        for package in PACKAGES:
            check("/usr/share/doc/%s/copyright" % package in contents[package], "%s has a copyright file" % package)

        dpkg = run("dpkg", "-i", *[debs[p] for p in PACKAGES])
        check(dpkg.returncode == 0, "dpkg -i installs the three packages")
        files = {p: run("dpkg", "-L", p).stdout.split("\n") for p in PACKAGES}
        user = None
        try:
            user = pwd.getpwnam("scoliomassage")
        except KeyError:
            pass
        check(user is not None and user.pw_uid < 1000 and user.pw_shell.endswith("nologin"),
              "postinst created the system user scoliomassage")
        check(os.path.isdir("/var/lib/scoliomassage") and user is not None
              and os.stat("/var/lib/scoliomassage").st_uid == user.pw_uid,
              "/var/lib/scoliomassage belongs to it")
        check(os.path.isfile("/etc/scoliomassage/scoliomassaged.env"), "/etc/scoliomassage/scoliomassaged.env is there")
        check(os.path.isfile("/usr/lib/systemd/system/scoliomassaged.service"), "the systemd unit is installed")
        check(os.path.realpath("/usr/lib/libscoliomassage_plugin.so.1").endswith(".so." + version),
              "libscoliomassage_plugin.so.1 points at the library")

        flags = run("pkg-config", "--cflags", "--libs", "scoliomassage-plugin",
                    env={k: v for k, v in os.environ.items() if k != "PKG_CONFIG_PATH"})
        check(flags.returncode == 0 and "-lscoliomassage_plugin" in flags.stdout,
              "pkg-config finds scoliomassage-plugin (%s)" % flags.stdout.strip())
        host = os.path.join(work, "host_c")
        compiled = run("sh", "-c", "cc -Wall -Werror -o %s %s $(pkg-config --cflags --libs scoliomassage-plugin) -ldl"
                       % (host, os.path.join(source, "plugin", "examples", "host_c.c")))
        check(compiled.returncode == 0, "host_c.c compiles against the installed header")

        daemon, address, log_path = start_daemon("/usr/bin/scoliomassaged", work)
        check(address is not None, "the installed daemon starts on a free loopback port")
        if address:
            with open(log_path) as f:
                log = f.read()
            check('"catalog":"/usr/share/scoliomassage/catalog"' in log.replace(" ", ""),
                  "it loads the installed catalog")
            hosted = run(host, "libscoliomassage_plugin.so.1", address, timeout=120)
            print(hosted.stdout)
            check(hosted.returncode == 0 and "PASSED" in hosted.stdout,
                  "host_c checks in through the installed plugin against the installed daemon")
            backup = run("/usr/bin/scoliomassage-admin", "--database=sqlite://%s/store.db" % work, "backup",
                         "--to=%s/backup.db" % work)
            verify = run("/usr/bin/scoliomassage-admin", "verify", "%s/backup.db" % work)
            check(backup.returncode == 0 and verify.returncode == 0, "the installed admin tool backs up and verifies")
        daemon.terminate()
        daemon.wait(timeout=30)
        daemon = None

        with open("/var/lib/scoliomassage/keep-me", "w") as f:
            f.write("clinical data stand-in")
        removed = run("dpkg", "-r", *PACKAGES)
        check(removed.returncode == 0, "dpkg -r removes the packages")
        left = [path for package in PACKAGES for path in files[package]
                if path and os.path.lexists(path) and not os.path.isdir(path)]
        check(not left, "every file the packages installed is gone (%s)" % left[:5])
        check(os.path.exists("/var/lib/scoliomassage/keep-me") and os.path.exists("/etc/scoliomassage"),
              "remove keeps the data and the settings")
        purged = run("dpkg", "--purge", *PACKAGES)
        check(purged.returncode == 0, "dpkg --purge succeeds")
        check(not os.path.exists("/var/lib/scoliomassage") and not os.path.exists("/etc/scoliomassage"),
              "purge deletes the data and the settings")
        try:
            pwd.getpwnam("scoliomassage")
            check(False, "purge removes the user")
        except KeyError:
            check(True, "purge removes the user")
        check(not any(installed(p) for p in PACKAGES), "nothing of the packages is left in dpkg's database")
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        present = [p for p in PACKAGES if subprocess.run(["dpkg-query", "-W", p], capture_output=True).returncode == 0]
        if present:
            subprocess.run(["dpkg", "--purge", *present], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    print("packages_test: %s" % ("ok" if not failures else "%d failure(s)" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
