"""`zis-pulumi export` of a seeded account, then the exported project through the real engine: `up` adopts every
object without one write, preview and refresh see no change, destroy removes what was adopted.

The tests share one project and run in file order.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import PASSPHRASE, Project
from tests.support.account import APP, CLIENT_SECRET, EXAMPLE_INTEGRATION, INTEGRATION, LINKS, Seeded, seed_account
from tests.support.pulumi_cli import EmulatorAdmin, change_summary, project_env
from zis_pulumi.emulator import EmulatorServer

STACK = "adopted"
WRITES = ("POST ", "PUT ", "PATCH ", "DELETE ")


@pytest.fixture(scope="module")
def seeded(engine_emulator: EmulatorServer, engine_admin: EmulatorAdmin) -> Seeded:
    engine_admin.reset()
    return seed_account(engine_emulator.env())


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, pulumi_bin: Path, engine_emulator: EmulatorServer, seeded: Seeded
) -> Iterator[Project]:
    tmp = tmp_path_factory.mktemp("export")
    (tmp / "state").mkdir()
    env = project_env(tmp, pulumi_bin, engine_emulator.env(), PASSPHRASE)
    out = tmp / "project"
    command = [sys.executable, "-m", "zis_pulumi", "export", "--integration", INTEGRATION]
    command += ["--integration", EXAMPLE_INTEGRATION, "--make-app", APP, "--links", "--out", str(out)]
    command += ["--virtualenv", sys.prefix]
    exported = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert exported.returncode == 0, exported.stderr
    yield Project(dir=out, env=env)


def writes(admin: EmulatorAdmin) -> dict[str, int]:
    by_endpoint: dict[str, int] = admin.requests()["by_endpoint"]
    return {endpoint: count for endpoint, count in by_endpoint.items() if endpoint.startswith(WRITES)}


def account(admin: EmulatorAdmin) -> dict[str, Any]:
    """The emulator's objects, without its request-independent counters."""
    state = admin.state()
    return {"zis": state["zis"], "make": state["make"]}


def test_01_stack_init_and_secrets_script_set_the_secret_config(project: Project) -> None:
    project.run("stack", "init", STACK)
    result = subprocess.run(["sh", "secrets.sh"], cwd=project.dir, env=project.env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    config = json.loads(project.run("config", "--json").stdout)
    assert config == {"project:acme_crm_common": {"secret": True}}
    common = json.loads(project.run("config", "get", "acme_crm_common").stdout)
    assert common == {"clientId": "acme-client", "clientSecret": CLIENT_SECRET}


def test_02_up_adopts_everything_and_writes_nothing(project: Project, engine_admin: EmulatorAdmin) -> None:
    before = account(engine_admin)
    engine_admin.reset(counters_only=True)
    summary = change_summary(project.run("up", "--yes", "--skip-preview", "--json").stdout)
    assert writes(engine_admin) == {}
    assert account(engine_admin) == before
    # 2 bundles, 2 installations, 3 links, 2 connections, and the stack itself.
    assert summary.get("create") == 2 + 2 + len(LINKS) + 2 + 1, summary


def test_03_preview_expects_no_changes(project: Project, engine_admin: EmulatorAdmin) -> None:
    engine_admin.reset(counters_only=True)
    project.run("preview", "--expect-no-changes")
    assert engine_admin.request_count() == 0


def test_04_refresh_expects_no_changes(project: Project, engine_admin: EmulatorAdmin) -> None:
    engine_admin.reset(counters_only=True)
    project.run("refresh", "--yes", "--expect-no-changes")
    assert writes(engine_admin) == {}
    project.run("preview", "--expect-no-changes")


def test_05_destroy_removes_what_was_adopted(project: Project, engine_admin: EmulatorAdmin, seeded: Seeded) -> None:
    project.run("destroy", "--yes", "--skip-preview")
    state = account(engine_admin)
    assert state["zis"]["bundles"] == {}
    assert state["zis"]["links"] == {}
    connections = state["make"]["connections"]
    assert seeded.oauth_connection not in connections
    assert seeded.api_key_connection not in connections
