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
  libsecp256k1-dev
)
# To run on the embedded default (containers on this machine).
run_packages=(lxc debootstrap iproute2)
# To test: the unit test framework, the integration test driver, the format check, for the
# Proxmox tests a real third-party client (proxmoxer) and certificates (openssl), and for the
# proxmox-ssh tests OpenSSH (the suite starts its own sshd on loopback; see below), and for the
# metrics tests promtool and Prometheus (package prometheus; tests run their own on loopback).
test_packages=(catch2 python3 clang-format python3-proxmoxer openssl openssh-server openssh-client
  prometheus)

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

# openssh-server is here only because the test suite starts its own sshd, on 127.0.0.1 with a
# throwaway config. Installing the package must not leave the machine's own sshd listening on
# every interface: a policy-rc.d that refuses (101) keeps it from starting during the install,
# and the units it enabled are disabled afterwards. Only when this run installs the package.
# The same holds for prometheus: the tests need promtool and start their own Prometheus on
# loopback, so the machine's Prometheus (and the node exporter it may pull in) must not start.
ssh_server_new=0
prometheus_new=0
for pkg in "${missing[@]}"; do
  if [ "$pkg" = openssh-server ]; then ssh_server_new=1; fi
  if [ "$pkg" = prometheus ]; then prometheus_new=1; fi
done
policy=/usr/sbin/policy-rc.d
policy_ours=0
if { [ "$ssh_server_new" = 1 ] || [ "$prometheus_new" = 1 ]; } && [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# install-deps.sh: no services start while it installs packages\nexit 101\n' \
    >"$policy"
  chmod 0755 "$policy"
  policy_ours=1
  trap 'rm -f "$policy"' EXIT
fi

apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

if [ "$policy_ours" = 1 ]; then
  rm -f "$policy"
  trap - EXIT
fi
if [ "$ssh_server_new" = 1 ]; then
  systemctl disable --now ssh.service ssh.socket 2>/dev/null || true
fi
if [ "$prometheus_new" = 1 ]; then
  systemctl disable --now prometheus prometheus-node-exporter 2>/dev/null || true
fi
