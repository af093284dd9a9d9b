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
        self.notify = NotifySocket(work)

    def start(self):
        import subprocess
        env = dict(os.environ, NOTIFY_SOCKET=str(self.notify.path), **self.extra_env)
        self.log_file = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [str(CHAINVISORD), "--config", str(self.config), "--state-dir", str(self.state_dir),
             "--cache-dir", str(self.cache_dir), "--log-format=json", "--log-level=debug"],
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

    def events(self, node: str, kind: str) -> list[str]:
        """Event log lines "NODE KIND: …" for one node and event type."""
        prefix = f"{node} {kind}: "
        return [m for m in self.messages() if m.startswith(prefix)]

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
