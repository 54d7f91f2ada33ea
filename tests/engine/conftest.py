"""Engine tests: the real pulumi CLI, a local file backend and the emulator on loopback.

The CLI comes from the `pulumi_bin` fixture (tests/conftest.py): ZIS_PULUMI_BIN, set by `make test`, or
scripts/install-pulumi.sh. Without one these tests fail rather than skip: CI must run them.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from tests.support.pulumi_cli import EmulatorAdmin, PulumiProject, change_summary
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"
PASSPHRASE = "engine-tests"
STACK = "test"

pytestmark = pytest.mark.engine


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/engine/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.engine)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so a fixture's teardown can tell whether its test failed."""
    report: pytest.TestReport = yield
    # An attribute, not a StashKey: pytest may import this conftest twice (as a plugin and as a module).
    reports: dict[str, pytest.TestReport] = item.__dict__.setdefault("engine_reports", {})
    reports[report.when] = report
    return report


def failed(request: pytest.FixtureRequest) -> bool:
    """Whether the test `request` serves failed (or did not run): its fixture must then repair what it shares."""
    call = request.node.__dict__.get("engine_reports", {}).get("call")
    return call is None or not call.passed


class Project(PulumiProject):
    """A copy of a Pulumi program (the quick start by default) with its own backend and stack."""

    timeout: ClassVar[float | None] = 600

    def up(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes", "--skip-preview", *extra)

    def refresh_changes(self) -> dict[str, int]:
        return change_summary(self.run("refresh", "--yes", "--json", "--skip-preview").stdout)

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


def add_jira_connection(emulator: EmulatorServer, integration: str = "acme_sync") -> None:
    """The integration's `jira` connection, as a Zendesk admin makes it (the quick start looks it up)."""
    env = emulator.env()
    httpx.post(
        f"{emulator.base_url}/api/services/zis/integrations/{integration}/connections/bearer_token",
        headers={"Authorization": f"Bearer {env['ZENDESK_OAUTH_TOKEN']}", "User-Agent": "tests"},
        json={"name": "jira", "token": "jira-secret-token", "allowed_domain": "acme.atlassian.net"},
    ).raise_for_status()


def new_project(tmp: Path, pulumi_bin: Path, emulator: EmulatorServer, program: Path, name: str) -> Project:
    """A project `name` of `program` on `emulator`, with stack `test` made and selected and no config set."""
    project = Project.create(
        tmp,
        program,
        name=name,
        bin_dir=pulumi_bin,
        settings=emulator.env(),
        passphrase=PASSPHRASE,
    )
    project.run("stack", "init", STACK)
    return project


@contextmanager
def own_emulator() -> Iterator[tuple[EmulatorServer, EmulatorAdmin]]:
    """An emulator of the test's own and its admin API, for a test whose stack must not share one."""
    with (
        EmulatorServer(settings=EmulatorSettings(), host="127.0.0.1", port=0) as emulator,
        EmulatorAdmin(emulator) as admin,
    ):
        yield emulator, admin


def make_project(
    tmp: Path,
    pulumi_bin: Path,
    emulator: EmulatorServer,
    program: Path = QUICKSTART,
    *,
    config: dict[str, str] | None = None,
) -> Project:
    """A project of `program` with stack `test` selected and the quick start's secret set."""
    project = new_project(tmp, pulumi_bin, emulator, program, "zis-pulumi-quickstart")
    project.config({"crmClientSecret": "engine-test-client-secret", **(config or {})}, secret=True)
    return project


@pytest.fixture(scope="module")
def engine_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(settings=EmulatorSettings(), host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture(scope="module")
def engine_admin(engine_emulator: EmulatorServer) -> Iterator[EmulatorAdmin]:
    with EmulatorAdmin(engine_emulator) as admin:
        yield admin
