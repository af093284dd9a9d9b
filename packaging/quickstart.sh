#!/usr/bin/env bash
# The two README commands for a fresh Debian bookworm machine (as root).
#
#   packaging/quickstart.sh run    install, build, run chainvisord on the embedded default
#   packaging/quickstart.sh test   install, build, run every test (unit, integration, sanitizers)
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)

run() {
  packaging/install-deps.sh
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$jobs"
  # Three web services in local LXC containers (the Besu devnet example needs Besu's release
  # archive, which Debian does not package). The first start builds the containers' base root
  # filesystem once (1-3 minutes). Ctrl-C stops the daemon; the containers keep running.
  exec build/release/daemon/chainvisord --config etc/examples/local-services.yaml
}

test_all() {
  packaging/install-deps.sh --test
  echo "== format check"
  find lib daemon tests \( -name '*.cpp' -o -name '*.h' \) -print0 |
    xargs -0 clang-format --dry-run --Werror
  echo "== ASan+UBSan build, unit tests"
  cmake --preset asan-ubsan >/dev/null
  cmake --build --preset asan-ubsan -j "$jobs"
  ctest --preset unit-asan-ubsan -j "$jobs"
  echo "== ThreadSanitizer build, engine tests (the engine is the multi-threaded part)"
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$jobs" --target engine_tests
  build/tsan/tests/unit/engine/engine_tests
  echo "== dev build, all tests"
  cmake --preset dev >/dev/null
  cmake --build --preset dev -j "$jobs"
  ctest --preset dev -j "$jobs"
}

case "${1:-}" in
  run) run ;;
  test) test_all ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
