"""chainvisord's /metrics as Prometheus sees it: the daemon manages a small cluster on the
project's Proxmox API simulator (container level), `promtool check metrics` passes on a live
scrape, and Debian's real Prometheus, on loopback with the shipped alert rules loaded, scrapes the
daemon: the target is up, the node and network series answer PromQL, and every rule group loads
and evaluates without error."""

import json
import pathlib
import re
import shutil
import socket
import subprocess
import tempfile
import unittest
import urllib.request
import uuid

import framework
from framework import Daemon, PveSim, wait_until

TOKEN_ID = "root@pam!chainvisor"
RULES = framework.SOURCE_DIR / "etc" / "prometheus" / "chainvisor-alerts.yml"


def cluster_yaml(sim: PveSim) -> str:
    nodes = [f"{{name: web{i}, network: web, role: service, host: pve, pveNode: pve1, "
             f"vmid: {900 + i}, ip: 10.9.0.{i}/24, gateway: 10.9.0.254, labels: {{region: eu}}}}"
             for i in range(1, 4)]
    return framework.pvesim_cluster_yaml(sim, "metrics", TOKEN_ID, ["pve1"], nodes,
                                         ["resyncInterval: 1s", "probeInterval: 1s"])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MetricsAndPrometheus(unittest.TestCase):
    def setUp(self):
        framework.require(shutil.which("prometheus") is not None and
                          shutil.which("promtool") is not None,
                          "Prometheus and promtool (Debian package prometheus)")
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="cvm-"))
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)
        secret = str(uuid.uuid4())
        self.sim = PveSim(self.work, "pve1", TOKEN_ID, secret, task_seconds=0.05)
        self.addCleanup(self.sim.stop)
        config = self.work / "cluster.yaml"
        config.write_text(cluster_yaml(self.sim))
        self.daemon = Daemon(config, self.work / "state", self.work,
                             extra_env={"PVE_TOKEN": secret}).start()
        self.addCleanup(self.stop_daemon)

    def stop_daemon(self):
        if self.daemon.running():
            self.assertEqual(self.daemon.stop(), 0)

    def scrape(self) -> str:
        url = wait_until(self.daemon.metrics_url, 30, "the daemon's metrics address")
        return fetch(url)

    def test_a_live_scrape_passes_promtool_and_reports_the_fleet(self):
        wait_until(lambda: all(self.daemon.ready(f"web{i}") for i in range(1, 4)), 120,
                   "three containers Ready")
        def all_ready_in_scrape():
            text = self.scrape()
            ready = re.findall(r'chainvisor_node_ready\{[^}]*\} 1\n', text)
            return text if len(ready) == 3 else None
        text = wait_until(all_ready_in_scrape, 30, "three ready nodes in the scrape")
        check = subprocess.run(["promtool", "check", "metrics"], input=text, text=True,
                               capture_output=True, timeout=60)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        for i in range(1, 4):
            self.assertRegex(text, rf'chainvisor_node_ready\{{[^}}]*node="web{i}"[^}}]*\}} 1')
        self.assertRegex(text, r'chainvisor_node_info\{[^}]*region="eu"')
        self.assertRegex(text, r'chainvisor_actions_total\{kind="create",result="succeeded"\} 3')
        self.assertRegex(text, r'chainvisor_host_reachable\{host="pve"\} 1')
        self.assertRegex(text, r'chainvisor_host_circuit_open\{host="pve"\} 0')
        # Every API request the provider made was timed.
        self.assertRegex(text,
                         r'chainvisor_host_api_request_duration_seconds_count\{host="pve"\} [1-9]')
        self.assertRegex(text, r'chainvisor_reconcile_passes_total [1-9]')
        self.assertIn('chainvisor_build_info{', text)
        # Only GET and HEAD, and only /metrics (and the index).
        url = self.daemon.metrics_url()
        with self.assertRaises(urllib.error.HTTPError) as missing:
            fetch(url.replace("/metrics", "/nope"))
        self.assertEqual(missing.exception.code, 404)

    def test_real_prometheus_scrapes_the_daemon_with_the_rules_loaded(self):
        target = wait_until(self.daemon.metrics_url, 30, "the daemon's metrics address")
        host_port = target.split("/")[2]
        port = free_port()
        config = self.work / "prometheus.yml"
        config.write_text("\n".join([
            "global: {scrape_interval: 1s, evaluation_interval: 1s}",
            f"rule_files: ['{RULES}']",
            "scrape_configs:",
            "  - job_name: chainvisor",
            f"    static_configs: [{{targets: ['{host_port}']}}]",
        ]) + "\n")
        log = open(self.work / "prometheus.log", "w")
        prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={self.work / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)

        def stop_prometheus():
            prometheus.terminate()
            prometheus.wait(timeout=60)
            log.close()
        self.addCleanup(stop_prometheus)
        api = f"http://127.0.0.1:{port}/api/v1"

        def query(expr: str):
            try:
                body = json.loads(fetch(f"{api}/query?query={urllib.parse.quote(expr)}"))
            except OSError:
                return None
            return body["data"]["result"] if body.get("status") == "success" else None

        wait_until(lambda: query('up{job="chainvisor"} == 1'), 60, "the chainvisor target up")
        wait_until(lambda: len(query("chainvisor_node_ready == 1") or []) == 3, 120,
                   "three ready nodes in Prometheus")
        online = query("chainvisor_network_validators")
        self.assertTrue(online is not None)
        rules = json.loads(fetch(f"{api}/rules"))["data"]["groups"]
        self.assertTrue(rules, "no rule groups loaded")
        names = {r["name"] for g in rules for r in g["rules"]}
        for alert in ("ChainvisorDown", "NetworkBelowQuorum", "HostUnreachable", "NodeDown"):
            self.assertIn(alert, names)
        wait_until(lambda: all(r.get("lastEvaluation", "").startswith("20")
                               for g in json.loads(fetch(f"{api}/rules"))["data"]["groups"]
                               for r in g["rules"]), 30, "every rule evaluated")
        for group in json.loads(fetch(f"{api}/rules"))["data"]["groups"]:
            for rule in group["rules"]:
                self.assertEqual(rule.get("health"), "ok", f"{rule['name']}: {rule.get('lastError')}")
        # A healthy fleet: nothing fires.
        firing = [a for a in json.loads(fetch(f"{api}/alerts"))["data"]["alerts"]
                  if a["state"] == "firing"]
        self.assertEqual(firing, [])


if __name__ == "__main__":
    import urllib.error  # noqa: F401
    import urllib.parse  # noqa: F401
    framework.main()
