"""One remote object, one resource, through the real pulumi CLI (issue 11).

A rename without `aliases` is "create b, delete a" to the engine; for every resource kind it must leave
the remote object in place, owned by the new resource. With `aliases` a rename makes no request. Two
resources declaring one remote object fail the preview, naming both, with no request. A create that
takes over an existing object says so in the run's output.

No test depends on another. The program is tests/engine/ownership_program. Each rename starts from a stack of
its own deployed at the stage it renames from (on an emulator of its own), as does destroy; the other tests share
one stack deployed at the last stage, `*-v3` in the group aliased to `*-v2`, and each that changes it leaves it
converged (after a failure, its fixture runs `up`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import Project, failed, new_project, own_emulator
from tests.support.pulumi_cli import EmulatorAdmin, change_summary
from zis_pulumi.emulator import EmulatorServer

PROGRAM = Path(__file__).resolve().parent / "ownership_program"
INTEGRATION = "own_sync"
APP = "own-crm"
KINDS = ("bundle", "install", "link", "crm")
JOB_SPEC = f"zis:{INTEGRATION}:job_spec:on_ticket_created"
LINK = "ZIS link 'ticket_to_issue' 'zendesk:ticket1' → 'jira:PROJ-1' of integration 'own_sync'"
BUNDLE = "ZIS bundle 'own_sync' of integration 'own_sync'"
INSTALLATION = f"installation of ZIS job spec {JOB_SPEC}"
V1 = {"suffix": "v1"}
V2 = {"suffix": "v2", "inGroup": True}
"""Every resource renamed (moved into the group), without aliases."""
V3 = {"suffix": "v3", "inGroup": True, "aliasOf": "v2"}
"""Every resource renamed again, with aliases."""


def deployed(tmp: Path, pulumi_bin: Path, emulator: EmulatorServer, config: dict[str, Any]) -> Project:
    """A stack of the program deployed with `config`."""
    project = new_project(tmp, pulumi_bin, emulator, PROGRAM, "zis-pulumi-ownership")
    project.config(config)
    project.run("up", "--yes", "--skip-preview")
    return project


@contextmanager
def own_stack(tmp: Path, pulumi_bin: Path, config: dict[str, Any]) -> Iterator[tuple[Project, EmulatorAdmin]]:
    """A stack deployed with `config` on an emulator of its own."""
    with own_emulator() as (emulator, admin):
        yield deployed(tmp, pulumi_bin, emulator, config), admin


@pytest.fixture
def at_v1(tmp_path: Path, pulumi_bin: Path) -> Iterator[tuple[Project, EmulatorAdmin]]:
    with own_stack(tmp_path, pulumi_bin, V1) as stack:
        yield stack


@pytest.fixture
def at_v2(tmp_path: Path, pulumi_bin: Path) -> Iterator[tuple[Project, EmulatorAdmin]]:
    with own_stack(tmp_path, pulumi_bin, V2) as stack:
        yield stack


@pytest.fixture(scope="module")
def admin(engine_admin: EmulatorAdmin) -> Iterator[EmulatorAdmin]:
    engine_admin.reset()
    yield engine_admin
    engine_admin.reset()


@pytest.fixture(scope="module")
def shared(
    tmp_path_factory: pytest.TempPathFactory, pulumi_bin: Path, engine_emulator: EmulatorServer, admin: EmulatorAdmin
) -> Project:
    """The stack at the last stage, V3, for the tests that only look and those that leave it as they found it."""
    return deployed(tmp_path_factory.mktemp("ownership"), pulumi_bin, engine_emulator, V3)


@pytest.fixture
def project(request: pytest.FixtureRequest, shared: Project) -> Iterator[Project]:
    """The shared stack; after a failed test, `up` makes it the program's again."""
    yield shared
    if failed(request):
        shared.run("up", "--yes", "--skip-preview")


def held(admin: EmulatorAdmin) -> dict[str, Any]:
    """The remote objects of the program's integration and app."""
    state = admin.state()
    zis, make = state["zis"], state["make"]
    return {
        "links": [link for link in zis["links"].values() if link["integration"] == INTEGRATION],
        "bundles": [bundle for bundle in zis["bundles"].values() if bundle["integration"] == INTEGRATION],
        "installed": sorted(j["name"] for j in zis["job_specs"].values() if j["installed"]),
        "connections": [c for c in make["connections"].values() if c["app"] == APP and c.get("gone_at") is None],
    }


def ops(project: Project) -> dict[str, str]:
    """Operation by resource name of a preview (`same` and the stack left out)."""
    return {
        step["urn"].split("::")[-1]: step["op"]
        for step in project.preview_steps()
        if step["op"] != "same" and "pulumi:pulumi:Stack" not in step["urn"]
    }


def test_up_creates_one_object_of_each_kind(shared: Project, admin: EmulatorAdmin) -> None:
    objects = held(admin)
    assert len(objects["links"]) == 1 and len(objects["bundles"]) == 1
    assert objects["installed"] == ["on_ticket_created"]
    assert [c["label"] for c in objects["connections"]] == ["Own CRM"]


def test_rename_without_aliases_keeps_every_remote_object(at_v1: tuple[Project, EmulatorAdmin]) -> None:
    """Moving every resource into a component renames it: each object stays, owned by the new resource."""
    project, admin = at_v1
    before = held(admin)
    project.config(V2)
    planned = ops(project)
    assert planned == {
        "group": "create",
        **{f"{kind}-v2": "create" for kind in KINDS},
        **{f"{kind}-v1": "delete" for kind in KINDS},
    }

    result = project.run("up", "--yes", "--skip-preview")

    after = held(admin)
    assert [link["id"] for link in after["links"]] == [link["id"] for link in before["links"]]
    assert after["links"][0]["right_object"]["metadata"] == {"priority": "high"}
    assert [b["uuid"] for b in after["bundles"]] == [b["uuid"] for b in before["bundles"]]
    assert after["installed"] == ["on_ticket_created"]  # the bundle's upload did not orphan it either
    # The Make connection is made again under the new resource's claim (Make names it) and the old one goes:
    # exactly one, holding the declared definition.
    assert len(after["connections"]) == 1
    connection = after["connections"][0]
    assert connection["label"] == "Own CRM"
    assert json.loads(connection["sections"]["parameters"])[0]["name"] == "apiKey"
    assert {k: v for k, v in connection["common"].items() if k != "zisPulumiClaim"} == {"region": "eu"}
    assert project.run("stack", "output", "connection_name").stdout.strip() == connection["name"]

    output = result.stdout + result.stderr
    for what in (LINK, BUNDLE, INSTALLATION):
        assert f"left the {what} in place instead of deleting it" in output, output[-4000:]
    assert f'zis:Link "link-v2" adopted the existing {LINK}' in output
    assert f'zis:Bundle "bundle-v2" adopted the existing {BUNDLE}' in output
    assert f'zis:JobSpecInstallation "install-v2" adopted the existing {INSTALLATION}' in output
    assert ops(project) == {}


def test_rename_with_aliases_makes_no_request(at_v2: tuple[Project, EmulatorAdmin]) -> None:
    project, admin = at_v2
    project.config(V3)
    admin.reset(counters_only=True)
    assert ops(project) == {}
    result = project.run("up", "--yes", "--skip-preview", "--json")
    assert admin.request_count() == 0, admin.requests()["by_endpoint"]
    assert set(change_summary(result.stdout)) <= {"same"}, change_summary(result.stdout)
    urns = [r["urn"] for r in json.loads(project.run("stack", "export").stdout)["deployment"]["resources"]]
    assert {urn.split("::")[-1] for urn in urns} >= {f"{kind}-v3" for kind in KINDS}
    assert not any(urn.endswith(("-v2", "-v1")) for urn in urns)


@pytest.mark.parametrize(
    ("kind", "what"),
    [("bundle", BUNDLE), ("install", INSTALLATION), ("link", LINK)],
)
def test_a_second_resource_declaring_the_same_object_fails_the_preview(
    project: Project, admin: EmulatorAdmin, kind: str, what: str
) -> None:
    project.config({"duplicate": kind})
    admin.reset(counters_only=True)
    try:
        result = project.run("preview", check=False)
    finally:
        project.run("config", "rm", "duplicate")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    # Whichever of the two the engine checks second reports the other: the order of checks is the engine's.
    reports = [
        f"resource '{second}' has a problem: declares the {what}, which " in output
        and f'"{first}" declares too' in output
        for first, second in ((f"{kind}-v3", f"{kind}-twin"), (f"{kind}-twin", f"{kind}-v3"))
    ]
    assert any(reports), output[-4000:]
    assert "one remote object belongs to one resource" in output
    assert admin.request_count() == 0, admin.requests()["by_endpoint"]


def test_a_create_that_finds_its_object_says_so(project: Project, admin: EmulatorAdmin) -> None:
    """The state loses the link (as after a killed `up`); the next `up` adopts it and names it."""
    link_urn = next(
        r["urn"]
        for r in json.loads(project.run("stack", "export").stdout)["deployment"]["resources"]
        if r["urn"].endswith("::link-v3")
    )
    before = held(admin)["links"]
    project.run("state", "delete", link_urn, "--yes")
    result = project.run("up", "--yes", "--skip-preview")
    assert f'zis:Link "link-v3" adopted the existing {LINK}' in result.stdout + result.stderr
    assert [link["id"] for link in held(admin)["links"]] == [link["id"] for link in before]


def test_a_forced_replacement_keeps_the_object(project: Project, admin: EmulatorAdmin) -> None:
    """`--replace` is "create the new, delete the old" of one resource: the same remote object both times."""
    before = held(admin)
    urns = [
        r["urn"]
        for r in json.loads(project.run("stack", "export").stdout)["deployment"]["resources"]
        if r["urn"].endswith(("::link-v3", "::bundle-v3", "::install-v3"))
    ]
    assert len(urns) == 3
    result = project.run("up", "--yes", "--skip-preview", *(arg for urn in urns for arg in ("--replace", urn)))
    after = held(admin)
    assert [link["id"] for link in after["links"]] == [link["id"] for link in before["links"]]
    assert [b["uuid"] for b in after["bundles"]] == [b["uuid"] for b in before["bundles"]]
    assert after["installed"] == ["on_ticket_created"]
    output = result.stdout + result.stderr
    for what, resource in ((LINK, 'zis:Link "link-v3"'), (BUNDLE, 'zis:Bundle "bundle-v3"')):
        assert f"left the {what} in place instead of deleting it: {resource} declares it" in output, output[-4000:]
    assert ops(project) == {}


def test_destroy_deletes_every_object(at_v1: tuple[Project, EmulatorAdmin]) -> None:
    project, admin = at_v1
    project.run("destroy", "--yes", "--skip-preview")
    objects = held(admin)
    assert objects == {"links": [], "bundles": [], "installed": [], "connections": []}
