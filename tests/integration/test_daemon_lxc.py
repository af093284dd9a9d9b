"""chainvisord against real LXC, as root: from empty to converged, healing, live changes, desired
states, orphans, a SIGKILL in the middle of work, reloads good and bad, and a clean stop.

Each test gets its own bridge (no NAT, no route out), state directory and lxcpath, and removes
them. Nodes are `service` nodes running python3's http.server, probed by the daemon and checked
by the test over the bridge."""

import os
import pathlib
import shutil
import signal
import tempfile
import unittest
import urllib.request

import framework
from framework import Daemon, TestBridge, destroy_containers, run, wait_until

SUBNET = "10.232.{}".format(os.getpid() % 200 + 10)
BRIDGE = f"cvd{os.getpid() % 100000}"
FIRST_CONVERGE = 900  # the first test on a fresh machine builds the base root filesystem
CONVERGE = 120


def cluster_yaml(nodes: dict[str, dict], deletion: str = "orphan", vmid_base: int = 700) -> str:
    """A cluster of service nodes; `nodes` maps name → overrides (state, memoryMiB)."""
    lines = [
        "apiVersion: chainvisor/v1",
        "name: itest",
        "hosts: [{name: local, type: local}]",
        f"defaults: {{bridge: {BRIDGE}, resources: {{cores: 1, memoryMiB: 256, swapMiB: 0, "
        "diskGiB: 1}}",
        "networks:",
        "  - name: web",
        "    kind: service",
        "    version: 1.0.0",
        "    service:",
        "      unit: itest-web",
        "      command: [/usr/bin/python3, -m, http.server, '8080', --directory, /srv/www]",
        "      user: nobody",
        "      files: [{path: /srv/www/index.html, content: \"itest\\n\"}]",
        "      probe: {port: 8080, path: /index.html, timeout: 1s, failureThreshold: 1}",
        "nodes:",
    ]
    for i, (name, extra) in enumerate(sorted(nodes.items()), start=1):
        state = extra.get("state", "running")
        memory = extra.get("memoryMiB", 256)
        lines.append(
            f"  - {{name: {name}, network: web, role: service, host: local, "
            f"vmid: {vmid_base + int(name[-1])}, ip: {SUBNET}.{10 + int(name[-1])}/24, "
            f"gateway: {SUBNET}.1, state: {state}, resources: {{memoryMiB: {memory}}}}}")
    lines += [
        "policy:",
        "  resyncInterval: 2s",
        "  probeInterval: 1s",
        f"  deletion: {deletion}",
        "  budgets: {perHostConcurrent: 3, globalConcurrent: 6}",
    ]
    return "\n".join(lines) + "\n"


THREE = {"web1": {}, "web2": {}, "web3": {}}


def serves(name: str) -> bool:
    """Whether node `name` answers over the bridge, as a client would see it."""
    try:
        with urllib.request.urlopen(f"http://{SUBNET}.{10 + int(name[-1])}:8080/index.html",
                                    timeout=1) as response:
            return response.read() == b"itest\n"
    except OSError:
        return False


class DaemonOnLxc(unittest.TestCase):
    first = True

    def setUp(self):
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="cvd-"))
        self.state = self.work / "state"
        self.lxcpath = self.state / "lxc"
        self.config = self.work / "cluster.yaml"
        self.bridge = TestBridge(BRIDGE, f"{SUBNET}.1/24")
        self.daemon = None

    def tearDown(self):
        try:
            if self.daemon is not None and self.daemon.running():
                code = self.daemon.stop()
                self.assertEqual(code, 0, "chainvisord did not stop cleanly on SIGTERM")
                self.assertIn("stopped", self.daemon.messages()[-1])
                self.assertIn("1", self.daemon.notify.assignments("STOPPING"))
        finally:
            destroy_containers(self.lxcpath)
            self.bridge.remove()
            if self.daemon is not None:
                self.daemon.notify.close()
            shutil.rmtree(self.work, ignore_errors=True)

    def write(self, text: str):
        # As an editor or config management does: a new file renamed over the old one.
        tmp = self.config.with_suffix(".new")
        tmp.write_text(text)
        os.replace(tmp, self.config)

    def start(self, nodes=THREE, **kwargs) -> Daemon:
        self.write(cluster_yaml(nodes, **kwargs))
        self.daemon = Daemon(self.config, self.state, self.work).start()
        return self.daemon

    def converge(self, names, timeout=None):
        timeout = timeout or (FIRST_CONVERGE if DaemonOnLxc.first else CONVERGE)
        wait_until(lambda: all(self.daemon.ready(n) for n in names), timeout,
                   f"{', '.join(names)} Ready")
        wait_until(lambda: all(serves(n) for n in names), 30, "the nodes to serve HTTP")
        DaemonOnLxc.first = False

    def containers(self) -> list[str]:
        return sorted(p.name for p in self.lxcpath.iterdir() if p.name.startswith("cv-"))

    def lxc(self, *args, name: str):
        return run([args[0], "-P", self.lxcpath, "-n", name, *args[1:]], timeout=60)

    def power(self, name: str) -> str:
        return self.lxc("lxc-info", "-s", "-H", name=name).stdout.strip()

    def passes_after(self, count: int):
        """Waits until the daemon has reported `count` more passes (one STATUS= each)."""
        seen = len(self.daemon.notify.assignments("STATUS"))
        wait_until(lambda: len(self.daemon.notify.assignments("STATUS")) >= seen + count, 60,
                   f"{count} more passes")

    def test_converges_from_empty_and_heals(self):
        d = self.start()
        wait_until(lambda: "1" in d.notify.assignments("READY"), FIRST_CONVERGE, "READY=1")
        self.converge(["web1", "web2", "web3"])
        self.assertEqual(self.containers(), ["cv-701", "cv-702", "cv-703"])
        wait_until(lambda: any("3 ready" in s for s in d.notify.assignments("STATUS")), 30,
                   "a STATUS line counting 3 ready")

        # A service killed inside its container comes back.
        self.lxc("lxc-attach", "--", "systemctl", "kill", "-s", "KILL", "itest-web", name="cv-701")
        wait_until(lambda: serves("web1"), CONVERGE, "web1 to serve again after SIGKILL")

        # A service stopped inside is started by chainvisord (systemd would leave it stopped).
        starts = len(d.events("web2", "ChainStarted"))
        self.lxc("lxc-attach", "--", "systemctl", "stop", "itest-web", name="cv-702")
        wait_until(lambda: len(d.events("web2", "ChainStarted")) > starts, CONVERGE,
                   "a chain for web2")
        self.assertIn("start-service", d.events("web2", "ChainStarted")[-1])
        wait_until(lambda: serves("web2"), CONVERGE, "web2 to serve again")

        # A container stopped from outside is started again.
        self.lxc("lxc-stop", "-k", name="cv-703")
        wait_until(lambda: any("container stopped, spec says running" in e
                               for e in d.events("web3", "ChainStarted")), CONVERGE,
                   "a start chain for web3")
        wait_until(lambda: serves("web3"), CONVERGE, "web3 to serve again")
        self.assertEqual(self.containers(), ["cv-701", "cv-702", "cv-703"])

    def test_memory_change_is_applied_live(self):
        d = self.start()
        self.converge(["web1", "web2", "web3"])
        init_pid = self.lxc("lxc-info", "-p", "-H", name="cv-701").stdout.strip()
        self.write(cluster_yaml({"web1": {"memoryMiB": 384}, "web2": {}, "web3": {}}))
        want = str(384 * 1024 * 1024)
        key = framework.memory_limit_key()  # cgroup v1 or v2, as the daemon sees it
        wait_until(lambda: self.lxc("lxc-cgroup", key, name="cv-701").stdout.strip() == want,
                   CONVERGE, f"the new memory limit in web1's cgroup ({key})")
        self.assertEqual(self.lxc("lxc-info", "-p", "-H", name="cv-701").stdout.strip(), init_pid,
                         "web1 was restarted for a live change")
        self.assertTrue(any("memory 256 → 384 MiB (live)" in e
                            for e in d.events("web1", "ChainStarted")), d.events("web1", "ChainStarted"))
        self.assertFalse(any("stop" in e.split(": ")[1] for e in d.events("web1", "ChainStarted")))
        self.assertTrue(serves("web1"))

    def test_stopped_state_is_applied_and_kept(self):
        d = self.start()
        self.converge(["web1", "web2", "web3"])
        self.write(cluster_yaml({"web1": {}, "web2": {}, "web3": {"state": "stopped"}}))
        wait_until(lambda: self.power("cv-703") == "STOPPED", CONVERGE, "web3 to stop")
        chains = len(d.events("web3", "ChainStarted"))
        self.passes_after(3)
        self.assertEqual(self.power("cv-703"), "STOPPED")
        self.assertEqual(len(d.events("web3", "ChainStarted")), chains, "web3 was acted on again")
        self.assertTrue(d.ready("web3"))  # stopped as specified is where it should be
        self.assertTrue(serves("web1") and serves("web2"))

    def test_a_removed_node_is_left_alone_and_reported(self):
        d = self.start()
        self.converge(["web1", "web2", "web3"])
        self.write(cluster_yaml({"web1": {}, "web2": {}}))
        wait_until(lambda: any("orphaned" in e for e in d.events("web3", "Notice")), CONVERGE,
                   "a notice that web3 is orphaned")
        self.passes_after(3)
        self.assertEqual(self.power("cv-703"), "RUNNING")
        self.assertTrue(serves("web3"))
        self.assertEqual(len(d.events("web3", "Notice")), 1, "the notice is told once")

    def test_sigkill_in_the_middle_of_work_then_restart(self):
        d = self.start()
        # Kill as soon as the first chains (create, start, install, config, start service) run.
        wait_until(lambda: d.events("web1", "ChainStarted"), FIRST_CONVERGE, "the first chain")
        d.kill()
        d.restart()
        self.converge(["web1", "web2", "web3"])
        self.assertEqual(self.containers(), ["cv-701", "cv-702", "cv-703"])
        for name in self.containers():
            directory = self.lxcpath / name
            self.assertTrue((directory / "chainvisor.json").is_file(), name)
            self.assertFalse((directory / "chainvisor.creating").exists(), name)
        self.assertEqual(list((self.state / "intents").iterdir()), [])
        leftovers = self.lxcpath / ".chainvisor" / "trash"
        self.assertFalse(leftovers.exists() and any(leftovers.iterdir()))

    def test_sighup_with_a_broken_file_keeps_the_running_spec(self):
        d = self.start()
        self.converge(["web1", "web2", "web3"])
        good = self.config.read_text()
        self.write(good.replace("vmid: 702", "vmid: 7x2"))
        d.signal(signal.SIGHUP)
        wait_until(lambda: any(m.startswith("reload failed") for m in d.messages()), 30,
                   "the failed reload to be logged")
        self.assertTrue(any("nodes[1].vmid: expected an integer, got '7x2'" in m
                            for m in d.messages()))
        self.assertTrue(any("reload failed" in s for s in d.notify.assignments("STATUS")))
        self.assertTrue(d.running())
        # Still reconciling on the old spec: a stopped container is brought back.
        self.lxc("lxc-stop", "-k", name="cv-702")
        wait_until(lambda: serves("web2"), CONVERGE, "web2 to be healed on the old spec")
        # A good file is taken again.
        self.write(good)
        d.signal(signal.SIGHUP)
        wait_until(lambda: sum(m.startswith("reloaded") for m in d.messages()) >= 1, 30,
                   "a successful reload")


if __name__ == "__main__":
    framework.require(framework.have_lxc(), "root and the lxc tools (apt-get install lxc)")
    framework.main()
