#!/usr/bin/env python3
"""Benchmark: how long a `pulumi up` of ZIS and Make resources takes, and how many requests it makes.

Starts the emulator with a per-request latency, deploys a stack of B bundles, J job-spec installations,
L links and C Make connections with the real engine, and times five phases: `up`, a no-change `preview`,
`refresh`, an `up` that changes the metadata of every `--touch-every`-th link, and `destroy`. For each
phase it prints the wall time, the requests the emulator counted (per endpoint), the minimum the phase
needs and the ideal time: that minimum times the latency divided by 4 (the dynamic provider process
serves 4 requests at a time). The engine's fixed cost is measured on a one-link stack and shown apart.

    python bench/run.py                      # defaults: 1 bundle, 3 installations, 200 links, 10 connections
    python bench/run.py --links 50 --json    # last line: one JSON object
    python bench/run.py --provider-only      # no engine: each operation's own time outside the HTTP wait
    python bench/run.py --scale --out r.jsonl  # 100 to 10,000 links: Links, one LinkSet, a sequential script
    python bench/run.py --scale-render r.jsonl # the scale tables (bench/scale.py)

The minimum requests per phase (see bench/RESULTS.md for the reasoning):

    up       B x (upload + uuid lookup) + J x install + (integrations with installations) x job spec list
             + L x POST + (apps) x connection list + C x (POST + S section PUTs + PUT common + PATCH label)
    preview  0
    refresh  B x GET + (integrations with installations) x job spec list + ceil(L / 100) link pages (the Links
             share one listing of their type and left-name prefix, 100 a page)
             + C x (GET + S section GETs + GET common)
    update   T x PATCH (T = links touched)
    destroy  B + J + L + C DELETEs
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.pulumi_cli import EmulatorAdmin, PulumiProject, find_pulumi_bin  # noqa: E402
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings, Faults  # noqa: E402

PROGRAM = ROOT / "bench" / "stack"
PASSPHRASE = "zis-pulumi-bench"
WORKERS = 4
"""Requests the dynamic provider process serves at a time (4 gRPC worker threads)."""
SECTIONS = 4
"""Sections each benchmark connection declares (api, parameters, scopes, scope); `common` comes on top."""

Z = "/api/services/zis"
M = "/api/v2"
UPLOAD = f"POST {Z}/registry/{{integration}}/bundles"
LIST_BUNDLES = f"GET {Z}/registry/{{integration}}/bundles"
GET_BUNDLE = f"GET {Z}/registry/{{integration}}/bundles/{{uuid}}"
DELETE_BUNDLE = f"DELETE {Z}/registry/{{integration}}/bundles/{{uuid}}"
LIST_JOB_SPECS = f"GET {Z}/registry/{{integration}}/job_specs"
INSTALL = f"POST {Z}/registry/job_specs/install"
UNINSTALL = f"DELETE {Z}/registry/job_specs/install"
FIND_LINKS = f"GET {Z}/links/{{integration}}"
PAGE = 100
"""Links a listing page holds (the ZIS maximum)."""
POST_LINK = f"POST {Z}/links/{{integration}}"
PATCH_LINK = f"PATCH {Z}/links/{{integration}}"
DELETE_LINK = f"DELETE {Z}/links/{{integration}}"
MAKE_LIST = f"GET {M}/sdk/apps/{{app}}/connections"
MAKE_CREATE = f"POST {M}/sdk/apps/{{app}}/connections"
MAKE_GET = f"GET {M}/sdk/apps/connections/{{name}}"
MAKE_DELETE = f"DELETE {M}/sdk/apps/connections/{{name}}"
MAKE_GET_SECTION = f"GET {M}/sdk/apps/connections/{{name}}/{{section}}"
MAKE_PUT_SECTION = f"PUT {M}/sdk/apps/connections/{{name}}/{{section}}"
MAKE_GET_COMMON = f"GET {M}/sdk/apps/connections/{{name}}/common"
MAKE_PUT_COMMON = f"PUT {M}/sdk/apps/connections/{{name}}/common"
MAKE_PATCH = f"PATCH {M}/sdk/apps/connections/{{name}}"


def short(endpoint: str) -> str:
    method, _, route = endpoint.partition(" ")
    if route.startswith(Z):
        return f"{method} zis{route[len(Z) :]}"
    if route.startswith(M):
        return f"{method} make{route[len(M) + len('/sdk/apps') :]}"
    return endpoint


@dataclass(frozen=True)
class Shape:
    bundles: int
    job_specs: int
    links: int
    connections: int
    apps: int
    touch_every: int

    @property
    def resources(self) -> int:
        return self.bundles + self.job_specs + self.links + self.connections

    @property
    def touched(self) -> int:
        return len(range(0, self.links, self.touch_every))

    @property
    def integrations_with_installations(self) -> int:
        return min(self.bundles, self.job_specs)

    def config(self) -> dict[str, int]:
        return {
            "bundles": self.bundles,
            "jobSpecs": self.job_specs if self.bundles else 0,
            "links": self.links,
            "connections": self.connections,
            "apps": self.apps,
            "touchEvery": self.touch_every,
            "touch": 0,
        }

    def minimum(self, phase: str) -> dict[str, int]:
        """The requests a phase needs, by endpoint (what the API shape makes unavoidable)."""
        b, j, n, c = self.bundles, self.job_specs if self.bundles else 0, self.links, self.connections
        needs: dict[str, int] = {}
        if phase == "up":
            needs = {
                UPLOAD: b,
                LIST_BUNDLES: b,
                INSTALL: j,
                LIST_JOB_SPECS: self.integrations_with_installations,
                POST_LINK: n,
                MAKE_LIST: min(c, self.apps),
                MAKE_CREATE: c,
                MAKE_PUT_SECTION: c * SECTIONS,
                MAKE_PUT_COMMON: c,
                MAKE_PATCH: c,
            }
        elif phase == "refresh":
            needs = {
                GET_BUNDLE: b,
                LIST_JOB_SPECS: self.integrations_with_installations,
                FIND_LINKS: math.ceil(n / PAGE),  # one type and prefix in this stack: one shared listing
                MAKE_GET: c,
                MAKE_GET_SECTION: c * SECTIONS,
                MAKE_GET_COMMON: c,
            }
        elif phase == "update":
            needs = {PATCH_LINK: self.touched}
        elif phase == "destroy":
            needs = {DELETE_BUNDLE: b, UNINSTALL: j, DELETE_LINK: n, MAKE_DELETE: c}
        return {k: v for k, v in needs.items() if v}


@dataclass
class Phase:
    name: str
    seconds: float
    requests: int
    by_endpoint: dict[str, int]
    by_status: dict[str, int]
    minimum: int
    minimum_by_endpoint: dict[str, int]
    ideal_seconds: float
    overhead_seconds: float = 0.0
    verified: str = ""
    zero_latency_seconds: float | None = None
    """The same phase on the same stack with no latency: the engine's and the providers' own time."""

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.ideal_seconds if self.ideal_seconds else None

    @property
    def ratio_without_overhead(self) -> float | None:
        if not self.ideal_seconds:
            return None
        return max(0.0, self.seconds - self.overhead_seconds) / self.ideal_seconds

    @property
    def latency_seconds(self) -> float | None:
        """What the latency added to the phase: wall minus wall at zero latency."""
        if self.zero_latency_seconds is None:
            return None
        return max(0.0, self.seconds - self.zero_latency_seconds)

    @property
    def latency_ratio(self) -> float | None:
        """What the latency added, over the ideal: 1.0 when the providers wait for nothing they do not need."""
        if not self.ideal_seconds or self.latency_seconds is None:
            return None
        return self.latency_seconds / self.ideal_seconds


@dataclass
class Report:
    shape: Shape
    latency_ms: float
    parallel: int
    machine: dict[str, Any]
    command: str
    started: str
    skip_checkpoints: bool = False
    overhead: dict[str, float] = field(default_factory=dict)
    phases: list[Phase] = field(default_factory=list)

    def phase(self, name: str) -> Phase:
        return next(p for p in self.phases if p.name == name)

    def summary(self) -> dict[str, Any]:
        up, destroy = self.phase("up"), self.phase("destroy")
        out: dict[str, Any] = {
            "resources": self.shape.resources,
            "shape": asdict(self.shape),
            "latency_ms": self.latency_ms,
            "parallel": self.parallel,
            "workers": WORKERS,
            "engine_overhead_seconds": {k: round(v, 3) for k, v in self.overhead.items()},
            "skip_checkpoints": self.skip_checkpoints,
            "up_seconds": round(up.seconds, 3),
            "up_ideal_seconds": round(up.ideal_seconds, 3),
            "preview_requests": self.phase("preview").requests,
            "refresh_requests": self.phase("refresh").requests,
            "destroy_seconds": round(destroy.seconds, 3),
            "destroy_ideal_seconds": round(destroy.ideal_seconds, 3),
            "machine": self.machine,
            "started": self.started,
            "command": self.command,
        }
        for phase in self.phases:
            out[f"{phase.name}_requests"] = phase.requests
            out[f"{phase.name}_seconds"] = round(phase.seconds, 3)
            out[f"{phase.name}_minimum_requests"] = phase.minimum
            out[f"{phase.name}_ideal_seconds"] = round(phase.ideal_seconds, 3)
        out["phases"] = {
            p.name: {
                "seconds": round(p.seconds, 3),
                "requests": p.requests,
                "minimum_requests": p.minimum,
                "ideal_seconds": round(p.ideal_seconds, 3),
                "ratio": None if p.ratio is None else round(p.ratio, 3),
                "ratio_without_engine_overhead": None
                if p.ratio_without_overhead is None
                else round(p.ratio_without_overhead, 3),
                "zero_latency_seconds": None if p.zero_latency_seconds is None else round(p.zero_latency_seconds, 3),
                "latency_ratio": None if p.latency_ratio is None else round(p.latency_ratio, 3),
                "by_endpoint": p.by_endpoint,
                "minimum_by_endpoint": p.minimum_by_endpoint,
                "by_status": p.by_status,
                "verified": p.verified,
            }
            for p in self.phases
        }
        return out


def machine() -> dict[str, Any]:
    import os

    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


# --- the engine benchmark ---------------------------------------------------------------------------


def declared_counts(state: dict[str, Any]) -> dict[str, int]:
    zis, make = state["zis"], state["make"]
    return {
        "bundles": len(zis["bundles"]),
        "installed": sum(1 for spec in zis["job_specs"].values() if spec["installed"]),
        "links": len(zis["links"]),
        "connections": sum(1 for c in make["connections"].values() if c.get("gone_at") is None),
    }


def verify(state: dict[str, Any], shape: Shape | None) -> str:
    """'ok' when the emulator holds exactly what the stack declares (None: nothing), else what differs."""
    counts = declared_counts(state)
    expected = (
        {"bundles": 0, "installed": 0, "links": 0, "connections": 0}
        if shape is None
        else {
            "bundles": shape.bundles,
            "installed": shape.job_specs if shape.bundles else 0,
            "links": shape.links,
            "connections": shape.connections,
        }
    )
    wrong = {k: f"{counts[k]} (declared {v})" for k, v in expected.items() if counts[k] != v}
    return "ok" if not wrong else "MISMATCH " + ", ".join(f"{k}={v}" for k, v in wrong.items())


PHASES = ("up", "preview", "refresh", "update", "destroy")


def phase_argv(name: str, parallel: list[str]) -> list[str]:
    """The pulumi command line of phase `name` (`update` is an `up` after the config changed)."""
    return {
        "up": ["up", "--yes", "--skip-preview"],
        "preview": ["preview"],
        "refresh": ["refresh", "--yes", "--skip-preview"],
        "update": ["up", "--yes", "--skip-preview"],
        "destroy": ["destroy", "--yes", "--skip-preview"],
    }[name] + parallel


def engine_benchmark(args: argparse.Namespace, shape: Shape) -> Report:
    try:
        bin_dir = find_pulumi_bin(args.bin)
    except FileNotFoundError as exc:
        raise SystemExit(str(exc)) from None
    latency = args.latency_ms / 1000.0
    report = Report(
        shape=shape,
        latency_ms=args.latency_ms,
        parallel=args.parallel,
        machine=machine(),
        command="python bench/run.py " + " ".join(sys.argv[1:]),
        started=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        skip_checkpoints=args.skip_checkpoints,
    )
    settings = EmulatorSettings(faults=Faults(latency_ms=args.latency_ms))
    parallel = ["--parallel", str(args.parallel)]
    with (
        EmulatorServer(settings=settings, host="127.0.0.1", port=0) as server,
        tempfile.TemporaryDirectory(prefix="zis-bench-") as tmp,
        EmulatorAdmin(server) as admin,
    ):
        project = PulumiProject.create(
            Path(tmp), PROGRAM, name="zis-pulumi-bench", bin_dir=bin_dir, settings=server.env(), passphrase=PASSPHRASE
        )
        if args.skip_checkpoints:
            project.env["PULUMI_SKIP_CHECKPOINTS"] = "true"

        def log(message: str) -> None:
            if not args.json or args.verbose:
                print(message, file=sys.stderr, flush=True)

        # The engine's fixed cost: the same phases on a one-link stack, minus that link's requests.
        small = Shape(bundles=0, job_specs=0, links=1, connections=0, apps=1, touch_every=shape.touch_every)
        project.run("stack", "init", "overhead")
        project.config(small.config(), stack="overhead")
        project.run("preview", stack="overhead")  # warm-up: bytecode, plugin discovery
        for name, argv in (
            ("up", ["up", "--yes", "--skip-preview", *parallel]),
            ("preview", ["preview", *parallel]),
            ("refresh", ["refresh", "--yes", "--skip-preview", *parallel]),
            ("destroy", ["destroy", "--yes", "--skip-preview", *parallel]),
        ):
            admin.reset(counters_only=True)
            seconds = project.timed(*argv, stack="overhead")
            requests = int(admin.requests()["total"])
            report.overhead[name] = max(0.0, seconds - requests * latency)  # one resource: requests in sequence
            log(f"engine overhead {name}: {report.overhead[name]:.2f}s (wall {seconds:.2f}s, {requests} requests)")
        report.overhead["update"] = report.overhead["up"]

        def run_phases(stack: str, with_latency: bool) -> dict[str, Phase]:
            project.run("stack", "init", stack)
            project.config(shape.config(), stack=stack)
            project.config({"makeSecret": "bench-make-client-secret"}, secret=True, stack=stack)
            admin.settings(latency_ms=args.latency_ms if with_latency else 0)
            results: dict[str, Phase] = {}
            for name in PHASES:
                argv = phase_argv(name, parallel)
                if name == "update":
                    project.config({"touch": 1}, stack=stack)
                admin.reset(counters_only=True)
                log(f"{stack} {name}: pulumi {' '.join(argv)} …")
                seconds = project.timed(*argv, stack=stack)
                counted = admin.requests()
                minimum_by_endpoint = shape.minimum(name)
                minimum = sum(minimum_by_endpoint.values())
                result = Phase(
                    name=name,
                    seconds=seconds,
                    requests=int(counted["total"]),
                    by_endpoint={short(k): v for k, v in counted["by_endpoint"].items()},
                    by_status=counted["by_status"],
                    minimum=minimum,
                    minimum_by_endpoint={short(k): v for k, v in minimum_by_endpoint.items()},
                    ideal_seconds=minimum * latency / WORKERS,
                    overhead_seconds=report.overhead.get(name, 0.0),
                    verified="" if name == "preview" else verify(admin.state(), None if name == "destroy" else shape),
                )
                results[name] = result
                log(f"{stack} {name}: {seconds:.2f}s, {result.requests} requests (minimum {minimum}) {result.verified}")
            return results

        phases = run_phases("bench", with_latency=True)
        if args.baseline:
            baseline = run_phases("baseline", with_latency=False)
            for name, phase in phases.items():
                phase.zero_latency_seconds = baseline[name].seconds
        report.phases.extend(phases.values())
    return report


# --- printing ---------------------------------------------------------------------------------------


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def render(report: Report) -> str:
    s = report.shape
    lines = [
        f"stack: {s.bundles} bundle(s), {s.job_specs} job-spec installation(s), {s.links} links, "
        f"{s.connections} Make connection(s) in {s.apps} app(s) = {s.resources} resources; "
        f"latency {report.latency_ms:g} ms; --parallel {report.parallel}; ideal = minimum x latency / {WORKERS}",
        "engine overhead (one-link stack, its requests taken out): "
        + ", ".join(f"{k} {v:.2f}s" for k, v in report.overhead.items() if k != "update")
        + ("; PULUMI_SKIP_CHECKPOINTS=true" if report.skip_checkpoints else ""),
        "",
        "| phase | wall s | requests | minimum | ideal s | wall/ideal | (wall-overhead)/ideal "
        "| wall at 0 ms s | (wall-wall at 0 ms)/ideal | state |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in report.phases:
        zero = "-" if p.zero_latency_seconds is None else f"{p.zero_latency_seconds:.2f}"
        lines.append(
            f"| {p.name} | {p.seconds:.2f} | {p.requests} | {p.minimum} | {p.ideal_seconds:.2f} | "
            f"{_ratio(p.ratio)} | {_ratio(p.ratio_without_overhead)} | {zero} | {_ratio(p.latency_ratio)} | "
            f"{p.verified or '-'} |"
        )
    lines += ["", "requests per endpoint (counted / minimum):", ""]
    lines.append("| endpoint | " + " | ".join(p.name for p in report.phases) + " |")
    lines.append("|---|" + "---:|" * len(report.phases))
    endpoints = sorted({e for p in report.phases for e in (*p.by_endpoint, *p.minimum_by_endpoint)})
    for endpoint in endpoints:
        cells = []
        for p in report.phases:
            counted, needed = p.by_endpoint.get(endpoint, 0), p.minimum_by_endpoint.get(endpoint, 0)
            cells.append("" if not counted and not needed else f"{counted} / {needed}")
        lines.append(f"| `{endpoint}` | " + " | ".join(cells) + " |")
    statuses = Counter[str]()
    for p in report.phases:
        statuses.update(p.by_status)
    lines += ["", "statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))]
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundles", type=int, default=1)
    parser.add_argument("--job-specs", type=int, default=3, help="job-spec installations (spread over the bundles)")
    parser.add_argument("--links", type=int, default=200)
    parser.add_argument("--connections", type=int, default=10, help="Make connections")
    parser.add_argument("--apps", type=int, default=1, help="Make apps the connections are spread over")
    parser.add_argument("--touch-every", type=int, default=10, help="the update phase changes every Nth link (10%%)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--parallel", type=int, default=32, help="pulumi --parallel (the engine's own limit)")
    parser.add_argument(
        "--no-baseline",
        dest="baseline",
        action="store_false",
        help="skip the second run of the phases at zero latency (the engine's and providers' own time)",
    )
    parser.add_argument(
        "--skip-checkpoints",
        action="store_true",
        help="PULUMI_SKIP_CHECKPOINTS=true: the engine saves the state once, not after every step",
    )
    parser.add_argument("--bin", help="directory of the pulumi CLI (default: ZIS_PULUMI_BIN or install-pulumi.sh)")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    parser.add_argument("--verbose", action="store_true", help="progress on stderr even with --json")
    parser.add_argument("--provider-only", action="store_true", help="no engine: time each provider operation")
    parser.add_argument("--repeat", type=int, default=20, help="provider-only: operations per kind")
    from bench.scale import add_arguments

    add_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.scale_render:
        from bench.scale import render as render_scale

        print(render_scale(args.scale_render))
        return 0
    if args.scale:
        from bench.scale import run_scale

        return run_scale(args)
    if args.provider_only:
        from bench.provider_only import run_provider_only

        result = run_provider_only(args)
        if args.json:
            print(json.dumps(result, sort_keys=True))
        return 0
    shape = Shape(
        bundles=args.bundles,
        job_specs=args.job_specs,
        links=args.links,
        connections=args.connections,
        apps=args.apps,
        touch_every=args.touch_every,
    )
    try:
        report = engine_benchmark(args, shape)
    except subprocess.CalledProcessError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(render(report))
    if args.json:
        print(json.dumps(report.summary(), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
