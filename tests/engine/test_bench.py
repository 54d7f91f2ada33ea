"""The benchmark still runs and still counts right (its numbers are read by people, never asserted on time).

A tiny stack at a small latency: every phase must leave the emulator holding exactly the declared stack,
a no-change preview must make no request, refresh exactly its minimum, and up and destroy at least theirs
(the minimum is a floor: counting fewer would mean the bench's model or the emulator's counters broke).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_every_phase_and_reports_the_issue_fields(pulumi_bin: Path, tmp_path: Path) -> None:
    argv = [
        sys.executable,
        str(ROOT / "bench" / "run.py"),
        *("--bundles", "1", "--job-specs", "2", "--links", "6", "--connections", "2", "--touch-every", "3"),
        *("--latency-ms", "5", "--no-baseline", "--json", "--bin", str(pulumi_bin)),
    ]
    result = subprocess.run(
        argv, capture_output=True, text=True, timeout=600, cwd=tmp_path, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])

    for key in (
        "resources",
        "latency_ms",
        "up_seconds",
        "up_ideal_seconds",
        "preview_requests",
        "refresh_requests",
        "destroy_seconds",
        "destroy_ideal_seconds",
    ):
        assert key in summary, key
    assert summary["resources"] == 1 + 2 + 6 + 2
    assert summary["latency_ms"] == 5
    phases = summary["phases"]
    assert {name: phases[name]["verified"] for name in ("up", "refresh", "update", "destroy")} == dict.fromkeys(
        ("up", "refresh", "update", "destroy"), "ok"
    )
    assert summary["preview_requests"] == 0
    assert summary["refresh_requests"] == summary["refresh_minimum_requests"]
    assert phases["update"]["requests"] == phases["update"]["minimum_requests"] == 2  # links 0 and 3 touched
    assert summary["up_requests"] >= summary["up_minimum_requests"] > 0
    assert summary["destroy_requests"] == summary["destroy_minimum_requests"] == 11


def test_scale_mode_runs_each_kind_and_counts_right(pulumi_bin: Path, tmp_path: Path) -> None:
    out = tmp_path / "scale.jsonl"
    argv = [
        sys.executable,
        str(ROOT / "bench" / "run.py"),
        *("--scale", "--kinds", "set,sequential", "--sizes", "5", "--latencies", "0", "--scale-repeat", "1"),
        *("--touch", "2", "--bin", str(pulumi_bin), "--out", str(out)),
    ]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    runs = {record["kind"]: record["phases"] for record in map(json.loads, out.read_text().splitlines())}
    requests = {kind: {name: phase["requests"] for name, phase in phases.items()} for kind, phases in runs.items()}
    assert requests["set"] == {"up": 6, "preview": 0, "refresh": 1, "update": 2, "destroy": 5}
    assert requests["sequential"] == {"up": 5, "refresh": 1, "update": 2, "destroy": 5}
    assert runs["set"]["up"]["links_after"] == 5 and runs["set"]["destroy"]["links_after"] == 0
    rendered = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--scale-render", str(out)], capture_output=True, text=True
    )
    assert "one zis.LinkSet" in rendered.stdout and "sequential httpx script" in rendered.stdout
