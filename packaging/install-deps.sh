#!/usr/bin/env bash
# Installs exactly the Debian bookworm packages chainvisor needs. Idempotent: packages already
# present are left alone, and the package lists are refreshed only when something is missing.
#
#   packaging/install-deps.sh            build + run the daemon on the local machine's LXC
#   packaging/install-deps.sh --test     also what the test suite needs, and the .deb files of
#                                        chainvisor's runtime libraries (see test_debs_dir below)
set -euo pipefail

# To build (dpkg-dev and file: CPack's Debian package takes its Depends from dpkg-shlibdeps).
build_packages=(
  g++ cmake ninja-build pkg-config dpkg-dev file
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

# For the test of the Debian package and the systemd unit in a container that has no network
# (tests/integration/test_systemd_unit_lxc.py): the libraries the package Depends on (its
# shlibs; libspdlog1.10 provides libspdlog1.10-fmt9), and whatever of their own dependencies the
# containers' base root filesystem lacks, as .deb files in test_debs_dir. The test installs them
# with dpkg -i, so the test itself downloads nothing. If the package's Depends change, the test
# names the .deb it misses: add its package here.
runtime_packages=(libboost-json1.81.0 libfmt9 libprometheus-cpp-core1.0 libspdlog1.10 libssh2-1
  libyaml-cpp0.7 libsecp256k1-1 libssl3 libstdc++6 libgcc-s1 libc6)
# What the base has: debootstrap --variant=minbase (the Priority: required packages and apt)
# --include=… (lib/hosts/lxc/base_rootfs.cpp), each with its dependencies. Priority alone does
# not say it: libc6, libssl3 and libstdc++6 are "optional" yet there, and minbase leaves out most
# "important" packages.
base_seeds=(apt systemd systemd-sysv iproute2 python3 ca-certificates)
test_debs_dir=/var/cache/chainvisor/test-debs

want=("${build_packages[@]}" "${run_packages[@]}")
mode="${1:-}"
case "$mode" in
  "") ;;
  --test) want+=("${test_packages[@]}") ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (it installs Debian packages with apt-get)" >&2
  exit 1
fi

lists_fresh=0
refresh_lists() {
  if [ "$lists_fresh" = 0 ]; then
    apt-get update -qq
    lists_fresh=1
  fi
}

# Every package in $@ with its dependencies (Depends and Pre-Depends, every alternative), one a
# line; virtual packages (<name>) left out.
closure() {
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "$@" | grep '^[a-z0-9]' | sort -u
}

# Downloads the .debs of runtime_packages' closure minus the base's into test_debs_dir (with
# apt-get download: nothing is installed or configured). Idempotent: when neither the package
# lists nor the lists above changed since the last run and every file is there, nothing is asked
# of apt (each apt call costs seconds); otherwise files with the expected SHA-256 are kept, the
# rest downloaded, and files of packages or versions no longer wanted removed.
fetch_test_debs() {
  local manifest="$test_debs_dir/.manifest" key required needed uris file sha tmp
  local fetch=() keep=()
  key=$({ printf '%s\n' "${runtime_packages[@]}" -- "${base_seeds[@]}"
    cat /var/lib/apt/lists/*Release 2>/dev/null; } | sha256sum | cut -d' ' -f1)
  if [ -f "$manifest" ] && [ "$(head -n1 "$manifest")" = "$key" ]; then
    mapfile -t keep < <(tail -n +2 "$manifest")
    for file in "${keep[@]}"; do
      [ -f "$test_debs_dir/$file" ] || fetch+=("$file")
    done
    if [ ${#keep[@]} -gt 0 ] && [ ${#fetch[@]} -eq 0 ]; then
      echo "install-deps: all ${#keep[@]} test .debs present in $test_debs_dir"
      return
    fi
    keep=() fetch=()
  fi
  if ! apt-cache show --no-all-versions "${runtime_packages[@]}" >/dev/null 2>&1; then
    refresh_lists
    if ! apt-cache show --no-all-versions "${runtime_packages[@]}" >/dev/null; then
      echo "install-deps: a package of runtime_packages is not in the package lists" >&2
      exit 1
    fi
  fi
  required=$(apt-cache dumpavail | awk '/^Package:/ {p = $2} /^Priority: required$/ {print p}' |
    sort -u)
  # shellcheck disable=SC2086 # one package name a word
  needed=$(comm -23 <(closure "${runtime_packages[@]}") <(closure "${base_seeds[@]}" $required))
  if [ -z "$needed" ]; then
    echo "install-deps: cannot resolve the dependencies of ${runtime_packages[*]}" >&2
    exit 1
  fi
  # One line a package: 'URL' FILE SIZE SHA256:HEX
  # shellcheck disable=SC2086
  uris=$(apt-get download --print-uris $needed)
  mkdir -p "$test_debs_dir"
  while read -r _ file _ sha; do
    keep+=("$file")
    if [ -f "$test_debs_dir/$file" ] &&
      [ "$(sha256sum "$test_debs_dir/$file" | cut -d' ' -f1)" = "${sha#SHA256:}" ]; then
      continue
    fi
    fetch+=("${file%%_*}")
  done <<<"$uris"
  for file in "$test_debs_dir"/*.deb; do
    [ -e "$file" ] || continue
    if [[ " ${keep[*]} " != *" $(basename "$file") "* ]]; then
      rm -f -- "$file"
    fi
  done
  if [ ${#fetch[@]} -gt 0 ]; then
    echo "install-deps: downloading ${fetch[*]} into $test_debs_dir"
    # apt downloads as its sandbox user _apt: into a directory of its own, then moved.
    tmp=$(mktemp -d "$test_debs_dir/.download.XXXXXX")
    chown _apt "$tmp"
    if ! (cd "$tmp" && apt-get download -qq "${fetch[@]}"); then
      refresh_lists
      (cd "$tmp" && apt-get download -qq "${fetch[@]}")
    fi
    chown root: "$tmp"/*.deb
    mv -f "$tmp"/*.deb "$test_debs_dir"/
    rmdir "$tmp"
  fi
  printf '%s\n' "$key" "${keep[@]}" >"$manifest"
  echo "install-deps: ${#keep[@]} test .debs in $test_debs_dir"
}

missing=()
for p in "${want[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  if [ "$mode" = --test ]; then
    fetch_test_debs
  fi
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

refresh_lists
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
if [ "$mode" = --test ]; then
  fetch_test_debs
fi
