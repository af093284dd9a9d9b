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
import signal
import sys
import unittest

import framework
from framework import require, run

STANDIN_DIR = framework.FIXTURES / "bitcell"
STANDIN = STANDIN_DIR / "bitcell_standin.py"
MAKE_ARCHIVE = STANDIN_DIR / "make_bitcell_archive.py"

# Each node on a loopback address of this run's own (framework.loopback_address, hosts .21-.29)
# with BitCell's default ports.
P2P_PORT, RPC_PORT = 30333, 30334
METRICS_PORT = P2P_PORT + 2
VERSION = "0.3.1"


def make_archive(out: pathlib.Path) -> tuple[pathlib.Path, str]:
    return framework.make_release_archive(MAKE_ARCHIVE, VERSION, out)


class BitcellNode(framework.StandinProcess):
    """One stand-in on its own loopback address, started as chainvisor's unit starts it."""

    def __init__(self, work: pathlib.Path, binary: pathlib.Path, name: str, host: int,
                 role: str, secret: str):
        super().__init__(work, name, host, "bitcell.log")
        self.role, self.binary = role, binary
        self.key_file = self.dir / "node.key"
        self.key_file.write_text(secret + "\n")  # as lib/nodes/bitcell writes it
        self.key_file.chmod(0o600)
        self.data = self.dir / "data"

    def command(self, peers: list["BitcellNode"], extra: list[str] = ()) -> list[str]:
        args = [str(self.binary), self.role, "--data-dir", str(self.data),
                "--port", str(P2P_PORT), "--rpc-port", str(RPC_PORT), "--enable-dht"]
        for peer in sorted(peers, key=lambda p: p.ip):
            args += ["--bootstrap", f"/ip4/{peer.ip}/tcp/{P2P_PORT}"]
        return args + ["--key-file", str(self.key_file), *extra]

    def start(self, peers: list["BitcellNode"], extra: list[str] = ()):
        return self.spawn(self.command(peers, extra), env={"BITCELL_STANDIN_BIND": self.ip})

    def status(self) -> str:
        return f"height {self.height()}"

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
        return framework.prometheus_values(body.decode())


class BitcellStandin(framework.StandinTestCase):
    @classmethod
    def setUpClass(cls):
        cls.make_work_dir("cvbitcell-")
        cls.archive, cls.sha = make_archive(cls.work / "archives")
        root = cls.work / "opt"
        release = framework.unpack_release(cls.archive, root)
        # Through a "current" symlink, as the daemon installs it.
        (root / "current").symlink_to(release.name)
        cls.binary = root / "current" / "bin" / "bitcell-node"
        # Fixed keys, so a failure can be replayed.
        cls.secrets = [hashlib.sha256(f"chainvisor bitcell stand-in test {i}".encode()).hexdigest()
                       for i in range(4)]

    def node(self, name: str, host: int, role: str, secret: str) -> BitcellNode:
        return self.adopt(BitcellNode(self.case_dir, self.binary, name, host, role, secret))

    def test_archive(self):
        self.assert_release_archive(self.archive, self.sha, "bitcell-node", STANDIN,
                                    again=make_archive(self.work / "again"))
        self.assertEqual(self.archive.name, f"bitcell-{VERSION}.tar.gz")

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
