"""`zis-pulumi export` of a seeded account, then the exported project through the real engine: `up` adopts every
object without one write, preview and refresh see no change, destroy removes what was adopted.

No test depends on another: those that look at the first `up` (what it did, the stack it left) share one exported
project, adopted once; destroy exports and adopts an account of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import PASSPHRASE, Project
from tests.support.account import APP, CLIENT_SECRET, EXAMPLE_INTEGRATION, INTEGRATION, LINKS, Seeded, seed_account
from tests.support.pulumi_cli import EmulatorAdmin, change_summary, project_env
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings

STACK = "adopted"
WRITES = ("POST ", "PUT ", "PATCH ", "DELETE ")


def writes(admin: EmulatorAdmin) -> dict[str, int]:
    by_endpoint: dict[str, int] = admin.requests()["by_endpoint"]
    return {endpoint: count for endpoint, count in by_endpoint.items() if endpoint.startswith(WRITES)}


def account(admin: EmulatorAdmin) -> dict[str, Any]:
    """The emulator's objects, without its request-independent counters."""
    state = admin.state()
    return {"zis": state["zis"], "make": state["make"]}


@dataclass
class Adopted:
    """An exported project after `stack init`, its secrets script and its first `up`, with what each did."""

    project: Project
    admin: EmulatorAdmin
    seeded: Seeded
    secrets: subprocess.CompletedProcess[str]
    """The run of secrets.sh."""
    before: dict[str, Any]
    """The account before the first `up`."""
    after: dict[str, Any]
    """The account after it."""
    writes: dict[str, int]
    """The writes it made, by endpoint."""
    summary: dict[str, int]
    """Its change summary."""


@contextmanager
def adopted(tmp: Path, pulumi_bin: Path, emulator: EmulatorServer, admin: EmulatorAdmin) -> Iterator[Adopted]:
    """Seed the account, export it, set the stack up as the export says and run its first `up`."""
    admin.reset()
    seeded = seed_account(emulator.env())
    (tmp / "state").mkdir()
    env = project_env(tmp, pulumi_bin, emulator.env(), PASSPHRASE)
    out = tmp / "project"
    command = [sys.executable, "-m", "zis_pulumi", "export", "--integration", INTEGRATION]
    command += ["--integration", EXAMPLE_INTEGRATION, "--make-app", APP, "--links", "--out", str(out)]
    command += ["--virtualenv", sys.prefix]
    exported = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert exported.returncode == 0, exported.stderr
    project = Project(dir=out, env=env)
    project.run("stack", "init", STACK)
    secrets = subprocess.run(["sh", "secrets.sh"], cwd=project.dir, env=project.env, capture_output=True, text=True)
    before = account(admin)
    admin.reset(counters_only=True)
    summary = change_summary(project.run("up", "--yes", "--skip-preview", "--json").stdout)
    yield Adopted(project, admin, seeded, secrets, before, account(admin), writes(admin), summary)


@pytest.fixture(scope="module")
def shared(
    tmp_path_factory: pytest.TempPathFactory,
    pulumi_bin: Path,
    engine_emulator: EmulatorServer,
    engine_admin: EmulatorAdmin,
) -> Iterator[Adopted]:
    with adopted(tmp_path_factory.mktemp("export"), pulumi_bin, engine_emulator, engine_admin) as stack:
        yield stack


@pytest.fixture
def own(tmp_path: Path, pulumi_bin: Path) -> Iterator[Adopted]:
    """An adopted account on an emulator of its own, for a test that removes it."""
    with (
        EmulatorServer(settings=EmulatorSettings(), host="127.0.0.1", port=0) as emulator,
        EmulatorAdmin(emulator) as admin,
        adopted(tmp_path, pulumi_bin, emulator, admin) as stack,
    ):
        yield stack


def test_stack_init_and_secrets_script_set_the_secret_config(shared: Adopted) -> None:
    project = shared.project
    assert shared.secrets.returncode == 0, shared.secrets.stderr
    config = json.loads(project.run("config", "--json").stdout)
    assert config == {"project:acme_crm_common": {"secret": True}}
    common = json.loads(project.run("config", "get", "acme_crm_common").stdout)
    assert common == {"clientId": "acme-client", "clientSecret": CLIENT_SECRET}


def test_up_adopts_everything_and_writes_nothing(shared: Adopted) -> None:
    assert shared.writes == {}
    assert shared.after == shared.before
    # 2 bundles, 2 installations, 3 links, 2 connections, and the stack itself.
    assert shared.summary.get("create") == 2 + 2 + len(LINKS) + 2 + 1, shared.summary


def test_preview_expects_no_changes(shared: Adopted) -> None:
    shared.admin.reset(counters_only=True)
    shared.project.run("preview", "--expect-no-changes")
    assert shared.admin.request_count() == 0


def test_refresh_expects_no_changes(shared: Adopted) -> None:
    shared.admin.reset(counters_only=True)
    shared.project.run("refresh", "--yes", "--expect-no-changes")
    assert writes(shared.admin) == {}
    shared.project.run("preview", "--expect-no-changes")


def test_destroy_removes_what_was_adopted(own: Adopted) -> None:
    own.project.run("destroy", "--yes", "--skip-preview")
    state = account(own.admin)
    assert state["zis"]["bundles"] == {}
    assert state["zis"]["links"] == {}
    connections = state["make"]["connections"]
    assert own.seeded.oauth_connection not in connections
    assert own.seeded.api_key_connection not in connections
