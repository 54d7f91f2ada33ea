"""Engine tests: the real pulumi CLI, a local file backend and the emulator on loopback.

The CLI comes from ZIS_PULUMI_BIN (set by `make test`) or scripts/install-pulumi.sh. Without one these
tests fail rather than skip: CI must run them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EmulatorAdmin
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"
PASSPHRASE = "engine-tests"

pytestmark = pytest.mark.engine


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/engine/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.engine)


@pytest.fixture(scope="session")
def pulumi_bin() -> Path:
    configured = os.environ.get("ZIS_PULUMI_BIN")
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
        pytest.fail(f"no pulumi CLI in {path}; run `make test` (it builds or finds one)")
    return path


class PulumiFailed(AssertionError):
    def __init__(self, argv: list[str], result: subprocess.CompletedProcess[str]) -> None:
        self.result = result
        super().__init__(
            f"pulumi {' '.join(argv)} exited {result.returncode}\n--- stdout\n{result.stdout[-8000:]}\n"
            f"--- stderr\n{result.stderr[-4000:]}"
        )


@dataclass
class Project:
    """A copy of a Pulumi program in a temporary directory, with its own backend and stack."""

    dir: Path
    env: dict[str, str]
    stack: str = "test"
    log: list[str] = field(default_factory=list)

    def run(self, *argv: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        args = list(argv)
        result = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        self.log.append(f"$ pulumi {' '.join(args)} -> {result.returncode}")
        if check and result.returncode != 0:
            raise PulumiFailed(args, result)
        return result

    def preview_steps(self, *extra: str) -> list[dict[str, Any]]:
        """The steps of `pulumi preview --json`: op and URN/type of every resource."""
        result = self.run("preview", "--json", *extra)
        return list(json.loads(result.stdout).get("steps", []))

    def up(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes", "--skip-preview", *extra)

    def refresh_changes(self) -> dict[str, int]:
        result = self.run("refresh", "--yes", "--json", "--skip-preview")
        return _change_summary(result.stdout)

    def outputs(self, show_secrets: bool = False) -> dict[str, Any]:
        args = ["stack", "output", "--json"] + (["--show-secrets"] if show_secrets else [])
        return dict(json.loads(self.run(*args).stdout))

    def export(self, show_secrets: bool = False) -> str:
        return self.run("stack", "export", *(["--show-secrets"] if show_secrets else [])).stdout

    def edit(self, old: str, new: str, file: str = "__main__.py") -> None:
        path = self.dir / file
        text = path.read_text()
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1))


def _change_summary(stdout: str) -> dict[str, int]:
    """Counts by operation from the `--json` output of up/refresh/destroy.

    With `--skip-preview` the CLI streams engine events, one JSON object a line; the summary event holds
    the counts. Without it, one document with `changeSummary`.
    """
    for line in stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except ValueError:
            break  # not a stream: one pretty-printed document
        summary = (event.get("summaryEvent") or {}).get("resourceChanges")
        if summary is not None:
            return {str(k): int(v) for k, v in summary.items()}
    document = json.loads(stdout)
    return {str(k): int(v) for k, v in (document.get("changeSummary") or {}).items()}


def make_project(
    tmp: Path,
    pulumi_bin: Path,
    emulator: EmulatorServer,
    program: Path = QUICKSTART,
    *,
    config: dict[str, str] | None = None,
) -> Project:
    workdir = tmp / "project"
    shutil.copytree(program, workdir, ignore=shutil.ignore_patterns("__pycache__"))
    (workdir / "Pulumi.yaml").write_text(
        f"name: zis-pulumi-quickstart\nruntime:\n  name: python\n  options:\n    virtualenv: {Path(sys.prefix)}\n"
    )
    (tmp / "state").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZENDESK_", "MAKE_", "PULUMI_"))}
    env.update(emulator.env())
    env.update(
        {
            "PATH": os.pathsep.join([str(pulumi_bin), str(Path(sys.executable).parent), env.get("PATH", "")]),
            "PULUMI_BACKEND_URL": (tmp / "state").as_uri(),
            "PULUMI_HOME": str(tmp / "pulumi-home"),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }
    )
    project = Project(dir=workdir, env=env)
    project.run("stack", "init", project.stack)
    for key, value in {"crmClientSecret": "engine-test-client-secret", **(config or {})}.items():
        project.run("config", "set", "--secret", key, value)
    return project


@pytest.fixture(scope="module")
def engine_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(settings=EmulatorSettings(), host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture(scope="module")
def engine_admin(engine_emulator: EmulatorServer) -> Iterator[EmulatorAdmin]:
    admin = EmulatorAdmin(engine_emulator)
    yield admin
    admin.http.close()
