"""Benchmark: chainvisord against pvesim with 1,000 containers on 10 Proxmox nodes. Prints:
  - time to converge from empty, against the lower bound set by task duration and per-node
    concurrency (each container needs two tasks, create and start),
  - API requests per steady-state pass (target: a handful, independent of the container count),
  - the daemon's CPU milliseconds per steady-state pass.
Run: cmake --build --preset release --target bench-proxmox"""

import math
import os
import pathlib
import shutil
import sys
import tempfile
import time
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "integration"))
import framework  # noqa: E402
from framework import Daemon, PveSim, wait_until  # noqa: E402

CONTAINERS = 1000
PVE_NODES = 10
TASK_SECONDS = 1.0
PER_NODE = 4  # concurrent operations per Proxmox node
STEADY_PASSES = 10


def cluster(sim: PveSim) -> str:
    pve_nodes = [f"pve{i:02d}" for i in range(1, PVE_NODES + 1)]
    nodes = [f"{{name: n{i:04d}, network: web, role: service, host: pve, "
             f"pveNode: pve{i % PVE_NODES + 1:02d}, vmid: {1000 + i}, "
             f"ip: 10.100.{i // 200}.{i % 200 + 2}/16, gateway: 10.100.255.254}}"
             for i in range(CONTAINERS)]
    policy = ["resyncInterval: 5s", "probeInterval: 5s",
              f"budgets: {{perHostConcurrent: {PER_NODE}, "
              f"globalConcurrent: {PER_NODE * PVE_NODES}}}"]
    return framework.pvesim_cluster_yaml(sim, "bench", "root@pam!bench", pve_nodes, nodes, policy,
                                         max_concurrent=PER_NODE)


def cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    work = pathlib.Path(tempfile.mkdtemp(prefix="cvbench-pve-"))
    secret = str(uuid.uuid4())
    nodes = ",".join(f"pve{i:02d}" for i in range(1, PVE_NODES + 1))
    sim = PveSim(work, nodes, "root@pam!bench", secret, task_seconds=TASK_SECONDS)
    config = work / "cluster.yaml"
    config.write_text(cluster(sim))
    daemon = Daemon(config, work / "state", work, extra_env={"PVE_TOKEN": secret})
    try:
        everyone = f"{CONTAINERS} nodes: {CONTAINERS} ready"
        start = time.monotonic()
        daemon.start()
        wait_until(lambda: any(s.startswith(everyone) for s in daemon.notify.assignments("STATUS")),
                   3600, "every container Ready", interval=0.5)
        took = time.monotonic() - start
        per_node = math.ceil(CONTAINERS / PVE_NODES)
        bound = math.ceil(per_node / PER_NODE) * 2 * TASK_SECONDS
        print(f"converge {CONTAINERS} containers on {PVE_NODES} nodes "
              f"(tasks {TASK_SECONDS:g} s, {PER_NODE} at a time per node): {took:.1f} s; "
              f"lower bound {bound:.0f} s; ratio {took / bound:.2f}")

        sim.call("DELETE", "/_sim/stats")
        pid = daemon.process.pid
        seen = len(daemon.notify.assignments("STATUS"))
        cpu0 = cpu_seconds(pid)
        wait_until(lambda: len(daemon.notify.assignments("STATUS")) >= seen + STEADY_PASSES, 600,
                   f"{STEADY_PASSES} steady passes", interval=0.2)
        cpu1 = cpu_seconds(pid)
        passes = len(daemon.notify.assignments("STATUS")) - seen
        stats = sim.call("GET", "/_sim/stats")
        print(f"steady state over {passes} passes: {stats['total'] / passes:.1f} API requests "
              f"per pass; {1000 * (cpu1 - cpu0) / passes:.0f} ms daemon CPU per pass")
        for route, count in sorted(stats["routes"].items()):
            print(f"  {route}: {count / passes:.1f} per pass")
        return 0
    finally:
        daemon.stop()
        daemon.notify.close()
        sim.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
