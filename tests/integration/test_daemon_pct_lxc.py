"""chainvisord driving a Proxmox node with `pct` over SSH alone (the proxmox-ssh provider, no API
token): Debian's real sshd on loopback, the pct stand-in (tests/sim/pct) mapping onto real LXC
containers on a test bridge (no NAT, no route out). From empty to serving, healing a container
stopped behind the daemon's back, an SSH endpoint that goes away (its nodes go Unknown and
nothing is done; it comes back and nothing is duplicated), a host key that changes (refused,
with its fingerprint), and a clean stop. Needs root, LXC and OpenSSH."""

import os
import pathlib
import shutil
import tempfile
import unittest
import urllib.request

import framework
from framework import Daemon, SshServer, TestBridge, run, wait_until

SUBNET = "10.234.{}".format(os.getpid() % 200 + 10)
BRIDGE = f"cvs{os.getpid() % 100000}"
NODE = "pve-itest"
CONVERGE = 300


def cluster_yaml(server: SshServer, known_hosts: pathlib.Path) -> str:
    return "\n".join([
        "apiVersion: chainvisor/v1",
        "name: sshtest",
        "hosts:",
        "  - name: pve",
        "    type: proxmox",
        f"    pveNodes: [{NODE}]",
        "    ssh:",
        f"      address: {server.host}",
        f"      port: {server.port}",
        f"      user: {server.user}",
        f"      keyFile: {server.user_key}",
        f"      knownHostsFile: {known_hosts}",
        "defaults:",
        "  osTemplate: local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
        f"  bridge: {BRIDGE}",
        "  resources: {cores: 1, memoryMiB: 256, swapMiB: 0, diskGiB: 1}",
        "networks:",
        "  - name: web",
        "    kind: service",
        "    version: 1.0.0",
        "    service:",
        "      unit: itest-web",
        "      command: [/usr/bin/python3, -m, http.server, '8080', --directory, /srv/www]",
        "      user: nobody",
        "      files: [{path: /srv/www/index.html, content: \"over ssh\\n\"}]",
        "      probe: {port: 8080, path: /index.html, timeout: 1s, failureThreshold: 1}",
        "nodes:",
        f"  - {{name: web1, network: web, role: service, host: pve, pveNode: {NODE}, vmid: 811, "
        f"ip: {SUBNET}.11/24, gateway: {SUBNET}.1}}",
        f"  - {{name: web2, network: web, role: service, host: pve, pveNode: {NODE}, vmid: 812, "
        f"ip: {SUBNET}.12/24, gateway: {SUBNET}.1}}",
        "policy:",
        "  resyncInterval: 2s",
        "  probeInterval: 1s",
        "  budgets: {perHostConcurrent: 2, globalConcurrent: 2}",
    ]) + "\n"


def serves(vmid: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{SUBNET}.{vmid - 800}:8080/index.html",
                                    timeout=1) as response:
            return response.read() == b"over ssh\n"
    except OSError:
        return False


class DaemonOverSsh(unittest.TestCase):
    def setUp(self):
        framework.require(framework.have_lxc() and framework.have_sshd(),
                          "root, LXC (lxc-start, lxc-attach, ip) and OpenSSH (sshd, ssh-keygen)")
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="cvssh-"))
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)
        self.pct_state = self.work / "pct"
        base = framework.ensure_base_rootfs()
        self.bridge = TestBridge(BRIDGE, f"{SUBNET}.1/24")
        self.addCleanup(self.bridge.remove)
        self.server = SshServer.for_pct(self.work, self.pct_state, base, node=NODE).start()
        self.addCleanup(self.server.stop)
        self.addCleanup(self.remove_containers)
        # The daemon's own copy: the test replaces the server's key later.
        self.known_hosts = self.work / "known_hosts"
        shutil.copy(self.server.known_hosts, self.known_hosts)
        self.config = self.work / "cluster.yaml"
        self.config.write_text(cluster_yaml(self.server, self.known_hosts))
        self.daemon = Daemon(self.config, self.work / "state", self.work)
        self.addCleanup(self.stop_daemon)

    def stop_daemon(self):
        if self.daemon.running():
            self.daemon.stop()

    def remove_containers(self):
        lxcpath = self.pct_state / "lxc"
        if lxcpath.is_dir():
            for entry in lxcpath.iterdir():
                run(["lxc-stop", "-P", lxcpath, "-n", entry.name, "-k"], timeout=60)
                shutil.rmtree(entry, ignore_errors=True)

    def pct(self, *args) -> str:
        r = self.server.run("pct", *args, timeout=120)
        self.assertEqual(r.returncode, 0, f"pct {args}: {r.stderr}")
        return r.stdout

    def vmids(self) -> list[str]:
        return [line.split()[0] for line in self.pct("list").splitlines()[1:] if line.strip()]

    def converge(self):
        wait_until(lambda: self.daemon.ready("web1") and self.daemon.ready("web2"), CONVERGE,
                   "web1 and web2 Ready through pct over SSH")
        self.assertTrue(serves(811) and serves(812))

    def test_converges_heals_and_survives_the_endpoint_going_away(self):
        self.daemon.start()
        self.converge()
        self.assertEqual(self.vmids(), ["811", "812"])
        config = self.pct("config", "811")
        self.assertIn("tags: chainvisor;cv-c-sshtest;cv-n-web1", config)
        self.assertIn(f"bridge={BRIDGE}", config)
        # The service's file went in through pct push, with the spec's content.
        self.assertEqual(self.pct("exec", "811", "--", "cat", "/srv/www/index.html"), "over ssh\n")

        # Stopped behind the daemon's back: started again.
        self.pct("stop", "812")
        wait_until(lambda: serves(812), CONVERGE, "web2 serving again after pct stop")
        self.assertTrue(self.daemon.events("web2", "ChainStarted"))

        # The endpoint goes away: its nodes are Unknown, nothing is created or destroyed.
        self.server.kill()
        wait_until(lambda: any("HostUnreachable" in m or "→ Unknown" in m
                               for m in self.daemon.events("web1", "ConditionChanged")),
                   60, "web1 Unknown while sshd is down")
        self.server.restart()
        wait_until(lambda: self.daemon.ready("web1") and self.daemon.ready("web2"), CONVERGE,
                   "Ready again once sshd is back")
        self.assertEqual(self.vmids(), ["811", "812"])  # nothing made twice
        self.assertEqual(self.daemon.stop(), 0)

    def test_a_changed_host_key_is_refused_with_its_fingerprint(self):
        # The daemon knows another key for this address and port.
        other = self.work / "other_key"
        r = run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other])
        self.assertEqual(r.returncode, 0, r.stderr)
        port_name = f"[{self.server.host}]:{self.server.port}"
        self.known_hosts.write_text(
            f"{port_name} {other.with_suffix('.pub').read_text().split(' ', 2)[0]} "
            f"{other.with_suffix('.pub').read_text().split(' ', 2)[1]}\n")
        served = run(["ssh-keygen", "-l", "-E", "sha256", "-f", f"{self.server.host_key}.pub"])
        fingerprint = served.stdout.split()[1]  # SHA256:…
        self.daemon.start()
        wait_until(lambda: any(fingerprint in m for m in self.daemon.messages()), 60,
                   "the refusal naming the server's key fingerprint")
        self.assertFalse(self.vmids())  # nothing was done there
        self.assertFalse(self.daemon.ready("web1"))
        self.assertEqual(self.daemon.stop(), 0)


if __name__ == "__main__":
    framework.main()
