#!/usr/bin/env bash
# Installs exactly the Debian bookworm packages chainvisor needs. Idempotent: packages already
# present are left alone, and the package lists are refreshed only when something is missing.
#
#   packaging/install-deps.sh            build + run the daemon on the local machine's LXC
#   packaging/install-deps.sh --test     also what the test suite needs
set -euo pipefail

# To build.
build_packages=(
  g++ cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev prometheus-cpp-dev libspdlog-dev libyaml-cpp-dev libssh2-1-dev libssl-dev
)
# To run on the embedded default (containers on this machine).
run_packages=(lxc debootstrap iproute2)
# To test: the unit test framework, the integration test driver, the format check, and for
# the Proxmox tests a real third-party client (proxmoxer) and certificates (openssl).
test_packages=(catch2 python3 clang-format python3-proxmoxer openssl)

want=("${build_packages[@]}" "${run_packages[@]}")
case "${1:-}" in
  "") ;;
  --test) want+=("${test_packages[@]}") ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (it installs Debian packages with apt-get)" >&2
  exit 1
fi

missing=()
for p in "${want[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
