"""Stacks made by an earlier release keep working after an upgrade.

Each resource's state holds its provider object pickled by dill: the class by module path and the object's
attributes. A stack is created here with the previous release installed in a venv of its own (built from its
git tag), then the current code previews it (no change), refreshes it (no change), updates it and destroys it:
what a user's next `pulumi up` after `pip install --upgrade zis-pulumi` does. The program is the release's own
quick start, as users keep the program they wrote against the release they had. No test depends on another:
those that only look share one stack, each that changes it makes its own (on an emulator of its own).
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dill
import pytest

import zis_pulumi
from tests.engine.conftest import Project, add_jira_connection, make_project, own_emulator
from tests.support.pulumi_cli import EmulatorAdmin, change_summary
from tests.support.releases import RELEASES, InstalledRelease, install

INTEGRATION = "acme_sync"
LOOKUP = "GET /api/services/zis/integrations/{integration}/connections/all"
KINDS = {
    "pulumi-python:dynamic/zis:Bundle": "zis_pulumi.bundle.BundleProvider",
    "pulumi-python:dynamic/zis:JobSpecInstallation": "zis_pulumi.job_spec.JobSpecInstallationProvider",
    "pulumi-python:dynamic/zis:Link": "zis_pulumi.link.LinkProvider",
    "pulumi-python:dynamic/make:AppConnection": "zis_pulumi.app_connection.AppConnectionProvider",
}
"""Every resource kind of 0.1.0, with the provider class its state names (these paths must stay importable)."""


def use_python(project: Project, venv: Path) -> None:
    """Run the program and its dynamic providers with the Python of `venv` (the release's, or the current one)."""
    name = project.dir.joinpath("Pulumi.yaml").read_text().splitlines()[0]
    project.dir.joinpath("Pulumi.yaml").write_text(
        f"{name}\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n"
    )
    path = [p for p in project.env["PATH"].split(":") if not p.endswith(("/.venv/bin", "/venv/bin"))]
    project.env["PATH"] = ":".join([path[0], str(venv / "bin"), *path[1:]])


def record_version(project: Project, log: Path) -> None:
    """Make the program note which zis_pulumi it imported, so the test knows which release ran."""
    main = project.dir / "__main__.py"
    main.write_text(
        main.read_text() + f"\nwith open({str(log)!r}, 'a') as _log:\n    _log.write(zis.__version__ + '\\n')\n"
    )


def resources(project: Project) -> list[dict[str, Any]]:
    deployment = json.loads(project.export())["deployment"]
    return [r for r in deployment.get("resources", []) if r["type"] in KINDS]


@pytest.fixture(scope="module", params=RELEASES, ids=lambda release: release.tag)
def release(request: pytest.FixtureRequest) -> InstalledRelease:
    return install(request.param)


@contextmanager
def release_stack(tmp: Path, pulumi_bin: Path, release: InstalledRelease) -> Iterator[tuple[Project, EmulatorAdmin]]:
    """The release's quick-start stack, made by the release on an emulator of its own, then handed to this code."""
    with own_emulator() as (emulator, admin):
        add_jira_connection(emulator, INTEGRATION)
        project = make_project(tmp, pulumi_bin, emulator, release.source / "examples" / "quickstart")
        versions = tmp / "versions.log"
        record_version(project, versions)
        use_python(project, release.venv)
        project.up()
        assert versions.read_text().split() == [release.release.version]
        use_python(project, Path(sys.prefix))
        project.run("preview")
        assert versions.read_text().split() == [release.release.version, zis_pulumi.__version__]
        yield project, admin


@pytest.fixture(scope="module")
def old_stack(
    tmp_path_factory: pytest.TempPathFactory, pulumi_bin: Path, release: InstalledRelease
) -> Iterator[tuple[Project, EmulatorAdmin]]:
    """One stack for the tests that only look (each test that changes the stack makes its own)."""
    with release_stack(tmp_path_factory.mktemp("upgrade-shared"), pulumi_bin, release) as stack:
        yield stack


@pytest.fixture
def own_old_stack(
    tmp_path: Path, pulumi_bin: Path, release: InstalledRelease
) -> Iterator[tuple[Project, EmulatorAdmin]]:
    with release_stack(tmp_path, pulumi_bin, release) as stack:
        yield stack


def test_the_release_made_every_kind_with_its_own_provider_classes(
    old_stack: tuple[Project, EmulatorAdmin], release: InstalledRelease
) -> None:
    project, admin = old_stack
    kinds = {r["type"] for r in resources(project)}
    assert kinds == set(KINDS), kinds
    assert all(r["outputs"]["__provider"] for r in resources(project))
    installed = [s for s in admin.state()["zis"]["job_specs"].values() if s["installed"]]
    assert [s["name"] for s in installed] == ["on_ticket_created"]
    # The program ran in the release's venv, whose zis_pulumi is not the one this test imports.
    assert Path(sys.prefix) != release.venv


def test_providers_pickled_by_the_release_load_with_the_current_code(
    old_stack: tuple[Project, EmulatorAdmin],
) -> None:
    project, _ = old_stack
    for resource in resources(project):
        provider = dill.loads(base64.b64decode(resource["outputs"]["__provider"]))
        cls = type(provider)
        assert f"{cls.__module__}.{cls.__qualname__}" == KINDS[resource["type"]]
        assert provider.__dict__ == {}, "a pickled provider carries no attribute (and so no credential)"


def test_preview_with_the_current_code_shows_no_change(old_stack: tuple[Project, EmulatorAdmin]) -> None:
    project, admin = old_stack
    admin.reset(counters_only=True)
    project.run("preview", "--expect-no-changes")
    requests = admin.requests()["by_endpoint"]
    # The program's own connections lookup (a function, not a resource) reads at every run, as it should.
    assert {endpoint for endpoint in requests if endpoint != LOOKUP} == set(), requests


def test_refresh_with_the_current_code_shows_no_change(own_old_stack: tuple[Project, EmulatorAdmin]) -> None:
    project, _ = own_old_stack
    project.run("refresh", "--yes", "--expect-no-changes", "--skip-preview")
    project.run("preview", "--expect-no-changes")


def test_update_with_the_current_code(own_old_stack: tuple[Project, EmulatorAdmin]) -> None:
    project, admin = own_old_stack
    project.edit('"priority": "high"', '"priority": "low"')
    project.edit('description="Open a Jira issue for every new ticket"', 'description="Open a Jira issue per ticket"')
    project.config({"crmClientSecret": "rotated-after-upgrade"}, secret=True)
    summary = change_summary(project.run("up", "--yes", "--json", "--skip-preview").stdout)
    assert summary.get("update") == 5, summary  # 3 links, the bundle, the Make connection
    assert not {"create", "delete", "replace"} & set(summary), summary
    state = admin.state()
    links = list(state["zis"]["links"].values())
    assert len(links) == 3 and all(link["right_object"]["metadata"]["priority"] == "low" for link in links)
    bundles = [b for b in state["zis"]["bundles"].values() if b["name"] == "acme_sync"]
    assert [b["description"] for b in bundles] == ["Open a Jira issue per ticket"]
    project.run("preview", "--expect-no-changes")


def test_destroy_with_the_current_code_removes_everything(own_old_stack: tuple[Project, EmulatorAdmin]) -> None:
    project, admin = own_old_stack
    project.run("destroy", "--yes", "--skip-preview")
    state = admin.state()
    assert state["zis"]["links"] == {}
    assert [b for b in state["zis"]["bundles"].values() if b["name"] == "acme_sync"] == []
    assert [c for c in state["make"]["connections"].values() if c["gone_at"] is None] == []
    assert [s for s in state["zis"]["job_specs"].values() if s["installed"]] == []
