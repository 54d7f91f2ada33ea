#!/usr/bin/env python3
"""Where the CPU goes during an `up` and a `destroy` of the benchmark stack: per process, from /proc.

bench/run.py says how long each phase takes; this says who is busy meanwhile: the `pulumi` CLI (the
engine, its checkpoints of the file backend), the program (the language host's Python), the dynamic
provider process, and this process (the emulator). Linux only.

    python bench/cpu.py                          # the default stack, 50 ms
    python bench/cpu.py --latency-ms 0           # only the CPU work, no waiting
    python bench/cpu.py --skip-checkpoints       # PULUMI_SKIP_CHECKPOINTS=true: what the checkpoints cost
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import PASSPHRASE, PROGRAM, Shape  # noqa: E402
from tests.support.pulumi_cli import PulumiProject, find_pulumi_bin  # noqa: E402
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings, Faults  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def process_table() -> dict[int, tuple[int, int]]:
    """pid → (parent pid, CPU ticks used so far) for every process."""
    table: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def descendants(root: int, table: dict[int, tuple[int, int]]) -> set[int]:
    found = {root}
    grew = True
    while grew:
        grew = False
        for pid, (parent, _) in table.items():
            if parent in found and pid not in found:
                found.add(pid)
                grew = True
    return found


def role(pid: int) -> str:
    try:
        argv = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(a.decode(errors="replace") for a in argv if a).replace("\n", " ")
    if "pulumi.dynamic" in text:
        return "dynamic provider (Python)"
    if "pulumi-language-python-exec" in text:
        return "program (Python)"
    if argv and argv[0].endswith(b"pulumi"):
        return "pulumi CLI (engine)"
    if "pulumi-language-python" in text:
        return "language host"
    return "other: " + text[:60]


def measure(project: PulumiProject, argv: list[str], stack: str) -> tuple[float, dict[str, float]]:
    """Wall seconds of one command and the CPU seconds of its processes, summed by role."""
    used: dict[int, int] = {}
    roles: dict[int, str] = {}
    started = time.monotonic()
    process = project.popen(*argv, stack=stack)

    def sample() -> None:
        while process.poll() is None:
            table = process_table()
            for pid in descendants(process.pid, table):
                used[pid] = max(used.get(pid, 0), table[pid][1])
                roles.setdefault(pid, role(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    stdout, stderr = process.communicate()
    sampler.join()
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(f"pulumi {' '.join(argv)} failed:\n{stdout[-3000:]}\n{stderr[-3000:]}")
    by_role: dict[str, float] = {}
    for pid, ticks in used.items():
        by_role[roles[pid]] = by_role.get(roles[pid], 0.0) + ticks / TICKS
    return wall, by_role


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--links", type=int, default=200)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--parallel", type=int, default=32)
    parser.add_argument("--skip-checkpoints", action="store_true")
    parser.add_argument("--bin", help="directory of the pulumi CLI (default: ZIS_PULUMI_BIN or install-pulumi.sh)")
    args = parser.parse_args(argv)

    shape = Shape(bundles=1, job_specs=3, links=args.links, connections=args.connections, apps=1, touch_every=10)
    settings = EmulatorSettings(faults=Faults(latency_ms=args.latency_ms))
    with (
        EmulatorServer(settings=settings, host="127.0.0.1", port=0) as server,
        tempfile.TemporaryDirectory(prefix="zis-bench-cpu-") as tmp,
    ):
        project = PulumiProject.create(
            Path(tmp),
            PROGRAM,
            name="zis-pulumi-bench",
            bin_dir=find_pulumi_bin(args.bin),
            settings=server.env(),
            passphrase=PASSPHRASE,
        )
        if args.skip_checkpoints:
            project.env["PULUMI_SKIP_CHECKPOINTS"] = "true"
        project.run("stack", "init", "bench")
        project.config(shape.config(), stack="bench")
        project.config({"makeSecret": "bench-make-client-secret"}, secret=True, stack="bench")
        print(
            f"{shape.resources} resources, latency {args.latency_ms:g} ms, --parallel {args.parallel}"
            + (", PULUMI_SKIP_CHECKPOINTS=true" if args.skip_checkpoints else "")
            + f", {os.cpu_count()} CPUs\n"
        )
        print("| phase | wall s | process | CPU s |\n|---|---:|---|---:|")
        for phase in ("up", "destroy"):
            own = process_times()
            argv = [phase, "--yes", "--skip-preview", "--parallel", str(args.parallel)]
            wall, by_role = measure(project, argv, "bench")
            by_role["emulator (this process)"] = process_times() - own
            for name, seconds in sorted(by_role.items(), key=lambda item: -item[1]):
                if seconds >= 0.05:
                    print(f"| {phase} | {wall:.2f} | {name} | {seconds:.2f} |")
    return 0


def process_times() -> float:
    times = os.times()
    return times.user + times.system


if __name__ == "__main__":
    sys.exit(main())
