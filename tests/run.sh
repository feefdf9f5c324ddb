#!/usr/bin/env bash
# One command: install what is missing, build, and run every test.
#   1. the normal build and all tests (CTest), against a real SQLite file and
#      a throwaway PostgreSQL on a free loopback port;
#   2. the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the fuzz targets (clang-14 libFuzzer) over their committed corpus plus a
#      few seconds of fresh fuzzing each;
#   4. the benchmark in --quick mode, which fails on a large ratio regression.
# Environment: JOBS (default 2); SCOLIOMASSAGE_SKIP="sanitize fuzz bench" to
# skip stages while iterating locally (CI skips nothing).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${JOBS:-2}
skip=" ${SCOLIOMASSAGE_SKIP:-} "

deploy/install-deps.sh test
# The pinned browser driver for the report test (npm ci; no browser download).
tests/report/browser/install.sh
tests/http/fhir_validator/install.sh   # the FHIR validator's pinned npm packages (npm ci)

source tests/support/postgres.sh
trap postgres_stop EXIT
postgres_start

stage() { echo; echo "=== tests/run.sh: $* ==="; }

stage "build (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCOLIOMASSAGE_BUILD_TESTS=ON >/dev/null
cmake --build build -j"$jobs"

stage "tests"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600

if [[ $skip != *" sanitize "* ]]; then
  stage "build with ASan+UBSan"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSCOLIOMASSAGE_SANITIZE=ON -DSCOLIOMASSAGE_BUILD_TESTS=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  stage "tests under ASan+UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 900 -LE no_sanitize
fi

if [[ $skip != *" fuzz "* && -x tests/fuzz/run.sh ]]; then
  stage "fuzz targets"
  tests/fuzz/run.sh
fi

if [[ $skip != *" bench "* && -x build/tests/bench/scoliomassage-bench ]]; then
  stage "benchmark --quick"
  build/tests/bench/scoliomassage-bench --quick --check
fi

stage "all stages passed"
