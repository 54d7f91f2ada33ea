"""A zis.LinkSet through the real pulumi CLI: up, no-change preview, update of k links, refresh by listing,
a failed up that the state records exactly, the re-run that finishes it, destroy.

The tests share one stack and run in file order.
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
from zis_pulumi.emulator import EmulatorServer

PROGRAM = Path(__file__).parent / "link_set_program"
LINKS = "/api/services/zis/links/{integration}"
GET, POST, PATCH, DELETE = (f"{method} {LINKS}" for method in ("GET", "POST", "PATCH", "DELETE"))
SIZE = 150


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory,
    pulumi_bin: Path,
    engine_emulator: EmulatorServer,
    engine_admin: EmulatorAdmin,
) -> Iterator[Project]:
    engine_admin.reset()
    engine_admin.settings(link_duplicate="duplicate")  # a second POST of one identity would show as a copy
    project = make_project(tmp_path_factory.mktemp("link-set"), pulumi_bin, engine_emulator, PROGRAM)
    project.config({"links": SIZE})
    yield project
    engine_admin.reset()


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


def test_01_up_makes_every_link_with_one_listing(project: Project, engine_admin: EmulatorAdmin) -> None:
    engine_admin.reset(counters_only=True)
    project.up()
    assert identities(engine_admin) == declared(SIZE)
    assert counted(engine_admin) == {GET: 1, POST: SIZE}
    outputs = project.outputs()
    assert outputs["count"] == SIZE and len(outputs["link_ids"]) == SIZE


def test_02_a_no_change_preview_makes_no_request(project: Project, engine_admin: EmulatorAdmin) -> None:
    engine_admin.reset(counters_only=True)
    project.run("preview")
    assert engine_admin.request_count() == 0


def test_03_an_update_touching_k_links_makes_k_requests(project: Project, engine_admin: EmulatorAdmin) -> None:
    project.config({"touch": 1, "touchCount": 12})
    engine_admin.reset(counters_only=True)
    project.up()
    assert counted(engine_admin) == {PATCH: 12}


def test_04_refresh_reads_the_set_by_listing(project: Project, engine_admin: EmulatorAdmin) -> None:
    admin_http = engine_admin.http
    settings = engine_admin.server.env()
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
    engine_admin.reset(counters_only=True)
    changes = project.refresh_changes()
    assert counted(engine_admin) == {GET: math.ceil((SIZE - 1) / 100)}
    assert changes.get("update") == 1
    assert state_count(project) == SIZE - 1  # stack outputs change only with the next up
    engine_admin.reset(counters_only=True)
    project.up()
    assert counted(engine_admin) == {GET: 1, POST: 1}
    assert identities(engine_admin) == declared(SIZE)


def test_05_a_failed_up_records_exactly_the_links_that_exist(project: Project, engine_admin: EmulatorAdmin) -> None:
    project.config({"links": SIZE + 60})
    engine_admin.settings(server_error_probability=0.5, server_error_statuses=[503], seed=21)
    try:
        with pytest.raises(PulumiFailed):
            project.up()
    finally:
        engine_admin.settings(server_error_probability=0)
    made = sum(identities(engine_admin).values())
    assert SIZE < made < SIZE + 60
    assert state_count(project) == made  # the engine recorded the partial failure's outputs
    engine_admin.reset(counters_only=True)
    project.up()
    assert counted(engine_admin)[POST] == SIZE + 60 - made
    assert identities(engine_admin) == declared(SIZE + 60)


def test_06_destroy_deletes_every_link(project: Project, engine_admin: EmulatorAdmin) -> None:
    engine_admin.reset(counters_only=True)
    project.run("destroy", "--yes", "--skip-preview")
    assert counted(engine_admin) == {DELETE: SIZE + 60}
    assert identities(engine_admin) == Counter()
