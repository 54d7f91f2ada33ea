"""Integers reach the APIs as integers: the engine carries every number as a double, and every request body the
clients send has whole numbers made integers again (`ApiClient.request`, via `_numbers.whole_numbers`).

Numbers are compared as JSON text or by type, never with Python's `==` (which says `12345 == 12345.0`). The
providers get their inputs through the engine's wire format (tests/support/wire.py), so they see `12345.0`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import json5
import pytest

from tests.conftest import EmulatorAdmin
from tests.emulator.helpers import SEED_LINK
from tests.support.driver import ProviderDriver, fresh_connection_driver
from tests.support.wire import engine_diff, wire
from zis_pulumi._make import MakeClient
from zis_pulumi._numbers import canonical, same, whole_numbers
from zis_pulumi._zendesk import ZendeskClient
from zis_pulumi.app_connection import claim_of
from zis_pulumi.bundle import BundleProvider
from zis_pulumi.link import LinkProvider, metadata_patch

INTEGRATION = "acme_sync"
DECLARED: dict[str, Any] = {
    "ticket_id": 12345,
    "nested": [1, [2, 3], {"deep": [4294967296]}],
    "beyond_int32": 2**31 + 7,
    "max_safe": 2**53,
    "ratio": 0.5,
    "flag": True,
    "text": "12345.0",
}
DECLARED_TEXT = json.dumps(DECLARED, sort_keys=True)


def text(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def doubled(value: Any) -> Any:
    """What the engine makes of a declared value: every number a float."""
    return wire({"value": value})["value"]


def has_member(document: str, key: str, number: str) -> bool:
    """Whether JSON(C) text holds `"key": number` spelled exactly so (`30`, not `30.0`), wherever the member is."""
    return re.search(rf'"{re.escape(key)}": {re.escape(number)}(?=[\s,}}\]])', document) is not None


def stored_link_metadata(admin: EmulatorAdmin) -> list[str]:
    links = sorted(admin.state()["zis"]["links"].values(), key=lambda link: link["seq"])
    return [text(link["left_object"]["metadata"]) for link in links]


# --- the helper -----------------------------------------------------------------------------------------------


def test_the_engine_makes_every_number_a_float() -> None:
    crossed = doubled(DECLARED)
    assert type(crossed["ticket_id"]) is float and type(crossed["nested"][1][0]) is float
    assert text(crossed) != DECLARED_TEXT


def test_whole_numbers_gives_back_the_declared_numbers_at_any_depth() -> None:
    assert text(whole_numbers(doubled(DECLARED))) == DECLARED_TEXT


def test_whole_numbers_leaves_fractions_booleans_strings_and_non_finite_floats_alone() -> None:
    result = whole_numbers({"a": 1.5, "b": True, "c": "5.0", "d": float("inf"), "e": None, "f": (2.0,)})
    assert result["a"] == 1.5 and type(result["a"]) is float
    assert result["b"] is True and result["c"] == "5.0" and result["e"] is None
    assert result["d"] == float("inf") and type(result["d"]) is float
    assert result["f"] == [2] and type(result["f"][0]) is int


def test_same_compares_json_values_not_python_values() -> None:
    assert same(doubled(DECLARED), DECLARED)
    assert not same({"flag": True}, {"flag": 1})  # Python says True == 1
    assert not same([1], ["1"])
    assert same({"a": 1, "gone": None}, {"a": 1.0})  # the engine drops null members
    assert canonical(2**53) == canonical(float(2**53))


# --- every request body, at the one place they all pass ---------------------------------------------------------


def link_body(metadata: Any) -> dict[str, Any]:
    return {
        "link_type": "numbers",
        "left_object": {"name": "zendesk:ticket1", "metadata": metadata},
        "right_object": {"name": "jira:PROJ-1", "metadata": {}},
    }


def test_link_create_and_patch_bodies_carry_integers(zendesk: ZendeskClient, admin: EmulatorAdmin) -> None:
    zendesk.create_link(INTEGRATION, link_body(doubled(DECLARED)))
    assert stored_link_metadata(admin) == [DECLARED_TEXT]

    zendesk.patch_link(
        INTEGRATION,
        "numbers",
        "zendesk:ticket1",
        "jira:PROJ-1",
        {"left_object": {"metadata": doubled({"ticket_id": 7})}},
    )
    assert stored_link_metadata(admin) == [text({**DECLARED, "ticket_id": 7})]


def bundle_document(result: Any, seconds: int = 5) -> dict[str, Any]:
    """A bundle whose flow passes `result` on after a Wait of `seconds`."""
    return {
        "name": "numbers",
        "description": "",
        "zis_template_version": "2019-10-14",
        "resources": {
            "flow": {
                "type": "ZIS::Flow",
                "properties": {
                    "name": "flow",
                    "definition": {
                        "StartAt": "Pause",
                        "States": {
                            "Pause": {"Type": "Wait", "Seconds": seconds, "Next": "Done"},
                            "Done": {"Type": "Pass", "Result": result, "End": True},
                        },
                    },
                },
            },
            "job_spec": {
                "type": "ZIS::JobSpec",
                "properties": {
                    "name": "on_ticket",
                    "event_source": "support",
                    "event_type": "ticket.TicketCreated",
                    "flow_name": f"zis:{INTEGRATION}:flow:flow",
                },
            },
        },
    }


def test_bundle_upload_body_carries_integers(zendesk: ZendeskClient, admin: EmulatorAdmin) -> None:
    document = bundle_document(DECLARED)
    zendesk.upload_bundle(INTEGRATION, doubled(document))  # a Wait of 5.0 seconds would be refused

    assert stored_bundle_resources(admin) == text(document["resources"])


def test_make_section_and_common_bodies_carry_integers(make: MakeClient, admin: EmulatorAdmin) -> None:
    name = make.create_connection("acme-crm", "basic", "numbers").name
    make.set_section(name, "parameters", doubled([{"name": "port", "type": "uinteger", "default": 8080}]))
    make.set_common(name, doubled(DECLARED))

    record = admin.state()["make"]["connections"][name]
    assert has_member(record["sections"]["parameters"], "default", "8080")
    assert text(record["common"]) == DECLARED_TEXT


# --- through the providers: create, update, diff ------------------------------------------------------------


@pytest.fixture
def links(stack_config: dict[str, str], admin: EmulatorAdmin) -> ProviderDriver:
    return ProviderDriver(LinkProvider(), stack_config)


def link_inputs(metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "integration": INTEGRATION,
        "link_type": "ticket_to_issue",
        "left_object": {"name": "zendesk:ticket1", "metadata": metadata},
        "right_object": {"name": "jira:PROJ-1", "metadata": {"issue": 101}},
    }


def test_link_metadata_is_stored_with_integers_on_create_and_update(
    links: ProviderDriver, admin: EmulatorAdmin
) -> None:
    created = links.create(wire(link_inputs(DECLARED)))
    assert stored_link_metadata(admin) == [DECLARED_TEXT]
    assert text(admin.state()["zis"]["links"][created.id]["right_object"]["metadata"]) == '{"issue": 101}'

    changed = {**DECLARED, "ticket_id": 12346, "nested": [1, [2, 3, 4]], "added": 2**40}
    links.update(created.id, wire(created.outs), wire(link_inputs(changed)))
    assert stored_link_metadata(admin) == [text(changed)]


def test_link_diff_of_state_floats_against_declared_numbers_is_no_change(
    links: ProviderDriver, admin: EmulatorAdmin
) -> None:
    created = links.create(wire(link_inputs(DECLARED)))
    admin.reset(counters_only=True)

    diff = engine_diff(links.provider, created.id, created.outs, link_inputs(DECLARED))

    assert not diff.changes and not diff.replaces
    assert admin.request_count() == 0


def test_link_metadata_from_a_number_to_a_boolean_is_a_change(links: ProviderDriver) -> None:
    created = links.create(wire(link_inputs({"vip": 1})))
    diff = engine_diff(links.provider, created.id, created.outs, link_inputs({"vip": True}))
    assert diff.changes and not diff.replaces
    assert metadata_patch({"vip": 1}, {"vip": True}) == {"vip": True}
    assert metadata_patch({"vip": 1.0}, {"vip": 1}) == {}


def bundle_inputs(result: Any, seconds: int = 5) -> dict[str, Any]:
    return {"integration": INTEGRATION, **bundle_document(result, seconds)}


def stored_bundle_resources(admin: EmulatorAdmin) -> str:
    (stored,) = admin.state()["zis"]["bundles"].values()
    return text(stored["resources"])


def test_bundle_is_uploaded_with_integers_on_create_and_update(
    stack_config: dict[str, str], admin: EmulatorAdmin
) -> None:
    bundles = ProviderDriver(BundleProvider(), stack_config)
    created = bundles.create(wire(bundle_inputs(DECLARED)))
    assert stored_bundle_resources(admin) == text(bundle_inputs(DECLARED)["resources"])

    changed = {**DECLARED, "nested": [[2**33]]}
    bundles.update(created.id, wire(created.outs), wire(bundle_inputs(changed, seconds=30)))
    assert stored_bundle_resources(admin) == text(bundle_inputs(changed, seconds=30)["resources"])

    admin.reset(counters_only=True)
    outs = bundles.read(created.id, wire(created.outs)).outs
    diff = engine_diff(bundles.provider, created.id, outs, bundle_inputs(changed, seconds=30))
    assert not diff.changes and not diff.replaces


CONNECTION: dict[str, Any] = {
    "app_name": "acme-crm",
    "type": "oauth-refresh",
    "label": "Acme CRM",
    "api": {"url": "https://crm.example.com/me", "timeout": 30, "retries": [1, 2**40]},
    "parameters": [{"name": "port", "type": "uinteger", "default": 8080}],
    "common": {"clientId": "acme", "clientSecret": "s3cr3t", "limits": DECLARED},
    "claim": claim_of("urn:pulumi:dev::numbers::pulumi-python:dynamic/make:AppConnection::crm"),
}


def test_make_sections_and_common_are_written_with_integers_on_create_and_update(
    stack_config: dict[str, str], admin: EmulatorAdmin
) -> None:
    connections = fresh_connection_driver(stack_config)
    created = connections.create(wire(CONNECTION))

    record = admin.state()["make"]["connections"][created.id]
    assert text(json5.loads(record["sections"]["api"])) == text(CONNECTION["api"])
    assert has_member(record["sections"]["api"], "timeout", "30")
    assert has_member(record["sections"]["parameters"], "default", "8080")
    assert text(record["common"]["limits"]) == DECLARED_TEXT

    changed = {**CONNECTION, "api": {**CONNECTION["api"], "timeout": 60}, "common": {**CONNECTION["common"], "n": 3}}
    outs = connections.update(created.id, wire(created.outs), wire(changed))
    record = admin.state()["make"]["connections"][created.id]
    assert has_member(record["sections"]["api"], "timeout", "60")
    assert text(record["common"]["n"]) == "3"

    admin.reset(counters_only=True)
    diff = engine_diff(connections.provider, created.id, outs, changed)
    assert not diff.changes and not diff.replaces
    assert admin.request_count() == 0


def test_bundle_diff_tells_a_boolean_from_a_number(stack_config: dict[str, str], admin: EmulatorAdmin) -> None:
    bundles = ProviderDriver(BundleProvider(), stack_config)
    created = bundles.create(wire(bundle_inputs({"vip": 1})))
    diff = engine_diff(bundles.provider, created.id, created.outs, bundle_inputs({"vip": True}))
    assert diff.changes and not diff.replaces
    assert not engine_diff(bundles.provider, created.id, created.outs, bundle_inputs({"vip": 1.0})).changes


def test_the_create_link_reference_example_through_the_engine_is_stored_as_the_page_shows_it(
    links: ProviderDriver, admin: EmulatorAdmin
) -> None:
    # The example body of the Create Link reference page: metadata {"ID": 123} and {"ID": 456}.
    example = {"integration": "my_integration", **SEED_LINK}
    links.create(wire(example))
    (stored,) = admin.state()["zis"]["links"].values()
    assert text(stored["left_object"]["metadata"]) == '{"ID": 123}'
    assert text(stored["right_object"]["metadata"]) == '{"ID": 456}'
