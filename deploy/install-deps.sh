#!/usr/bin/env bash
# Installs the Debian 12 packages scoliomassage needs, skipping those already
# there. Usage: deploy/install-deps.sh [build|test]
#   build  compilers and libraries for the service, the CLI and the plugin
#   test   build + what the tests use: PostgreSQL server, Python gRPC, PHP,
#          clang for the fuzzers, sqlite3 shell
set -euo pipefail

profile=${1:-build}
packages=(
  g++ cmake ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libsqlite3-dev libpq-dev libssl-dev
  libgtest-dev libgmock-dev
  libcpp-httplib-dev nlohmann-json3-dev prometheus-cpp-dev libboost-math-dev
)
if [[ $profile == test ]]; then
  packages+=(
    postgresql sqlite3 python3 python3-grpcio python3-protobuf php-cli
    clang-14 libclang-rt-14-dev python3-yaml openssl procps
    python3-jwt python3-cryptography python3-jsonschema
    chromium dpkg-dev fakeroot
  )
  # Node.js may come from another repository (NodeSource bundles npm); only
  # Debian's packages are asked for when the commands are missing.
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) != 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
