"""A Besu QBFT network on real LXC, as root: four validators and one RPC node made from empty,
one validator killed and healed while the chain goes on, one destroyed and made again with its
identity, a rolling upgrade of every node watched from outside, and an upgrade whose version
fails its health gate, rolled back on the first node.

Besu itself cannot come from Debian, so the nodes run the stand-in of tests/fixtures/besu (a test
double with Besu's HTTP surfaces that makes a block every period only while ⌈2n/3⌉ validators
are up), installed by chainvisord from release archives exactly as it installs Besu's. Everything
sits on a bridge this test makes and removes, with no route out."""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import framework
from framework import Daemon, TestBridge, destroy_containers, run, wait_until

SUBNET = "10.233.{}".format(os.getpid() % 200 + 10)
BRIDGE = f"cvb{os.getpid() % 100000}"
BLOCK_PERIOD = 2  # seconds
GATE_TIMEOUT = 30  # seconds: policy.healthGate.timeout
FIRST_CONVERGE = 900  # the first LXC test on a fresh machine builds the base root filesystem
VALIDATORS = ["val1", "val2", "val3", "val4"]
NODES = VALIDATORS + ["rpc1"]
FIXTURES = framework.SOURCE_DIR / "tests" / "fixtures" / "besu"
CTL = framework.BUILD_DIR / "daemon" / "chainvisorctl"


def ip_of(name: str) -> str:
    return f"{SUBNET}.{10 + NODES.index(name) + 1}"


def cluster_yaml(version: str, archives: pathlib.Path) -> str:
    lines = [
        "apiVersion: chainvisor/v1",
        "name: besu-itest",
        "hosts: [{name: local, type: local}]",
        f"defaults: {{bridge: {BRIDGE}, resources: {{cores: 1, memoryMiB: 256, swapMiB: 0, "
        "diskGiB: 1}}",
        "networks:",
        "  - name: devnet",
        "    kind: besu",
        "    consensus: qbft",
        "    chainId: 1337",
        f"    genesis: {{blockPeriodSeconds: {BLOCK_PERIOD}, requestTimeoutSeconds: "
        f"{BLOCK_PERIOD * 2}}}",
        f"    version: {version}",
        f"    source: {{path: {archives}/besu-{version}.tar.gz}}",
        "nodes:",
    ]
    for i, name in enumerate(NODES, start=1):
        role = "rpc" if name == "rpc1" else "validator"
        lines.append(f"  - {{name: {name}, network: devnet, role: {role}, host: local, "
                     f"vmid: {760 + i}, ip: {ip_of(name)}/24, gateway: {SUBNET}.1}}")
    lines += [
        "policy:",
        "  resyncInterval: 2s",
        "  probeInterval: 1s",
        "  budgets: {perHostConcurrent: 5, globalConcurrent: 5}",
        f"  healthGate: {{timeout: {GATE_TIMEOUT}s, minPeers: 1, maxBlocksBehind: 2}}",
    ]
    return "\n".join(lines) + "\n"


def rpc(name: str, method: str, params=None, timeout: float = 1.0):
    """A JSON-RPC call to node `name` over the bridge, as a client would make it."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                       "params": params or []}).encode()
    request = urllib.request.Request(f"http://{ip_of(name)}:8545/", data=body,
                                     headers={"Content-Type": "application/json",
                                              "Host": ip_of(name)})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())["result"]


def height(name: str) -> int | None:
    try:
        return int(rpc(name, "eth_blockNumber"), 16)
    except (OSError, ValueError, KeyError):
        return None


class Watcher(threading.Thread):
    """Polls every node from outside: how many validators were down at once (not answering
    JSON-RPC), and the longest time the network's head stood still."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop_event = threading.Event()
        self.max_down = 0
        self.down_seen: list[tuple[float, list[str]]] = []
        self.longest_stall = 0.0
        self.head = None
        self.head_since = None

    def run(self):
        while not self.stop_event.is_set():
            now = time.monotonic()
            heights = {n: height(n) for n in NODES}
            down = [v for v in VALIDATORS if heights[v] is None]
            if len(down) > self.max_down:
                self.max_down = len(down)
            if down:
                self.down_seen.append((now, down))
            head = max((h for h in heights.values() if h is not None), default=None)
            if head is not None and (self.head is None or head > self.head):
                if self.head_since is not None:
                    self.longest_stall = max(self.longest_stall, now - self.head_since)
                self.head, self.head_since = head, now
            self.stop_event.wait(0.25)

    def finish(self):
        self.stop_event.set()
        self.join(timeout=10)
        if self.head_since is not None:
            self.longest_stall = max(self.longest_stall, time.monotonic() - self.head_since)


class BesuOnLxc(unittest.TestCase):
    def setUp(self):
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="cvb-"))
        self.state = self.work / "state"
        self.lxcpath = self.state / "lxc"
        self.config = self.work / "cluster.yaml"
        self.archives = self.work / "archives"
        self.archives.mkdir()
        for version, broken in (("26.1.0", None), ("26.2.0", None), ("26.9.0", "nopeers")):
            args = [sys.executable, FIXTURES / "make_besu_archive.py", "--version", version,
                    "--out", self.archives]
            if broken:
                args += ["--broken", broken]
            r = run(args)
            self.assertEqual(r.returncode, 0, f"make_besu_archive.py: {r.stderr}")
        self.bridge = TestBridge(BRIDGE, f"{SUBNET}.1/24")
        self.daemon = None

    def tearDown(self):
        try:
            if self.daemon is not None and self.daemon.running():
                self.assertEqual(self.daemon.stop(), 0, "chainvisord did not stop cleanly")
        finally:
            destroy_containers(self.lxcpath)
            self.bridge.remove()
            if self.daemon is not None:
                self.daemon.notify.close()
            shutil.rmtree(self.work, ignore_errors=True)

    def write(self, version: str):
        tmp = self.config.with_suffix(".new")
        tmp.write_text(cluster_yaml(version, self.archives))
        os.replace(tmp, self.config)

    def status(self, node: str) -> dict:
        """The node as chainvisorctl shows it; {} while the daemon is not answering yet."""
        r = run([CTL, "--socket", self.daemon.control_socket, "--json", "status", node])
        if r.returncode == 3:  # no daemon behind the socket (yet)
            self.assertTrue(self.daemon.running(), "chainvisord exited")
            return {}
        self.assertEqual(r.returncode, 0, f"chainvisorctl status {node}: {r.stderr}")
        return json.loads(r.stdout)

    def statuses(self) -> dict[str, dict]:
        """Every node as one reply shows them: what the daemon saw in one pass."""
        r = run([CTL, "--socket", self.daemon.control_socket, "--json", "status"])
        self.assertEqual(r.returncode, 0, f"chainvisorctl status: {r.stderr}")
        return {n["name"]: n for n in json.loads(r.stdout)["nodes"]}

    def ready_at(self, version: str, names=NODES) -> bool:
        for name in names:
            s = self.status(name)
            if s.get("condition") != "Ready" or s.get("version") != version:
                return False
        return True

    def inside(self, node: str, *command: str) -> subprocess.CompletedProcess:
        vmid = 760 + NODES.index(node) + 1
        return run(["lxc-attach", "-P", self.lxcpath, "-n", f"cv-{vmid}", "--", *command])

    def rising(self, name: str, blocks: int = 2, timeout: float = 60):
        start = height(name)
        self.assertIsNotNone(start, f"{name} answers eth_blockNumber")
        wait_until(lambda: (height(name) or 0) >= start + blocks, timeout,
                   f"{name}'s height to rise by {blocks} from {start}")

    def test_devnet(self):
        self.write("26.1.0")
        self.daemon = Daemon(self.config, self.state, self.work).start()

        # 1. From empty: five containers, keys before the first start, a chain that moves.
        wait_until(lambda: self.ready_at("26.1.0"), FIRST_CONVERGE, "every node Ready at 26.1.0")
        self.rising("rpc1")
        keys = sorted(p.name for p in (self.state / "keys").iterdir())
        self.assertEqual(keys, [f"{n}.key" for n in sorted(NODES)])
        for name in NODES:
            self.assertEqual(oct((self.state / "keys" / f"{name}.key").stat().st_mode & 0o777),
                             "0o600")
            mode = self.inside(name, "stat", "-c", "%a %U", "/var/lib/besu/key").stdout.split()
            self.assertEqual(mode, ["600", "besu"], f"{name}'s key inside its container")
            # The stand-in logs "generated new node key" when it finds none: it never had to.
            journal = self.inside(name, "journalctl", "-u", "besu", "--no-pager").stdout
            self.assertNotIn("generated new node key", journal)
        validators = rpc("rpc1", "qbft_getValidatorsByBlockNumber", ["latest"])
        self.assertEqual(len(validators), 4)
        printed = run([CTL, "besu", "address", "--key-file", self.state / "keys" / "val1.key"])
        address = next(line.split()[1].lower() for line in printed.stdout.splitlines()
                       if line.startswith("address:"))
        self.assertIn(address, validators)

        # 2. One validator's container killed: the chain goes on with 3 of 4, and the daemon
        # brings it back.
        self.inside("val2", "true")  # it is there
        r = run(["lxc-stop", "-P", self.lxcpath, "-n", "cv-762", "-k"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.rising("rpc1", blocks=2, timeout=30)
        wait_until(lambda: height("val2") is not None and self.status("val2").get("condition") ==
                   "Ready", 120, "val2 healed and Ready")
        wait_until(lambda: (height("val2") or 0) >= (height("rpc1") or 0) - 2, 60,
                   "val2 caught up with the chain")

        # 3. A validator's container destroyed, data and all: made again with the same key, so
        # the same identity, and Ready only once it has synced the chain again.
        key_before = (self.state / "keys" / "val3.key").read_bytes()
        run(["lxc-stop", "-P", self.lxcpath, "-n", "cv-763", "-k"])
        r = run(["lxc-destroy", "-P", self.lxcpath, "-n", "cv-763"])
        self.assertEqual(r.returncode, 0, r.stderr)
        wait_until(lambda: self.status("val3").get("condition") != "Ready", 30,
                   "val3 to be seen gone")
        self.rising("rpc1", blocks=1, timeout=30)  # 3 of 4 still make blocks
        # What the daemon saw when it first called val3 Ready, and the head it saw then: the
        # status of each node comes from the same pass.
        wait_until(lambda: self.status("val3").get("condition") == "Ready", 180,
                   "val3 made again and Ready")
        both = self.statuses()
        seen, head = both["val3"].get("height"), both["rpc1"].get("height")
        self.assertIsNotNone(seen)
        self.assertGreaterEqual(seen, head - 2, "val3 counted Ready before it had synced")
        self.assertEqual((self.state / "keys" / "val3.key").read_bytes(), key_before)
        inside = self.inside("val3", "cat", "/var/lib/besu/key").stdout.strip()
        self.assertEqual(inside, key_before.decode().strip(), "val3 got its old key back")
        self.assertEqual(sorted(rpc("rpc1", "qbft_getValidatorsByBlockNumber", ["latest"])),
                         sorted(validators))

        # 4. A rolling upgrade of every node, watched from outside.
        watcher = Watcher()
        watcher.start()
        self.write("26.2.0")
        wait_until(lambda: self.ready_at("26.2.0"), 600, "every node Ready at 26.2.0")
        self.rising("rpc1")
        watcher.finish()
        print(f"rolling upgrade: at most {watcher.max_down} validator(s) down at once; the head "
              f"stood still at most {watcher.longest_stall:.1f} s (block period {BLOCK_PERIOD} s)",
              file=sys.stderr)
        self.assertGreaterEqual(watcher.max_down, 1, "the watcher saw no validator restart")
        self.assertLessEqual(watcher.max_down, 1, f"validators down together: {watcher.down_seen}")
        # Two block periods, plus the watcher's own polling period.
        self.assertLessEqual(watcher.longest_stall, 2 * BLOCK_PERIOD + 0.5)
        upgrades = [m for m in self.daemon.messages() if "ActionSucceeded: health-gate" in m]
        self.assertEqual(len(upgrades), 5, upgrades)
        # Sentries and RPC nodes before validators.
        self.assertTrue(upgrades[0].startswith("rpc1 "), upgrades)

        # 5. A version that fails its health gate: rolled back on the first node, no further.
        self.write("26.9.0")
        wait_until(lambda: self.status("rpc1").get("reason") == "HealthGateFailed",
                   GATE_TIMEOUT + 120, "rpc1 to fail its health gate")
        halted = self.daemon.events("rpc1", "RolloutHalted")
        self.assertEqual(len(halted), 1, halted)
        wait_until(lambda: self.status("rpc1")["version"] == "26.2.0" and
                   height("rpc1") is not None, 60, "rpc1 back on 26.2.0 and answering")
        self.assertIn("rolled back to snapshot cv-", self.status("rpc1")["message"])
        self.rising("rpc1")
        r = run([CTL, "--socket", self.daemon.control_socket, "--json", "plan"])
        plan = json.loads(r.stdout)
        waiting = {w["node"]: w["reason"] for w in plan["waiting"]}
        for name in VALIDATORS:
            self.assertEqual(self.status(name)["version"], "26.2.0", name)
            self.assertIn("halted", waiting.get(name, ""), f"{name} waits for the halted rollout")
        self.assertEqual([a for a in plan["actions"] if a["disruption"] != "none"], [])


if __name__ == "__main__":
    framework.require(framework.have_lxc(), "root and the lxc tools (apt-get install lxc)")
    framework.main()
