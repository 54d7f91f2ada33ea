"""Provider-only benchmark: each provider operation's own time, outside the HTTP wait, with no engine.

Each provider is pickled and unpickled as the engine does and configured with a stack config, then driven
through check → diff → create → read → update → delete against an in-process emulator. Every HTTP send is
timed (httpx.Client.send), so an operation's own overhead is its wall time minus the time during which at
least one of its requests was in flight (the union of the intervals: the Make provider sends several at
once). What is left is Python: validation, diffing, pydantic models, JSON, locks, thread pools.
"""

from __future__ import annotations

import argparse
import base64
import functools
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dill
import httpx
from pulumi.dynamic import ConfigureRequest, ResourceProvider
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider

from tests.support.pulumi_cli import stack_config_of
from zis_pulumi.app_connection import AppConnectionProvider
from zis_pulumi.bundle import BundleProvider
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings, Faults
from zis_pulumi.job_spec import JobSpecInstallationProvider
from zis_pulumi.link import LinkProvider

INTEGRATION = "bench_po"


# --- timing of HTTP sends -------------------------------------------------------------------------


class HttpClock:
    """Records (start, end) of every API request sent through httpx, from any thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.intervals: list[tuple[float, float]] = []
        self._original: Callable[..., httpx.Response] | None = None

    @contextmanager
    def installed(self) -> Iterator[HttpClock]:
        original = httpx.Client.send
        clock = self

        def timed_send(client: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
            if request.url.path.startswith("/_emulator"):
                return original(client, request, **kwargs)
            started = time.perf_counter()
            try:
                return original(client, request, **kwargs)
            finally:
                ended = time.perf_counter()
                with clock.lock:
                    clock.intervals.append((started, ended))

        httpx.Client.send = timed_send  # type: ignore[method-assign, assignment]
        try:
            yield self
        finally:
            httpx.Client.send = original  # type: ignore[method-assign]

    def since(self, index: int) -> list[tuple[float, float]]:
        with self.lock:
            return self.intervals[index:]

    def mark(self) -> int:
        with self.lock:
            return len(self.intervals)


def busy_seconds(intervals: list[tuple[float, float]]) -> float:
    """The length of the union of the intervals."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if start > end:
            total += stop - start
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total


# --- measuring ------------------------------------------------------------------------------------


@dataclass
class OpStats:
    kind: str
    op: str
    wall: list[float] = field(default_factory=list)
    http: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        own = [w - h for w, h in zip(self.wall, self.http, strict=True)]
        return {
            "kind": self.kind,
            "op": self.op,
            "n": len(self.wall),
            "requests_per_op": round(statistics.mean(self.requests), 2),
            "wall_ms": round(statistics.mean(self.wall) * 1000, 3),
            "http_ms": round(statistics.mean(self.http) * 1000, 3),
            "own_ms_mean": round(statistics.mean(own) * 1000, 3),
            "own_ms_median": round(statistics.median(own) * 1000, 3),
            "own_ms_max": round(max(own) * 1000, 3),
        }


class Bench:
    def __init__(self, clock: HttpClock) -> None:
        self.clock = clock
        self.stats: dict[tuple[str, str], OpStats] = {}

    def measure(self, kind: str, op: str, call: Callable[[], Any]) -> Any:
        mark = self.clock.mark()
        started = time.perf_counter()
        result = call()
        wall = time.perf_counter() - started
        intervals = self.clock.since(mark)
        stats = self.stats.setdefault((kind, op), OpStats(kind, op))
        stats.wall.append(wall)
        stats.http.append(busy_seconds(intervals))
        stats.requests.append(len(intervals))
        return result


def shipped(provider: ResourceProvider, stack_config: dict[str, str]) -> ResourceProvider:
    """The provider as the provider process gets it: pickled, unpickled, configured."""
    blob = serialize_provider(provider)
    copy: ResourceProvider = dill.loads(base64.b64decode(blob))
    copy.configure(ConfigureRequest(Config(raw_config=dict(stack_config), project_name="zis-pulumi-bench")))
    return copy


def _checked(bench: Bench, kind: str, provider: ResourceProvider, news: dict[str, Any], olds: Any = None) -> Any:
    result = bench.measure(kind, "check", lambda: provider.check(olds or {}, dict(news)))
    if result.failures:
        raise AssertionError(f"{kind}: check failed: {[(f.property, f.reason) for f in result.failures]}")
    return result.inputs


def _bundle_inputs(name: str, job_specs: int, description: str = "bench", prefix: str = "job") -> dict[str, Any]:
    resources: dict[str, Any] = {
        "notify": {
            "type": "ZIS::Action::Http",
            "properties": {"name": "notify", "definition": {"method": "POST", "path": "/hooks/notify"}},
        },
        "on_event": {
            "type": "ZIS::Flow",
            "properties": {
                "name": "on_event",
                "definition": {
                    "StartAt": "Notify",
                    "States": {
                        "Notify": {
                            "Type": "Action",
                            "ActionName": f"zis:{INTEGRATION}:action:notify",
                            "Next": "Done",
                        },
                        "Done": {"Type": "Succeed"},
                    },
                },
            },
        },
    }
    for j in range(job_specs):
        resources[f"{prefix}_{j}"] = {
            "type": "ZIS::JobSpec",
            "properties": {
                "name": f"{prefix}_{j}",
                "event_source": "support",
                "event_type": f"ticket.Event{j}",
                "flow_name": f"zis:{INTEGRATION}:flow:on_event",
            },
        }
    return {
        "integration": INTEGRATION,
        "name": name,
        "description": description,
        "resources": resources,
        "zis_template_version": "2019-10-14",
    }


def run_kinds(bench: Bench, stack_config: dict[str, str], repeat: int) -> None:
    # serialize: what the program does for every resource it declares
    for _ in range(repeat):
        bench.measure("program", "serialize provider", lambda: serialize_provider(LinkProvider()))

    bundles = shipped(BundleProvider(), stack_config)
    # The bundle the installations use; its own create/read/update/delete are measured on the others.
    anchor = _checked(bench, "Bundle", bundles, _bundle_inputs(INTEGRATION, repeat))
    anchor_made = bundles.create(anchor)
    for i in range(repeat):
        inputs = _checked(bench, "Bundle", bundles, _bundle_inputs(f"bundle_{i}", 3, prefix=f"b{i}_job"))
        made = bench.measure("Bundle", "create", functools.partial(bundles.create, inputs))
        bench.measure("Bundle", "diff", functools.partial(bundles.diff, made.id, made.outs, inputs))
        bench.measure("Bundle", "read", functools.partial(bundles.read, made.id, made.outs))
        changed = _bundle_inputs(f"bundle_{i}", 3, "changed", prefix=f"b{i}_job")
        news = _checked(bench, "Bundle", bundles, changed, made.outs)
        updated = bench.measure("Bundle", "update", functools.partial(bundles.update, made.id, made.outs, news))
        bench.measure("Bundle", "delete", functools.partial(bundles.delete, made.id, updated.outs))

    installs = shipped(JobSpecInstallationProvider(), stack_config)
    for i in range(repeat):
        inputs = _checked(
            bench, "JobSpecInstallation", installs, {"integration": INTEGRATION, "job_spec_name": f"job_{i}"}
        )
        made = bench.measure("JobSpecInstallation", "create", functools.partial(installs.create, inputs))
        bench.measure("JobSpecInstallation", "diff", functools.partial(installs.diff, made.id, made.outs, inputs))
        bench.measure("JobSpecInstallation", "read", functools.partial(installs.read, made.id, made.outs))
        bench.measure("JobSpecInstallation", "delete", functools.partial(installs.delete, made.id, made.outs))

    links = shipped(LinkProvider(), stack_config)
    for i in range(repeat):
        news = {
            "integration": INTEGRATION,
            "link_type": "ticket_to_issue",
            "left_object": {"name": f"zendesk:ticket{i}", "metadata": {"ticket_id": i}},
            "right_object": {"name": f"jira:PO-{i}", "metadata": {"key": f"PO-{i}", "rev": 0}},
        }
        inputs = _checked(bench, "Link", links, news)
        made = bench.measure("Link", "create", functools.partial(links.create, inputs))
        bench.measure("Link", "diff", functools.partial(links.diff, made.id, made.outs, inputs))
        bench.measure("Link", "read", functools.partial(links.read, made.id, made.outs))
        changed = {**news, "right_object": {"name": f"jira:PO-{i}", "metadata": {"key": f"PO-{i}", "rev": 1}}}
        new_inputs = _checked(bench, "Link", links, changed, made.outs)
        updated = bench.measure("Link", "update", functools.partial(links.update, made.id, made.outs, new_inputs))
        bench.measure("Link", "delete", functools.partial(links.delete, made.id, updated.outs))

    connections = shipped(AppConnectionProvider(), stack_config)
    for i in range(repeat):
        news = {
            "app_name": "bench-po-app",
            "type": "oauth-refresh",
            "label": f"Bench {i}",
            "api": {"url": "https://crm.example.com/api/v1/me"},
            "parameters": [{"name": "clientId", "type": "text"}, {"name": "clientSecret", "type": "password"}],
            "scopes": {"contacts.read": "Read contacts"},
            "scope": ["contacts.read"],
            "common": {"clientId": f"client-{i}", "clientSecret": "bench-secret"},
        }
        inputs = _checked(bench, "AppConnection", connections, news)
        made = bench.measure("AppConnection", "create", functools.partial(connections.create, inputs))
        bench.measure("AppConnection", "diff", functools.partial(connections.diff, made.id, made.outs, inputs))
        bench.measure("AppConnection", "read", functools.partial(connections.read, made.id, made.outs))
        new_inputs = _checked(bench, "AppConnection", connections, {**news, "label": f"Bench {i} (v2)"}, made.outs)
        updated = bench.measure(
            "AppConnection",
            "update",
            functools.partial(connections.update, made.id, made.outs, new_inputs),
        )
        bench.measure("AppConnection", "delete", functools.partial(connections.delete, made.id, updated.outs))
    bundles.delete(anchor_made.id, anchor_made.outs or {})


def render(rows: list[dict[str, Any]], latency_ms: float) -> str:
    lines = [
        "provider-only: each operation's own time (wall minus the time with a request in flight); "
        f"latency {latency_ms:g} ms",
        "",
        "| resource | operation | n | requests/op | wall ms | HTTP ms | own ms (mean) | own ms (median) "
        "| own ms (max) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['kind']} | {r['op']} | {r['n']} | {r['requests_per_op']:g} | {r['wall_ms']:.2f} | "
            f"{r['http_ms']:.2f} | {r['own_ms_mean']:.2f} | {r['own_ms_median']:.2f} | {r['own_ms_max']:.2f} |"
        )
    return "\n".join(lines)


def run_provider_only(args: argparse.Namespace) -> dict[str, Any]:
    settings = EmulatorSettings(faults=Faults(latency_ms=args.latency_ms))
    with EmulatorServer(settings=settings, host="127.0.0.1", port=0) as server:
        stack_config = stack_config_of(server)
        clock = HttpClock()
        bench = Bench(clock)
        with clock.installed():
            run_kinds(bench, stack_config, max(1, args.repeat))
    order = ["serialize provider", "check", "diff", "create", "read", "update", "delete"]
    rows = sorted(
        (s.row() for s in bench.stats.values()),
        key=lambda r: (
            ["program", "Bundle", "JobSpecInstallation", "Link", "AppConnection"].index(r["kind"]),
            order.index(r["op"]),
        ),
    )
    print(render(rows, args.latency_ms), file=sys.stdout if not args.json else sys.stderr)
    return {"mode": "provider-only", "latency_ms": args.latency_ms, "repeat": args.repeat, "operations": rows}
