"""A zis.LinkSet through the real pulumi CLI: up, no-change preview, update of k links, refresh by listing,
a failed up that the state records exactly, the re-run that finishes it, renames, a duplicate, destroy.

No test depends on another: each starts from its own stack of SIZE links, on an emulator of its own.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EmulatorAdmin
from tests.engine.conftest import Project, make_project
from tests.support.pulumi_cli import PulumiFailed
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings

PROGRAM = Path(__file__).parent / "link_set_program"
LINKS = "/api/services/zis/links/{integration}"
GET, POST, PATCH, DELETE = (f"{method} {LINKS}" for method in ("GET", "POST", "PATCH", "DELETE"))
SIZE = 150


@pytest.fixture
def admin() -> Iterator[EmulatorAdmin]:
    with (
        EmulatorServer(settings=EmulatorSettings(), host="127.0.0.1", port=0) as emulator,
        EmulatorAdmin(emulator) as admin,
    ):
        admin.settings(link_duplicate="duplicate")  # a second POST of one identity would show as a copy
        yield admin


@pytest.fixture
def fresh(tmp_path: Path, pulumi_bin: Path, admin: EmulatorAdmin) -> Project:
    """The program with SIZE links, not deployed yet."""
    project = make_project(tmp_path, pulumi_bin, admin.server, PROGRAM)
    project.config({"links": SIZE})
    return project


@pytest.fixture
def project(fresh: Project, admin: EmulatorAdmin) -> Project:
    """The program with SIZE links, deployed."""
    fresh.up()
    admin.reset(counters_only=True)
    return fresh


def identities(admin: EmulatorAdmin) -> Counter[tuple[str, str]]:
    links = admin.state()["zis"]["links"].values()
    return Counter((link["left_object"]["name"], link["right_object"]["name"]) for link in links)


def declared(count: int) -> Counter[tuple[str, str]]:
    return Counter({(f"zendesk:ticket{i}", f"jira:ENG-{i}"): 1 for i in range(count)})


def counted(admin: EmulatorAdmin) -> dict[str, int]:
    by_endpoint: dict[str, int] = admin.requests()["by_endpoint"]
    return by_endpoint


def state_count(project: Project) -> int:
    """The LinkSet's `count` as the state records it."""
    deployment = json.loads(project.export())["deployment"]
    (link_set,) = [r for r in deployment["resources"] if r["type"] == "pulumi-python:dynamic/zis:LinkSet"]
    return int(link_set["outputs"]["count"])


def test_up_makes_every_link_with_one_listing(fresh: Project, admin: EmulatorAdmin) -> None:
    project = fresh
    admin.reset(counters_only=True)
    project.up()
    assert identities(admin) == declared(SIZE)
    assert counted(admin) == {GET: 1, POST: SIZE}
    outputs = project.outputs()
    assert outputs["count"] == SIZE and len(outputs["link_ids"]) == SIZE


def test_a_no_change_preview_makes_no_request(project: Project, admin: EmulatorAdmin) -> None:
    admin.reset(counters_only=True)
    project.run("preview")
    assert admin.request_count() == 0


def test_an_update_touching_k_links_makes_k_requests(project: Project, admin: EmulatorAdmin) -> None:
    project.config({"touch": 1, "touchCount": 12})
    admin.reset(counters_only=True)
    project.up()
    assert counted(admin) == {PATCH: 12}


def test_refresh_reads_the_set_by_listing(project: Project, admin: EmulatorAdmin) -> None:
    admin_http = admin.http
    settings = admin.server.env()
    headers = {"Authorization": f"Bearer {settings['ZENDESK_OAUTH_TOKEN']}"}
    admin_http.delete(
        "/api/services/zis/links/engine_sync",
        params={
            "link_type": "ticket_to_issue",
            "left_object_name": "zendesk:ticket5",
            "right_object_name": "jira:ENG-5",
        },
        headers=headers,
    ).raise_for_status()
    admin.reset(counters_only=True)
    changes = project.refresh_changes()
    assert counted(admin) == {GET: math.ceil((SIZE - 1) / 100)}
    assert changes.get("update") == 1
    assert state_count(project) == SIZE - 1  # stack outputs change only with the next up
    admin.reset(counters_only=True)
    project.up()
    assert counted(admin) == {GET: 1, POST: 1}
    assert identities(admin) == declared(SIZE)


def test_a_failed_up_records_exactly_the_links_that_exist(project: Project, admin: EmulatorAdmin) -> None:
    project.config({"links": SIZE + 60})
    admin.settings(server_error_probability=0.5, server_error_statuses=[503], seed=21)
    try:
        with pytest.raises(PulumiFailed):
            project.up()
    finally:
        admin.settings(server_error_probability=0)
    made = sum(identities(admin).values())
    assert SIZE < made < SIZE + 60
    assert state_count(project) == made  # the engine recorded the partial failure's outputs
    admin.reset(counters_only=True)
    project.up()
    assert counted(admin)[POST] == SIZE + 60 - made
    assert identities(admin) == declared(SIZE + 60)


def test_destroy_deletes_every_link(project: Project, admin: EmulatorAdmin) -> None:
    admin.reset(counters_only=True)
    project.run("destroy", "--yes", "--skip-preview")
    assert counted(admin) == {DELETE: SIZE}
    assert identities(admin) == Counter()


def link_ids(admin: EmulatorAdmin) -> dict[tuple[str, str], str]:
    links = admin.state()["zis"]["links"].values()
    return {(link["left_object"]["name"], link["right_object"]["name"]): link["id"] for link in links}


def test_a_rename_without_alias_keeps_every_link(project: Project, admin: EmulatorAdmin) -> None:
    before = link_ids(admin)
    project.config({"name": "tickets"})
    result = project.run("up", "--yes", "--skip-preview")
    assert link_ids(admin) == before
    assert not {POST, DELETE} & set(counted(admin)), counted(admin)
    assert "left 150 ZIS link(s)" in result.stdout + result.stderr
    project.run("preview", "--expect-no-changes")


def test_a_rename_with_alias_makes_no_request(project: Project, admin: EmulatorAdmin) -> None:
    before = link_ids(admin)
    project.config({"name": "tickets", "alias": True})
    project.run("preview")
    project.up()
    assert admin.request_count() == 0, counted(admin)
    assert link_ids(admin) == before


def test_a_link_declared_by_the_set_and_a_link_fails_the_preview(project: Project, admin: EmulatorAdmin) -> None:
    project.config({"twin": True})
    result = project.run("preview", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "one remote object belongs to one resource" in output, output[-3000:]
    assert "'zendesk:ticket0' → 'jira:ENG-0'" in output
    assert admin.request_count() == 0
