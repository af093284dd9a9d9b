"""pvesim, the Proxmox VE API simulator, driven by a real Proxmox client: Debian's
python3-proxmoxer with API-token auth over HTTPS. If proxmoxer can drive a container's whole life
against it and sees the same errors it would see from Proxmox VE, chainvisor's own provider can be
tested against it with some confidence.

Needs: the pvesim binary (build/…/tests/sim/pvesim/pvesim), python3-proxmoxer, openssl."""

import pathlib
import signal
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import framework  # noqa: E402

PVESIM = framework.BUILD_DIR / "tests" / "sim" / "pvesim" / "pvesim"
SECRET = "5f4cd1a0-7b0e-4c53-9a33-0c0f2d3c9e11"
AUDIT_SECRET = "0d7c9a3e-2b51-4a8e-8f0e-6a1c4f9e2b77"
TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"

try:
    import urllib3
    import requests
    from proxmoxer import ProxmoxAPI
    from proxmoxer.core import ResourceException
    urllib3.disable_warnings()
    HAVE_PROXMOXER = True
except ImportError:  # checked in main() through framework.require
    HAVE_PROXMOXER = False


class PveSim:
    """One pvesim process on 127.0.0.1, port 0, with a throwaway self-signed certificate."""

    def __init__(self, workdir: pathlib.Path, *extra: str):
        self.workdir = workdir
        self.cert = workdir / "cert.pem"
        self.key = workdir / "key.pem"
        if not self.cert.exists():
            r = framework.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                               "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", self.key,
                               "-out", self.cert, "-days", "2", "-subj", "/CN=pvesim"])
            if r.returncode != 0:
                raise RuntimeError(f"openssl req: {r.stderr}")
        self.ready = workdir / f"ready-{time.monotonic_ns()}"
        self.stdout = open(workdir / "pvesim.out", "w+")
        self.process = subprocess.Popen(
            [str(PVESIM), "--listen", "127.0.0.1:0", "--cert", str(self.cert), "--key",
             str(self.key), "--nodes", "pve1,pve2", "--token", f"root@pam!ci={SECRET}",
             "--token", f"audit@pve!ro={AUDIT_SECRET}:audit", "--ready-file", str(self.ready),
             *extra],
            stdout=self.stdout, stderr=subprocess.STDOUT)
        framework.wait_until(lambda: self.ready.exists() or self.process.poll() is not None,
                             20, "pvesim to write its ready file")
        if self.process.poll() is not None:
            raise RuntimeError(f"pvesim exited {self.process.returncode}: {self.output()}")
        self.port = int(self.ready.read_text().strip())
        self.clients = []

    def output(self) -> str:
        self.stdout.flush()
        return (self.workdir / "pvesim.out").read_text()

    def api(self, token_name="ci", secret=SECRET, user="root@pam") -> "ProxmoxAPI":
        api = ProxmoxAPI("127.0.0.1", port=self.port, user=user, token_name=token_name,
                         token_value=secret, verify_ssl=False, service="PVE", timeout=30)
        self.clients.append(api)
        return api

    def raw(self, method: str, path: str, **data) -> "requests.Response":
        """One request without proxmoxer (which, in 1.2, drops the body's "errors")."""
        return requests.request(method, f"https://127.0.0.1:{self.port}{path}", data=data,
                                verify=False, timeout=30,
                                headers={"Authorization": f"PVEAPIToken=root@pam!ci={SECRET}"})

    def control(self, method: str, path: str, **data):
        r = self.raw(method, path, **data)
        r.raise_for_status()
        return r.json()["data"]

    def stop(self) -> int:
        for api in self.clients:
            api._store["session"].close()  # proxmoxer keeps a pooled keep-alive connection
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.stdout.close()
        return code


def wait_task(api, node: str, upid: str, timeout: float = 30) -> dict:
    """Polls a task's status until it has stopped; returns the status."""
    def stopped():
        status = api.nodes(node).tasks(upid).status.get()
        return status if status["status"] == "stopped" else None
    return framework.wait_until(stopped, timeout, f"task {upid}", interval=0.05)


class ProxmoxerAgainstPveSim(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="pvesim-")
        cls.sim = PveSim(pathlib.Path(cls.tmp.name), "--task-seconds", "0.2",
                         "--auth-fail-delay-ms", "50")
        cls.pve = cls.sim.api()

    @classmethod
    def tearDownClass(cls):
        code = cls.sim.stop()
        cls.tmp.cleanup()
        if code != 0:
            raise AssertionError(f"pvesim exited {code} on SIGTERM, expected 0")

    def create(self, vmid: int, node: str = "pve1", **extra) -> str:
        params = dict(vmid=vmid, ostemplate=TEMPLATE, hostname=f"ct{vmid}",
                      rootfs="local-lvm:8", memory=1024, cores=2,
                      net0="name=eth0,bridge=vmbr0,ip=dhcp", unprivileged=1,
                      tags="Chain;validator,chain")
        params.update(extra)
        return self.pve.nodes(node).lxc.create(**params)

    def test_ready_line_and_nodes(self):
        self.assertRegex(self.sim.output(), r"^listening on 127\.0\.0\.1:\d+\n")
        nodes = {n["node"]: n for n in self.pve.nodes.get()}
        self.assertEqual(set(nodes), {"pve1", "pve2"})
        self.assertEqual(nodes["pve1"]["status"], "online")
        r = framework.run(["openssl", "x509", "-in", self.sim.cert, "-noout", "-fingerprint",
                           "-sha256"])
        expected = r.stdout.strip().split("=", 1)[1]
        self.assertEqual(nodes["pve2"]["ssl_fingerprint"], expected)
        self.assertEqual(self.pve.version.get()["release"], "8.3")

    def test_container_lifecycle(self):
        pve = self.pve
        upid = self.create(200)
        self.assertRegex(upid, r"^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:vzcreate:200:"
                               r"root@pam!ci:$")
        status = wait_task(pve, "pve1", upid)
        self.assertEqual(status["exitstatus"], "OK")
        log = pve.nodes("pve1").tasks(upid).log.get(start=0, limit=50)
        self.assertEqual(log[-1]["t"], "TASK OK")
        self.assertEqual(log[0]["n"], 1)

        # Values come back normalised.
        config = pve.nodes("pve1").lxc(200).config.get()
        self.assertEqual(config["rootfs"], "local-lvm:vm-200-disk-0,size=8G")
        self.assertEqual(config["tags"], "chain;validator")
        self.assertRegex(config["net0"], r"^name=eth0,bridge=vmbr0,hwaddr=BC:24:11:[0-9A-F:]{8},"
                                         r"ip=dhcp,type=veth$")
        self.assertEqual(config["memory"], 1024)
        self.assertEqual(config["unprivileged"], 1)
        self.assertEqual(len(config["digest"]), 40)

        resources = pve.cluster.resources.get(type="vm")
        entry = [r for r in resources if r["vmid"] == 200][0]
        self.assertEqual(entry["id"], "lxc/200")
        self.assertEqual(entry["node"], "pve1")
        self.assertEqual(entry["status"], "stopped")

        status = wait_task(pve, "pve1", pve.nodes("pve1").lxc(200).status.start.post())
        self.assertEqual(status["exitstatus"], "OK")
        current = pve.nodes("pve1").lxc(200).status.current.get()
        self.assertEqual(current["status"], "running")
        self.assertEqual(current["name"], "ct200")

        # Update with the digest: memory applies live, features wait for the next start.
        digest = pve.nodes("pve1").lxc(200).config.get()["digest"]
        self.assertIsNone(pve.nodes("pve1").lxc(200).config.put(
            memory=2048, features="nesting=1", digest=digest))
        current_only = pve.nodes("pve1").lxc(200).config.get(current=1)
        self.assertEqual(current_only["memory"], 2048)
        self.assertNotIn("features", current_only)
        self.assertEqual(pve.nodes("pve1").lxc(200).config.get()["features"], "nesting=1")
        with self.assertRaises(ResourceException) as stale:
            pve.nodes("pve1").lxc(200).config.put(memory=4096, digest=digest)
        self.assertEqual(stale.exception.status_code, 500)
        self.assertEqual(stale.exception.content,
                         "detected modified configuration - file changed by other user? "
                         "Try again.")

        # Snapshot and roll back (a running CT is stopped by the rollback).
        status = wait_task(pve, "pve1", pve.nodes("pve1").lxc(200).snapshot.post(
            snapname="before", description="known good"))
        self.assertEqual(status["exitstatus"], "OK")
        snaps = {s["name"]: s for s in pve.nodes("pve1").lxc(200).snapshot.get()}
        self.assertEqual(set(snaps), {"before", "current"})
        self.assertEqual(snaps["current"]["parent"], "before")
        pve.nodes("pve1").lxc(200).config.put(memory=512)
        status = wait_task(pve, "pve1",
                           pve.nodes("pve1").lxc(200).snapshot("before").rollback.post())
        self.assertEqual(status["type"], "vzrollback")
        self.assertEqual(status["exitstatus"], "OK")
        self.assertEqual(pve.nodes("pve1").lxc(200).config.get()["memory"], 2048)
        self.assertEqual(pve.nodes("pve1").lxc(200).status.current.get()["status"], "stopped")

        # Start again, stop, destroy.
        wait_task(pve, "pve1", pve.nodes("pve1").lxc(200).status.start.post())
        with self.assertRaises(ResourceException) as running:
            pve.nodes("pve1").lxc(200).delete()
        self.assertEqual(running.exception.content,
                         "unable to destroy CT 200 - container is running")
        status = wait_task(pve, "pve1", pve.nodes("pve1").lxc(200).status.stop.post())
        self.assertEqual(status["exitstatus"], "OK")
        with self.assertRaises(ResourceException) as stopped:
            pve.nodes("pve1").lxc(200).status.stop.post()
        self.assertEqual(stopped.exception.content, "CT 200 not running")
        status = wait_task(pve, "pve1", pve.nodes("pve1").lxc(200).delete(purge=1))
        self.assertEqual(status["exitstatus"], "OK")
        with self.assertRaises(ResourceException) as gone:
            pve.nodes("pve1").lxc(200).config.get()
        self.assertEqual(gone.exception.status_code, 500)
        self.assertEqual(gone.exception.content,
                         "Configuration file 'nodes/pve1/lxc/200.conf' does not exist")

    def test_duplicate_vmid_fails_like_proxmox(self):
        wait_task(self.pve, "pve2", self.create(210, node="pve2"))
        with self.assertRaises(ResourceException) as dup:
            self.create(210, node="pve1")
        self.assertEqual(dup.exception.status_code, 500)
        self.assertEqual(dup.exception.content, "CT 210 already exists on node 'pve2'")
        self.assertEqual(str(dup.exception),
                         "500 Internal Server Error: CT 210 already exists on node 'pve2'")
        with self.assertRaises(ResourceException) as nextid:
            self.pve.cluster.nextid.get(vmid=210)
        self.assertEqual(nextid.exception.status_code, 400)
        self.assertEqual(nextid.exception.content, "Parameter verification failed.")
        body = self.sim.raw("GET", "/api2/json/cluster/nextid?vmid=210").json()
        self.assertEqual(body["errors"], {"vmid": "VM 210 already exists"})
        self.assertIsNone(body["data"])
        # The wrong node for an existing vmid.
        with self.assertRaises(ResourceException) as wrong:
            self.pve.nodes("pve1").lxc(210).status.current.get()
        self.assertEqual(wrong.exception.content,
                         "Configuration file 'nodes/pve1/lxc/210.conf' does not exist")

    def test_bad_token_is_401(self):
        started = time.monotonic()
        with self.assertRaises(ResourceException) as bad:
            self.sim.api(secret="00000000-0000-0000-0000-000000000000").nodes.get()
        self.assertEqual(bad.exception.status_code, 401)
        self.assertEqual(bad.exception.content, "Authentication failed!")
        self.assertGreaterEqual(time.monotonic() - started, 0.05)

    def test_form_boolean_true_is_rejected(self):
        with self.assertRaises(ResourceException) as bad:
            self.create(220, unprivileged="true")
        self.assertEqual(bad.exception.status_code, 400)
        self.assertEqual(bad.exception.content, "Parameter verification failed.")
        r = self.sim.raw("POST", "/api2/json/nodes/pve1/lxc", vmid=220, ostemplate=TEMPLATE,
                         rootfs="local-lvm:8", unprivileged="true")
        self.assertEqual((r.status_code, r.reason), (400, "Parameter verification failed."))
        self.assertEqual(r.json()["errors"],
                         {"unprivileged": "type check ('boolean') failed - got 'true'"})
        self.assertEqual(r.headers["Connection"], "close")  # errors close the connection
        r = self.sim.raw("POST", "/api2/json/nodes/pve1/lxc", vmid=221)
        self.assertEqual(r.json()["errors"],
                         {"ostemplate": "property is missing and it is not optional"})
        # A JSON body may use JSON booleans.
        r = requests.post(f"https://127.0.0.1:{self.sim.port}/api2/json/nodes/pve1/lxc",
                          json={"vmid": 222, "ostemplate": TEMPLATE, "rootfs": "local-lvm:1",
                                "unprivileged": True},
                          headers={"Authorization": f"PVEAPIToken=root@pam!ci={SECRET}"},
                          verify=False, timeout=30)
        self.assertEqual(r.status_code, 200, r.reason)
        self.assertEqual(wait_task(self.pve, "pve1", r.json()["data"])["exitstatus"], "OK")

    def test_http_behaviour_like_pveproxy(self):
        # Bodies over 1 KiB are gzipped for clients that accept it (requests does).
        r = self.sim.raw("GET", "/api2/json/cluster/resources")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers.get("Content-Encoding"), "gzip")
        self.assertEqual(r.headers["Connection"], "Keep-Alive")
        self.assertEqual(r.headers["Server"], "pve-api-daemon/3.0")
        r = self.sim.raw("GET", "/api2/json/nodes/pve1/qemu")
        self.assertEqual((r.status_code, r.reason),
                         (501, "Method 'GET /nodes/pve1/qemu' not implemented"))
        self.assertEqual(r.headers["Connection"], "close")
        # A start is forked before the config is read: a missing CT fails in its task.
        r = self.sim.raw("POST", "/api2/json/nodes/pve1/lxc/999/status/start")
        self.assertEqual(r.status_code, 200)
        status = wait_task(self.pve, "pve1", r.json()["data"])
        self.assertEqual(status["exitstatus"],
                         "Configuration file 'nodes/pve1/lxc/999.conf' does not exist")
        log = self.pve.nodes("pve1").tasks(r.json()["data"]).log.get()
        self.assertEqual(log[-1]["t"], "TASK ERROR: Configuration file "
                                       "'nodes/pve1/lxc/999.conf' does not exist")

    def test_faults_at_run_time(self):
        try:
            self.assertEqual(self.sim.control("POST", "/_sim/faults", spec="error5xx=1"),
                             {"spec": "error5xx=1"})
            with self.assertRaises(ResourceException) as transient:
                self.pve.nodes("pve1").lxc(100).status.start.post()
            self.assertEqual((transient.exception.status_code, transient.exception.content),
                             (500, "got no worker upid - start worker failed"))
            self.sim.control("POST", "/_sim/faults", spec="reset=1")
            with self.assertRaises(requests.exceptions.ConnectionError):
                self.pve.nodes.get()
            self.sim.control("POST", "/_sim/faults", spec="taskfail=1")
            status = wait_task(self.pve, "pve1", self.create(240))
            self.assertRegex(status["exitstatus"], r"^command '.*' failed: exit code \d+$")
            log = self.pve.nodes("pve1").tasks(status["upid"]).log.get()
            self.assertTrue(log[-1]["t"].startswith("TASK ERROR: command '"))
        finally:
            self.sim.control("POST", "/_sim/faults", spec="")
        self.assertEqual(len(self.pve.nodes.get()), 2)

    def test_audit_token_reads_but_cannot_act(self):
        wait_task(self.pve, "pve1", self.create(230))
        ro = self.sim.api(user="audit@pve", token_name="ro", secret=AUDIT_SECRET)
        self.assertIn(230, [r["vmid"] for r in ro.cluster.resources.get(type="vm")])
        with self.assertRaises(ResourceException) as denied:
            ro.nodes("pve1").lxc(230).status.start.post()
        self.assertEqual(denied.exception.status_code, 403)
        self.assertEqual(denied.exception.content,
                         "Permission check failed (/vms/230, VM.PowerMgmt)")

    def test_offline_node_and_statistics(self):
        before = self.sim.control("GET", "/_sim/stats")["total"]
        self.sim.control("POST", "/_sim/node/pve2/offline")
        try:
            nodes = {n["node"]: n["status"] for n in self.pve.nodes.get()}
            self.assertEqual(nodes["pve2"], "offline")
            with self.assertRaises(ResourceException) as down:
                self.pve.nodes("pve2").lxc.get()
            self.assertEqual(down.exception.status_code, 595)
            self.assertEqual(down.exception.content, "Connection refused")
        finally:
            self.sim.control("POST", "/_sim/node/pve2/online")
        stats = self.sim.control("GET", "/_sim/stats")
        self.assertEqual(stats["total"], before + 2)
        self.assertGreaterEqual(stats["routes"]["GET /nodes/{node}/lxc"], 1)


class Connections(unittest.TestCase):
    def test_idle_keep_alive_connections_are_closed(self):
        import socket
        import ssl
        with tempfile.TemporaryDirectory(prefix="pvesim-") as tmp:
            sim = PveSim(pathlib.Path(tmp), "--idle-timeout-ms", "300")
            try:
                ctx = ssl.create_default_context()
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                raw = socket.create_connection(("127.0.0.1", sim.port), timeout=10)
                conn = ctx.wrap_socket(raw)
                conn.sendall(b"GET /api2/json/version HTTP/1.1\r\nHost: pve\r\n"
                             b"Authorization: PVEAPIToken=root@pam!ci=" + SECRET.encode() +
                             b"\r\n\r\n")
                answer = conn.recv(65536)
                self.assertTrue(answer.startswith(b"HTTP/1.1 200 OK\r\n"), answer)
                self.assertIn(b"Connection: Keep-Alive", answer)
                started = time.monotonic()
                # The server closes the idle connection (a plain TCP close, like pveproxy).
                try:
                    rest = conn.recv(1)
                except (ssl.SSLError, ConnectionError):
                    rest = b""
                self.assertEqual(rest, b"")
                self.assertLess(time.monotonic() - started, 5)
                conn.close()
            finally:
                self.assertEqual(sim.stop(), 0)


class Shutdown(unittest.TestCase):
    def test_sigterm_exits_zero_and_bad_arguments_exit_two(self):
        with tempfile.TemporaryDirectory(prefix="pvesim-") as tmp:
            sim = PveSim(pathlib.Path(tmp), "--task-seconds", "5")
            pve = sim.api()
            pve.nodes("pve1").lxc.create(vmid=300, ostemplate=TEMPLATE, rootfs="local-lvm:1")
            self.assertEqual(sim.stop(), 0)  # with a task still running
            r = framework.run([PVESIM, "--listen", "10.0.0.1:8006", "--cert", sim.cert, "--key",
                               sim.key, "--nodes", "pve1", "--token", f"root@pam!ci={SECRET}"])
            self.assertEqual(r.returncode, 2)
            self.assertIn("only loopback addresses are allowed", r.stderr)


def main():
    framework.require(PVESIM.is_file(), f"{PVESIM} (build the project first)")
    framework.require(HAVE_PROXMOXER, "python3-proxmoxer (apt-get install python3-proxmoxer)")
    framework.require(shutil.which("openssl") is not None, "openssl (apt-get install openssl)")
    unittest.main()


if __name__ == "__main__":
    main()
