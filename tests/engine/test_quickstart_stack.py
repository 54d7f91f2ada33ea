"""The quick-start stack through the real pulumi CLI: preview, up, no-op, edits, drift, export, destroy.

No test depends on another: those that only look share one deployed stack; each that changes it puts it back
as the program declares it when done (edits undone, then `up`); the first preview and destroy have stacks of
their own.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import EmulatorAdmin
from tests.engine.conftest import PASSPHRASE, Project, add_jira_connection, failed, make_project, own_emulator
from zis_pulumi.emulator import EmulatorServer

INTEGRATION = "acme_sync"
LOOKUP = "GET /api/services/zis/integrations/{integration}/connections/all"
TOKENS = {
    "dynamic:zis:Bundle": 1,
    "dynamic:zis:JobSpecInstallation": 1,
    "dynamic:zis:Link": 3,
    "dynamic:make:AppConnection": 1,
}
PROGRAM_FILES = ("__main__.py", "make_connection.py")


@pytest.fixture(scope="module")
def emulator(engine_emulator: EmulatorServer) -> EmulatorServer:
    """The module's emulator, holding the integration's `jira` connection that the program looks up."""
    add_jira_connection(engine_emulator, INTEGRATION)
    return engine_emulator


@pytest.fixture
def fresh(tmp_path: Path, pulumi_bin: Path, emulator: EmulatorServer) -> Project:
    """A stack never deployed."""
    return make_project(tmp_path, pulumi_bin, emulator)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, pulumi_bin: Path, emulator: EmulatorServer) -> Project:
    """The stack deployed as the program declares it, shared by every test that leaves it so."""
    project = make_project(tmp_path_factory.mktemp("quickstart"), pulumi_bin, emulator)
    project.up()
    return project


@pytest.fixture
def restored(request: pytest.FixtureRequest, project: Project, tmp_path: Path) -> Iterator[Project]:
    """The shared stack, for a test that changes it: afterwards its edits to the program are undone and `up` makes
    the stack the program's again (with `--refresh` after a failure, which may have left drift unrepaired)."""
    for name in PROGRAM_FILES:
        shutil.copy2(project.dir / name, tmp_path / name)
    yield project
    edited = False
    for name in PROGRAM_FILES:
        if (project.dir / name).read_text() != (tmp_path / name).read_text():
            shutil.copy2(tmp_path / name, project.dir / name)
            edited = True
    if failed(request):
        project.up("--refresh")
    elif edited:
        project.up()


@pytest.fixture
def own(tmp_path: Path, pulumi_bin: Path) -> Iterator[tuple[Project, EmulatorAdmin]]:
    """A deployed stack on an emulator of its own, for a test that removes it."""
    with own_emulator() as (emulator, admin):
        add_jira_connection(emulator, INTEGRATION)
        project = make_project(tmp_path, pulumi_bin, emulator)
        project.up()
        yield project, admin


def by_type(steps: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Operation of each step, grouped by the short type token (`dynamic:zis:Link`)."""
    grouped: dict[str, list[str]] = {}
    for step in steps:
        urn = step.get("urn", "")
        token = urn.split("::")[2] if urn.count("::") >= 3 else ""
        if token.startswith("pulumi-python:"):
            grouped.setdefault(token.removeprefix("pulumi-python:"), []).append(step["op"])
    return grouped


def changed_ops(steps: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(s["op"], s["urn"].split("::")[-1]) for s in steps if s["op"] not in ("same", "read")]


def zis_state(admin: EmulatorAdmin) -> dict[str, Any]:
    return admin.state()["zis"]  # type: ignore[no-any-return]


def make_state(admin: EmulatorAdmin) -> dict[str, Any]:
    return admin.state()["make"]  # type: ignore[no-any-return]


def link_names(admin: EmulatorAdmin) -> set[tuple[str, str]]:
    return {(link["left_object"]["name"], link["right_object"]["name"]) for link in zis_state(admin)["links"].values()}


def test_first_preview_lists_every_resource_with_its_type_token(fresh: Project) -> None:
    steps = fresh.preview_steps()
    grouped = by_type(steps)
    for token, count in TOKENS.items():
        assert grouped.get(f"dynamic/{token.split(':', 1)[1]}") == ["create"] * count, grouped


def test_up_creates_exactly_the_declared_objects(project: Project, engine_admin: EmulatorAdmin) -> None:
    zis = zis_state(engine_admin)
    assert [b["name"] for b in zis["bundles"].values()] == ["acme_sync"]
    assert {j["name"]: j["installed"] for j in zis["job_specs"].values()} == {"on_ticket_created": True}
    assert link_names(engine_admin) == {(f"zendesk:ticket{t}", f"jira:PROJ-{100 + t}") for t in (1, 2, 3)}
    make = make_state(engine_admin)
    assert [(c["app"], c["label"]) for c in make["connections"].values()] == [("acme-crm", "Acme CRM (OAuth)")]
    outputs = project.outputs()
    assert outputs["job_spec_installed"] is True
    assert outputs["make_connection_name"] == "acme-crm"
    assert "jira" in json.dumps(outputs["connection_names"])


def test_second_preview_and_refresh_show_no_changes(project: Project, engine_admin: EmulatorAdmin) -> None:
    engine_admin.reset(counters_only=True)
    steps = project.preview_steps()
    assert changed_ops(steps) == []
    # The providers make no request; the one call is the program's own connections lookup (a data source,
    # which Pulumi evaluates in previews too).
    assert engine_admin.requests()["by_endpoint"] == {LOOKUP: 1}
    summary = project.refresh_changes()
    assert set(summary) <= {"same"}, summary
    assert changed_ops(project.preview_steps()) == []


def test_edits_preview_as_updates_and_up_applies_them(restored: Project, engine_admin: EmulatorAdmin) -> None:
    project = restored
    project.edit('"priority": "high"', '"priority": "low", "sprint": 7')
    project.edit('"ResultPath": "$.jira"', '"ResultPath": "$.jira_issue"')
    project.edit('label="Acme CRM (OAuth)"', 'label="Acme CRM"', file="make_connection.py")
    project.edit('scope=["contacts.read"]', 'scope=["contacts.read", "contacts.write"]', file="make_connection.py")
    ops = dict((name, op) for op, name in changed_ops(project.preview_steps()))
    assert ops == {
        "acme-sync": "update",
        "ticket1-to-jira": "update",
        "ticket2-to-jira": "update",
        "ticket3-to-jira": "update",
        "crm-oauth": "update",
    }
    project.up()
    zis = zis_state(engine_admin)
    for link in zis["links"].values():
        assert link["right_object"]["metadata"]["priority"] == "low"
        assert link["right_object"]["metadata"]["sprint"] == 7
    flow = next(iter(zis["bundles"].values()))["resources"]["on_ticket_created_flow"]["properties"]["definition"]
    assert flow["States"]["CreateIssue"]["ResultPath"] == "$.jira_issue"
    assert [j["installed"] for j in zis["job_specs"].values()] == [True]  # the upload did not orphan it
    connection = next(iter(make_state(engine_admin)["connections"].values()))
    assert connection["label"] == "Acme CRM"
    assert json.loads(connection["sections"]["scope"]) == ["contacts.read", "contacts.write"]


def test_an_identity_change_previews_as_a_replace(restored: Project, engine_admin: EmulatorAdmin) -> None:
    project = restored
    project.edit(
        "for ticket, issue in [(1, 101), (2, 102), (3, 103)]", "for ticket, issue in [(1, 101), (2, 102), (3, 203)]"
    )
    assert changed_ops(project.preview_steps()) == [("replace", "ticket3-to-jira")]
    project.up()
    assert ("zendesk:ticket3", "jira:PROJ-203") in link_names(engine_admin)
    assert ("zendesk:ticket3", "jira:PROJ-103") not in link_names(engine_admin)
    assert len(zis_state(engine_admin)["links"]) == 3


def test_drift_is_found_by_refresh_and_repaired_by_up(
    restored: Project, engine_admin: EmulatorAdmin, engine_emulator: EmulatorServer
) -> None:
    project = restored
    env = engine_emulator.env()
    zendesk = httpx.Client(
        base_url=f"{engine_emulator.base_url}/api/services/zis",
        headers={"Authorization": f"Bearer {env['ZENDESK_OAUTH_TOKEN']}", "User-Agent": "tests"},
    )
    make = httpx.Client(
        base_url=env["MAKE_BASE_URL"],
        headers={"Authorization": f"Token {env['MAKE_API_TOKEN']}", "User-Agent": "tests"},
    )
    zendesk.delete(
        f"/links/{INTEGRATION}",
        params={
            "link_type": "ticket_to_issue",
            "left_object_name": "zendesk:ticket1",
            "right_object_name": "jira:PROJ-101",
        },
    ).raise_for_status()
    zendesk.delete(
        "/registry/job_specs/install", params={"job_spec_name": f"zis:{INTEGRATION}:job_spec:on_ticket_created"}
    ).raise_for_status()
    make.put("/sdk/apps/connections/acme-crm/scopes", json={"edited": "in Make"}).raise_for_status()
    bundle = next(iter(zis_state(engine_admin)["bundles"].values()))
    basic = httpx.BasicAuth(f"{env['ZENDESK_EMAIL']}/token", env["ZENDESK_API_TOKEN"])
    httpx.post(
        f"{engine_emulator.base_url}/api/services/zis/registry/{INTEGRATION}/bundles",
        auth=basic,
        headers={"User-Agent": "tests"},
        json={
            "name": bundle["name"],
            "description": "edited by hand",
            "zis_template_version": bundle["zis_template_version"],
            "resources": bundle["resources"],
        },
    ).raise_for_status()

    summary = project.refresh_changes()
    assert summary.get("delete", 0) == 2, summary  # the link and the job-spec installation are gone
    assert summary.get("update", 0) == 2, summary  # the bundle's description and the Make section changed
    ops = dict((name, op) for op, name in changed_ops(project.preview_steps()))
    assert ops == {
        "ticket1-to-jira": "create",
        "on-ticket-created": "create",
        "acme-sync": "update",
        "crm-oauth": "update",
    }
    project.up()
    assert ("zendesk:ticket1", "jira:PROJ-101") in link_names(engine_admin)
    zis = zis_state(engine_admin)
    assert [j["installed"] for j in zis["job_specs"].values()] == [True]
    assert next(iter(zis["bundles"].values()))["description"] == "Open a Jira issue for every new ticket"
    scopes = next(iter(make_state(engine_admin)["connections"].values()))["sections"]["scopes"]
    assert "edited" not in scopes and "contacts.read" in scopes
    assert changed_ops(project.preview_steps()) == []


def test_bad_input_fails_preview_with_the_check_failure_and_no_request(
    project: Project, engine_admin: EmulatorAdmin
) -> None:
    original = (project.dir / "__main__.py").read_text()
    project.edit(
        '"ActionName": create_issue.qualified_name(INTEGRATION),',
        '"ActionName": "zis:acme_sync:action:no_such_action",',
    )
    engine_admin.reset(counters_only=True)
    try:
        result = project.run("preview", check=False)
    finally:
        (project.dir / "__main__.py").write_text(original)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "resources.on_ticket_created_flow.properties.definition.States.CreateIssue.ActionName" in output, output[
        -3000:
    ]
    assert "no_such_action" in output
    # No provider request: only, perhaps, the program's own connections lookup.
    assert set(engine_admin.requests()["by_endpoint"]) <= {LOOKUP}


def test_a_job_spec_of_a_flow_in_another_bundle_is_a_warning_not_a_failure(
    project: Project, engine_admin: EmulatorAdmin
) -> None:
    original = (project.dir / "__main__.py").read_text()
    project.edit("    flow=on_ticket_created,\n", '    flow="in_another_bundle",\n')
    try:
        result = project.run("preview", check=False)
    finally:
        (project.dir / "__main__.py").write_text(original)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert (
        "resources.on_ticket_created_job_spec.properties.flow_name: flow 'in_another_bundle' is not in this bundle"
        in output
    )


def test_state_holds_no_credential_and_common_is_encrypted(project: Project, engine_emulator: EmulatorServer) -> None:
    env = engine_emulator.env()
    exported = project.export(show_secrets=True)
    for name in ("ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN", "MAKE_API_TOKEN"):
        assert env[name] not in exported, name
    assert "engine-test-client-secret" in exported  # the declared secret, visible only with --show-secrets
    plain = project.export()
    assert "engine-test-client-secret" not in plain
    assert PASSPHRASE not in plain
    resources = json.loads(plain)["deployment"]["resources"]
    crm = next(r for r in resources if r["urn"].endswith("::crm-oauth"))
    assert crm["outputs"]["common"].get("4dabf18193072939515e22adb298388d") == "1b47061264138c4ac30d75fd1eb44270"


def test_destroy_leaves_nothing_the_stack_made(own: tuple[Project, EmulatorAdmin]) -> None:
    project, admin = own
    project.run("destroy", "--yes", "--skip-preview")
    zis = zis_state(admin)
    assert zis["bundles"] == {} and zis["job_specs"] == {} and zis["links"] == {}
    assert [c["name"] for c in zis["connections"].values()] == ["jira"]  # made by the admin, not the stack
    assert make_state(admin)["connections"] == {}
