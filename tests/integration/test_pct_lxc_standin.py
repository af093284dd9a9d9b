"""The `pct` stand-in (tests/sim/pct/pct) driven as the proxmox-ssh host provider will drive a
Proxmox node: through Debian's real sshd on loopback (framework.SshServer) with the system ssh
client, checking the host key. Real LXC containers on a test bridge (no NAT, no route out):
create, list and config formats, start, exec with output and exit codes, networking between
containers, push with mode and owner, live memory, resize, snapshot and rollback, shutdown,
destroy, and pct's error texts and exit codes. Needs root, LXC and OpenSSH; the first run on a
machine builds the containers' base root filesystem (1-3 minutes)."""

import fcntl
import os
import pathlib
import re
import shutil
import tempfile
import time
import unittest
import urllib.request

import framework
from framework import SshServer, TestBridge, run

SUBNET = "10.233.{}".format(os.getpid() % 200 + 10)
BRIDGE = f"cvp{os.getpid() % 100000}"
NODE = "pve-test"
A, B = 801, 802
TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"


def ip(vmid: int) -> str:
    return f"{SUBNET}.{vmid - 790}"  # 801 -> .11, 802 -> .12


def net0(vmid: int) -> str:
    return f"name=eth0,bridge={BRIDGE},ip={ip(vmid)}/24,gw={SUBNET}.1"


class PctStandinOverSsh(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = pathlib.Path(tempfile.mkdtemp(prefix="cvpct-"))
        cls.addClassCleanup(shutil.rmtree, cls.work, ignore_errors=True)
        cls.state = cls.work / "state"
        cls.base = framework.ensure_base_rootfs()
        cls.bridge = TestBridge(BRIDGE, f"{SUBNET}.1/24")
        cls.addClassCleanup(cls.bridge.remove)
        cls.server = SshServer.for_pct(cls.work, cls.state, cls.base, node=NODE).start()
        cls.addClassCleanup(cls.server.stop)
        cls.keyfile = cls.work / "ct_keys.pub"
        cls.keyfile.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGl0ZXN0a2V5a2V5a2V5a2V5a2V5"
                               "a2V5a2V5a2V5 test@chainvisor\n")

    def setUp(self):
        self.addCleanup(self.remove_containers)

    def remove_containers(self):
        """Whatever a test left: every container stopped and removed, every config gone."""
        lxcpath = self.state / "lxc"
        if lxcpath.is_dir():
            for entry in lxcpath.iterdir():
                run(["lxc-stop", "-P", lxcpath, "-n", entry.name, "-k"], timeout=60)
                shutil.rmtree(entry, ignore_errors=True)
        shutil.rmtree(self.state / "pve", ignore_errors=True)

    # --- helpers ----------------------------------------------------------------------------

    def pct(self, *args, timeout: float = 300):
        return self.server.run("pct", *args, timeout=timeout)

    def ok(self, *args, timeout: float = 300) -> str:
        r = self.pct(*args, timeout=timeout)
        self.assertEqual(r.returncode, 0, f"pct {' '.join(map(str, args))}: {r.stderr}")
        return r.stdout

    def fails(self, *args, stderr: str, code: int = 255):
        r = self.pct(*args)
        self.assertEqual((r.returncode, r.stderr), (code, stderr), f"pct {args}")
        return r

    def create(self, vmid: int, *extra: str):
        self.ok("create", vmid, TEMPLATE, "--hostname", f"ct{vmid}", "--cores", "1",
                "--memory", "256", "--swap", "0", "--rootfs", "local-lvm:4", "--net0", net0(vmid),
                "--unprivileged", "1", "--features", "nesting=1", "--onboot", "1", *extra)

    def exec(self, vmid: int, *argv: str) -> str:
        return self.ok("exec", vmid, "--", *argv)

    def config(self, vmid: int) -> dict[str, str]:
        return dict(line.split(": ", 1) for line in self.ok("config", vmid).splitlines())

    # --- tests ------------------------------------------------------------------------------

    def test_create_list_config_and_status(self):
        self.assertEqual(self.ok("list"), "")  # pct prints nothing at all without CTs
        self.create(A, "--tags", "Web;alpha,WEB", "--ssh-public-keys", self.keyfile)
        self.create(B)
        self.fails("create", A, TEMPLATE, stderr=f"CT {A} already exists on node '{NODE}'\n")

        self.assertEqual(self.ok("list"),
                         "VMID       Status     Lock         Name                \n"
                         f"{A}        stopped                 ct{A}               \n"
                         f"{B}        stopped                 ct{B}               \n")
        text = self.ok("config", A)
        m = re.search(r"hwaddr=(BC:24:11(?::[0-9A-F]{2}){3}),", text)
        self.assertIsNotNone(m, text)
        self.assertEqual(text, "arch: amd64\n"
                               "cores: 1\n"
                               "features: nesting=1\n"
                               f"hostname: ct{A}\n"
                               "memory: 256\n"
                               f"net0: name=eth0,bridge={BRIDGE},gw={SUBNET}.1,hwaddr={m.group(1)},"
                               f"ip={ip(A)}/24,type=veth\n"
                               "onboot: 1\n"
                               "ostype: debian\n"
                               f"rootfs: local-lvm:vm-{A}-disk-0,size=4G\n"
                               "swap: 0\n"
                               "tags: alpha;web\n"
                               "unprivileged: 1\n")
        self.assertEqual(self.ok("status", A), "status: stopped\n")
        self.fails("config", 803,
                   stderr=f"Configuration file 'nodes/{NODE}/lxc/803.conf' does not exist\n")
        self.fails("status", "abc", stderr="400 Parameter verification failed.\n"
                                           "vmid: type check ('integer') failed - got 'abc'\n"
                                           "pct status <vmid> [OPTIONS]\n")

    def test_start_exec_network_shutdown_and_stop(self):
        self.create(A, "--ssh-public-keys", self.keyfile)
        self.create(B)
        self.assertEqual(self.ok("start", A), "")
        self.ok("start", B)
        self.fails("start", A, stderr=f"CT {A} already running\n")
        self.assertEqual(self.ok("status", A), "status: running\n")
        self.assertIn(f"{A}        running ", self.ok("list"))

        # Commands run inside, with their output and exit codes passed through.
        self.assertEqual(self.exec(A, "cat", "/etc/hostname"), f"ct{A}\n")
        r = self.pct("exec", A, "--", "sh", "-c", "echo out; echo err >&2; exit 3")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (3, "out\n", "err\n"))
        self.assertEqual(self.exec(A, "cat", "/root/.ssh/authorized_keys"),
                         self.keyfile.read_text())
        self.assertIn(f"inet {ip(A)}/24", self.exec(A, "ip", "-4", "-o", "addr", "show", "eth0"))

        # The containers reach each other and the host reaches them, over the bridge only.
        self.exec(B, "mkdir", "-p", "/srv")
        self.exec(B, "sh", "-c", "echo served > /srv/index.html")
        self.exec(B, "systemd-run", "--unit", "web", "python3", "-m", "http.server", "8080",
                  "--directory", "/srv")
        fetch = ("import sys, urllib.request; "
                 "print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode(), end='')")
        url = f"http://{ip(B)}:8080/index.html"
        framework.wait_until(lambda: self.pct("exec", A, "--", "python3", "-c", fetch,
                                              url).stdout == "served\n",
                             30, "container A to fetch from container B")
        with urllib.request.urlopen(url, timeout=5) as response:
            self.assertEqual(response.read(), b"served\n")

        start = time.monotonic()
        self.assertEqual(self.ok("shutdown", A, "--timeout", "60"), "")
        self.assertLess(time.monotonic() - start, 55, "a clean shutdown, not the timeout")
        self.assertEqual(self.ok("status", A), "status: stopped\n")
        self.fails("shutdown", A, stderr=f"CT {A} not running\n")
        self.fails("exec", A, "--", "true", stderr=f"container '{A}' not running!\n")
        self.ok("stop", B)
        self.fails("stop", B, stderr=f"CT {B} not running\n")
        self.assertEqual(self.ok("list").count("stopped"), 2)

    def test_push_sets_content_mode_and_owner(self):
        self.create(A)
        src = self.work / "push.bin"
        content = b"line one\n\x00binary\xff\nlast"
        src.write_bytes(content)
        self.fails("push", A, src, "/root/f", stderr="can only push files to a running CT\n")
        self.ok("start", A)
        # Values never pass through a shell: a destination full of shell syntax is a name.
        odd = "/root/a b;$(touch pwned)'\"`x`"
        self.assertEqual(self.ok("push", A, src, odd, "--perms", "640", "--user", "nobody",
                                 "--group", "nogroup"), "")
        self.assertEqual(self.exec(A, "stat", "-c", "%a %U %G %s", odd),
                         f"640 nobody nogroup {len(content)}\n")
        self.assertEqual(self.exec(A, "sha256sum", odd).split()[0],
                         __import__("hashlib").sha256(content).hexdigest())
        self.assertEqual(self.pct("exec", A, "--", "ls", "/root/pwned").returncode, 2)
        # Defaults: mode 0644 from pct's umask, owner root.
        self.ok("push", A, src, "/tmp/plain")
        self.assertEqual(self.exec(A, "stat", "-c", "%a %U %G", "/tmp/plain"), "644 root root\n")
        # Like the real pct, push is a task whose failure is only reported on stderr: exit 0.
        r = self.pct("push", A, src, "/no/such/dir/f")
        self.assertEqual((r.returncode, r.stderr), (0, "failed to create file: /no/such/dir/f: "
                                                       "No such file or directory\n"))
        r = self.pct("push", A, src, "/tmp/x", "--user", "nosuchuser")
        self.assertEqual((r.returncode, r.stderr), (0, "failed to get uid for: nosuchuser\n"))

    def test_set_resize_and_parameter_errors(self):
        self.create(A, "--tags", "one")
        self.ok("start", A)
        self.assertEqual(self.ok("set", A, "--memory", "384", "--swap", "128", "--tags",
                                 "B;a;b"), "")
        conf = self.config(A)
        self.assertEqual((conf["memory"], conf["swap"], conf["tags"]), ("384", "128", "a;b"))
        lxcpath = self.state / "lxc"
        for key in ("memory.limit_in_bytes", "memory.max"):  # cgroup v1 or v2
            r = run(["lxc-cgroup", "-P", lxcpath, "-n", A, key])
            if r.returncode == 0:
                self.assertEqual(r.stdout.strip(), str(384 * 1024 * 1024), key)
                break
        else:
            self.fail("no memory limit readable through lxc-cgroup")
        hwaddr = re.search(r"hwaddr=([^,]+)", conf["net0"]).group(1)
        self.ok("set", A, "--net0", f"name=eth0,bridge={BRIDGE},hwaddr={hwaddr},ip={ip(A)}/24")
        self.assertEqual(self.config(A)["net0"],
                         f"name=eth0,bridge={BRIDGE},hwaddr={hwaddr},ip={ip(A)}/24,type=veth")

        self.fails("set", A, "--memory", "8", stderr="400 Parameter verification failed.\n"
                                                     "memory: value must have a minimum value "
                                                     "of 16\npct set <vmid> [OPTIONS]\n")
        self.fails("set", A, "--colour", "red", stderr="Unknown option: colour\n"
                                                       "400 unable to parse option\n"
                                                       "pct set <vmid> [OPTIONS]\n")
        self.fails("set", A, "--hostname", "bad_name", stderr=(
            "400 Parameter verification failed.\n"
            "hostname: invalid format - value does not look like a valid DNS name\n\n"
            "pct set <vmid> [OPTIONS]\n"))

        self.assertEqual(self.ok("resize", A, "rootfs", "+1G"), "")
        self.assertEqual(self.config(A)["rootfs"], f"local-lvm:vm-{A}-disk-0,size=5G")
        self.fails("resize", A, "rootfs", "2G", stderr="unable to shrink disk size\n")

    def test_snapshot_rollback_and_delete(self):
        self.create(A)
        self.ok("start", A)
        self.exec(A, "sh", "-c", "echo before > /root/state")
        self.assertEqual(self.ok("snapshot", A, "before", "--description", "first state"), "")
        self.fails("snapshot", A, "before", stderr="snapshot name 'before' already used\n")
        self.fails("snapshot", A, "current",
                   stderr="unable to use snapshot name 'current' (reserved name)\n")
        self.exec(A, "sh", "-c", "echo after > /root/state")
        self.ok("set", A, "--memory", "300")
        tree = self.ok("listsnapshot", A).splitlines()
        self.assertEqual(len(tree), 2, tree)
        # printf "%s %-Ns %-23s %s" with N = 30 - length(prefix), as PVE::GuestHelpers does.
        self.assertRegex(tree[0], r"^`-> before {22}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {5}first state$")
        self.assertEqual(tree[1], " `-> current" + " " * 44 + "You are here!")
        self.assertEqual(self.config(A)["parent"], "before")

        self.ok("rollback", A, "before")  # stops the CT, as Proxmox does
        self.assertEqual(self.ok("status", A), "status: stopped\n")
        self.assertEqual(self.config(A)["memory"], "256")
        self.ok("start", A)
        self.assertEqual(self.exec(A, "cat", "/root/state"), "before\n")
        self.fails("rollback", A, "nope", stderr="snapshot 'nope' does not exist\n")

        self.ok("delsnapshot", A, "before")
        self.assertEqual(self.ok("listsnapshot", A),
                         "`-> current" + " " * 45 + "You are here!\n")
        self.assertNotIn("parent", self.config(A))

    def test_destroy(self):
        self.create(A)
        self.ok("start", A)
        self.fails("destroy", A, stderr=f"unable to destroy CT {A} - container is running\n")
        self.assertEqual(self.ok("destroy", A, "--force", "--purge"),
                         f"forced to stop CT {A} before destroying!\n"
                         f"purging CT {A} from related configurations..\n")
        self.fails("status", A,
                   stderr=f"Configuration file 'nodes/{NODE}/lxc/{A}.conf' does not exist\n")
        self.assertEqual(self.ok("list"), "")
        self.assertEqual(list((self.state / "lxc").iterdir()), [])
        self.assertEqual(run(["lxc-ls", "-P", self.state / "lxc"]).stdout.strip(), "")

    def test_config_lock_times_out_after_ten_seconds(self):
        self.create(A)
        fd = os.open(self.state / "lock" / f"pve-config-{A}.lock", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            start = time.monotonic()
            self.fails("set", A, "--onboot", "0", stderr=(
                f"trying to acquire lock... failed\n"
                f"can't lock file '/run/lock/lxc/pve-config-{A}.lock' - got timeout\n"))
            self.assertGreaterEqual(time.monotonic() - start, 10)
        finally:
            os.close(fd)
        self.ok("set", A, "--onboot", "0")

    def test_a_restarted_node_keeps_its_port_and_host_key(self):
        port = self.server.port
        self.server.kill()
        self.assertFalse(self.server.running())
        r = self.pct("list")
        self.assertEqual(r.returncode, 255)  # ssh's own failure code
        self.assertIn("Connection refused", r.stderr)
        self.server.restart()
        self.assertEqual(self.server.port, port)
        self.assertEqual(self.ok("list"), "")  # host key still matches known_hosts


def main():
    framework.require(framework.have_lxc(), "root and LXC (lxc-start, lxc-attach, ip)")
    framework.require(framework.have_sshd(), "OpenSSH server and client (/usr/sbin/sshd, ssh, "
                                             "ssh-keygen; packaging/install-deps.sh --test)")
    unittest.main()


if __name__ == "__main__":
    main()
