"""chainvisord's offline modes, driven as an operator would: --check-config and --plan on the
shipped examples and on broken files, and bad command lines."""

import os
import pathlib
import tempfile
import unittest

import framework
from framework import CHAINVISORD, EXAMPLES, FIXTURES, run


def expected_diagnostics(path: pathlib.Path) -> list[str]:
    """The '# expect: LINE:COL: …' header lines of a bad fixture, as full diagnostic lines
    (a whole-file diagnostic has no LINE:COL)."""
    lines = []
    for line in path.read_text().splitlines():
        if line.startswith("# expect: "):
            rest = line[len("# expect: "):]
            lines.append(f"{path}:{rest}" if rest[:1].isdigit() else f"{path}: {rest}")
    return lines


def real_filesystem_fixtures() -> list[pathlib.Path]:
    """Bad fixtures whose expectations hold on this machine's filesystem. Those naming secret
    files under /etc/chainvisor/ are written for the unit tests' fake file probe; the real
    secret-file checks are covered below with files this test makes."""
    return [f for f in sorted((FIXTURES / "clusters" / "bad").glob("*.yaml"))
            if "/etc/chainvisor/" not in f.read_text()]


class CheckConfig(unittest.TestCase):
    def test_every_example_is_valid(self):
        examples = sorted(EXAMPLES.glob("*.yaml"))
        self.assertGreaterEqual(len(examples), 3)
        for example in examples:
            with self.subTest(example=example.name):
                r = run([CHAINVISORD, "--check-config", example])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn(f"{example}: valid: cluster ", r.stdout)

    def test_every_bad_fixture_fails_with_all_its_located_errors(self):
        fixtures = real_filesystem_fixtures()
        self.assertGreaterEqual(len(fixtures), 15)
        for fixture in fixtures:
            with self.subTest(fixture=fixture.name):
                expected = expected_diagnostics(fixture)
                self.assertTrue(expected, f"{fixture} has no '# expect:' lines")
                r = run([CHAINVISORD, "--check-config", fixture])
                self.assertEqual(r.returncode, 1, r.stderr)
                lines = r.stderr.splitlines()
                self.assertRegex(lines[-1], rf"^{fixture}: \d+ errors?; nothing was done$")
                self.assertEqual(sorted(lines[:-1]), sorted(expected))
                self.assertEqual(r.stdout, "")

    def test_missing_file(self):
        r = run([CHAINVISORD, "--check-config", "/nonexistent/cluster.yaml"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/cluster.yaml", r.stderr)
        self.assertIn("No such file or directory", r.stderr)

    def test_binary_garbage_is_an_error_not_a_crash(self):
        with tempfile.TemporaryDirectory() as tmp:
            garbage = pathlib.Path(tmp) / "garbage.yaml"
            garbage.write_bytes(bytes(range(256)) * 64)
            r = run([CHAINVISORD, "--check-config", garbage])
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(str(garbage), r.stderr)

    def test_inline_secret_and_loose_secret_file(self):
        secret_value = "5f0e1c2d-aaaa-bbbb-cccc-0123456789ab"
        with tempfile.TemporaryDirectory() as tmp:
            token = pathlib.Path(tmp) / "token"
            token.write_text(secret_value)
            os.chmod(token, 0o644)
            text = (EXAMPLES / "proxmox-validated-set.yaml").read_text()
            cluster = pathlib.Path(tmp) / "cluster.yaml"

            inline = text.replace("tokenSecretEnv: PVE_TOKEN", f"tokenSecret: {secret_value}")
            self.assertNotEqual(inline, text, "example no longer uses tokenSecretEnv")
            cluster.write_text(inline)
            r = run([CHAINVISORD, "--check-config", cluster])
            self.assertEqual(r.returncode, 1)
            self.assertIn("inline secrets are not accepted", r.stderr)
            self.assertNotIn(secret_value, r.stderr + r.stdout)

            cluster.write_text(text.replace("tokenSecretEnv: PVE_TOKEN",
                                            f"tokenSecretFile: {token}"))
            r = run([CHAINVISORD, "--check-config", cluster])
            self.assertEqual(r.returncode, 1)
            self.assertIn("chmod 600", r.stderr)
            self.assertNotIn(secret_value, r.stderr + r.stdout)

            os.chmod(token, 0o600)
            r = run([CHAINVISORD, "--check-config", cluster])
            self.assertEqual(r.returncode, 0, r.stderr)


class Plan(unittest.TestCase):
    def test_plan_for_the_local_devnet_creates_every_node(self):
        r = run([CHAINVISORD, "--plan", "--config", EXAMPLES / "local-devnet.yaml"])
        self.assertEqual(r.returncode, 0, r.stderr)
        creates = [l for l in r.stdout.splitlines() if l.startswith("+ create")]
        self.assertEqual(len(creates), 5, r.stdout)
        for vmid in range(101, 106):
            self.assertTrue(any(f"vmid {vmid} missing" in l for l in creates), r.stdout)
        # The preview shows everything; the concurrency limits only pace it.
        self.assertNotIn("waiting:", r.stdout)
        self.assertIn("at most 2 at a time on host local", r.stdout)

    def test_plan_for_every_example_succeeds(self):
        for example in sorted(EXAMPLES.glob("*.yaml")):
            with self.subTest(example=example.name):
                r = run([CHAINVISORD, "--plan", "--config", example])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("create", r.stdout)

    def test_plan_refuses_an_invalid_file(self):
        fixture = real_filesystem_fixtures()[0]
        r = run([CHAINVISORD, "--plan", "--config", fixture])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertIn("nothing was done", r.stderr)


class CommandLine(unittest.TestCase):
    def test_usage_errors_exit_2_with_a_hint(self):
        r = run([CHAINVISORD, "--log-level", "loud"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("accepted: trace, debug, info, warn, error", r.stderr)
        self.assertIn("Try 'chainvisord --help'.", r.stderr)

    def test_help_and_version(self):
        r = run([CHAINVISORD, "--help"])
        self.assertEqual(r.returncode, 0)
        self.assertIn("--check-config FILE", r.stdout)
        r = run([CHAINVISORD, "--version"])
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^chainvisord \d+\.\d+\.\d+\n$")


if __name__ == "__main__":
    framework.main()
