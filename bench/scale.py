"""Scale benchmark: the cost curve of N links as N `zis.Link` resources, as one `zis.LinkSet`, and as a
sequential hand-written deployer (bench/sequential.py) on the same emulator.

For each kind, size and latency it runs five phases (up, a no-change preview, refresh, an update touching
`--touch` links, destroy; the sequential deployer has no preview) `--repeat` times on a fresh emulator and
stack, and records wall time and the requests the emulator counted. `render` prints the tables of
bench/RESULTS.md from the JSON lines those runs wrote: medians with the spread (min-max), time per link,
how time per link grows from one size to the next, and the ideal: requests x latency / concurrency (4 for
zis.Link, the provider process's gRPC workers; the set's pool for a LinkSet; 1 for the sequential peer).

    python bench/run.py --scale --kinds set,sequential --sizes 100,1000,10000 --latencies 0,50 --out r.jsonl
    python bench/run.py --scale-render r.jsonl [more.jsonl …]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.run import PHASES, phase_argv
from bench.sequential import SequentialDeployer, timed
from tests.support.pulumi_cli import EmulatorAdmin, PulumiProject, find_pulumi_bin
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings, Faults
from zis_pulumi.link_set import DEFAULT_CONCURRENCY

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = ROOT / "bench" / "scale_stack"
PASSPHRASE = "zis-pulumi-bench"
KINDS = ("link", "set", "sequential")
LABELS = {"link": "zis.Link x N", "set": "one zis.LinkSet", "sequential": "sequential httpx script"}


def _concurrency(kind: str, set_concurrency: int) -> int:
    return {"link": 4, "set": set_concurrency, "sequential": 1}[kind]


def run_engine(kind: str, size: int, latency_ms: float, touch: int, bin_dir: Path, concurrency: int) -> dict[str, Any]:
    """One run of the five phases of `size` links as Links or as one LinkSet; seconds and requests per phase."""
    settings = EmulatorSettings(faults=Faults(latency_ms=latency_ms))
    phases: dict[str, Any] = {}
    with (
        EmulatorServer(settings=settings, host="127.0.0.1", port=0) as server,
        tempfile.TemporaryDirectory(prefix="zis-scale-") as tmp,
        EmulatorAdmin(server) as admin,
    ):
        env = {**server.env(), "ZENDESK_LINK_SET_CONCURRENCY": str(concurrency)}
        project = PulumiProject.create(
            Path(tmp), PROGRAM, name="zis-pulumi-scale", bin_dir=bin_dir, settings=env, passphrase=PASSPHRASE
        )
        project.run("stack", "init", "scale")
        project.config({"mode": "set" if kind == "set" else "links", "links": size, "touchCount": touch, "touch": 0})
        for name in PHASES:
            argv = phase_argv(name, ["--parallel", "32"])
            if name == "update":
                project.config({"touch": 1})
            admin.reset(counters_only=True)
            seconds = project.timed(*argv)
            counted = admin.requests()
            links = len(admin.state()["zis"]["links"])
            phases[name] = {"seconds": seconds, "requests": int(counted["total"]), "links_after": links}
            print(
                f"  {kind} n={size} {latency_ms:g}ms {name}: {seconds:.2f}s, {counted['total']} requests",
                file=sys.stderr,
                flush=True,
            )
    return phases


def run_sequential(size: int, latency_ms: float, touch: int, phases_wanted: tuple[str, ...]) -> dict[str, Any]:
    settings = EmulatorSettings(faults=Faults(latency_ms=latency_ms))
    phases: dict[str, Any] = {}
    with EmulatorServer(settings=settings, host="127.0.0.1", port=0) as server, EmulatorAdmin(server) as admin:
        deployer = SequentialDeployer(server.base_url, server.env()["ZENDESK_OAUTH_TOKEN"])
        try:
            actions = {
                "up": lambda: deployer.up(size),
                "refresh": lambda: deployer.refresh(size),
                "update": lambda: deployer.update(touch),
                "destroy": lambda: deployer.destroy(size),
            }
            for name in ("up", "refresh", "update", "destroy"):
                if name not in phases_wanted:
                    continue
                admin.reset(counters_only=True)
                seconds = timed(actions[name])
                phases[name] = {
                    "seconds": seconds,
                    "requests": admin.request_count(),
                    "links_after": len(admin.state()["zis"]["links"]),
                }
                print(f"  sequential n={size} {latency_ms:g}ms {name}: {seconds:.2f}s", file=sys.stderr, flush=True)
        finally:
            deployer.close()
    return phases


def run_scale(args: argparse.Namespace) -> int:
    kinds = [k for k in args.kinds.split(",") if k]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    latencies = [float(x) for x in args.latencies.split(",") if x]
    bin_dir = find_pulumi_bin(args.bin) if set(kinds) & {"link", "set"} else None
    out = Path(args.out) if args.out else None
    budget_ends = time.monotonic() + args.budget_minutes * 60 if args.budget_minutes else None
    for kind in kinds:
        for latency in latencies:
            for size in sizes:
                if kind == "link" and size > args.link_max:
                    print(f"skip zis.Link n={size}: above --link-max {args.link_max} (extrapolated)", file=sys.stderr)
                    continue
                for repeat in range(args.repeat):
                    if budget_ends is not None and time.monotonic() > budget_ends:
                        print("time budget spent; stopping", file=sys.stderr)
                        return 0
                    concurrency = _concurrency(kind, args.concurrency)
                    touch = min(args.touch, size)
                    if kind == "sequential":
                        wanted = tuple(p for p in args.sequential_phases.split(",") if p)
                        phases = run_sequential(size, latency, touch, wanted)
                    else:
                        assert bin_dir is not None
                        phases = run_engine(kind, size, latency, touch, bin_dir, concurrency)
                    record = {
                        "kind": kind,
                        "size": size,
                        "latency_ms": latency,
                        "concurrency": concurrency,
                        "touch": touch,
                        "repeat": repeat,
                        "phases": phases,
                        "at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
                    }
                    line = json.dumps(record, sort_keys=True)
                    if out is not None:
                        with out.open("a") as handle:
                            handle.write(line + "\n")
                    print(line, flush=True)
    return 0


# --- rendering ------------------------------------------------------------------------------------


def _spread(values: list[float], digits: int = 2) -> str:
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def render(paths: list[str]) -> str:
    records = [json.loads(line) for path in paths for line in Path(path).read_text().splitlines() if line.strip()]
    grouped: dict[tuple[str, float, int], list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        grouped[(record["kind"], record["latency_ms"], record["size"])].append(record)
    lines: list[str] = []
    for latency in sorted({key[1] for key in grouped}):
        for phase in PHASES:
            rows = []
            for kind in KINDS:
                sizes = sorted(size for k, lat, size in grouped if k == kind and lat == latency)
                previous: float | None = None
                for size in sizes:
                    runs = grouped[(kind, latency, size)]
                    seconds = [r["phases"][phase]["seconds"] for r in runs if phase in r["phases"]]
                    if not seconds:
                        continue
                    requests = [r["phases"][phase]["requests"] for r in runs if phase in r["phases"]]
                    concurrency = runs[0]["concurrency"]
                    median = statistics.median(seconds)
                    per_link = median / size * 1000
                    growth = "" if previous is None else f"{per_link / previous:.2f}x"
                    previous = per_link
                    ideal = statistics.median(requests) * latency / 1000 / concurrency
                    ratio = f"{median / ideal:.2f}x" if ideal else "-"
                    rows.append(
                        f"| {LABELS[kind]} | {size:,} | {len(seconds)} | {_spread(seconds)} | "
                        f"{int(statistics.median(requests)):,} | {per_link:.2f} | {growth} | {concurrency} | "
                        f"{ideal:.2f} | {ratio} |"
                    )
            if not rows:
                continue
            lines += [
                f"#### {phase} at {latency:g} ms",
                "",
                "| kind | links | runs | wall s, median (min-max) | requests | ms per link | per-link growth "
                "| concurrency | ideal s | wall/ideal |",
                "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
                *rows,
                "",
            ]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("scale mode (--scale)")
    group.add_argument("--scale", action="store_true", help="the cost curve of N links (bench/scale.py)")
    group.add_argument("--scale-render", nargs="+", metavar="JSONL", help="print the tables of scale runs")
    group.add_argument("--kinds", default="link,set,sequential", help="link, set, sequential")
    group.add_argument("--sizes", default="100,1000,10000")
    group.add_argument("--latencies", default="0,50", help="emulator latency per request, ms")
    group.add_argument("--scale-repeat", dest="repeat", type=int, default=3)
    group.add_argument("--link-max", type=int, default=1000, help="largest N measured as zis.Link resources")
    group.add_argument("--touch", type=int, default=100, help="links the update phase changes")
    group.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="the LinkSet's pool")
    group.add_argument("--sequential-phases", default="up,refresh,update,destroy")
    group.add_argument("--budget-minutes", type=float, default=0, help="stop starting runs after this long")
    group.add_argument("--out", help="append one JSON line per run to this file")
