"""The BitCell stand-in (tests/fixtures/bitcell), the TEST DOUBLE that integration tests run in
place of Steake/BitCell's bitcell-node, checked on its own before anything relies on it. It is
packed by make_bitcell_archive.py into a release-shaped archive and started from it with the
command line chainvisor's bitcell kind writes into the unit (lib/nodes/bitcell/command_line.h),
here directly on loopback addresses of this run (no containers): a validator, a miner and a full
node.

Checked: the archive; the key file format (64 hex digits, no 0x); peers found through
--bootstrap; heights rising and agreeing; /metrics (Prometheus text) and POST /rpc answering as
chainvisor reads them; /health 404; a lone producer not producing; SIGTERM ignored and SIGINT a
clean stop; the chain kept in --data-dir across a restart."""

import hashlib
import http.client
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import unittest

import framework
from framework import require, run, wait_until

STANDIN_DIR = framework.FIXTURES / "bitcell"
STANDIN = STANDIN_DIR / "bitcell_standin.py"
MAKE_ARCHIVE = STANDIN_DIR / "make_bitcell_archive.py"

# Hosts .21-.23 of a loopback /24 of this run's own (any 127.x.y.z works on Linux without
# set-up), so runs side by side do not meet; every node uses BitCell's default ports.
NET = "127.{}.{}".format(100 + os.getpid() % 100, 1 + os.getpid() // 100 % 250)
P2P_PORT, RPC_PORT = 30333, 30334
METRICS_PORT = P2P_PORT + 2
VERSION = "0.3.1"


def ip(host: int) -> str:
    return f"{NET}.{host}"


def make_archive(out: pathlib.Path) -> tuple[pathlib.Path, str]:
    r = run([sys.executable, MAKE_ARCHIVE, "--version", VERSION, "--out", out])
    if r.returncode != 0:
        raise RuntimeError(f"make_bitcell_archive.py: {r.stderr.strip()}")
    sha, path = r.stdout.split()
    return pathlib.Path(path), sha


class BitcellNode:
    """One stand-in on its own loopback address, started as chainvisor's unit starts it."""

    def __init__(self, work: pathlib.Path, binary: pathlib.Path, name: str, host: int,
                 role: str, secret: str):
        self.name, self.ip, self.role, self.binary = name, ip(host), role, binary
        self.dir = work / name
        self.dir.mkdir(parents=True)
        self.key_file = self.dir / "node.key"
        self.key_file.write_text(secret + "\n")  # as lib/nodes/bitcell writes it
        self.key_file.chmod(0o600)
        self.data = self.dir / "data"
        self.log_path = self.dir / "bitcell.log"
        self.process = None
        self._log = None

    def command(self, peers: list["BitcellNode"], extra: list[str] = ()) -> list[str]:
        args = [str(self.binary), self.role, "--data-dir", str(self.data),
                "--port", str(P2P_PORT), "--rpc-port", str(RPC_PORT), "--enable-dht"]
        for peer in sorted(peers, key=lambda p: p.ip):
            args += ["--bootstrap", f"/ip4/{peer.ip}/tcp/{P2P_PORT}"]
        return args + ["--key-file", str(self.key_file), *extra]

    def start(self, peers: list["BitcellNode"], extra: list[str] = ()):
        assert not self.running(), f"{self.name} runs already"
        self._log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            self.command(peers, extra), stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, env=dict(os.environ, BITCELL_STANDIN_BIND=self.ip))
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self):
        if self.running():
            self.process.kill()
            self.process.wait(timeout=30)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def request(self, method: str, path: str, port: int, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.ip, port, timeout=3)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def call(self, method: str):
        """A JSON-RPC call as chainvisor makes it; the whole answer."""
        status, body = self.request(
            "POST", "/rpc", RPC_PORT,
            json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": []}).encode(),
            {"Content-Type": "application/json"})
        assert status == 200, (status, body)
        return json.loads(body)

    def poll(self, method: str):
        """The call's result, or None while the node does not answer."""
        try:
            return self.call(method)["result"]
        except (OSError, http.client.HTTPException):
            return None

    def height(self) -> int | None:
        result = self.poll("eth_blockNumber")
        return None if result is None else int(result, 16)

    def metrics(self) -> dict[str, float] | None:
        try:
            status, body = self.request("GET", "/metrics", METRICS_PORT)
        except (OSError, http.client.HTTPException):
            return None
        assert status == 200, status
        return {line.split()[0]: float(line.split()[1])
                for line in body.decode().splitlines() if line and not line.startswith("#")}


class BitcellStandin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = pathlib.Path(tempfile.mkdtemp(prefix="cvbitcell-"))
        cls.addClassCleanup(shutil.rmtree, cls.work, ignore_errors=True)
        cls.archive, cls.sha = make_archive(cls.work / "archives")
        root = cls.work / "opt"
        with tarfile.open(cls.archive) as tar:
            # Extraction filters came with 3.11.4; Debian bookworm has 3.11.2.
            tar.extractall(root, **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))
        # Through a "current" symlink, as the daemon installs it.
        (root / "current").symlink_to(f"bitcell-{VERSION}")
        cls.binary = root / "current" / "bin" / "bitcell-node"
        # Fixed keys, so a failure can be replayed.
        cls.secrets = [hashlib.sha256(f"chainvisor bitcell stand-in test {i}".encode()).hexdigest()
                       for i in range(4)]

    def setUp(self):
        self.nodes: list[BitcellNode] = []
        self.case_dir = self.work / self.id().rsplit(".", 1)[1]

    def node(self, name: str, host: int, role: str, secret: str) -> BitcellNode:
        node = BitcellNode(self.case_dir, self.binary, name, host, role, secret)
        self.nodes.append(node)
        self.addCleanup(node.kill)
        return node

    def describe(self) -> str:
        out = []
        for n in self.nodes:
            state = f"height {n.height()}" if n.running() else "not running"
            tail = "\n    ".join(n.log().splitlines()[-12:])
            out.append(f"--- {n.name} ({n.ip}): {state}\n    {tail}")
        return "\n".join(out)

    def until(self, predicate, timeout: float, what: str, interval: float = 0.05):
        """framework.wait_until, with every node's state and log tail on a timeout."""
        try:
            return wait_until(predicate, timeout, what, interval)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.describe()}") from None

    def test_archive(self):
        with tarfile.open(self.archive) as tar:
            members = tar.getmembers()
            launcher = tar.extractfile(f"bitcell-{VERSION}/bin/bitcell-node").read().decode()
            packed = tar.extractfile(f"bitcell-{VERSION}/lib/bitcell_standin.py").read()
        self.assertEqual([(m.name, m.mode) for m in members], [
            (f"bitcell-{VERSION}", 0o755), (f"bitcell-{VERSION}/bin", 0o755),
            (f"bitcell-{VERSION}/bin/bitcell-node", 0o755), (f"bitcell-{VERSION}/lib", 0o755),
            (f"bitcell-{VERSION}/lib/bitcell_standin.py", 0o644)])
        self.assertEqual({(m.uid, m.gid, m.uname, m.gname) for m in members},
                         {(0, 0, "root", "root")})
        self.assertTrue(launcher.startswith("#!/bin/sh\n"))
        self.assertIn("TEST DOUBLE", launcher)
        self.assertEqual(packed, STANDIN.read_bytes())
        self.assertIn("TEST DOUBLE", packed.decode()[:200])
        again, sha = make_archive(self.work / "again")
        self.assertEqual((sha, again.read_bytes()), (self.sha, self.archive.read_bytes()))
        self.assertEqual(hashlib.sha256(self.archive.read_bytes()).hexdigest(), self.sha)

        r = run([self.binary, "version"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"bitcell-node v{VERSION}", r.stdout)
        r = run([self.binary, "observer"])
        self.assertEqual((r.returncode, r.stderr), (2, "error: unrecognized subcommand "
                                                       "'observer'\n"))

    def test_key_file_format(self):
        bad = self.node("bad", 29, "validator", self.secrets[3])
        for text in (f"0x{self.secrets[3]}", self.secrets[3][:62], "not a key at all"):
            bad.key_file.write_text(text + "\n")
            r = run(bad.command([]), timeout=20, env=dict(os.environ,
                                                          BITCELL_STANDIN_BIND=bad.ip))
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("Error loading key", r.stderr)
            self.assertNotIn(self.secrets[3][:16], r.stdout + r.stderr)

    def test_network_heights_health_signals_restart(self):
        validator = self.node("validator", 21, "validator", self.secrets[0])
        miner = self.node("miner", 22, "miner", self.secrets[1])
        full = self.node("full", 23, "full-node", self.secrets[2])
        everyone = [validator, miner, full]
        for n in everyone:
            n.start([m for m in everyone if m is not n], extra=["--log-format", "json"])

        # The network forms: each node has the two others as peers, in metrics and JSON-RPC.
        self.until(lambda: all((n.metrics() or {}).get("bitcell_peer_count") == 2
                               for n in everyone), 10, "two peers each")
        for n in everyone:
            self.assertEqual(n.poll("bitcell_getPeerCount"), 2)
            self.assertIn("warning: ignoring unknown option --log-format json", n.log())

        # Heights rise and agree; /metrics and eth_blockNumber tell the same height.
        self.until(lambda: all((n.height() or 0) >= 3 for n in everyone), 10, "height 3 everywhere")
        self.until(lambda: len({n.height() for n in everyone}) == 1, 5, "one height everywhere")
        for n in everyone:
            self.assertLessEqual(abs(n.metrics()["bitcell_chain_height"] - n.height()), 1)

        # What chainvisor reads, in the shapes it reads them.
        status, body = validator.request("GET", "/metrics", METRICS_PORT)
        text = body.decode()
        self.assertEqual(status, 200)
        for line in ("# HELP bitcell_chain_height Current blockchain height",
                     "# TYPE bitcell_chain_height gauge", "# TYPE bitcell_peer_count gauge",
                     "bitcell_peer_count 2", "bitcell_dht_peer_count 2",
                     "bitcell_sync_progress 100"):
            self.assertIn(line + "\n", text)
        answer = validator.call("eth_blockNumber")
        self.assertEqual(set(answer), {"jsonrpc", "result", "error", "id"})
        self.assertIsNone(answer["error"])
        self.assertRegex(answer["result"], r"^0x[0-9a-f]+$")
        infos = [n.poll("bitcell_getNodeInfo") for n in everyone]
        self.assertEqual([i["node_type"] for i in infos], ["validator", "miner", "full_node"])
        self.assertEqual({i["version"] for i in infos}, {VERSION})
        for info in infos:
            self.assertRegex(info["node_id"], r"^0[23][0-9a-f]{64}$")
        self.assertEqual(len({i["node_id"] for i in infos}), 3)
        unknown = validator.call("eth_foo")
        self.assertEqual((unknown["result"], unknown["error"]["code"]), (None, -32601))
        for port in (RPC_PORT, METRICS_PORT):
            self.assertEqual(validator.request("GET", "/health", port)[0], 404)
        self.assertEqual(validator.request("POST", "/rpc", RPC_PORT, b"{}",
                                           {"Content-Type": "text/plain"})[0], 415)

        # SIGTERM does nothing: the validator goes on producing. SIGINT stops it cleanly.
        validator.process.send_signal(signal.SIGTERM)
        self.until(lambda: "ignoring SIGTERM" in validator.log(), 5, "SIGTERM noticed")
        before = validator.height()
        self.until(lambda: (validator.height() or 0) > before, 5, "a block after SIGTERM")
        self.assertTrue(validator.running())
        validator.process.send_signal(signal.SIGINT)
        self.assertEqual(validator.process.wait(timeout=10), 0)
        stopped_at = json.loads((validator.data / "standin-chain.json").read_text())["height"]
        self.assertIn(f"clean shutdown at height {stopped_at}", validator.log())
        self.until(lambda: all((n.metrics() or {}).get("bitcell_peer_count") == 1
                               for n in (miner, full)), 5, "the validator gone from its peers")

        # The miner and the full node go on; the validator comes back with its chain and catches
        # up, and its key (so its id) is the same.
        self.until(lambda: (miner.height() or 0) > stopped_at, 5, "the miner going on")
        validator._log.close()
        validator.start([miner, full])
        self.until(lambda: validator.height() is not None, 10, "the validator back")
        self.assertGreaterEqual(validator.height(), stopped_at)
        self.assertIn(f"loaded chain at height {stopped_at}", validator.log())
        self.until(lambda: abs(validator.height() - miner.height()) <= 1, 5,
                   "the validator caught up")
        self.assertEqual(validator.poll("bitcell_getNodeInfo")["node_id"], infos[0]["node_id"])

        for n in everyone:
            n.process.send_signal(signal.SIGINT)
            self.assertEqual(n.process.wait(timeout=10), 0)
        logs = "".join(n.log() for n in everyone)
        for secret in self.secrets:
            self.assertNotIn(secret, logs)

    def test_lone_producer_waits_for_peers(self):
        lone = self.node("lone", 24, "validator", self.secrets[3])
        lone.start([])
        self.until(lambda: "no peers reachable: not producing blocks" in lone.log(), 10,
                   "the lone validator waiting")
        self.assertEqual(lone.height(), 0)
        self.assertEqual(lone.poll("bitcell_getPeerCount"), 0)
        self.assertEqual(lone.metrics()["bitcell_peer_count"], 0)
        lone.process.send_signal(signal.SIGINT)
        self.assertEqual(lone.process.wait(timeout=10), 0)


def main():
    require(sys.version_info >= (3, 11), "Python 3.11, as in Debian bookworm")
    unittest.main()


if __name__ == "__main__":
    main()
