"""Shared helpers for chainvisor's integration tests: where the binaries are, running them with a
deadline, and the rule that a missing prerequisite skips locally but fails under
CHAINVISOR_REQUIRE_ALL=1 (as .ci/run sets)."""

import os
import pathlib
import subprocess
import sys
import unittest

BUILD_DIR = pathlib.Path(os.environ.get("CHAINVISOR_BUILD_DIR", "build/dev")).resolve()
SOURCE_DIR = pathlib.Path(os.environ.get("CHAINVISOR_SOURCE_DIR", ".")).resolve()
CHAINVISORD = BUILD_DIR / "daemon" / "chainvisord"
EXAMPLES = SOURCE_DIR / "etc" / "examples"
FIXTURES = SOURCE_DIR / "tests" / "fixtures"

SKIP = 77


def require(condition: bool, what: str) -> None:
    """Skips the whole test file when a prerequisite is missing, or fails it under
    CHAINVISOR_REQUIRE_ALL=1."""
    if condition:
        return
    if os.environ.get("CHAINVISOR_REQUIRE_ALL") == "1":
        print(f"FAIL: prerequisite missing: {what} (CHAINVISOR_REQUIRE_ALL=1)", file=sys.stderr)
        sys.exit(1)
    print(f"SKIP: prerequisite missing: {what}", file=sys.stderr)
    sys.exit(SKIP)


def run(args, timeout=60, **kwargs) -> subprocess.CompletedProcess:
    """Runs a command to completion with a deadline, capturing text output."""
    return subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def main() -> None:
    require(CHAINVISORD.is_file(), f"{CHAINVISORD} (build the project first)")
    unittest.main()
