"""What the benchmark needs to drive the real pulumi CLI offline: a project copy, its environment, timed runs.

Also used by nothing else: the tests have their own helpers (tests/engine/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "zis-pulumi-bench"


def find_pulumi(explicit: str | None = None) -> Path:
    """The directory holding `pulumi`: --bin, ZIS_PULUMI_BIN, or scripts/install-pulumi.sh's last line."""
    configured = explicit or os.environ.get("ZIS_PULUMI_BIN")
    if configured:
        path = Path(configured)
    else:
        out = subprocess.run(
            ["bash", str(ROOT / "scripts" / "install-pulumi.sh")],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHON": sys.executable},
        )
        path = Path(out.stdout.strip().splitlines()[-1])
    if not (path / "pulumi").exists():
        raise SystemExit(f"no pulumi CLI in {path}; run scripts/install-pulumi.sh (or `make pulumi`)")
    return path


class PulumiError(RuntimeError):
    def __init__(self, argv: list[str], result: subprocess.CompletedProcess[str]) -> None:
        self.result = result
        super().__init__(
            f"pulumi {' '.join(argv)} exited {result.returncode}\n--- stdout\n{result.stdout[-4000:]}\n"
            f"--- stderr\n{result.stderr[-4000:]}"
        )


@dataclass
class Project:
    """A copy of a Pulumi program with a file backend, run with the emulator's settings in the environment."""

    dir: Path
    env: dict[str, str]
    runs: list[tuple[str, float]] = field(default_factory=list)

    def run(self, *argv: str, stack: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        args = [*argv, "--non-interactive"]
        if stack is not None:
            args += ["--stack", stack]
        started = time.monotonic()
        result = subprocess.run(["pulumi", *args], cwd=self.dir, env=self.env, capture_output=True, text=True)
        self.runs.append((" ".join(args), time.monotonic() - started))
        if check and result.returncode != 0:
            raise PulumiError(args, result)
        return result

    def timed(self, *argv: str, stack: str | None = None) -> float:
        started = time.monotonic()
        self.run(*argv, stack=stack)
        return time.monotonic() - started

    def config(self, stack: str, values: dict[str, Any], secret: bool = False) -> None:
        for key, value in values.items():
            self.run("config", "set", *(["--secret"] if secret else []), key, str(value), stack=stack)


def make_project(tmp: Path, program: Path, bin_dir: Path, emulator_env: dict[str, str], name: str) -> Project:
    workdir = tmp / "project"
    shutil.copytree(program, workdir, ignore=shutil.ignore_patterns("__pycache__"))
    (workdir / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: {Path(sys.prefix)}\n"
    )
    (tmp / "state").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZENDESK_", "MAKE_", "PULUMI_"))}
    env.update(emulator_env)
    env.update(
        {
            "PATH": os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), env.get("PATH", "")]),
            "PULUMI_BACKEND_URL": (tmp / "state").as_uri(),
            "PULUMI_HOME": str(tmp / "pulumi-home"),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }
    )
    return Project(dir=workdir, env=env)


class Admin:
    """The emulator's admin API (state, counters, settings)."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)

    def state(self) -> dict[str, Any]:
        return self.http.get("/_emulator/state").raise_for_status().json()  # type: ignore[no-any-return]

    def requests(self) -> dict[str, Any]:
        return self.http.get("/_emulator/requests").raise_for_status().json()  # type: ignore[no-any-return]

    def reset_counters(self) -> None:
        self.http.post("/_emulator/reset", json={"counters_only": True}).raise_for_status()

    def settings(self, **changes: Any) -> dict[str, Any]:
        return self.http.put("/_emulator/settings", json=changes).raise_for_status().json()  # type: ignore[no-any-return]

    def close(self) -> None:
        self.http.close()
