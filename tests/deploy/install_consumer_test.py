#!/usr/bin/python3
"""`cmake --install` into a temp prefix, then a host project finds the plugin
there: find_package(ScoliomassagePlugin) gives Scoliomassage::plugin, and
pkg-config --cflags --libs scoliomassage-plugin works from that prefix (the
.pc file is relocatable). Also checks the install layout: the programs, the
.so with its SONAME and symlinks, the header, the catalog, the CDS mapping,
the systemd unit naming the prefix's binary.
Usage: install_consumer_test.py BUILD_DIR SOURCE_DIR VERSION
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

failures = []


def check(condition, message):
    print(("ok: " if condition else "FAIL: ") + message)
    if not condition:
        failures.append(message)


def run(*args, **kwargs):
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=300, **kwargs)
    if result.returncode != 0:
        print("$ %s -> %d\n%s%s" % (" ".join(args), result.returncode, result.stdout[-3000:], result.stderr[-3000:]))
    return result


def main():
    build, source, version = sys.argv[1], sys.argv[2], sys.argv[3]
    major = version.split(".")[0]
    work = tempfile.mkdtemp(prefix="scoliomassage-install-")
    prefix = os.path.join(work, "prefix")
    try:
        installed = run("cmake", "--install", build, "--prefix", prefix)
        check(installed.returncode == 0, "cmake --install into %s" % prefix)
        for program in ("scoliomassaged", "scoliomassage", "scoliomassage-admin", "scoliomassage-import"):
            check(os.access(os.path.join(prefix, "bin", program), os.X_OK), "bin/%s is installed" % program)
        libs = glob.glob(os.path.join(prefix, "lib*", "**", "libscoliomassage_plugin.so*"), recursive=True)
        names = sorted(os.path.basename(p) for p in libs)
        check(names == ["libscoliomassage_plugin.so", "libscoliomassage_plugin.so.%s" % major,
                        "libscoliomassage_plugin.so.%s" % version],
              "the plugin, its SONAME link and its namelink (%s)" % names)
        real = [p for p in libs if not os.path.islink(p)]
        if real:
            dynamic = run("readelf", "-d", real[0]).stdout
            check("[libscoliomassage_plugin.so.%s]" % major in dynamic, "SONAME libscoliomassage_plugin.so.%s" % major)
        for path in ("include/scoliomassage/plugin.h", "include/scoliomassage/plugin_version.h",
                     "share/scoliomassage/catalog/lumbar.textproto", "share/scoliomassage/cds_mapping.json",
                     "share/scoliomassage/scoliomassaged.env.example", "lib/systemd/system/scoliomassaged.service"):
            check(os.path.isfile(os.path.join(prefix, path)), "%s is installed" % path)
        with open(os.path.join(prefix, "lib/systemd/system/scoliomassaged.service")) as f:
            unit = f.read()
        check("ExecStart=%s/bin/scoliomassaged" % prefix in unit and "User=scoliomassage" in unit
              and "DynamicUser" not in unit, "the unit runs the prefix's binary as the package user")

        daemon = subprocess.run([os.path.join(prefix, "bin", "scoliomassaged"), "--version"],
                                capture_output=True, text=True, timeout=30)
        check(version in daemon.stdout + daemon.stderr, "scoliomassaged --version says %s" % version)
        admin = subprocess.run([os.path.join(prefix, "bin", "scoliomassage-admin"), "--version"],
                               capture_output=True, text=True, timeout=30)
        check(version in admin.stdout + admin.stderr, "scoliomassage-admin --version says %s" % version)

        # Data files are found beside the binary, so the prefix's catalog is
        # the one loaded, whatever prefix the build was configured with.
        log_path = os.path.join(work, "daemon.log")
        with open(log_path, "w") as log:
            env = {k: v for k, v in os.environ.items() if not k.startswith("SCOLIOMASSAGE_")}
            process = subprocess.Popen([os.path.join(prefix, "bin", "scoliomassaged"), "--listen=127.0.0.1:0",
                                        "--database=sqlite://%s/store.db" % work], stdout=log,
                                       stderr=subprocess.STDOUT, env=env)
            text = ""
            deadline = time.time() + 30
            while time.time() < deadline and process.poll() is None and "listening on" not in text:
                time.sleep(0.1)
                with open(log_path) as f:
                    text = f.read()
            process.terminate()
            process.wait(timeout=30)
        check('"catalog":"%s/share/scoliomassage/catalog"' % prefix in text.replace(" ", ""),
              "the installed daemon loads the catalog installed beside it")

        consumer_build = os.path.join(work, "consumer-build")
        configured = run("cmake", "-S", os.path.join(os.path.dirname(os.path.abspath(__file__)), "consumer"),
                         "-B", consumer_build, "-DCMAKE_PREFIX_PATH=" + prefix, "-DCMAKE_BUILD_TYPE=Release")
        check(configured.returncode == 0, "find_package(ScoliomassagePlugin) finds the installed package")
        built = run("cmake", "--build", consumer_build)
        check(built.returncode == 0, "the consumer builds against Scoliomassage::plugin")
        ran = run(os.path.join(consumer_build, "consumer"))
        check(ran.returncode == 0 and ran.stdout.strip() == "version %s %s abi %s %s" % (version, version, major, major),
              "the consumer runs: header and library agree on %s, ABI %s (%s)" % (version, major, ran.stdout.strip()))
        version_file = glob.glob(os.path.join(prefix, "lib*", "**", "ScoliomassagePluginConfigVersion.cmake"),
                                 recursive=True)
        check(bool(version_file), "a package version file is installed")

        env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(
            glob.glob(os.path.join(prefix, "lib*", "**", "scoliomassage-plugin.pc"), recursive=True)[0]))
        flags = run("pkg-config", "--cflags", "--libs", "scoliomassage-plugin", env=env)
        modversion = run("pkg-config", "--modversion", "scoliomassage-plugin", env=env)
        check(flags.returncode == 0 and modversion.stdout.strip() == version,
              "pkg-config knows scoliomassage-plugin %s" % modversion.stdout.strip())
        host = os.path.join(work, "host_c")
        compiled = run("sh", "-c", "cc -Wall -o %s %s $(pkg-config --cflags --libs scoliomassage-plugin) -ldl"
                       % (host, os.path.join(source, "plugin", "examples", "host_c.c")), env=env)
        check(compiled.returncode == 0, "host_c.c compiles with the relocated pkg-config flags (%s)"
              % flags.stdout.strip())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("install_consumer_test: %s" % ("ok" if not failures else "%d failure(s)" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
