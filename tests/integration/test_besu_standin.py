"""The Besu stand-in (tests/fixtures/besu), the TEST DOUBLE that integration tests run in place of
Hyperledger Besu, checked on its own before anything relies on it. It is packed by
make_besu_archive.py into a release-shaped archive and started from it as chainvisor starts Besu
(bin/besu --config-file=…, config.toml in chainvisor's format), here directly on loopback
addresses of this run (no containers): four validators and an RPC node.

Checked: the archive and --version; identity (keccak, secp256k1, enode, address) against
chainvisorctl, which uses libsecp256k1; a missing key file becoming a new key; fatal
configuration errors; the Host allowlist; /liveness, /readiness, JSON-RPC and /metrics; and the
QBFT rule chainvisor's safety depends on: blocks about once a period with 4 and with 3 of 4
validators (⌈2·4/3⌉ = 3), every validator sealing in turn, a halt with 2 of 4 and a resumption
when a third returns; the RPC node following; a validator with an empty data directory syncing
(visibly) and sealing again; a broken version (nopeers) never becoming ready; clean stops."""

import hashlib
import http.client
import importlib.util
import json
import pathlib
import shutil
import signal
import sys
import time
import unittest

import framework
from framework import require, run

STANDIN_DIR = framework.FIXTURES / "besu"
STANDIN = STANDIN_DIR / "besu_standin.py"
MAKE_ARCHIVE = STANDIN_DIR / "make_besu_archive.py"
CHAINVISORCTL = framework.BUILD_DIR / "daemon" / "chainvisorctl"

# Each node on a loopback address of this run's own (framework.loopback_address) with Besu's
# default ports.
P2P_PORT, RPC_PORT, METRICS_PORT = 30303, 8545, 9545
CHAIN_ID = 1337
PERIOD = 1.0  # blockperiodseconds
GOOD, NOPEERS, EXITS = "25.1.0", "25.2.0", "25.3.0"
CLIENT = f"besu/v{GOOD}/linux-x86_64/openjdk-java-21"
HOST_REFUSED = b'{"message":"Host not authorized."}'


def load_standin_module():
    spec = importlib.util.spec_from_file_location("besu_standin", STANDIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rlp(item) -> bytes:
    def prefix(length: int, offset: int) -> bytes:
        if length < 56:
            return bytes([offset + length])
        size = length.to_bytes((length.bit_length() + 7) // 8, "big")
        return bytes([offset + 55 + len(size)]) + size

    if isinstance(item, list):
        payload = b"".join(rlp(i) for i in item)
        return prefix(len(payload), 0xC0) + payload
    if len(item) == 1 and item[0] < 0x80:
        return item
    return prefix(len(item), 0x80) + item


def qbft_extra_data(addresses: list[str]) -> str:
    """RLP [32-byte vanity, [validators, sorted], no vote [], round 0 (0x80), no seals []]."""
    validators = [bytes.fromhex(a.removeprefix("0x")) for a in sorted(addresses)]
    return "0x" + rlp([bytes(32), validators, [], b"", []]).hex()


def genesis_json(validators: list[str]) -> str:
    """A QBFT genesis as chainvisor's lib/nodes/besu/genesis.cpp writes it."""
    return json.dumps({
        "config": {"chainId": CHAIN_ID, "berlinBlock": 0, "londonBlock": 0, "zeroBaseFee": True,
                   "qbft": {"blockperiodseconds": int(PERIOD), "epochlength": 30000,
                            "requesttimeoutseconds": 4}},
        "nonce": "0x0", "timestamp": "0x0", "extraData": qbft_extra_data(validators),
        "gasLimit": "0x1fffffffffffff", "difficulty": "0x1",
        "mixHash": "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365",
        "coinbase": "0x0000000000000000000000000000000000000000", "alloc": {},
    }, indent=2) + "\n"


def toml_list(values) -> str:
    return "[" + ",".join(f'"{v}"' for v in values) + "]"


def make_archive(version: str, out: pathlib.Path, broken: str | None = None):
    return framework.make_release_archive(MAKE_ARCHIVE, version, out,
                                          *(["--broken", broken] if broken else []))


def install(archive: pathlib.Path, root: pathlib.Path) -> pathlib.Path:
    """Unpacks a release archive as the daemon does; returns its bin/besu."""
    return framework.unpack_release(archive, root) / "bin" / "besu"


def ctl_identity(key_file: pathlib.Path) -> tuple[str, str]:
    """(address, public key) of a key file, from chainvisorctl (libsecp256k1)."""
    r = run([CHAINVISORCTL, "besu", "address", "--key-file", key_file, "--json"])
    if r.returncode != 0:
        raise RuntimeError(f"chainvisorctl besu address: {r.stderr.strip()}")
    doc = json.loads(r.stdout)
    return doc["address"].lower(), doc["publicKey"]


class RpcFailed(Exception):
    def __init__(self, error: dict):
        super().__init__(f"{error['code']} {error['message']}")
        self.code, self.message = error["code"], error["message"]


class BesuNode(framework.StandinProcess):
    """One stand-in on its own loopback address, laid out as chainvisor lays out a node: key
    file, config.toml, genesis, static nodes, permissions, data directory."""

    def __init__(self, work: pathlib.Path, name: str, host: int, secret: str | None = None):
        super().__init__(work, name, host, "besu.log")
        self.key_file = self.dir / "key"
        self.data = self.dir / "data"
        self.config_file = self.dir / "config.toml"
        self.secret = secret
        self.address = self.public = ""
        if secret is not None:
            self.key_file.write_text(f"0x{secret}")  # as Besu writes it: no newline
            self.address, self.public = ctl_identity(self.key_file)

    @property
    def enode(self) -> str:
        return f"enode://{self.public}@{self.ip}:{P2P_PORT}"

    def configure(self, genesis: pathlib.Path, static: list[str] | None = None,
                  allowlist: list[str] | None = None, bootnodes: list[str] | None = None,
                  apis=("ETH", "NET", "WEB3", "ADMIN", "QBFT"), validator: bool = True):
        """config.toml as lib/nodes/besu/config_toml.cpp renders it."""
        lines = ["# Written by chainvisord; changes here are overwritten.",
                 f'data-path="{self.data}"',
                 f'genesis-file="{genesis}"',
                 f'node-private-key-file="{self.key_file}"',
                 f'p2p-host="{self.ip}"',
                 f"p2p-port={P2P_PORT}"]
        if bootnodes:
            lines.append(f"bootnodes={toml_list(bootnodes)}")
        if static is not None:
            path = self.dir / "static-nodes.json"
            path.write_text(json.dumps(sorted(static), indent=2) + "\n")
            lines.append(f'static-nodes-file="{path}"')
        if allowlist is not None:
            path = self.dir / "permissions_config.toml"
            path.write_text("# Written by chainvisord; changes here are overwritten.\n"
                            f"nodes-allowlist={toml_list(sorted(allowlist))}\n")
            lines += ["permissions-nodes-config-file-enabled=true",
                      f'permissions-nodes-config-file="{path}"']
        lines += ["rpc-http-enabled=true",
                  f'rpc-http-host="{self.ip}"',  # chainvisor: 0.0.0.0 in a container
                  f"rpc-http-port={RPC_PORT}",
                  f"rpc-http-api={toml_list(apis)}",
                  f'host-allowlist=["localhost","127.0.0.1","{self.ip}"]',
                  "metrics-enabled=true",
                  f'metrics-host="{self.ip}"',
                  f"metrics-port={METRICS_PORT}",
                  "min-gas-price=0"]
        if validator:
            lines.append('sync-mode="FULL"')
        self.config_file.write_text("\n".join(lines) + "\n")

    # --- process ---

    def start(self, besu: pathlib.Path):
        return self.spawn([besu, f"--config-file={self.config_file}"],
                          env={"BESU_OPTS": "-Xmx1g"})  # as the unit sets it; ignored

    def status(self) -> str:
        return f"height {self.height()}, peers {self.peer_count()}"

    # --- HTTP ---

    def request(self, method: str, path: str, body=None, host: str | None = None,
                port: int = RPC_PORT) -> tuple[int, bytes]:
        """`body`, if any, sent as JSON."""
        if body is None:
            return super().request(method, path, port, host=host)
        return super().request(method, path, port, json.dumps(body).encode(),
                               {"Content-Type": "application/json"}, host)

    def call(self, method: str, *params):
        status, body = self.request("POST", "/", {"jsonrpc": "2.0", "id": 7, "method": method,
                                                  "params": list(params)})
        doc = json.loads(body)
        assert status == 200 and doc["jsonrpc"] == "2.0" and doc["id"] == 7, (status, doc)
        if "error" in doc:
            raise RpcFailed(doc["error"])
        return doc["result"]

    def poll(self, method: str, *params):
        """call(), or None while the node does not answer."""
        try:
            return self.call(method, *params)
        except (OSError, http.client.HTTPException):
            return None

    def height(self) -> int | None:
        result = self.poll("eth_blockNumber")
        return None if result is None else int(result, 16)

    def peer_count(self) -> int | None:
        result = self.poll("net_peerCount")
        return None if result is None else int(result, 16)

    def health(self, path: str) -> int | None:
        try:
            return self.request("GET", path)[0]
        except (OSError, http.client.HTTPException):
            return None

    def signer_metrics(self, *params) -> dict[str, tuple[int, int]]:
        return {m["address"]: (int(m["proposedBlockCount"], 16),
                               int(m["lastProposedBlockNumber"], 16))
                for m in self.call("qbft_getSignerMetrics", *params)}

    def metrics(self) -> dict[str, float]:
        status, body = self.request("GET", "/metrics", port=METRICS_PORT)
        assert status == 200, status
        return framework.prometheus_values(body.decode())


class BesuStandin(framework.StandinTestCase):
    @classmethod
    def setUpClass(cls):
        cls.make_work_dir("cvbesu-")
        archives = cls.work / "archives"
        cls.archive, cls.sha = make_archive(GOOD, archives)
        cls.good = install(cls.archive, cls.work / "opt")
        cls.nopeers = install(make_archive(NOPEERS, archives, "nopeers")[0], cls.work / "opt")
        cls.exits = install(make_archive(EXITS, archives, "exit")[0], cls.work / "opt")
        # Fixed keys, so a failure can be replayed; their addresses come from chainvisorctl.
        cls.secrets = [hashlib.sha256(f"chainvisor besu stand-in test {i}".encode()).hexdigest()
                       for i in range(5)]
        cls.genesis = cls.work / "genesis.json"
        validators = [ctl_identity(cls.key_file(s))[0] for s in cls.secrets[:4]]
        cls.genesis.write_text(genesis_json(validators))
        cls.validator_addresses = sorted(validators)

    @classmethod
    def key_file(cls, secret: str) -> pathlib.Path:
        path = cls.work / "keys" / secret[:8]
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"0x{secret}")
        return path

    def node(self, name: str, host: int, secret: str | None = None) -> BesuNode:
        return self.adopt(BesuNode(self.case_dir, name, host, secret))

    def assert_stops_cleanly(self, node: BesuNode, sig=signal.SIGTERM):
        code, seconds = node.stop(sig)
        self.assertEqual(code, 0, f"{node.name} exit code\n{node.log()}")
        self.assertLess(seconds, 1.0, f"{node.name} took {seconds:.2f} s to stop")

    def seconds_per_block(self, node: BesuNode, blocks: int, sample=None) -> float:
        """Seconds per block on `node` over `blocks` blocks, from a block boundary; calls
        `sample` at every poll."""
        first = node.height()
        self.until(lambda: node.height() > first, 4 * PERIOD + 2, f"a block on {node.name}")
        start, started = node.height(), time.monotonic()

        def advanced():
            if sample:
                sample()
            return node.height() >= start + blocks

        self.until(advanced, 2 * blocks * PERIOD + 3, f"{blocks} blocks on {node.name}")
        return (time.monotonic() - started) / (node.height() - start)

    def assert_frozen(self, nodes: list[BesuNode], height: int, seconds: float):
        """No node's height moves from `height` for `seconds` (an observation of a non-event:
        it has to last)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            heights = {n.name: n.height() for n in nodes}
            self.assertEqual(set(heights.values()), {height},
                             f"the chain moved while halted: {heights}\n{self.describe()}")
            time.sleep(0.2)

    # --- tests ---------------------------------------------------------------------------------

    def test_identity_primitives_agree_with_chainvisorctl(self):
        m = load_standin_module()
        # Ethereum's Keccak-256 (not SHA3-256), around the 136-byte rate too (keccak_test.cpp).
        for data, digest in [
            (b"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
            (b"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
            (b"a" * 135, "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446"),
            (b"a" * 136, "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e"),
            (b"a" * 272, "cf7fcd4f705ee749930d19ca84561a9bf62516bd90a471545fa2f49fdc7e63c8"),
        ]:
            self.assertEqual(m.keccak256(data).hex(), digest, f"keccak256 of {len(data)} bytes")
        self.assertEqual(m.address_of(m.public_key(1)),
                         "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf")
        for secret in self.secrets:
            address, public = ctl_identity(self.key_file(secret))
            self.assertEqual(m.public_key(int(secret, 16)).hex(), public)
            self.assertEqual(m.address_of(bytes.fromhex(public)), address)
        # The four validators of besu-docs' QBFT example: this test's encoder against
        # genesis_test.cpp's extraData, and the stand-in's decoder against both.
        docs = ["0x64a702e6263b7297a96638cac6ae65e6541f4169",
                "0x3923390ad55e90c237593b3b0e401f3b08a03185",
                "0xaefdb9a738c9f433e5b6b212a6d62f6370c2f692",
                "0xc7eeb9a4e00ce683cf93039b212648e01c6c6b78"]
        extra = qbft_extra_data(docs)
        self.assertEqual(extra, "0xf87aa0" + "00" * 32 + "f854943923390ad55e90c237593b3b0e401f3b08"
                         "a031859464a702e6263b7297a96638cac6ae65e6541f416994aefdb9a738c9f433e5b6b2"
                         "12a6d62f6370c2f69294c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0")
        fields = m.rlp_decode(bytes.fromhex(extra[2:]))
        self.assertEqual(["0x" + v.hex() for v in fields[1]], sorted(docs))
        self.assertEqual(fields[2:], [[], b"", []])

    def test_archive_layout_determinism_and_version(self):
        self.assert_release_archive(self.archive, self.sha, "besu", STANDIN,
                                    again=make_archive(GOOD, self.work / "again"))

        r = run([self.good, "--version"])
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, CLIENT + "\n", ""))
        r = run([self.nopeers, "--version"])
        self.assertEqual((r.returncode, r.stdout), (0, f"besu/v{NOPEERS}/linux-x86_64/"
                                                       "openjdk-java-21\n"))
        # The "exit" version fails at once, whatever it is asked, like a JVM that cannot start.
        for args in (["--version"], [f"--config-file={self.work / 'none.toml'}"]):
            started = time.monotonic()
            r = run([self.exits, *args], timeout=10)
            self.assertEqual(r.returncode, 1)
            self.assertIn("Could not create the Java Virtual Machine", r.stderr)
            self.assertLess(time.monotonic() - started, 2)
        r = run([self.good, "--no-such-option"])
        self.assertEqual((r.returncode, r.stderr), (2, "Unknown option: '--no-such-option'\n"))

    def test_fatal_configuration_errors(self):
        a = self.node("a", 30, self.secrets[0])
        b = self.node("b", 31, self.secrets[1])
        # A static-nodes file that is named but missing stops Besu.
        a.configure(self.genesis, static=[b.enode])
        (a.dir / "static-nodes.json").unlink()
        r = run([self.good, f"--config-file={a.config_file}"], timeout=30)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn(f"Static nodes file {a.dir / 'static-nodes.json'} does not exist", r.stderr)
        # With permissioning on, every static node must be in nodes-allowlist.
        a.configure(self.genesis, static=[b.enode], allowlist=[a.enode])
        r = run([self.good, f"--config-file={a.config_file}"], timeout=30)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn(f"Specified node(s) not in nodes-allowlist [{b.enode}]", r.stderr)
        # A key file that is not a key.
        a.configure(self.genesis)
        a.key_file.write_text("0x1234\n")
        r = run([self.good, f"--config-file={a.config_file}"], timeout=30)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("0x followed by 64 hex digits", r.stderr)

    def test_lone_node_new_key_host_allowlist_health_rpc_metrics(self):
        lone = self.node("lone", 20)  # no key file: the stand-in makes one, as Besu does
        lone.configure(self.genesis, apis=("ETH", "NET", "WEB3", "ADMIN"), validator=False)
        lone.start(self.good)
        self.until(lambda: lone.health("/liveness") == 200 or not lone.running(), 20,
                   "the lone node answering")
        self.assertIn("generated new node key", lone.log())
        key = lone.key_file.read_text()
        self.assertRegex(key, r"^0x[0-9a-f]{64}$")
        self.assertEqual(lone.key_file.stat().st_mode & 0o777, 0o600)
        self.assertNotIn(key[2:], lone.log())
        lone.address, lone.public = ctl_identity(lone.key_file)
        info = lone.call("admin_nodeInfo")
        self.assertEqual((info["id"], info["enode"], info["name"]),
                         (lone.public, lone.enode, CLIENT))
        self.assertEqual(lone.call("net_enode"), lone.enode)
        self.assertIn(f"node address {lone.address}", lone.log())

        # Host allowlist: the host part only, case-insensitive; 403 with Besu's body otherwise.
        for host in ("evil.example", f"evil.example:{RPC_PORT}", "127.0.0.2"):
            self.assertEqual(lone.request("GET", "/liveness", host=host), (403, HOST_REFUSED))
            self.assertEqual(lone.request("POST", "/", {"jsonrpc": "2.0", "id": 1,
                                                        "method": "eth_blockNumber"}, host=host),
                             (403, HOST_REFUSED))
            self.assertEqual(lone.request("GET", "/metrics", host=host, port=METRICS_PORT),
                             (403, b""))
        for host in (f"{lone.ip}:{RPC_PORT}", lone.ip, f"LOCALHOST:{RPC_PORT}", "127.0.0.1"):
            status, body = lone.request("GET", "/liveness", host=host)
            self.assertEqual((status, json.loads(body)), (200, {"status": "UP"}), host)

        # Alone it is not ready (no peers), unless no peers are asked for.
        status, body = lone.request("GET", "/readiness")
        self.assertEqual((status, json.loads(body)), (503, {"status": "DOWN"}))
        self.assertEqual(lone.health("/readiness?minPeers=0"), 200)
        self.assertEqual(lone.health("/readiness?minPeers=0&maxBlocksBehind=x"), 200)
        self.assertEqual(lone.health("/readiness?minPeers=x"), 503)

        self.assertEqual(lone.call("eth_blockNumber"), "0x0")
        self.assertEqual(lone.call("eth_chainId"), hex(CHAIN_ID))
        self.assertEqual(lone.call("net_version"), str(CHAIN_ID))
        self.assertEqual(lone.call("net_peerCount"), "0x0")
        self.assertIs(lone.call("eth_syncing"), False)
        self.assertEqual(lone.call("web3_clientVersion"), CLIENT)
        self.assertEqual(lone.call("admin_peers"), [])
        for method, code, message in [("foo_bar", -32601, "Method not found"),
                                      ("qbft_getValidatorsByBlockNumber", -32604,
                                       "Method not enabled"),  # QBFT is not in rpc-http-api
                                      ("ibft_getSignerMetrics", -32604, "Method not enabled")]:
            with self.assertRaises(RpcFailed) as failed:
                lone.call(method, "latest")
            self.assertEqual((failed.exception.code, failed.exception.message), (code, message))

        status, body = lone.request("GET", "/metrics", port=METRICS_PORT)
        text = body.decode()
        for line in ("ethereum_blockchain_height 0.0", "ethereum_peer_count 0.0",
                     "besu_synchronizer_in_sync 1.0",
                     "besu_blockchain_chain_head_timestamp 0.0",
                     "# TYPE ethereum_blockchain_height gauge"):
            self.assertIn(line + "\n", text)

        # Stopped and started again it keeps its key and its identity.
        self.assert_stops_cleanly(lone)
        lone.start(self.good)
        self.until(lambda: lone.health("/liveness") == 200, 20, "the lone node back")
        self.assertEqual(lone.log().count("generated new node key"), 1)
        self.assertEqual(lone.call("admin_nodeInfo")["id"], lone.public)
        self.assert_stops_cleanly(lone, signal.SIGINT)
        self.assertIn("received SIGINT, stopping", lone.log())

    def test_network_quorum_halt_resume_sync_and_broken_version(self):
        v = [self.node(f"validator{i + 1}", 11 + i, self.secrets[i]) for i in range(4)]
        rpc = self.node("rpc", 15, self.secrets[4])
        everyone = v + [rpc]
        self.assertEqual(sorted(n.address for n in v), self.validator_addresses)
        for n in v:
            n.configure(self.genesis, static=[m.enode for m in v],  # itself too, as it may be
                        allowlist=[m.enode for m in everyone])
        rpc.configure(self.genesis, bootnodes=[m.enode for m in v], validator=False)
        for n in everyone:
            n.start(self.good)

        # The network forms: everybody ready, with every other node as a peer, blocks flowing.
        self.until(lambda: all(n.health("/readiness") == 200 for n in everyone), 20,
                   "every node ready")
        self.until(lambda: all(n.peer_count() == 4 for n in everyone), 10, "4 peers each")
        self.assertEqual(v[0].call("qbft_getValidatorsByBlockNumber", "latest"),
                         self.validator_addresses)
        self.assertEqual(sorted(p["id"] for p in rpc.call("admin_peers")),
                         sorted("0x" + n.public for n in v))
        for n in everyone:
            self.assertIn(f"node address {n.address}", n.log())

        # Four of four: about a block per period, every validator sealing in turn; the RPC node
        # follows and sees the same seals.
        self.assertLess(abs(self.seconds_per_block(v[0], 4) - PERIOD), 0.4 * PERIOD)
        self.until(lambda: all(rpc.signer_metrics().get(n.address, (0, 0))[0] >= 1 for n in v),
                   6 * PERIOD, "every validator having sealed a block")
        self.assertGreaterEqual(rpc.height(), v[0].height() - 1)
        metrics = rpc.metrics()
        self.assertEqual(metrics["ethereum_peer_count"], 4)
        self.assertEqual(metrics["besu_synchronizer_in_sync"], 1)
        self.assertLess(time.time() - metrics["besu_blockchain_chain_head_timestamp"],
                        2 * PERIOD + 1)

        # Validator 4 "upgraded" to a broken version: never ready, no peers, nothing sealed.
        # Three of four validators (the quorum, ⌈8/3⌉) keep the chain going, each in turn.
        self.assert_stops_cleanly(v[3])
        v[3].start(self.nopeers)
        self.until(lambda: v[3].health("/liveness") == 200, 20, "the broken version answering")
        frozen = v[3].height()
        self.until(lambda: v[0].peer_count() == 3 and v[1].peer_count() == 3, 5,
                   "validator 4 gone from its peers' view")
        start = v[0].height()
        broken = []
        per_block = self.seconds_per_block(v[0], 4, sample=lambda: broken.append(
            (v[3].health("/readiness"), v[3].peer_count(), v[3].height())))
        self.assertLess(abs(per_block - PERIOD), 0.4 * PERIOD)
        self.assertEqual(set(broken), {(503, 0, frozen)})
        seals = v[0].signer_metrics(hex(start + 1))  # blocks start+1 … head−1: 4 or more
        for n in v[:3]:
            self.assertGreaterEqual(seals[n.address][0], 1, f"{n.name} sealed nothing: {seals}")
        self.assertEqual(seals[v[3].address][0], 0, seals)

        # Two of four: the chain halts everywhere; nodes keep serving at a frozen height (and
        # /readiness stays UP: Besu's readiness does not see a halt).
        self.assert_stops_cleanly(v[3])
        self.assert_stops_cleanly(v[2])
        # From the moment the third validator's process is gone no block can be sealed, though
        # the other two still count it as a peer for up to a second.
        halted_at = max(v[0].height(), v[1].height())
        self.until(lambda: v[0].peer_count() == 2 and v[1].peer_count() == 2, 5,
                   "validators 3 and 4 gone from their peers' view")
        self.until(lambda: rpc.height() == halted_at, 3, "the RPC node at the last block")
        self.assert_frozen([v[0], v[1], rpc], halted_at, 3 * PERIOD + 0.5)
        self.until(lambda: "block production halted" in v[0].log()
                   and "block production halted" in v[1].log(), 2, "the halt logged")
        self.assertEqual(v[0].health("/readiness"), 200)
        self.assertGreater(time.time() - v[0].metrics()["besu_blockchain_chain_head_timestamp"],
                           3 * PERIOD)

        # Validator 3 back: production resumes within a couple of periods.
        v[2].start(self.good)
        self.until(lambda: v[0].height() >= halted_at + 2, 3 + 3 * PERIOD,
                   "block production resuming")
        self.until(lambda: "block production resumed" in v[0].log(), 2, "the resumption logged")

        # Validator 4, the good version again but with an empty data directory: it starts at
        # block 0, is visibly syncing (eth_syncing progress, /readiness DOWN), catches up, and
        # seals again.
        shutil.rmtree(v[3].data)
        v[3].start(self.good)
        samples = []

        def synced():
            syncing, ready = v[3].poll("eth_syncing"), v[3].health("/readiness")
            mine, top = v[3].height(), v[0].height()
            samples.append((syncing, ready))
            return ready == 200 and syncing is False and None not in (mine, top) \
                and mine >= top - 1

        self.until(synced, 20, "validator 4 synced", interval=0.02)
        progress = [(s, r) for s, r in samples if isinstance(s, dict)]
        self.assertTrue(any(int(s["highestBlock"], 16) - int(s["currentBlock"], 16) > 2
                            and int(s["startingBlock"], 16) == 0 and r == 503
                            for s, r in progress), f"never seen syncing: {samples}")
        rejoined = v[3].height()
        self.until(lambda: v[0].signer_metrics().get(v[3].address, (0, 0))[1] > rejoined,
                   8 * PERIOD, "validator 4 sealing again")
        self.assertGreaterEqual(rpc.height(), v[0].height() - 1)

        # admin_removePeer then admin_addPeer (the way round Besu #10040) drop and redial a peer.
        self.assertIs(rpc.call("admin_removePeer", v[0].enode), True)
        self.until(lambda: rpc.peer_count() == 3, 5, "the RPC node without validator 1")
        self.assertIs(rpc.call("admin_addPeer", v[0].enode), True)
        self.until(lambda: rpc.peer_count() == 4, 5, "the RPC node with validator 1 again")

        for n in everyone:
            self.assert_stops_cleanly(n)
        logs = "".join(n.log() for n in everyone)
        for secret in self.secrets:
            self.assertNotIn(secret, logs)


def main():
    require(CHAINVISORCTL.is_file(), f"{CHAINVISORCTL} (build the project first)")
    require(sys.version_info >= (3, 11), "Python 3.11 (tomllib), as in Debian bookworm")
    unittest.main()


if __name__ == "__main__":
    main()
