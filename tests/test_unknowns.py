"""Previews of inputs not known yet, for every resource: check accepts an unknown anywhere and still refuses
what is known and wrong; diff previews an unknown identity as a replace and anything else as an update; no
request either way, and no message shows an object's repr.

Inputs go through the engine's wire format first (tests/support/wire.py), so an unknown reaches the provider
as the `pulumi.output.Unknown` object the provider process really gets, and numbers as floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pytest
from pulumi.dynamic import CheckFailure, ResourceProvider
from pulumi.output import Unknown
from pulumi.runtime import rpc

from tests.conftest import EmulatorAdmin
from tests.support.driver import ProviderDriver, forget_connections
from tests.support.pulumi_cli import emptied_emulator, stack_config_of
from tests.support.wire import Path, dotted, engine_check, engine_diff, positions, replaced, unknown_at, wire
from zis_pulumi._unknowns import UNKNOWN_TEXT, contains_unknown, is_unknown, shown
from zis_pulumi.app_connection import AppConnectionProvider, claim_of
from zis_pulumi.bundle import BundleProvider
from zis_pulumi.emulator import EmulatorServer
from zis_pulumi.job_spec import JobSpecInstallationProvider
from zis_pulumi.link import LinkProvider
from zis_pulumi.link_set import LinkSetProvider

INTEGRATION = "acme_sync"

LINK: dict[str, Any] = {
    "integration": INTEGRATION,
    "link_type": "ticket_to_issue",
    "left_object": {"name": "zendesk:ticket1", "metadata": {"ticket_id": 1, "tags": ["vip", {"tier": 2}]}},
    "right_object": {"name": "jira:PROJ-1", "metadata": {"key": "PROJ-1"}},
}

BUNDLE: dict[str, Any] = {
    "integration": INTEGRATION,
    "name": "acme_sync",
    "description": "Ticket sync",
    "zis_template_version": "2019-10-14",
    "resources": {
        "sync_flow": {
            "type": "ZIS::Flow",
            "properties": {
                "name": "sync",
                "definition": {
                    "StartAt": "Check",
                    "States": {
                        "Check": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$.input.status", "StringEquals": "open", "Next": "Call"}],
                            "Default": "Pause",
                        },
                        "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Call"},
                        "Call": {
                            "Type": "Action",
                            "ActionName": f"zis:{INTEGRATION}:action:post_issue",
                            "Parameters": {"priority": 3},
                            "Next": "Done",
                        },
                        "Done": {"Type": "Pass", "Result": {"ids": [1, 2]}, "End": True},
                    },
                },
            },
        },
        "post_issue_action": {
            "type": "ZIS::Action::Http",
            "properties": {
                "name": "post_issue",
                "definition": {
                    "method": "POST",
                    "url": "https://acme.atlassian.net/rest/api/2/issue",
                    "headers": [{"key": "Content-Type", "value": "application/json"}],
                    "requestBody": {"fields": {"priority": 3}},
                },
            },
        },
        "on_ticket_job_spec": {
            "type": "ZIS::JobSpec",
            "properties": {
                "name": "on_ticket",
                "event_source": "support",
                "event_type": "ticket.TicketCreated",
                "flow_name": f"zis:{INTEGRATION}:flow:sync",
            },
        },
    },
}

JOB_SPEC: dict[str, Any] = {"integration": INTEGRATION, "job_spec_name": "on_ticket"}

LINK_SET: dict[str, Any] = {
    "integration": INTEGRATION,
    "link_type": "ticket_to_ticket",
    "links": [
        {
            "left_object": {"name": f"zendesk:ticket{n}", "metadata": {"ticket_id": n, "tags": ["vip", n]}},
            "right_object": {"name": f"zendesk:ticket{n + 100}", "metadata": {}},
        }
        for n in (1, 2)
    ],
}

CONNECTION: dict[str, Any] = {
    "app_name": "acme-crm",
    "type": "oauth-refresh",
    "label": "Acme CRM (OAuth)",
    "connected_system_name": "acme",
    "api": {"url": "https://crm.example.com/api/v1/me", "headers": {"x-retries": 2}, "timeout": 30},
    "parameters": [{"name": "clientId", "type": "text", "required": True}],
    "scopes": {"contacts.read": "Read contacts"},
    "scope": ["contacts.read", "contacts.write"],
    "install": {"url": "https://crm.example.com/install", "method": "POST"},
    "install_spec": [{"name": "region", "type": "select", "options": ["eu", "us"]}],
    "common": {"clientId": "acme-client", "clientSecret": "s3cr3t", "limits": {"perMinute": 60}},
    "recreate_trigger": "2026-01",
    "claim": claim_of("urn:pulumi:dev::values::pulumi-python:dynamic/make:AppConnection::crm"),
}


@dataclass(frozen=True)
class Bad:
    """A known, wrong value at `path`, the failure's property, and the unknowns that may hide it (by path)."""

    path: Path
    value: Any
    failure: str
    hidden_by: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Kind:
    name: str
    provider: type[ResourceProvider]
    inputs: dict[str, Any]
    identity: tuple[Path, ...]
    """An unknown at one of these paths (or above them) replaces; anywhere else it updates."""
    bad: tuple[Bad, ...]
    fixed: tuple[str, ...] = ()
    """Top-level inputs that are never unknown (set by the resource class itself)."""

    def unknown_positions(self) -> list[Path]:
        return [path for path in positions(self.inputs) if path[0] not in self.fixed]

    def replaces(self, path: Path) -> list[str]:
        """The `replaces` a diff must report for an unknown at `path`."""
        hit = any(identity[: len(path)] == path for identity in self.identity)
        return [str(path[0])] if hit else []


KINDS = [
    Kind(
        "Link",
        LinkProvider,
        LINK,
        identity=(("integration",), ("link_type",), ("left_object", "name"), ("right_object", "name")),
        bad=(
            Bad(("integration",), "Acme Sync", "integration"),
            Bad(("link_type",), "ticket_*", "link_type"),
            Bad(("left_object", "metadata"), "ticket_id=1", "left_object.metadata"),
            Bad(("right_object", "name"), 5, "right_object.name"),
        ),
    ),
    Kind(
        "Bundle",
        BundleProvider,
        BUNDLE,
        identity=(("integration",), ("name",)),
        bad=(
            Bad(("integration",), "Acme Sync", "integration"),
            Bad(("description",), 5, "description"),
            Bad(("zis_template_version",), "2020-01-01", "zis_template_version"),
            Bad(
                ("resources", "sync_flow", "properties", "definition", "States", "Done", "Type"),
                "Task",
                "resources.sync_flow.properties.definition.States.Done.Type",
                hidden_by=(("resources", "sync_flow", "type"),),
            ),
            Bad(
                ("resources", "post_issue_action", "properties", "definition", "method"),
                "FETCH",
                "resources.post_issue_action.properties.definition.method",
                hidden_by=(("resources", "post_issue_action", "type"),),
            ),
        ),
    ),
    Kind(
        "JobSpecInstallation",
        JobSpecInstallationProvider,
        JOB_SPEC,
        identity=(("integration",), ("job_spec_name",)),
        bad=(
            Bad(("integration",), "Acme Sync", "integration"),
            Bad(("job_spec_name",), "on ticket", "job_spec_name"),
        ),
    ),
    Kind(
        "LinkSet",
        LinkSetProvider,
        LINK_SET,
        identity=(("integration",), ("link_type",)),
        bad=(
            Bad(("integration",), "Acme Sync", "integration"),
            Bad(("link_type",), "ticket_*", "link_type"),
            Bad(("links", 0, "right_object", "name"), 5, "links[0].right_object.name"),
            Bad(("links", 1, "left_object", "metadata"), "ticket_id=2", "links[1].left_object.metadata"),
        ),
    ),
    Kind(
        "AppConnection",
        AppConnectionProvider,
        CONNECTION,
        identity=(("app_name",), ("type",)),
        bad=(
            Bad(("type",), "oauth3", "type"),
            Bad(("label",), "", "label"),
            Bad(("connected_system_name",), 5, "connected_system_name"),
            Bad(("scope", 0), 5, "scope"),
            Bad(("parameters", 0), "clientId", "parameters"),
            Bad(("common",), ["acme-client"], ""),
        ),
        fixed=("claim",),
    ),
]
IDS = [kind.name for kind in KINDS]


def cases() -> list[tuple[Kind, Path]]:
    return [(kind, path) for kind in KINDS for path in kind.unknown_positions()]


def case_id(case: tuple[Kind, Path]) -> str:
    return f"{case[0].name}-{dotted(case[1])}"


def no_repr(failures: list[CheckFailure]) -> None:
    for failure in failures:
        assert "object at 0x" not in failure.reason and "Unknown" not in failure.reason, failure.reason


@pytest.fixture(scope="module")
def drivers(emulator: EmulatorServer) -> dict[str, ProviderDriver]:
    """One shipped provider per kind for the whole module: each shipping wraps pickle once more (an SDK leak,
    see PULUMI-NOTES), so a driver per test would exhaust the recursion limit of the test process."""
    stack_config = stack_config_of(emulator)
    return {kind.name: ProviderDriver(kind.provider(), stack_config) for kind in KINDS}


@pytest.fixture(scope="module")
def deployed(drivers: dict[str, ProviderDriver], emulator: EmulatorServer) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each resource created from its inputs (the bundle first: it declares the job spec): id and outputs.

    Diffs need only these outputs, not the objects, so the emulator may be emptied between tests."""
    forget_connections()
    with emptied_emulator(emulator):
        made = {}
        for kind in KINDS:
            created = drivers[kind.name].create(wire(kind.inputs))
            made[kind.name] = (created.id, created.outs)
    return made


# --- the helpers -------------------------------------------------------------------------------------------


def test_unknowns_are_recognised_as_the_provider_process_and_older_sdks_hand_them_over() -> None:
    assert is_unknown(Unknown()) and is_unknown(rpc.UNKNOWN)
    assert not is_unknown("04da6b54") and not is_unknown(None)
    assert contains_unknown({"a": [1, {"b": Unknown()}]})
    assert contains_unknown(wire({"a": {"b": [rpc.UNKNOWN]}}))
    assert not contains_unknown({"a": [1, {"b": "c"}]})


def test_shown_never_gives_an_objects_repr() -> None:
    assert shown(Unknown()) == UNKNOWN_TEXT
    assert shown("Acme Sync") == "'Acme Sync'"
    assert shown(5) == "5" and shown(None) == "null" and shown(True) == "true"
    assert shown({"x": Unknown(), "y": [object()]}) == '{"x": "<not known yet>", "y": ["<a object>"]}'
    assert shown(object()) == "a object"
    assert len(shown("x" * 1000)) == 200


def test_shown_of_a_program_side_output_names_it_without_its_repr() -> None:
    output = pulumi.Output.from_input("acme")
    assert "object at 0x" not in shown(output) and "Output" in shown(output)


# --- check ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "path"), cases(), ids=[case_id(case) for case in cases()])
def test_check_accepts_an_unknown_anywhere(
    drivers: dict[str, ProviderDriver], admin: EmulatorAdmin, kind: Kind, path: Path
) -> None:
    result = engine_check(drivers[kind.name].provider, unknown_at(kind.inputs, path))
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    assert admin.request_count() == 0


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_check_accepts_every_input_unknown_at_once(drivers: dict[str, ProviderDriver], kind: Kind) -> None:
    news = {key: (value if key in kind.fixed else Unknown()) for key, value in kind.inputs.items()}
    assert engine_check(drivers[kind.name].provider, news).failures == []


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_check_still_refuses_what_is_known_and_wrong_beside_any_unknown(
    drivers: dict[str, ProviderDriver], admin: EmulatorAdmin, kind: Kind
) -> None:
    provider = drivers[kind.name].provider
    for bad in kind.bad:
        with_bad = replaced(kind.inputs, bad.path, bad.value)
        known = engine_check(provider, with_bad).failures
        assert bad.failure in [f.property for f in known], [(f.property, f.reason) for f in known]
        for path in kind.unknown_positions():
            if bad.path[: len(path)] == path or path[: len(bad.path)] == bad.path or path in bad.hidden_by:
                continue  # the unknown replaces the bad value, is inside it, or may make it right
            failures = engine_check(provider, unknown_at(with_bad, path)).failures
            assert bad.failure in [f.property for f in failures], (dotted(path), bad)
            no_repr(failures)
    assert admin.request_count() == 0


def test_a_wrong_value_that_holds_an_unknown_is_refused_without_a_repr(drivers: dict[str, ProviderDriver]) -> None:
    failures = engine_check(drivers["Link"].provider, {**LINK, "left_object": [Unknown()]}).failures
    assert [f.property for f in failures] == ["left_object"]
    assert '["<not known yet>"]' in failures[0].reason
    no_repr(failures)
    failures = engine_check(drivers["Link"].provider, {**LINK, "integration": {"id": Unknown()}}).failures
    assert [f.property for f in failures] == ["integration"]
    no_repr(failures)


def test_unknowns_come_back_from_check_as_unknowns(drivers: dict[str, ProviderDriver]) -> None:
    for kind in KINDS:
        for path in kind.unknown_positions():
            inputs = engine_check(drivers[kind.name].provider, unknown_at(kind.inputs, path)).inputs
            assert contains_unknown(inputs), (kind.name, dotted(path))


# --- diff ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "path"), cases(), ids=[case_id(case) for case in cases()])
def test_diff_of_an_unknown_replaces_where_it_decides_identity_else_updates(
    drivers: dict[str, ProviderDriver],
    deployed: dict[str, tuple[str, dict[str, Any]]],
    admin: EmulatorAdmin,
    kind: Kind,
    path: Path,
) -> None:
    id_, outs = deployed[kind.name]
    diff = engine_diff(drivers[kind.name].provider, id_, outs, unknown_at(kind.inputs, path))
    assert diff.changes is True
    # A replacement may name more than the unknown input (an unknown integration leaves a job spec's name
    # unqualified), an update names none.
    assert bool(diff.replaces) == bool(kind.replaces(path)), diff.replaces
    assert set(kind.replaces(path)) <= set(diff.replaces or [])
    assert admin.request_count() == 0


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_diff_of_the_same_known_inputs_is_no_change(
    drivers: dict[str, ProviderDriver],
    deployed: dict[str, tuple[str, dict[str, Any]]],
    admin: EmulatorAdmin,
    kind: Kind,
) -> None:
    id_, outs = deployed[kind.name]
    diff = engine_diff(drivers[kind.name].provider, id_, outs, kind.inputs)
    assert not diff.changes and not diff.replaces
    assert admin.request_count() == 0


def test_an_unknown_adopt_name_passes_check_and_diffs_as_no_change(
    drivers: dict[str, ProviderDriver], deployed: dict[str, tuple[str, dict[str, Any]]], admin: EmulatorAdmin
) -> None:
    """`adopt_name` (the export's adoption input) is read on create only, so later it is never a change."""
    provider = drivers["AppConnection"].provider
    news = {**CONNECTION, "adopt_name": Unknown()}
    result = engine_check(provider, news)
    assert result.failures == [] and contains_unknown(result.inputs)
    id_, outs = deployed["AppConnection"]
    assert not engine_diff(provider, id_, outs, news).changes
    assert admin.request_count() == 0
