"""Shared helpers for chainvisor's integration tests: where the binaries are, running them with a
deadline, and the rule that a missing prerequisite skips locally but fails under
CHAINVISOR_REQUIRE_ALL=1 (as .ci/run sets)."""

import os
import pathlib
import subprocess
import sys
import unittest

BUILD_DIR = pathlib.Path(os.environ.get("CHAINVISOR_BUILD_DIR", "build/dev")).resolve()
SOURCE_DIR = pathlib.Path(os.environ.get("CHAINVISOR_SOURCE_DIR", ".")).resolve()
CHAINVISORD = BUILD_DIR / "daemon" / "chainvisord"
CHAINVISORCTL = BUILD_DIR / "daemon" / "chainvisorctl"
EXAMPLES = SOURCE_DIR / "etc" / "examples"
FIXTURES = SOURCE_DIR / "tests" / "fixtures"

SKIP = 77


def require(condition: bool, what: str) -> None:
    """Skips the whole test file when a prerequisite is missing, or fails it under
    CHAINVISOR_REQUIRE_ALL=1."""
    if condition:
        return
    if os.environ.get("CHAINVISOR_REQUIRE_ALL") == "1":
        print(f"FAIL: prerequisite missing: {what} (CHAINVISOR_REQUIRE_ALL=1)", file=sys.stderr)
        sys.exit(1)
    print(f"SKIP: prerequisite missing: {what}", file=sys.stderr)
    sys.exit(SKIP)


def run(args, timeout=60, **kwargs) -> subprocess.CompletedProcess:
    """Runs a command to completion with a deadline, capturing text output."""
    return subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def main() -> None:
    require(CHAINVISORD.is_file(), f"{CHAINVISORD} (build the project first)")
    unittest.main()


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    """Polls `predicate` until it returns something truthy (returned) or `timeout` seconds pass
    (AssertionError naming `what`). The interval is a polling period, not a wait for an event."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


class NotifySocket:
    """A datagram socket standing in for systemd's NOTIFY_SOCKET: collects what the daemon
    says (READY=1, STATUS=…, RELOADING=1, STOPPING=1, WATCHDOG=1)."""

    def __init__(self, directory: pathlib.Path):
        import socket
        self.path = directory / "notify.sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.path))
        self.sock.setblocking(False)
        self.messages: list[str] = []

    def drain(self) -> list[str]:
        while True:
            try:
                self.messages.append(self.sock.recv(65536).decode())
            except BlockingIOError:
                return self.messages

    def assignments(self, key: str) -> list[str]:
        out = []
        for message in self.drain():
            for line in message.split("\n"):
                if line.startswith(key + "="):
                    out.append(line[len(key) + 1:])
        return out

    def close(self):
        self.sock.close()


class Daemon:
    """The real chainvisord, started as systemd would (NOTIFY_SOCKET set), logging JSON lines to a
    file the test reads."""

    def __init__(self, config: pathlib.Path, state_dir: pathlib.Path, work: pathlib.Path,
                 cache_dir: pathlib.Path = pathlib.Path("/var/cache/chainvisor"),
                 extra_env: dict | None = None):
        self.config, self.state_dir, self.work, self.cache_dir = config, state_dir, work, cache_dir
        self.extra_env = extra_env or {}
        self.process = None
        self.log_path = work / "chainvisord.log"
        self.control_socket = work / "control.sock"
        self.notify = NotifySocket(work)

    def start(self):
        import subprocess
        env = dict(os.environ, NOTIFY_SOCKET=str(self.notify.path), **self.extra_env)
        self.log_file = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [str(CHAINVISORD), "--config", str(self.config), "--state-dir", str(self.state_dir),
             "--cache-dir", str(self.cache_dir), "--log-format=json", "--log-level=debug",
             # A free port and a socket of its own: tests never share a daemon's endpoints.
             "--metrics-address", "127.0.0.1:0", "--control-socket", str(self.control_socket)],
            stdout=self.log_file, stderr=subprocess.STDOUT, env=env)
        return self

    def messages(self) -> list[str]:
        """Every log message so far, in order."""
        import json
        out = []
        for line in self.log_path.read_text().splitlines():
            try:
                out.append(json.loads(line)["message"])
            except (ValueError, KeyError):
                out.append(line)  # not ours (a crash message): keep it visible
        return out

    def metrics_url(self) -> str | None:
        """http://127.0.0.1:PORT/metrics once the daemon said where it serves them."""
        for m in self.messages():
            if m.startswith("serving metrics on "):
                return m.split(" ", 3)[3]
        return None

    def events(self, node: str, kind: str) -> list[str]:
        """Event log lines "NODE KIND: …" for one node and event type."""
        prefix = f"{node} {kind}: "
        return [m for m in self.messages() if m.startswith(prefix)]

    def conditions(self) -> dict[str, str]:
        """Each node's condition ("Ready", "Progressing", …) as the daemon reports it now over its
        control socket (`chainvisorctl --json status`); empty while the socket does not answer."""
        import json
        import subprocess
        r = subprocess.run([str(CHAINVISORCTL), "--socket", str(self.control_socket), "--json",
                            "status"], capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            return {}
        return {n["name"]: n["condition"] for n in json.loads(r.stdout)["nodes"]}

    def ready(self, node: str) -> bool:
        changes = self.events(node, "ConditionChanged")
        return bool(changes) and "→ Ready" in changes[-1].split(": ", 2)[1]

    def signal(self, sig):
        self.process.send_signal(sig)

    def stop(self, timeout: float = 120) -> int:
        import signal
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self.log_file.close()
        return code

    def kill(self):
        import signal
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log_file.close()

    def restart(self):
        """Starts the binary again with the same state, log and notify socket."""
        assert not self.running()
        return self.start()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def have_lxc() -> bool:
    import shutil
    return os.geteuid() == 0 and all(shutil.which(t) for t in ("lxc-start", "lxc-attach", "ip"))


def memory_limit_key() -> str:
    """The cgroup key of a container's memory limit (for `lxc-cgroup`), chosen as chainvisord's
    LXC host detects the hierarchy (lib/hosts/lxc/cgroup_facts.cpp): `memory.max` on a unified
    cgroup v2 hierarchy, `memory.limit_in_bytes` where the controllers are v1 (hybrid included)."""
    unified = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
    return "memory.max" if unified else "memory.limit_in_bytes"


class TestBridge:
    """A Linux bridge for test containers: made by the test, removed by it, with an address for
    the gateway and no NAT or route anywhere else."""

    def __init__(self, name: str, gateway_cidr: str):
        self.name = name
        run(["ip", "link", "del", name])  # a leftover from an interrupted run
        for cmd in (["ip", "link", "add", name, "type", "bridge"],
                    ["ip", "addr", "add", gateway_cidr, "dev", name],
                    ["ip", "link", "set", name, "up"]):
            r = run(cmd)
            if r.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")

    def remove(self):
        run(["ip", "link", "del", self.name])


def destroy_containers(lxcpath: pathlib.Path):
    """Stops and removes every container under a test's lxcpath."""
    import shutil
    if not lxcpath.is_dir():
        return
    for entry in lxcpath.iterdir():
        if entry.name.startswith("cv-"):
            run(["lxc-stop", "-P", lxcpath, "-n", entry.name, "-k"], timeout=60)
    shutil.rmtree(lxcpath, ignore_errors=True)


PVESIM = BUILD_DIR / "tests" / "sim" / "pvesim" / "pvesim"


def make_certificate(directory: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path, str]:
    """A throwaway self-signed certificate for 127.0.0.1: (cert, key, SHA-256 fingerprint as
    colon-separated hex, as Proxmox shows it)."""
    cert, key = directory / "pve.crt", directory / "pve.key"
    r = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-days", "2", "-subj", "/CN=pvesim", "-addext",
             "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert])
    if r.returncode != 0:
        raise RuntimeError(f"openssl req: {r.stderr.strip()}")
    r = run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"])
    return cert, key, r.stdout.strip().split("=", 1)[1]


class PveSim:
    """The project's Proxmox VE API simulator on a free loopback port."""

    def __init__(self, work: pathlib.Path, nodes: str, token_id: str, secret: str,
                 task_seconds: float = 0.1, faults: str = ""):
        import subprocess
        self.cert, self.key, self.fingerprint = make_certificate(work)
        self.token = f"{token_id}={secret}"
        args = [str(PVESIM), "--listen", "127.0.0.1:0", "--cert", str(self.cert), "--key",
                str(self.key), "--nodes", nodes, "--token", self.token, "--task-seconds",
                str(task_seconds), "--auth-fail-delay-ms", "50", "--lock-wait", "2", "--quiet"]
        if faults:
            args += ["--faults", faults]
        self.log = open(work / "pvesim.log", "w")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()  # blocks until it listens (or exits)
        if not line.startswith("listening on "):
            raise RuntimeError(f"pvesim did not start: {line!r}")
        self.port = int(line.rsplit(":", 1)[1])
        self.url = f"https://127.0.0.1:{self.port}/api2/json"

    def call(self, method: str, path: str, **params):
        """One API call with the token; returns the parsed 'data'. Raises on HTTP errors."""
        import json
        import ssl
        import urllib.parse
        import urllib.request
        context = ssl.create_default_context(cafile=str(self.cert))
        prefix = "" if path.startswith("/_sim/") else "/api2/json"
        url = f"https://127.0.0.1:{self.port}{prefix}{path}"
        body = None
        if params and method in ("GET", "DELETE"):  # Proxmox refuses a body on these
            url += "?" + urllib.parse.urlencode(params)
        elif params:
            body = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Authorization", f"PVEAPIToken={self.token}")
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return json.loads(response.read())["data"]

    def stop(self) -> int:
        import signal
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code


def pvesim_cluster_yaml(sim: "PveSim", name: str, token_id: str, pve_nodes: list[str],
                        nodes: list[str], policy: list[str],
                        max_concurrent: int | None = None) -> str:
    """A cluster file of `service` nodes on one Proxmox host reached at `sim` (token secret in
    $PVE_TOKEN, the simulator's certificate pinned). `nodes` are flow mappings, one per node
    ("{name: web1, network: web, …}"); `policy` lines go under `policy:`."""
    lines = [
        "apiVersion: chainvisor/v1",
        f"name: {name}",
        "hosts:",
        "  - name: pve",
        "    type: proxmox",
        f"    pveNodes: [{', '.join(pve_nodes)}]",
    ]
    if max_concurrent is not None:
        lines.append(f"    maxConcurrentOperations: {max_concurrent}")
    lines += [
        "    api:",
        f"      url: {sim.url}",
        f"      tokenId: {token_id}",
        "      tokenSecretEnv: PVE_TOKEN",
        f"      fingerprint: \"{sim.fingerprint}\"",
        "defaults:",
        "  osTemplate: local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
        "  resources: {cores: 1, memoryMiB: 512, swapMiB: 0, diskGiB: 4}",
        "networks:",
        "  - {name: web, kind: service, version: 1.0.0, service: {command: [/bin/true]}}",
        "nodes:",
    ]
    lines += [f"  - {n}" for n in nodes]
    lines += ["policy:"] + [f"  {p}" for p in policy]
    return "\n".join(lines) + "\n"


# --- An SSH "Proxmox node": Debian's real sshd on loopback, running the `pct` stand-in ---------

PCT_STANDIN_DIR = SOURCE_DIR / "tests" / "sim" / "pct"  # holds the executable `pct`
ENSURE_BASE = BUILD_DIR / "tests" / "integration" / "lxc" / "chainvisor_ensure_base"
BASE_CACHE_DIR = pathlib.Path("/var/cache/chainvisor/lxc")
SSHD = pathlib.Path("/usr/sbin/sshd")


def have_sshd() -> bool:
    """Root, OpenSSH's server and client (Debian's openssh-server, openssh-client)."""
    import shutil
    return (os.geteuid() == 0 and SSHD.is_file()
            and all(shutil.which(t) for t in ("ssh", "ssh-keygen")))


def ensure_base_rootfs(cache_dir: pathlib.Path = BASE_CACHE_DIR,
                       timeout: float = 1500) -> pathlib.Path:
    """The shared base root filesystem the LXC host provider overlays (CACHE/bookworm-base),
    built with debootstrap exactly as the provider builds it (chainvisor_ensure_base, which
    calls hosts::lxc::BaseRootfs) when it is missing: 1-3 minutes once, then instant."""
    base = cache_dir / "bookworm-base"
    if (base / "etc").is_dir():
        return base
    if not ENSURE_BASE.is_file():
        raise RuntimeError(f"{ENSURE_BASE} is missing: build the tests first")
    r = run([ENSURE_BASE, cache_dir], timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"building the base root filesystem failed: {r.stderr.strip()}")
    return pathlib.Path(r.stdout.strip())


class SshServer:
    """Debian's real sshd on 127.0.0.1 and a free port, accepting `root` with a throwaway
    ed25519 key pair: the SSH endpoint of a "Proxmox node" for the proxmox-ssh host provider.

    Everything lives in `work`/sshd (host key, user key, authorized_keys, known_hosts,
    sshd_config, pid file, log). Environment variables reach every session through sshd's
    SetEnv (OpenSSH 9.2 applies it after its own defaults, so it overrides PATH); `path` is
    put in front of PATH, so `pct` there is what a remote `pct …` runs. Root's own shell
    startup files still run (bash sources ~/.bashrc for sshd sessions) and may prepend more
    directories to PATH.

        server = SshServer.for_pct(work, state, base).start()
        self.addCleanup(server.stop)
        server.run("pct", "list")            # through the system ssh client
        server.port, server.known_hosts, server.user_key, server.host, server.user
        server.kill(); server.restart()      # same port, same keys: a node that came back

    Also a context manager (`with SshServer(…) as server:` starts and stops it)."""

    host = "127.0.0.1"
    user = "root"

    def __init__(self, work: pathlib.Path, env: dict[str, str] | None = None,
                 path: list[pathlib.Path] | None = None):
        import re
        self.dir = pathlib.Path(work) / "sshd"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.host_key = self.dir / "ssh_host_ed25519_key"
        self.user_key = self.dir / "id_ed25519"
        self.authorized_keys = self.dir / "authorized_keys"
        self.known_hosts = self.dir / "known_hosts"
        self.config = self.dir / "sshd_config"
        self.pid_file = self.dir / "sshd.pid"
        self.log_path = self.dir / "sshd.log"
        dirs = [str(p) for p in (path or [])] + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        self.env = {"PATH": ":".join(dirs), **(env or {})}
        for key, value in self.env.items():
            # SetEnv values are one sshd_config token each: no quotes, no white space.
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) or re.search(r"[\s\"'\\]",
                                                                             value):
                raise ValueError(f"cannot pass {key}={value!r} through sshd's SetEnv")
        self.port: int | None = None
        self.process = None
        self._log = None
        for key in (self.host_key, self.user_key):
            if not key.exists():
                r = run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                         f"chainvisor-test-{key.name}", "-f", key])
                if r.returncode != 0:
                    raise RuntimeError(f"ssh-keygen: {r.stderr.strip()}")
        os.chmod(self.user_key, 0o600)
        self.authorized_keys.write_text(self.user_key.with_suffix(".pub").read_text())

    @classmethod
    def for_pct(cls, work: pathlib.Path, state: pathlib.Path, base: pathlib.Path,
                node: str = "pve-test", task_seconds: float | None = None) -> "SshServer":
        """A node whose `pct` is the stand-in in tests/sim/pct, keeping its containers and
        configs in `state` and overlaying `base` (ensure_base_rootfs())."""
        env = {"PCT_STANDIN_STATE": str(state), "PCT_STANDIN_BASE": str(base),
               "PCT_STANDIN_NODE": node}
        if task_seconds is not None:
            env["PCT_STANDIN_TASK_SECONDS"] = str(task_seconds)
        return cls(work, env=env, path=[PCT_STANDIN_DIR])

    def _write_config(self):
        setenv = " ".join(f"{k}={v}" for k, v in self.env.items())
        self.config.write_text("\n".join([
            f"Port {self.port}",
            f"ListenAddress {self.host}",
            "AddressFamily inet",
            f"HostKey {self.host_key}",
            f"PidFile {self.pid_file}",
            f"AuthorizedKeysFile {self.authorized_keys}",
            "AuthenticationMethods publickey",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            "PermitUserEnvironment no",
            "StrictModes no",
            "UsePAM no",
            "UseDNS no",
            "PrintMotd no",
            "LogLevel VERBOSE",
            "Subsystem sftp internal-sftp",
            f"SetEnv {setenv}",
        ]) + "\n")

    def start(self, timeout: float = 30) -> "SshServer":
        """Starts sshd (on a new free port the first time, on the same port afterwards) and
        waits until it answers with its SSH banner."""
        import subprocess
        assert not self.running(), "sshd is running already"
        # sshd's privilege separation directory (the ssh.service unit makes it at boot).
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        fixed = self.port is not None
        for _ in range(1 if fixed else 5):
            if not fixed:
                self.port = _free_port()
            self._write_config()
            self.known_hosts.write_text(f"[{self.host}]:{self.port} "
                                        + " ".join(self.host_key.with_suffix(".pub")
                                                   .read_text().split()[:2]) + "\n")
            self._log = open(self.log_path, "a")
            self.process = subprocess.Popen(
                [str(SSHD), "-D", "-e", "-f", str(self.config)], stdin=subprocess.DEVNULL,
                stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait_ready(timeout):
                return self
            self._log.close()
            if "Address already in use" not in self.log_path.read_text():
                break
        raise RuntimeError(f"sshd did not start on port {self.port}: "
                           + " | ".join(self.log_path.read_text().splitlines()[-5:]))

    def _wait_ready(self, timeout: float) -> bool:
        import socket
        import time
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection((self.host, self.port), timeout=2) as s:
                    if s.recv(64).startswith(b"SSH-2.0-"):
                        return True
            except OSError:
                pass
            time.sleep(0.05)
        self.process.kill()
        self.process.wait(timeout=30)
        return False

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM to the listener and to every connection's sshd (each runs in a session of
        its own, so not through the process group); waits for the listener."""
        import signal
        if self.process is None:
            return None
        if self.process.poll() is None:  # never signal a pid that was reaped (and reused)
            self._signal_all(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        if self._log is not None:
            self._log.close()
        return code

    def kill(self):
        """SIGKILL to the listener and every connection's sshd: the node vanishes mid-session.
        Commands the sessions started (pct …) run on, like on a node whose network went away."""
        import signal
        if self.running():
            self._signal_all(signal.SIGKILL)
        self.stop()

    def _signal_all(self, sig):
        """`sig` to the listener, then to the sshd processes below it (connections, privilege
        separation children) — never to the commands the sessions run."""
        import contextlib
        children: dict[int, list[int]] = {}
        names: dict[int, str] = {}
        for entry in pathlib.Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # "PID (COMM) STATE PPID …"; COMM may contain spaces and parentheses.
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
            names[int(entry.name)] = comm
        targets, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            if pid == self.process.pid or names.get(pid) == "sshd":
                targets.append(pid)
                todo.extend(children.get(pid, []))
        for pid in targets:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    def restart(self, timeout: float = 30) -> "SshServer":
        """Stops sshd if it runs and starts it again on the same port with the same keys."""
        self.stop()
        return self.start(timeout)

    def ssh_command(self, *remote: str, quote: bool = True) -> list[str]:
        """The system ssh client's argv for running `remote` on the node: the test's key,
        known_hosts checked strictly, no user or agent configuration. Each argument is quoted
        for the remote shell unless quote=False (then they are joined as they are)."""
        import shlex
        command = " ".join(shlex.quote(str(a)) for a in remote) if quote else \
            " ".join(str(a) for a in remote)
        return ["ssh", "-F", "/dev/null", "-T", "-o", "BatchMode=yes",
                "-o", f"UserKnownHostsFile={self.known_hosts}",
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
                "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
                "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
                "-i", str(self.user_key), "-p", str(self.port),
                f"{self.user}@{self.host}", command]

    def run(self, *remote: str, timeout: float = 300, input: str | None = None,
            quote: bool = True) -> subprocess.CompletedProcess:
        """Runs `remote` on the node through ssh; returns its exit code and output."""
        return run(self.ssh_command(*remote, quote=quote), timeout=timeout, input=input)

    def __enter__(self) -> "SshServer":
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _free_port() -> int:
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Stand-ins of node software (tests/fixtures/<kind>, TEST DOUBLES) on loopback addresses ---

def loopback_address(host: int) -> str:
    """127.A.B.`host`: an address in a loopback /24 of this run's own (any 127.x.y.z works on
    Linux without set-up), so runs side by side do not meet."""
    pid = os.getpid()
    return f"127.{100 + pid % 100}.{1 + pid // 100 % 250}.{host}"


def make_release_archive(script: pathlib.Path, version: str, out: pathlib.Path,
                         *extra: str) -> tuple[pathlib.Path, str]:
    """Runs a stand-in's make_<kind>_archive.py (`--version VERSION --out OUT EXTRA…`); returns
    (archive path, sha256) from the line it prints."""
    r = run([sys.executable, script, "--version", version, "--out", out, *extra])
    if r.returncode != 0:
        raise RuntimeError(f"{pathlib.Path(script).name}: {r.stderr.strip()}")
    sha, path = r.stdout.split()
    return pathlib.Path(path), sha


def unpack_release(archive: pathlib.Path, root: pathlib.Path) -> pathlib.Path:
    """Unpacks a release archive NAME.tar.gz into `root` with tar -xzf, as the daemon unpacks
    one; returns the release's directory, root/NAME."""
    root.mkdir(parents=True, exist_ok=True)
    r = run(["tar", "-xzf", archive, "-C", root])
    if r.returncode != 0:
        raise RuntimeError(f"tar -xzf {archive}: {r.stderr.strip()}")
    return root / archive.name.removesuffix(".tar.gz")


def prometheus_values(text: str) -> dict[str, float]:
    """The samples of a Prometheus text exposition ("name value" lines, no labels)."""
    return {line.split()[0]: float(line.split()[1])
            for line in text.splitlines() if line and not line.startswith("#")}


class StandinProcess:
    """One stand-in process on its own loopback address, in a directory of its own, its output
    appended to a log file there. Subclasses add how it is started (spawn()) and what it
    answers; status() is their one-line state for a failure message."""

    def __init__(self, work: pathlib.Path, name: str, host: int, log_name: str):
        self.name, self.ip = name, loopback_address(host)
        self.dir = work / name
        self.dir.mkdir(parents=True)
        self.log_path = self.dir / log_name
        self.process = None
        self._log = None

    def spawn(self, args: list, env: dict[str, str] | None = None):
        """Starts `args` with `env` added to the environment, stdin from /dev/null."""
        assert not self.running(), f"{self.name} runs already"
        if self._log is not None:
            self._log.close()
        self._log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [str(a) for a in args], stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {})))
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig=None, timeout: float = 30) -> tuple[int, float]:
        """Stops it with `sig` (SIGTERM by default); (exit code, seconds it took)."""
        import signal
        import time
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM if sig is None else sig)
        code = self.process.wait(timeout=timeout)
        self._log.close()
        self._log = None
        return code, time.monotonic() - started

    def kill(self):
        if self.running():
            self.process.kill()
            self.process.wait(timeout=30)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def status(self) -> str:
        return "running"

    def request(self, method: str, path: str, port: int, body: bytes | None = None,
                headers: dict[str, str] | None = None,
                host: str | None = None) -> tuple[int, bytes]:
        """One HTTP request to ip:`port`; (status, body). Host is ip:port unless `host` is
        given; no header is added but Host, `headers` and Content-Length (with a body)."""
        import http.client
        connection = http.client.HTTPConnection(self.ip, port, timeout=3)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", f"{self.ip}:{port}" if host is None else host)
            for key, value in (headers or {}).items():
                connection.putheader(key, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


class StandinTestCase(unittest.TestCase):
    """A test case of stand-ins: cls.work (make_work_dir()), per test self.case_dir and
    self.nodes (adopt(): killed at the end of the test), until() showing every node's state and
    log tail on a timeout, and the check of a release archive. Used through `framework.`, so
    that unittest does not collect it in the test files."""

    work: pathlib.Path

    @classmethod
    def make_work_dir(cls, prefix: str) -> pathlib.Path:
        """A temporary directory for the whole class, removed after it."""
        import shutil
        import tempfile
        cls.work = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
        cls.addClassCleanup(shutil.rmtree, cls.work, ignore_errors=True)
        return cls.work

    def setUp(self):
        self.nodes: list[StandinProcess] = []
        self.case_dir = self.work / self.id().rsplit(".", 1)[1]

    def adopt(self, node: StandinProcess) -> StandinProcess:
        self.nodes.append(node)
        self.addCleanup(node.kill)
        return node

    def describe(self) -> str:
        out = []
        for n in self.nodes:
            state = n.status() if n.running() else "not running"
            tail = "\n    ".join(n.log().splitlines()[-12:])
            out.append(f"--- {n.name} ({n.ip}): {state}\n    {tail}")
        return "\n".join(out)

    def until(self, predicate, timeout: float, what: str, interval: float = 0.05):
        """wait_until, with every node's state and log tail on a timeout."""
        try:
            return wait_until(predicate, timeout, what, interval)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.describe()}") from None

    def assert_release_archive(self, archive: pathlib.Path, sha: str, launcher: str,
                               standin: pathlib.Path, again: tuple[pathlib.Path, str]) -> str:
        """`archive` (sha256 `sha`) is a release as tests/fixtures/release_archive.py packs it:
        TOP/bin/`launcher` (0755, a TEST DOUBLE's #!/bin/sh launcher) and TOP/lib/ holding
        `standin` as it is (0644), all root:root with one mtime; `again`, (path, sha256) made
        again from the same inputs, has the same bytes. Returns the launcher's text."""
        import hashlib
        import tarfile
        top = archive.name.removesuffix(".tar.gz")
        with tarfile.open(archive) as tar:
            members = tar.getmembers()
            text = tar.extractfile(f"{top}/bin/{launcher}").read().decode()
            packed = tar.extractfile(f"{top}/lib/{standin.name}").read()
        self.assertEqual([(m.name, m.mode, m.isdir()) for m in members], [
            (top, 0o755, True), (f"{top}/bin", 0o755, True),
            (f"{top}/bin/{launcher}", 0o755, False), (f"{top}/lib", 0o755, True),
            (f"{top}/lib/{standin.name}", 0o644, False)])
        self.assertEqual({(m.uid, m.gid, m.uname, m.gname, m.mtime) for m in members},
                         {(0, 0, "root", "root", members[0].mtime)})
        self.assertTrue(text.startswith("#!/bin/sh\n"))
        self.assertIn("TEST DOUBLE", text)
        self.assertEqual(packed, standin.read_bytes())
        self.assertIn("TEST DOUBLE", packed.decode()[:200])
        # The same inputs make the same bytes, and the printed digest is theirs.
        self.assertEqual((again[1], again[0].read_bytes()), (sha, archive.read_bytes()))
        self.assertEqual(hashlib.sha256(archive.read_bytes()).hexdigest(), sha)
        return text
