#!/bin/sh
# Runs promtool for the observe tests:
#   promtool.sh metrics TOOL        lint TOOL's scrape (stdin), which must have no problem at all
#   promtool.sh check-rules FILE    the alert rules parse and are valid
#   promtool.sh test-rules FILE     the rules' unit tests pass
# Without promtool (Debian package `prometheus`) the test skips with 77, or fails when
# CHAINVISOR_REQUIRE_ALL=1 (set by .ci/run), like every test that needs the machine's tools.
set -eu

if ! command -v promtool >/dev/null 2>&1; then
  if [ "${CHAINVISOR_REQUIRE_ALL:-}" = 1 ]; then
    echo "promtool not found: install Debian's prometheus package (packaging/install-deps.sh --test)" >&2
    exit 1
  fi
  echo "SKIP: promtool not found (Debian package prometheus)" >&2
  exit 77
fi

mode=$1
shift
case "$mode" in
  metrics)
    scrape=$("$1")
    # promtool exits 3 on lint problems; besides, anything it prints about a scrape is one.
    problems=$(printf '%s\n' "$scrape" | promtool check metrics 2>&1) || {
      printf 'promtool check metrics failed:\n%s\n' "$problems" >&2
      exit 1
    }
    if [ -n "$problems" ]; then
      printf 'promtool check metrics found problems:\n%s\n' "$problems" >&2
      exit 1
    fi
    echo "promtool check metrics: no problems in $(printf '%s\n' "$scrape" | grep -vc '^#') samples"
    ;;
  check-rules)
    promtool check rules "$1"
    ;;
  test-rules)
    # promtool resolves rule_files relative to the test file's directory.
    cd "$(dirname "$1")"
    promtool test rules "$(basename "$1")"
    ;;
  *)
    echo "usage: $0 metrics TOOL | check-rules FILE | test-rules FILE" >&2
    exit 2
    ;;
esac
