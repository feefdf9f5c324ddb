#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (-fsanitize=fuzzer,address,undefined),
# replays each committed corpus as a regression test, then fuzzes each target
# for a bounded time. Exits non-zero on any crash, leak, sanitizer report or
# timeout; the reproducer is left in build-fuzz/artifacts/.
#
#   tests/fuzz/run.sh                 CI: replay + FUZZ_SECONDS (20) per target
#   FUZZ_SECONDS=600 tests/fuzz/run.sh   a longer run (see tests/fuzz/README.md)
#   tests/fuzz/run.sh --merge         also merge new coverage into the corpus
#   tests/fuzz/run.sh TARGET...       only these targets
# Environment: JOBS (default 2), FUZZ_SECONDS (default 20), BUILD_DIR
# (default build-fuzz).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
jobs=${JOBS:-2}
seconds=${FUZZ_SECONDS:-20}
build=${BUILD_DIR:-build-fuzz}
merge=0
targets=()
for arg in "$@"; do
  case $arg in
    --merge) merge=1 ;;
    -*) echo "unknown option $arg" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz_plugin_json fuzz_binary_requests fuzz_catalog)

# clang-14 and its runtimes (libclang-rt-14-dev) come from the test deps.
if ! command -v clang++-14 >/dev/null ||
    [[ -z $(find /usr/lib/llvm-14 -name 'libclang_rt.fuzzer-x86_64.a' -print -quit 2>/dev/null) ]]; then
  deploy/install-deps.sh test
fi

echo "== fuzz: configure and build ${targets[*]} in $build (clang-14)"
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSCOLIOMASSAGE_FUZZ=ON -DSCOLIOMASSAGE_BUILD_TESTS=OFF >/dev/null
ninja -C "$build" -j"$jobs" "${targets[@]}"

artifacts=$build/artifacts
mkdir -p "$artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
common=(-timeout=10 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$artifacts/" -print_final_stats=1)
status=0
summary=()
for target in "${targets[@]}"; do
  binary=$build/tests/fuzz/$target
  corpus=tests/fuzz/corpus/$target
  log=$build/$target.log

  echo "== $target: replaying $(ls "$corpus" | wc -l) committed inputs"
  if ! "$binary" "${common[@]}" -runs=0 "$corpus" >"$log" 2>&1; then
    tail -40 "$log"
    echo "FAIL: $target crashes on its committed corpus"
    status=1
    continue
  fi

  echo "== $target: fuzzing for ${seconds} s"
  work=$build/corpus-work/$target
  rm -rf "$work"
  mkdir -p "$work"
  if ! "$binary" "${common[@]}" -max_total_time="$seconds" "$work" "$corpus" >"$log" 2>&1; then
    tail -60 "$log"
    echo "FAIL: $target found a crash; reproducer in $artifacts/"
    status=1
    continue
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  summary+=("$target: ${execs:-?} executions in ${seconds} s, ${cov:-cov: ?}, crashes: 0")
  if [[ $merge == 1 ]]; then
    "$binary" -merge=1 "$corpus" "$work" >>"$log" 2>&1
    echo "   merged new coverage into $corpus"
  fi
done

echo
echo "== fuzz summary"
for line in "${summary[@]}"; do echo "  $line"; done
exit $status
