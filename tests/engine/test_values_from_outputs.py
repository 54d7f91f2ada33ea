"""Inputs from other resources' outputs, and numbers, through the real engine (tests/engine/values_program).

A first preview, the one reviewers see on a pull request, knows none of the wired inputs: it must succeed and
list every create. `up` must store the numbers as declared (integers as integers, at any depth), and the next
preview show no change, although the state holds every number as a float. Stage two turns known inputs into
unknown ones: the preview updates what they feed, and replaces what they identify.

No test depends on another: the first preview has a stack of its own; the others share one stack deployed at
stage one, which the preview of stage two leaves as it was and the `up` of stage two puts back when done.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import json5
import pytest

from tests.conftest import EmulatorAdmin
from tests.engine.conftest import Project, make_project
from zis_pulumi.emulator import EmulatorServer

PROGRAM = Path(__file__).resolve().parent / "values_program"
ZIS_KINDS = ("Bundle", "JobSpecInstallation", "Link", "AppConnection")
STAGE_ONE_NUMBERS = {
    "max_safe": 9007199254740992,
    "nested": [1, [2, 1099511627776]],
    "note": "note one",
    "ratio": 0.5,
    "ticket_id": 12345,
}
STAGE_TWO_NUMBERS = {**STAGE_ONE_NUMBERS, "nested": [1, [2, 3, 2199023255552]], "note": "note two"}


@pytest.fixture(scope="module")
def admin(engine_admin: EmulatorAdmin) -> Iterator[EmulatorAdmin]:
    engine_admin.reset()
    yield engine_admin
    engine_admin.reset()


@pytest.fixture
def fresh(tmp_path: Path, pulumi_bin: Path, engine_emulator: EmulatorServer, admin: EmulatorAdmin) -> Project:
    """A stack never deployed."""
    return make_project(tmp_path, pulumi_bin, engine_emulator, PROGRAM)


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, pulumi_bin: Path, engine_emulator: EmulatorServer, admin: EmulatorAdmin
) -> Project:
    """The stack deployed at stage one."""
    project = make_project(tmp_path_factory.mktemp("values"), pulumi_bin, engine_emulator, PROGRAM)
    project.up()
    return project


@pytest.fixture
def stage_two(project: Project) -> Iterator[Project]:
    """The shared stack with its config at stage two; afterwards deployed at stage one again."""
    project.config({"stage": "two"})
    yield project
    project.run("config", "rm", "stage")
    project.up()


def text(value: Any) -> str:
    """JSON text with sorted keys: `12345` and `12345.0` differ here, unlike in Python's `==`."""
    return json.dumps(value, sort_keys=True)


def ops(steps: list[dict[str, Any]]) -> dict[str, str]:
    """Operation by resource name, for every step that is not `same`."""
    return {step["urn"].split("::")[-1]: step["op"] for step in steps if step["op"] not in ("same", "read")}


def kinds(steps: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Operations by resource kind (`Link`, `Echo`, …)."""
    grouped: dict[str, list[str]] = {}
    for step in steps:
        token = step["urn"].split("::")[2]
        grouped.setdefault(token.rsplit(":", 1)[-1].rsplit("/", 1)[-1], []).append(step["op"])
    return grouped


def links_by_right_name(admin: EmulatorAdmin) -> dict[str, dict[str, Any]]:
    return {link["right_object"]["name"]: link for link in admin.state()["zis"]["links"].values()}


def flow_result(admin: EmulatorAdmin) -> dict[str, Any]:
    (bundle,) = admin.state()["zis"]["bundles"].values()
    return bundle["resources"]["sync_flow"]["properties"]["definition"]["States"]["Done"]["Result"]  # type: ignore[no-any-return]


def crm_connection(admin: EmulatorAdmin) -> dict[str, Any]:
    return next(c for c in admin.state()["make"]["connections"].values() if c["type"] == "oauth")


def test_first_preview_of_unknown_inputs_succeeds_and_lists_every_create(fresh: Project, admin: EmulatorAdmin) -> None:
    admin.reset(counters_only=True)
    steps = fresh.preview_steps()
    grouped = kinds(steps)
    assert grouped["Bundle"] == ["create"]
    assert grouped["JobSpecInstallation"] == ["create"]
    assert grouped["Link"] == ["create"] * 3
    assert grouped["AppConnection"] == ["create"] * 2
    assert set(grouped["Echo"]) == {"create"}
    assert admin.request_count() == 0


def test_up_stores_the_declared_numbers_and_the_wired_values(project: Project, admin: EmulatorAdmin) -> None:
    links = links_by_right_name(admin)
    link = links["jira:PROJ-1"]
    assert (link["integration"], link["link_type"]) == ("values_sync", "ticket_to_issue")
    assert link["left_object"]["name"] == "zendesk:ticket12345"
    assert text(link["left_object"]["metadata"]) == text(STAGE_ONE_NUMBERS)
    assert text(link["right_object"]["metadata"]) == '{"issue": 101}'
    follow_up = links["jira:PROJ-2"]
    assert follow_up["left_object"] == link["left_object"]
    assert follow_up["right_object"]["metadata"] == {"copied_from": link["id"]}
    assert links["jira:PROJ-3"]["link_type"] == "ticket_to_task"
    assert text(links["jira:PROJ-3"]["left_object"]["metadata"]) == '{"ticket_id": 12345}'

    assert text(flow_result(admin)) == text(STAGE_ONE_NUMBERS)
    (job_spec,) = admin.state()["zis"]["job_specs"].values()
    assert (job_spec["name"], job_spec["installed"]) == ("on_ticket", True)

    crm = crm_connection(admin)
    assert crm["label"] == "CRM note one"
    api = json5.loads(crm["sections"]["api"])
    assert text(api) == text(
        {"note": "note one", "retries": [1, [2, 1099511627776]], "timeout": 30, "url": "https://crm.example.com/me"}
    )
    assert json5.loads(crm["sections"]["scope"]) == ["contacts.read"]
    assert text(crm["common"]["limits"]) == '{"perMinute": 12345}'
    assert crm["common"]["clientId"] == "acme-client"
    backup = next(c for c in admin.state()["make"]["connections"].values() if c["type"] == "basic")
    assert backup["label"] == f"Backup of {crm['name']}"
    assert backup["common"]["source"] == crm["name"]


def test_next_preview_shows_no_change_and_makes_no_request(project: Project, admin: EmulatorAdmin) -> None:
    admin.reset(counters_only=True)
    assert ops(project.preview_steps()) == {}
    assert admin.request_count() == 0


def test_preview_of_inputs_turned_unknown_updates_what_they_feed_and_replaces_what_they_identify(
    project: Project, admin: EmulatorAdmin
) -> None:
    project.config({"stage": "two"})
    admin.reset(counters_only=True)
    try:
        changed = ops(project.preview_steps())
    finally:
        project.run("config", "rm", "stage")
    assert changed["note"] == "replace" and changed["kind"] == "replace"
    assert changed["bundle"] == "update"  # description and a flow's Result unknown
    assert changed["link"] == "update"  # metadata unknown
    assert changed["crm"] == "update"  # label, a section and common unknown
    assert changed["by-kind"] == "replace"  # its link type unknown
    assert "installation" not in changed
    assert admin.request_count() == 0


def test_up_of_stage_two_stores_the_new_numbers(stage_two: Project, admin: EmulatorAdmin) -> None:
    project = stage_two
    project.up()
    links = links_by_right_name(admin)
    assert text(links["jira:PROJ-1"]["left_object"]["metadata"]) == text(STAGE_TWO_NUMBERS)
    assert links["jira:PROJ-3"]["link_type"] == "ticket_to_subtask"
    assert len(links) == 3
    assert text(flow_result(admin)) == text(STAGE_TWO_NUMBERS)
    crm = crm_connection(admin)
    assert crm["label"] == "CRM note two"
    assert text(json5.loads(crm["sections"]["api"])["retries"]) == "[1, [2, 3, 2199023255552]]"

    admin.reset(counters_only=True)
    assert ops(project.preview_steps()) == {}
    assert admin.request_count() == 0
