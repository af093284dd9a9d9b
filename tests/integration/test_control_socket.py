"""The control socket of the real chainvisord, through the real chainvisorctl: status, plan,
events, pause/resume changing what the daemon does (a paused node stopped behind its back stays
stopped until resumed), reconcile --wait, reload of a bad file refused, a user outside the
socket's group refused, and the audit log recording requests and actions. The daemon manages
three containers on the project's Proxmox API simulator (container level)."""

import json
import pathlib
import shutil
import subprocess
import tempfile
import unittest
import uuid

import framework
from framework import Daemon, PveSim, wait_until

TOKEN_ID = "root@pam!chainvisor"
CHAINVISORCTL = framework.BUILD_DIR / "daemon" / "chainvisorctl"


def cluster_yaml(sim: PveSim) -> str:
    nodes = [f"{{name: web{i}, network: web, role: service, host: pve, pveNode: pve1, "
             f"vmid: {950 + i}, ip: 10.9.1.{i}/24, gateway: 10.9.1.254}}"
             for i in range(1, 4)]
    return framework.pvesim_cluster_yaml(sim, "ctl", TOKEN_ID, ["pve1"], nodes,
                                         ["resyncInterval: 1s", "probeInterval: 1s"])


class ControlSocket(unittest.TestCase):
    def setUp(self):
        framework.require(CHAINVISORCTL.is_file(), f"{CHAINVISORCTL} (build the project first)")
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="cvc-"))
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)
        secret = str(uuid.uuid4())
        self.sim = PveSim(self.work, "pve1", TOKEN_ID, secret, task_seconds=0.05)
        self.addCleanup(self.sim.stop)
        self.config = self.work / "cluster.yaml"
        self.config.write_text(cluster_yaml(self.sim))
        self.daemon = Daemon(self.config, self.work / "state", self.work,
                             extra_env={"PVE_TOKEN": secret}).start()
        self.addCleanup(self.stop_daemon)
        wait_until(lambda: all(self.daemon.ready(f"web{i}") for i in range(1, 4)), 120,
                   "three containers Ready")

    def stop_daemon(self):
        if self.daemon.running():
            self.assertEqual(self.daemon.stop(), 0)

    def ctl(self, *args, user: str | None = None) -> subprocess.CompletedProcess:
        argv = [str(CHAINVISORCTL), "--socket", str(self.daemon.control_socket), *args]
        if user is not None:
            argv = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *argv]
        return subprocess.run(argv, capture_output=True, text=True, timeout=120)

    def ok(self, *args) -> str:
        r = self.ctl(*args)
        self.assertEqual(r.returncode, 0, f"chainvisorctl {args}: {r.stdout}{r.stderr}")
        return r.stdout

    def power(self, vmid: int) -> str:
        return self.sim.call("GET", f"/nodes/pve1/lxc/{vmid}/status/current")["status"]

    def test_status_plan_and_events(self):
        text = self.ok("status")
        # The networks' table comes first, then the nodes'.
        networks, nodes = text.split("\nNODE ", 1)
        self.assertIn("NETWORK", networks)
        self.assertRegex(networks, r"\nweb +Ready +Running")
        rows = [line.split() for line in nodes.splitlines() if line.startswith("web")]
        self.assertEqual([r[0] for r in rows], ["web1", "web2", "web3"])
        for row in rows:
            self.assertIn("Ready", row)
            self.assertIn("951" if row[0] == "web1" else row[0][-1], " ".join(row))
        detail = self.ok("status", "web2")
        self.assertIn("web2", detail)
        self.assertIn("Ready", detail)
        status = json.loads(self.ok("--json", "status"))
        self.assertEqual(sorted(n["name"] for n in status["nodes"]), ["web1", "web2", "web3"])
        self.assertTrue(all(n["condition"] == "Ready" for n in status["nodes"]))

        # Converged: the plan is empty, and --exit-code says so with 0.
        self.assertEqual(self.ctl("plan", "--exit-code").returncode, 0)
        events = self.ok("events", "--since", "0")
        self.assertIn("ActionSucceeded", events)
        self.assertIn("web3", events)
        self.assertEqual(self.ctl("status", "nope").returncode, 1)

    def test_pause_changes_what_the_daemon_does_and_is_audited(self):
        self.ok("pause", "web2")
        wait_until(lambda: "Paused" in self.ok("status", "web2"), 30, "web2 Paused")
        # Stopped behind the daemon's back while paused: left alone, pass after pass.
        self.sim.call("POST", "/nodes/pve1/lxc/952/status/stop")
        wait_until(lambda: self.power(952) == "stopped", 30, "952 stopped")
        for _ in range(3):
            self.ok("reconcile", "--wait")
        self.assertEqual(self.power(952), "stopped")
        self.assertEqual(self.ctl("plan", "--exit-code").returncode, 0)  # nothing planned for it

        self.ok("resume", "web2")
        wait_until(lambda: self.power(952) == "running", 60, "952 started again after resume")
        wait_until(lambda: self.daemon.ready("web2"), 60, "web2 Ready again")

        audit = [json.loads(line) for line in
                 (self.work / "state" / "audit.log").read_text().splitlines()]
        requests = [(a["action"], a["node"], a["outcome"]) for a in audit if a["who"] == "root"]
        self.assertIn(("POST /v1/pause", "web2", "ok"), requests)
        self.assertIn(("POST /v1/resume", "web2", "ok"), requests)
        actions = [(a["action"], a["node"]) for a in audit if a["who"] == "chainvisord"]
        self.assertIn(("create", "web1"), actions)
        self.assertEqual(actions.count(("start", "web2")), 2)  # made, then after resume

    def test_outsiders_are_refused_and_a_bad_reload_keeps_the_running_spec(self):
        for args in (("pause",), ("status",)):
            r = self.ctl(*args, user="nobody")
            self.assertEqual(r.returncode, 4, f"{args} as nobody: {r.stdout}{r.stderr}")
        self.assertNotIn("Paused", self.ok("status"))

        good = self.config.read_text()
        self.config.write_text(good.replace("vmid: 951", "vmid: oops"))
        r = self.ctl("reload")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("vmid", r.stdout + r.stderr)
        self.assertTrue(self.daemon.running())
        self.config.write_text(good)
        self.ok("reload")
        self.assertIn("Ready", self.ok("status", "web1"))

    def test_a_daemon_that_is_not_running_is_said_so(self):
        self.assertEqual(self.daemon.stop(), 0)
        r = self.ctl("status")
        self.assertEqual(r.returncode, 3)
        self.assertIn("not running", r.stderr + r.stdout)


if __name__ == "__main__":
    framework.main()
