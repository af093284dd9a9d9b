"""chainvisord against the project's Proxmox VE API simulator over HTTPS on loopback, with the
shipped etc/examples/proxmox-validated-set.yaml (pointed at the simulator, its certificate
pinned): from empty to converged at container level; every injected fault class survived with
no duplicate container; a Proxmox node going offline leaves its nodes Unknown and acts on
nothing there; the token secret never reaches the log."""

import os
import pathlib
import re
import shutil
import signal
import tempfile
import unittest
import uuid

import framework
from framework import Daemon, PveSim, wait_until

EXAMPLE = framework.EXAMPLES / "proxmox-validated-set.yaml"
TOKEN_ID = "root@pam!chainvisor"
CONVERGE = 180


def nodes_of(text: str) -> dict[str, tuple[int, str]]:
    """name → (vmid, pveNode) for every node of the example."""
    out = {}
    for block in re.split(r"\n  - ", text.split("\nnodes:", 1)[1]):
        name = re.search(r"name: (\w+)", block)
        vmid = re.search(r"vmid: (\d+)", block)
        pve = re.search(r"pveNode: (\w+)", block)
        if name and vmid and pve:
            out[name.group(1)] = (int(vmid.group(1)), pve.group(1))
    return out


class DaemonOnProxmox(unittest.TestCase):
    def setUp(self):
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="cvp-"))
        self.secret = str(uuid.uuid4())
        self.daemon = None
        self.sim = None

    def tearDown(self):
        try:
            if self.daemon is not None and self.daemon.running():
                self.assertEqual(self.daemon.stop(), 0)
            if self.daemon is not None:
                log = self.daemon.log_path.read_text()
                self.assertNotIn(self.secret, log, "the token secret reached the log")
                self.daemon.notify.close()
        finally:
            if self.sim is not None:
                self.assertEqual(self.sim.stop(), 0)
            shutil.rmtree(self.work, ignore_errors=True)

    def start(self, faults: str = "") -> Daemon:
        self.sim = PveSim(self.work, "pve1,pve2", TOKEN_ID, self.secret, task_seconds=0.1,
                          faults=faults)
        text = EXAMPLE.read_text()
        text = text.replace("https://pve1.example.com:8006/api2/json", self.sim.url)
        text = re.sub(r'fingerprint: "[0-9A-F:]+"', f'fingerprint: "{self.sim.fingerprint}"',
                      text)
        text = re.sub(r"resyncInterval: \S+", "resyncInterval: 2s", text)
        text = re.sub(r"probeInterval: \S+", "probeInterval: 1s", text)
        self.nodes = nodes_of(text)
        self.assertEqual(len(self.nodes), 9)
        config = self.work / "cluster.yaml"
        config.write_text(text)
        self.daemon = Daemon(config, self.work / "state", self.work,
                             extra_env={"PVE_TOKEN": self.secret}).start()
        return self.daemon

    def containers(self) -> dict[int, dict]:
        """vmid → the simulator's /cluster/resources entry; fails on a duplicate vmid."""
        entries = [e for e in self.sim.call("GET", "/cluster/resources", type="vm")
                   if e.get("type") == "lxc"]
        vmids = [e["vmid"] for e in entries]
        self.assertEqual(len(vmids), len(set(vmids)), f"duplicate containers: {vmids}")
        return {e["vmid"]: e for e in entries}

    def all_ready(self) -> bool:
        return all(self.daemon.ready(n) for n in self.nodes)

    def check_converged(self):
        containers = self.containers()
        self.assertEqual(sorted(containers), sorted(v for v, _ in self.nodes.values()))
        for name, (vmid, pve) in self.nodes.items():
            entry = containers[vmid]
            self.assertEqual(entry["node"], pve, name)
            self.assertEqual(entry["status"], "running", name)
            self.assertIn(f"cv-n-{name}", entry["tags"], name)

    def test_converges_from_empty_at_container_level(self):
        d = self.start()
        wait_until(self.all_ready, CONVERGE, "all 9 nodes Ready")
        self.check_converged()
        self.assertIn("container level only",
                      d.events("val1", "ConditionChanged")[-1])
        # Steady state: a handful of API requests per pass, whatever the container count.
        self.sim.call("DELETE", "/_sim/stats")
        statuses = len(d.notify.assignments("STATUS"))
        wait_until(lambda: len(d.notify.assignments("STATUS")) >= statuses + 5, 60, "5 passes")
        passes = len(d.notify.assignments("STATUS")) - statuses
        total = self.sim.call("GET", "/_sim/stats")["total"]
        self.assertLessEqual(total / passes, 6, f"{total} requests in {passes} passes")
        # Nothing more to do: no chain started once converged.
        chains = sum(len(d.events(n, "ChainStarted")) for n in self.nodes)
        wait_until(lambda: len(d.notify.assignments("STATUS")) >= statuses + passes + 2, 60,
                   "2 more passes")
        self.assertEqual(sum(len(d.events(n, "ChainStarted")) for n in self.nodes), chains)

    def test_a_container_stopped_outside_is_started_again(self):
        d = self.start()
        wait_until(self.all_ready, CONVERGE, "all 9 nodes Ready")
        vmid, pve = self.nodes["rpc1"] if "rpc1" in self.nodes else next(iter(self.nodes.values()))
        upid = self.sim.call("POST", f"/nodes/{pve}/lxc/{vmid}/status/stop")
        self.assertTrue(upid.startswith("UPID:"))
        wait_until(lambda: self.containers()[vmid]["status"] == "stopped", 30, "the stop")
        wait_until(lambda: self.containers()[vmid]["status"] == "running", CONVERGE,
                   "chainvisord to start it again")

    def test_every_fault_class_is_survived_without_duplicates(self):
        # Every class at once, from an empty cluster: transient 5xx, resets, replies lost after
        # the work was done, failing tasks, lock timeouts, and latency.
        d = self.start(faults="error5xx=0.15,reset=0.05,lostreply=0.1,taskfail=0.1,"
                              "locktimeout=0.1,latency=5,seed=11")
        # Faults stay on until they have hit several actions, then the API heals: chainvisord
        # must converge from whatever half-done state the faults left, with no duplicate.
        # (Left on for minutes, a node can exhaust its transient retries and park as Failed:
        # that is the engine's policy, tested in the unit tests.)
        wait_until(lambda: sum(len(d.events(n, "ActionFailed")) for n in self.nodes) >= 5, 120,
                   "faults to reach chainvisord")
        self.assertEqual(self.sim.call("GET", "/_sim/faults")["spec"].count("="), 7)
        self.sim.call("POST", "/_sim/faults", spec="")
        wait_until(self.all_ready, CONVERGE, "all 9 nodes Ready after the faults")
        self.check_converged()
        failures = [e for n in self.nodes for e in d.events(n, "ActionFailed")]
        self.assertTrue(failures, "no fault reached chainvisord: the test exercised nothing")
        # Conditions told the truth on the way: failures were retried, never called permanent.
        self.assertFalse([e for e in failures if "permanent" in e], failures)
        self.assertTrue(any("retry in" in e for e in failures), failures)

    def test_an_offline_proxmox_node_leaves_its_nodes_unknown(self):
        d = self.start()
        wait_until(self.all_ready, CONVERGE, "all 9 nodes Ready")
        on_pve2 = [n for n, (_, pve) in self.nodes.items() if pve == "pve2"]
        on_pve1 = [n for n, (_, pve) in self.nodes.items() if pve == "pve1"]
        self.sim.call("POST", "/_sim/node/pve2/offline")
        for name in on_pve2:
            wait_until(lambda n=name: "→ Unknown" in (d.events(n, "ConditionChanged") or [""])[-1],
                       60, f"{name} Unknown")
        chains = {n: len(d.events(n, "ChainStarted")) for n in on_pve2}
        # Work continues elsewhere: a container stopped on pve1 is started again...
        vmid, _ = self.nodes[on_pve1[0]]
        self.sim.call("POST", f"/nodes/pve1/lxc/{vmid}/status/stop")
        wait_until(lambda: self.containers()[vmid]["status"] == "stopped", 30, "the stop")
        wait_until(lambda: self.containers()[vmid]["status"] == "running", CONVERGE,
                   "the pve1 container started again")
        # ...while nothing was attempted on the offline node.
        self.assertEqual({n: len(d.events(n, "ChainStarted")) for n in on_pve2}, chains)
        self.sim.call("POST", "/_sim/node/pve2/online")
        wait_until(self.all_ready, CONVERGE, "all nodes Ready again")

    def test_a_wrong_token_is_reported_without_the_secret(self):
        self.secret_wrong = str(uuid.uuid4())
        self.sim = PveSim(self.work, "pve1,pve2", TOKEN_ID, self.secret, task_seconds=0.1)
        text = EXAMPLE.read_text().replace("https://pve1.example.com:8006/api2/json", self.sim.url)
        text = re.sub(r'fingerprint: "[0-9A-F:]+"', f'fingerprint: "{self.sim.fingerprint}"',
                      text)
        text = re.sub(r"probeInterval: \S+", "probeInterval: 1s", text)
        config = self.work / "cluster.yaml"
        config.write_text(text)
        self.daemon = Daemon(config, self.work / "state", self.work,
                             extra_env={"PVE_TOKEN": self.secret_wrong}).start()
        wait_until(lambda: any("authentication failed" in m for m in self.daemon.messages()), 60,
                   "the authentication failure to be reported")
        self.assertTrue(self.daemon.running())
        self.assertNotIn(self.secret_wrong, self.daemon.log_path.read_text())
        self.assertEqual(self.containers(), {})


if __name__ == "__main__":
    framework.require(framework.PVESIM.is_file(), f"{framework.PVESIM} (build the project)")
    framework.require(shutil.which("openssl") is not None, "openssl (apt-get install openssl)")
    framework.main()
