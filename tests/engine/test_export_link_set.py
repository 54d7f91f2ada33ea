"""The export of many links of one type is one `zis.LinkSet`; its first `up` adopts the links with no write.

Runs once zis_pulumi has LinkSet (tests/test_export.py checks the generated code either way)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import zis_pulumi
from tests.engine.conftest import PASSPHRASE, Project
from tests.support.account import INTEGRATION, MANY_LINK_TYPE, seed_account
from tests.support.pulumi_cli import EmulatorAdmin, project_env
from zis_pulumi.emulator import EmulatorServer

pytestmark = pytest.mark.skipif(not hasattr(zis_pulumi, "LinkSet"), reason="zis_pulumi has no LinkSet yet")
WRITES = ("POST ", "PUT ", "PATCH ", "DELETE ")
MANY = 25


def test_many_links_are_adopted_as_one_link_set_without_a_write(
    tmp_path: Path, pulumi_bin: Path, engine_emulator: EmulatorServer, engine_admin: EmulatorAdmin
) -> None:
    engine_admin.reset()
    seed_account(engine_emulator.env(), many_links=MANY)
    (tmp_path / "state").mkdir()
    env = project_env(tmp_path, pulumi_bin, engine_emulator.env(), PASSPHRASE)
    out = tmp_path / "project"
    command = [sys.executable, "-m", "zis_pulumi", "export", "--integration", INTEGRATION]
    command += ["--link-type", MANY_LINK_TYPE, "--link-prefix", "zendesk:", "--out", str(out)]
    command += ["--virtualenv", sys.prefix]
    exported = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert exported.returncode == 0, exported.stderr
    assert (out / "__main__.py").read_text().count("zis.LinkSet(") == 1
    project = Project(dir=out, env=env)
    project.run("stack", "init", "links")
    links_before = engine_admin.state()["zis"]["links"]
    engine_admin.reset(counters_only=True)
    project.run("up", "--yes", "--skip-preview")
    by_endpoint: dict[str, int] = engine_admin.requests()["by_endpoint"]
    assert {k: v for k, v in by_endpoint.items() if k.startswith(WRITES)} == {}
    assert engine_admin.state()["zis"]["links"] == links_before
    project.run("preview", "--expect-no-changes")
    project.run("destroy", "--yes", "--skip-preview")
    remaining = engine_admin.state()["zis"]["links"].values()
    assert [link for link in remaining if link["link_type"] == MANY_LINK_TYPE] == []
