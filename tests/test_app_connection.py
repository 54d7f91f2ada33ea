"""The Make app connection provider against the emulator, driven as the engine drives it."""

from __future__ import annotations

import base64
import importlib.util
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import json5
import pulumi
import pytest
from pulumi.dynamic import CheckResult
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.rpc import UNKNOWN, unwrap_rpc_secret

import zis_pulumi.make
from tests.conftest import EmulatorAdmin
from tests.support.driver import CheckFailed, ProviderDriver, fresh_connection_driver
from zis_pulumi._make import MakeClient
from zis_pulumi.app_connection import (
    CLAIM_KEY,
    CONNECTION_TYPES,
    AppConnection,
    AppConnectionArgs,
    AppConnectionProvider,
    claim_of,
    pending_label,
)
from zis_pulumi.errors import ApiError, ZisPulumiError

APP = "acme-crm"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "quickstart" / "make_connection.py"
SECRET = "s3cr3t-client-secret-value"
CONNECTIONS = "/api/v2/sdk/apps/connections/{name}"
SECTION = CONNECTIONS + "/{section}"
COMMON = CONNECTIONS + "/common"
APP_CONNECTIONS = "/api/v2/sdk/apps/{app}/connections"
TYPE_TOKEN = "pulumi-python:dynamic/make:AppConnection"

API = {
    "url": "https://crm.example.com/api/v1/me",
    "headers": {"authorization": "Bearer {{connection.accessToken}}"},
    "log": {"sanitize": ["request.headers.authorization"]},
    "timeout": 30,
}
PARAMETERS = [
    {"name": "clientId", "type": "text", "label": "Client ID", "required": True},
    {"name": "clientSecret", "type": "password", "label": "Client Secret", "required": True},
]
SCOPES = {"contacts.read": "Read contacts", "contacts.write": "Create and update contacts"}
SCOPE = ["contacts.read"]
INSTALL = {"url": "https://crm.example.com/api/v1/install", "method": "POST"}
INSTALL_SPEC = [{"name": "region", "type": "select", "options": ["eu", "us"]}]
WIRE_NAMES = {
    "api": "api",
    "parameters": "parameters",
    "scopes": "scopes",
    "scope": "scope",
    "install": "install",
    "install_spec": "installSpec",
}


def full_inputs(**changes: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "app_name": APP,
        "type": "oauth-refresh",
        "label": "Acme CRM (OAuth)",
        "connected_system_name": "acme",
        "api": API,
        "parameters": PARAMETERS,
        "scopes": SCOPES,
        "scope": SCOPE,
        "install": INSTALL,
        "install_spec": INSTALL_SPEC,
        "common": {"clientId": "acme-client", "clientSecret": SECRET},
    }
    inputs.update(changes)
    return {k: v for k, v in inputs.items() if v is not None}


CLAIM = claim_of("urn:pulumi:dev::quickstart::pulumi-python:dynamic/make:AppConnection::crm")


@pytest.fixture
def driver(stack_config: dict[str, str], admin: EmulatorAdmin) -> ProviderDriver:
    return fresh_connection_driver(stack_config)


class MakeUser:
    """Someone editing the connection in Make (or another client), straight through the API."""

    def __init__(self, stack_config: dict[str, str]) -> None:
        self.http = httpx.Client(
            base_url=stack_config["make:baseUrl"].rstrip("/") + "/",
            headers={"Authorization": f"Token {stack_config['make:apiToken']}", "User-Agent": "tests"},
            timeout=10,
        )

    def put_section_text(self, name: str, section: str, text: str) -> None:
        self.http.put(
            f"sdk/apps/connections/{name}/{section}", content=text, headers={"Content-Type": "application/jsonc"}
        ).raise_for_status()

    def patch(self, name: str, body: dict[str, Any]) -> None:
        self.http.patch(f"sdk/apps/connections/{name}", json=body).raise_for_status()

    def put_common(self, name: str, common: dict[str, Any]) -> None:
        self.http.put(f"sdk/apps/connections/{name}/common", json=common).raise_for_status()

    def create(self, app: str, type_: str, label: str) -> str:
        response = self.http.post(f"sdk/apps/{app}/connections", json={"type": type_, "label": label})
        return str(response.raise_for_status().json()["appConnection"]["name"])


@pytest.fixture
def make_user(stack_config: dict[str, str]) -> Iterator[MakeUser]:
    user = MakeUser(stack_config)
    yield user
    user.http.close()


def make_client(driver: ProviderDriver) -> MakeClient:
    """The client the shipped provider built (to inject faults into)."""
    return cast(AppConnectionProvider, driver.provider).make


def connections(admin: EmulatorAdmin) -> dict[str, dict[str, Any]]:
    """The emulator's Make connections by name (sections still JSONC text)."""
    return admin.state()["make"]["connections"]  # type: ignore[no-any-return]


def section_values(record: dict[str, Any]) -> dict[str, Any]:
    return {section: json5.loads(text) for section, text in record["sections"].items()}


def user_common(record: dict[str, Any]) -> dict[str, Any]:
    """The connection's common data without the claim the provider keeps in it."""
    assert isinstance(record["common"].get(CLAIM_KEY), str)
    return {k: v for k, v in record["common"].items() if k != CLAIM_KEY}


def calls(admin: EmulatorAdmin) -> Counter[str]:
    """API requests since the last counter reset, by `METHOD route`."""
    return Counter(admin.requests()["by_endpoint"])


def created(driver: ProviderDriver, admin: EmulatorAdmin, **changes: Any) -> tuple[str, dict[str, Any]]:
    result = driver.create(full_inputs(**changes))
    admin.reset(counters_only=True)
    return result.id, result.outs


# --- create ------------------------------------------------------------------------------------------


def test_create_writes_every_declared_section_and_common(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    result = driver.create(full_inputs())

    record = connections(admin)[result.id]
    assert record["app"] == APP
    assert record["label"] == "Acme CRM (OAuth)"
    assert record["requested_type"] == "oauth-refresh"
    assert record["connected_system_name"] == "acme"
    assert section_values(record) == {
        "api": API,
        "parameters": PARAMETERS,
        "scopes": SCOPES,
        "scope": SCOPE,
        "install": INSTALL,
        "installSpec": INSTALL_SPEC,
    }
    assert user_common(record) == {"clientId": "acme-client", "clientSecret": SECRET}
    assert result.outs["name"] == result.id == APP
    assert result.outs["type"] == "oauth-refresh"
    assert result.outs["common"] == {"clientId": "acme-client", "clientSecret": SECRET}
    assert {k: result.outs[k] for k in WIRE_NAMES} == {k: full_inputs()[k] for k in WIRE_NAMES}


def test_create_makes_one_post_then_one_write_per_declared_property(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    admin.reset(counters_only=True)
    driver.create(full_inputs())

    assert calls(admin) == {
        f"GET {APP_CONNECTIONS}": 1,  # the list that lets a lost answer be recovered
        f"POST {APP_CONNECTIONS}": 1,
        f"PATCH {CONNECTIONS}": 1,  # connectedSystemName (POST takes type and label only)
        f"PUT {SECTION}": 6,
        f"PUT {COMMON}": 1,
    }


def test_undeclared_sections_keep_makes_templates(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    inputs = {"app_name": APP, "type": "apikey", "label": "Acme CRM (key)", "api": API}
    result = driver.create(inputs)

    record = connections(admin)[result.id]
    assert json5.loads(record["sections"]["api"]) == API
    assert "apiKey" in record["sections"]["parameters"]  # the apikey template, untouched
    assert "//" in record["sections"]["parameters"]
    assert user_common(record) == {}  # the claim only
    assert "parameters" not in result.outs
    assert "common" not in result.outs


def test_connection_names_come_from_make(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    first = driver.create(full_inputs())
    second = driver.create(full_inputs(label="Second"))

    assert (first.id, second.id) == (APP, f"{APP}2")


def test_section_given_as_jsonc_text_is_stored_as_its_value(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    text = '{\n  // who am I\n  "url": "https://crm.example.com/me",\n  "headers": {"a": "b",},\n}'
    inputs = driver.checked(full_inputs(api=text))
    assert inputs["api"] == {"url": "https://crm.example.com/me", "headers": {"a": "b"}}

    result = driver.create(full_inputs(api=text))
    assert json5.loads(connections(admin)[result.id]["sections"]["api"]) == inputs["api"]


def test_numbers_that_crossed_the_engine_as_doubles_are_sent_as_integers(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    result = driver.create(full_inputs(api={**API, "timeout": 30.0}))

    stored = connections(admin)[result.id]["sections"]["api"]
    assert '"timeout": 30\n' in stored or '"timeout": 30,' in stored


# --- read and no-op diff -----------------------------------------------------------------------------


def test_no_change_preview_makes_no_request(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    id_, outs = created(driver, admin)

    diff = driver.diff(id_, outs, full_inputs())

    assert not diff.changes
    assert not diff.replaces
    assert admin.request_count() == 0


@pytest.mark.parametrize("section_format", ["jsonc", "text", "json_string"])
def test_read_after_create_is_no_change(driver: ProviderDriver, admin: EmulatorAdmin, section_format: str) -> None:
    admin.settings(make_section_format=section_format)
    id_, outs = created(driver, admin)

    read = driver.read(id_, outs)

    assert read.id == id_
    assert read.outs == outs  # type read back as "oauth" is still the declared "oauth-refresh"
    assert not driver.diff(id_, read.outs, full_inputs()).changes
    # what the engine does on refresh: diff the old inputs against the refreshed outputs
    assert not driver.provider.diff(id_, read.outs, read.inputs).changes


def test_make_reformatting_and_comments_are_no_change(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser
) -> None:
    id_, outs = created(driver, admin)
    # the same values, written the way a person in Make's editor would
    make_user.put_section_text(
        id_,
        "api",
        '{\n  // checks the token\n  "timeout": 30.0,\n  "log": {"sanitize": ["request.headers.authorization",],},\n'
        '  "headers": {"authorization": "Bearer {{connection.accessToken}}"},\n'
        '  "url": "https://crm.example.com/api/v1/me", /* the whoami endpoint */\n}\n',
    )
    make_user.put_section_text(id_, "scope", '[\n  "contacts.read", // the default\n]')

    read = driver.read(id_, outs)

    assert read.outs["api"] == outs["api"]
    assert read.outs["scope"] == outs["scope"]
    assert not driver.diff(id_, read.outs, full_inputs()).changes


def test_refresh_reads_the_connection_and_only_the_declared_parts(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    id_, outs = created(driver, admin, install=None, install_spec=None)

    driver.read(id_, outs)

    assert calls(admin) == {f"GET {CONNECTIONS}": 1, f"GET {SECTION}": 4, f"GET {COMMON}": 1}


def test_read_returns_the_declared_inputs(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    id_, outs = created(driver, admin, install=None)

    read = driver.read(id_, outs)

    assert read.inputs == driver.checked(full_inputs(install=None))


def test_edits_made_in_make_show_after_refresh(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser
) -> None:
    id_, outs = created(driver, admin)
    make_user.patch(id_, {"label": "Renamed in Make", "connectedSystemName": None})
    make_user.put_section_text(id_, "scope", '["contacts.read", "contacts.write"]')
    make_user.put_common(id_, {"clientId": "acme-client", "clientSecret": "rotated"})

    read = driver.read(id_, outs)

    assert read.outs["label"] == "Renamed in Make"
    assert read.outs["connected_system_name"] is None
    assert read.outs["scope"] == ["contacts.read", "contacts.write"]
    assert read.outs["common"]["clientSecret"] == "rotated"
    assert read.inputs["label"] == "Renamed in Make"
    assert driver.provider.diff(id_, read.outs, driver.checked(full_inputs())).changes


def test_next_update_after_drift_restores_the_declared_state(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser
) -> None:
    id_, outs = created(driver, admin)
    make_user.patch(id_, {"label": "Renamed in Make"})
    make_user.put_section_text(id_, "scope", '["contacts.write"]')
    read = driver.read(id_, outs)
    admin.reset(counters_only=True)

    new_outs = driver.update(id_, read.outs, full_inputs())

    record = connections(admin)[id_]
    assert record["label"] == "Acme CRM (OAuth)"
    assert json5.loads(record["sections"]["scope"]) == SCOPE
    assert new_outs == outs
    assert calls(admin) == {f"PATCH {CONNECTIONS}": 1, f"PUT {SECTION}": 1}


def test_section_text_that_does_not_parse_is_a_change(
    driver: ProviderDriver, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    id_, outs = created(driver, admin)
    make = make_client(driver)
    real_get_section = make.get_section
    monkeypatch.setattr(
        make,
        "get_section",
        lambda name, section: "{broken" if section == "install" else real_get_section(name, section),
    )

    read = driver.read(id_, outs)

    assert read.outs["install"] == "{broken"
    assert driver.diff(id_, read.outs, full_inputs()).changes


def test_read_of_a_deleted_connection_says_it_is_gone(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser
) -> None:
    id_, outs = created(driver, admin)
    make_user.http.delete(f"sdk/apps/connections/{id_}").raise_for_status()

    read = driver.read(id_, outs)

    assert read.id == ""
    assert read.outs == {}


# --- updates -----------------------------------------------------------------------------------------


def test_label_change_is_one_patch(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    id_, outs = created(driver, admin)
    news = full_inputs(label="Acme CRM")

    diff = driver.diff(id_, outs, news)
    new_outs = driver.update(id_, outs, news)

    assert diff.changes and not diff.replaces
    assert calls(admin) == {f"PATCH {CONNECTIONS}": 1}
    assert connections(admin)[id_]["label"] == "Acme CRM"
    assert new_outs == {**outs, "label": "Acme CRM"}


def test_clearing_connected_system_name_patches_null(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    id_, outs = created(driver, admin)
    news = full_inputs(connected_system_name=None)

    assert driver.diff(id_, outs, news).changes
    new_outs = driver.update(id_, outs, news)

    assert connections(admin)[id_]["connected_system_name"] is None
    assert new_outs["connected_system_name"] is None
    assert calls(admin) == {f"PATCH {CONNECTIONS}": 1}


def test_section_change_is_one_put(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    id_, outs = created(driver, admin)
    parameters = [*PARAMETERS, {"name": "region", "type": "text", "label": "Region"}]
    news = full_inputs(parameters=parameters)

    diff = driver.diff(id_, outs, news)
    new_outs = driver.update(id_, outs, news)

    assert diff.changes and not diff.replaces
    assert calls(admin) == {f"PUT {SECTION}": 1}
    assert json5.loads(connections(admin)[id_]["sections"]["parameters"]) == parameters
    assert new_outs["parameters"] == parameters


def test_common_change_is_one_put(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    id_, outs = created(driver, admin)
    news = full_inputs(common={"clientId": "acme-client", "clientSecret": "rotated-secret"})

    assert driver.diff(id_, outs, news).changes
    new_outs = driver.update(id_, outs, news)

    assert calls(admin) == {f"PUT {COMMON}": 1}
    assert connections(admin)[id_]["common"]["clientSecret"] == "rotated-secret"
    assert new_outs["common"] == news["common"]


def test_section_no_longer_declared_is_left_as_make_has_it(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    id_, outs = created(driver, admin)
    news = full_inputs(install=None)

    assert driver.diff(id_, outs, news).changes  # the state stops holding it
    new_outs = driver.update(id_, outs, news)

    assert admin.request_count() == 0
    assert "install" not in new_outs
    assert json5.loads(connections(admin)[id_]["sections"]["install"]) == INSTALL


@pytest.mark.parametrize(
    "change",
    [{"type": "oauth"}, {"type": "apikey"}, {"app_name": "other-app"}],
    ids=["oauth-refresh-to-oauth", "oauth-to-apikey", "app"],
)
def test_type_or_app_change_replaces(driver: ProviderDriver, admin: EmulatorAdmin, change: dict[str, str]) -> None:
    id_, outs = created(driver, admin)

    diff = driver.diff(id_, outs, full_inputs(**change))

    assert diff.changes
    assert diff.replaces == list(change)
    assert diff.delete_before_replace  # the new connection holds the same claim: the old one goes first
    assert admin.request_count() == 0


def test_normalized_type_in_old_outputs_of_same_kind_is_kept_as_declared(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    id_, outs = created(driver, admin, type="apikey")
    assert connections(admin)[id_]["type"] == "basic"

    read = driver.read(id_, outs)

    assert read.outs["type"] == "apikey"
    assert not driver.diff(id_, read.outs, full_inputs(type="apikey")).replaces


def test_unknown_values_in_preview_count_as_changes(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    id_, outs = created(driver, admin)

    section = driver.diff(id_, outs, full_inputs(api={**API, "url": UNKNOWN}))
    type_ = driver.diff(id_, outs, full_inputs(type=UNKNOWN))

    assert section.changes and not section.replaces
    assert type_.replaces == ["type"]
    assert admin.request_count() == 0


def test_recreate_trigger_change_calls_recreate_and_rewrites_declared_parts(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    id_, outs = created(driver, admin, recreate_trigger="2024-01")
    assert calls(admin) == {}  # setting a trigger on create recreates nothing
    news = full_inputs(recreate_trigger="2024-02")

    assert driver.diff(id_, outs, news).changes
    new_outs = driver.update(id_, outs, news)

    assert calls(admin) == {
        "POST " + CONNECTIONS + "/recreate": 1,
        f"PATCH {CONNECTIONS}": 1,
        f"PUT {SECTION}": 6,
        f"PUT {COMMON}": 1,
    }
    assert new_outs["recreate_trigger"] == "2024-02"


def test_removing_the_recreate_trigger_recreates_nothing(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    id_, outs = created(driver, admin, recreate_trigger="2024-01")

    new_outs = driver.update(id_, outs, full_inputs())

    assert admin.request_count() == 0
    assert "recreate_trigger" not in new_outs


# --- transactional create ---------------------------------------------------------------------------


def _raising(error: Exception) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


def _api_error(status: int, message: str = "Internal Server Error") -> ApiError:
    return ApiError(vendor="Make", status=status, method="PUT", url="http://make/x", message=message)


def test_failure_after_the_post_deletes_the_new_connection(
    driver: ProviderDriver, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(make_client(driver), "set_common", _raising(_api_error(500)))

    with pytest.raises(ZisPulumiError) as raised:
        driver.create(full_inputs())

    assert connections(admin) == {}
    assert f"{APP!r}" in str(raised.value)
    assert "PUT common" in str(raised.value)
    assert "nothing is left behind" in str(raised.value)


def test_failed_clean_up_names_the_connection_left_and_how_to_remove_it(
    driver: ProviderDriver, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    make = make_client(driver)
    monkeypatch.setattr(make, "set_section", _raising(_api_error(400, "Bad section")))
    monkeypatch.setattr(make, "delete_connection", _raising(_api_error(503)))

    with pytest.raises(ZisPulumiError) as raised:
        driver.create(full_inputs())

    message = str(raised.value)
    assert list(connections(admin)) == [APP]
    assert f"Creating Make connection {APP!r}" in message
    assert f"DELETE {make.url(f'sdk/apps/connections/{APP}')}" in message
    assert "Bad section" in message


def test_lost_post_answer_adopts_the_connection_it_created(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    admin.settings(faults={"lost_response_every": 1, "scope": "make"})
    admin.reset(counters_only=True)

    result = driver.create(full_inputs())

    assert list(connections(admin)) == [APP]
    assert result.id == APP
    assert calls(admin)[f"POST {APP_CONNECTIONS}"] == 1
    assert admin.requests()["by_status"].get("lost") == 1
    assert section_values(connections(admin)[APP])["scope"] == SCOPE


def test_lost_post_answer_does_not_adopt_an_older_connection_with_the_same_label(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser
) -> None:
    older = make_user.create(APP, "oauth-refresh", "Acme CRM (OAuth)")
    admin.settings(faults={"lost_response_every": 1, "scope": "make"})

    result = driver.create(full_inputs())

    assert result.id != older
    assert sorted(connections(admin)) == sorted([older, result.id])
    assert connections(admin)[older]["common"] == {}


def test_post_that_failed_without_creating_is_sent_again(
    driver: ProviderDriver, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    make = make_client(driver)
    real_create = make.create_connection
    attempts: list[str] = []

    def create_once_lost(app: str, type_: str, label: str) -> Any:
        attempts.append(app)
        if len(attempts) == 1:  # a gateway 502 before the request reached Make
            raise ApiError(vendor="Make", status=502, method="POST", url="u", message="Bad Gateway")
        return real_create(app, type_, label)

    monkeypatch.setattr(make, "create_connection", create_once_lost)

    result = driver.create(full_inputs())

    assert len(attempts) == 2
    assert list(connections(admin)) == [result.id]


def test_a_create_cut_off_before_its_label_was_written_is_adopted_by_the_next(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser
) -> None:
    """`pulumi up` killed after the POST landed: the connection still has its pending label."""
    left = make_user.create(APP, "oauth-refresh", pending_label("Acme CRM (OAuth)", CLAIM))
    admin.reset(counters_only=True)

    result = driver.create(full_inputs(claim=CLAIM))

    assert result.id == left
    record = connections(admin)[left]
    assert list(connections(admin)) == [left]
    assert record["label"] == "Acme CRM (OAuth)"
    assert section_values(record)["scope"] == SCOPE
    assert record["common"] == {"clientId": "acme-client", "clientSecret": SECRET, CLAIM_KEY: CLAIM}
    assert calls(admin)[f"POST {APP_CONNECTIONS}"] == 0


def test_a_create_cut_off_after_its_label_was_written_is_adopted_by_its_claim_in_common(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser
) -> None:
    """Killed after the create finished but before the engine saved it: only `common` holds the claim."""
    left = make_user.create(APP, "oauth-refresh", "Acme CRM (OAuth)")
    make_user.put_common(left, {"clientId": "acme-client", CLAIM_KEY: CLAIM})
    admin.reset(counters_only=True)

    result = driver.create(full_inputs(claim=CLAIM))

    assert result.id == left
    assert list(connections(admin)) == [left]
    assert user_common(connections(admin)[left]) == {"clientId": "acme-client", "clientSecret": SECRET}
    assert calls(admin)[f"POST {APP_CONNECTIONS}"] == 0
    assert calls(admin)[f"GET {COMMON}"] == 1  # the one same-label connection, to see whose it is


@pytest.mark.parametrize("common", [{}, {"clientId": "by-hand"}, {CLAIM_KEY: claim_of("urn:another")}])
def test_a_same_label_connection_made_by_hand_or_by_another_resource_is_not_adopted(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser, common: dict[str, str]
) -> None:
    other = make_user.create(APP, "oauth-refresh", "Acme CRM (OAuth)")
    make_user.put_common(other, common)

    result = driver.create(full_inputs(claim=CLAIM))

    assert result.id != other
    assert sorted(connections(admin)) == sorted([other, result.id])
    assert connections(admin)[other]["common"] == common
    assert connections(admin)[other]["label"] == "Acme CRM (OAuth)"


def test_a_pending_connection_of_another_resource_is_not_touched(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser
) -> None:
    other_claim = make_user.create(APP, "oauth", pending_label("Acme CRM (OAuth)", claim_of("urn:another")))

    result = driver.create(full_inputs(claim=CLAIM))

    assert result.id != other_claim
    assert sorted(connections(admin)) == sorted([other_claim, result.id])


def test_a_leftover_under_a_label_since_changed_is_adopted(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser
) -> None:
    left = make_user.create(APP, "oauth-refresh", pending_label("Old label", CLAIM))

    result = driver.create(full_inputs(claim=CLAIM, label="New label"))

    assert result.id == left
    assert connections(admin)[left]["label"] == "New label"


def test_a_leftover_of_a_type_since_changed_is_deleted_not_adopted(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser
) -> None:
    left = make_user.create(APP, "basic", pending_label("Acme CRM (OAuth)", CLAIM))

    result = driver.create(full_inputs(claim=CLAIM))

    assert result.id != left
    assert list(connections(admin)) == [result.id]


def test_two_leftovers_of_the_same_resource_one_is_adopted_the_other_deleted(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser
) -> None:
    first = make_user.create(APP, "oauth-refresh", pending_label("Acme CRM (OAuth)", CLAIM))
    second = make_user.create(APP, "oauth-refresh", "Acme CRM (OAuth)")
    make_user.put_common(second, {CLAIM_KEY: CLAIM})

    result = driver.create(full_inputs(claim=CLAIM))

    assert result.id == first
    assert list(connections(admin)) == [first]


def test_a_replacement_does_not_adopt_the_connection_it_replaces_while_make_still_lists_it(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    """Delete before replace, and Make deletes in the background: the old one, same claim, is still listed."""
    admin.settings(make_delete_delay_ms=60_000)
    old = driver.create(full_inputs(claim=CLAIM))

    driver.delete(old.id, old.outs)
    new = driver.create(full_inputs(claim=CLAIM, type="oauth"))

    assert new.id != old.id
    assert connections(admin)[new.id]["requested_type"] == "oauth"


def test_a_created_connection_is_not_looked_at_by_later_creates_of_the_run(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    """Ten connections with one label: no create reads the common data of another."""
    for index in range(3):
        driver.create(full_inputs(claim=claim_of(f"urn:{index}")))

    assert calls(admin)[f"GET {COMMON}"] == 0
    assert len(connections(admin)) == 3


def test_creates_of_one_app_list_its_connections_once_per_provider_process(
    driver: ProviderDriver, admin: EmulatorAdmin, make_user: MakeUser
) -> None:
    left = make_user.create(APP, "oauth-refresh", pending_label("Acme CRM (OAuth)", CLAIM))
    admin.reset(counters_only=True)
    threads = [
        threading.Thread(target=driver.create, args=(full_inputs(claim=claim_of(f"urn:{index}")),))
        for index in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    adopted = driver.create(full_inputs(claim=CLAIM))  # found in the list the first create took

    assert calls(admin)[f"GET {APP_CONNECTIONS}"] == 1
    assert adopted.id == left
    assert len(connections(admin)) == 5


def test_a_claim_that_is_not_a_hash_is_refused(driver: ProviderDriver) -> None:
    assert [(f.property, f.reason) for f in driver.check(full_inputs(claim="Robert'); --")).failures] == [
        ("claim", "is set by AppConnection itself: 8 to 64 lowercase hex digits")
    ]


def test_four_concurrent_creates_with_lost_answers_each_get_their_own_connection(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    admin.settings(faults={"lost_response_every": 2, "scope": "make", "latency_ms": 5})
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def create(index: int) -> None:
        try:
            # the same label for all four: only the provider's own ordering tells them apart
            results[index] = driver.create(full_inputs(common={"clientId": f"c{index}", "clientSecret": SECRET})).id
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(results.values())) == 4
    state = connections(admin)
    assert sorted(state) == sorted(results.values())
    assert {index: state[name]["common"]["clientId"] for index, name in results.items()} == {
        i: f"c{i}" for i in range(4)
    }


# --- delete ------------------------------------------------------------------------------------------


def test_delete_removes_the_connection(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    id_, outs = created(driver, admin)

    driver.delete(id_, outs)

    assert connections(admin) == {}
    assert calls(admin) == {f"DELETE {CONNECTIONS}": 1}


def test_delete_of_a_connection_already_gone_succeeds(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    id_, outs = created(driver, admin)
    driver.delete(id_, outs)

    driver.delete(id_, outs)

    assert calls(admin)[f"DELETE {CONNECTIONS}"] == 2


# --- secrets -----------------------------------------------------------------------------------------


def test_common_is_absent_from_logs_errors_and_the_pickled_provider(
    driver: ProviderDriver,
    admin: EmulatorAdmin,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    make = make_client(driver)
    # a vendor error that echoes the request body back
    echo = ApiError(
        vendor="Make",
        status=400,
        method="PUT",
        url="http://make/common",
        message=f"Invalid value {SECRET}",
        details=[f"clientSecret={SECRET}"],
        body={"clientSecret": SECRET},
    )
    monkeypatch.setattr(make, "set_common", _raising(echo))

    with pytest.raises(Exception) as raised:
        driver.create(full_inputs())

    printed = [str(raised.value), repr(raised.value), caplog.text]
    cause: BaseException | None = raised.value
    while cause is not None:
        printed.append(str(cause))
        cause = cause.__cause__ or (None if cause.__suppress_context__ else cause.__context__)
    assert all(SECRET not in text for text in printed)
    assert "[secret]" in str(raised.value)
    assert SECRET.encode() not in base64.b64decode(driver.blob)


def test_check_failure_about_common_does_not_quote_it(driver: ProviderDriver) -> None:
    result = driver.check(full_inputs(common=[SECRET]))

    # No `property`: the engine would print that property's value, secret or not; the reason names it.
    assert [f.property for f in result.failures] == [""]
    assert result.failures[0].reason.startswith("common: ")
    assert SECRET not in result.failures[0].reason


# --- check -------------------------------------------------------------------------------------------


def failures_of(result: CheckResult) -> dict[str, str]:
    return {f.property: f.reason for f in result.failures}


def test_unknown_type_is_refused_naming_the_allowed_ones(driver: ProviderDriver) -> None:
    failures = failures_of(driver.check(full_inputs(type="oauth2")))

    assert list(failures) == ["type"]
    assert all(allowed in failures["type"] for allowed in CONNECTION_TYPES)


@pytest.mark.parametrize(
    ("prop", "value", "expected"),
    [
        ("parameters", {"name": "x"}, "a list of objects"),
        ("scope", {"contacts.read": True}, "a list of strings"),
        ("install_spec", {"name": "region"}, "a list of objects"),
        ("api", [API], "an object"),
        ("scopes", ["contacts.read"], "an object"),
        ("install", [INSTALL], "an object"),
        ("scope", [1, 2], "a list of strings"),
        ("parameters", "{not jsonc", "not valid JSONC"),
        ("parameters", '{"name": "x"}', "a list of objects"),
    ],
)
def test_section_of_the_wrong_shape_is_refused(driver: ProviderDriver, prop: str, value: Any, expected: str) -> None:
    failures = failures_of(driver.check(full_inputs(**{prop: value})))

    assert list(failures) == [prop]
    assert expected in failures[prop]


def test_required_inputs_and_unknown_names_are_refused(driver: ProviderDriver) -> None:
    inputs = {"type": "oauth", "labell": "typo", "app_name": ""}

    failures = failures_of(driver.check(inputs))

    assert set(failures) == {"app_name", "label", "labell"}
    assert "not an AppConnection input" in failures["labell"]


def test_unknown_values_pass_check_in_preview(driver: ProviderDriver) -> None:
    inputs = full_inputs(app_name=UNKNOWN, type=UNKNOWN, api=UNKNOWN, scope=[UNKNOWN], common=UNKNOWN)

    result = driver.check(inputs)

    assert result.failures == []
    assert result.inputs["api"] == UNKNOWN


def test_create_refuses_bad_inputs_before_any_request(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    admin.reset(counters_only=True)

    with pytest.raises(CheckFailed):
        driver.create(full_inputs(type="oauth2"))

    assert admin.request_count() == 0


# --- the resource class ------------------------------------------------------------------------------


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        self.registered.append(args)
        return APP, {**args.inputs, "name": APP}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def mocks() -> _Mocks:
    mocks = _Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    return mocks


def test_resource_registers_its_type_token_and_marks_common_secret(mocks: _Mocks) -> None:
    seen: dict[str, Any] = {}

    def capture(args: pulumi.ResourceTransformationArgs) -> None:
        seen["opts"] = args.opts
        seen["props"] = args.props

    @pulumi.runtime.test
    def run() -> Any:
        connection = AppConnection(
            "crm",
            app_name=APP,
            type="oauth",
            label="CRM",
            common={"clientId": "id", "clientSecret": SECRET},
            opts=pulumi.ResourceOptions(transformations=[capture], additional_secret_outputs=["label"]),
        )

        async def check() -> None:
            assert await seen["props"]["common"].is_secret()
            assert await connection.name.future() == APP
            assert await connection.type.future() == "oauth"
            assert await connection.common.future() == {"clientId": "id", "clientSecret": SECRET}

        return check()

    run()
    assert mocks.registered[0].typ == "pulumi-python:dynamic/make:AppConnection"
    assert sorted(seen["opts"].additional_secret_outputs) == ["common", "label"]
    assert seen["opts"].delete_before_replace is True
    urn = f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::pulumi-python:dynamic/make:AppConnection::crm"
    assert mocks.registered[0].inputs["claim"] == claim_of(urn)
    assert SECRET.encode() not in base64.b64decode(mocks.registered[0].inputs["__provider"])


def test_a_child_resource_claims_by_the_urn_its_parent_gives_it(mocks: _Mocks) -> None:
    """A child's URN is its parent's type chain plus its own type and name (the engine's rule)."""
    parents: dict[str, str] = {}

    class Tenant(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("acme:index:Tenant", name)
            self.urn.apply(lambda urn: parents.__setitem__(name, urn))
            AppConnection(
                f"{name}-crm", app_name=APP, type="basic", label="CRM", opts=pulumi.ResourceOptions(parent=self)
            )

    @pulumi.runtime.test
    def run() -> Any:
        Tenant("eu")
        Tenant("us")
        return pulumi.Output.from_input(None)

    run()
    claims = [args.inputs["claim"] for args in mocks.registered if args.typ == TYPE_TOKEN]
    expected = [claim_of(f"{parents[n].rsplit('::', 1)[0]}${TYPE_TOKEN}::{n}-crm") for n in ("eu", "us")]
    assert sorted(claims) == sorted(expected) and claims[0] != claims[1]


def test_resource_takes_an_args_object(mocks: _Mocks) -> None:
    @pulumi.runtime.test
    def run() -> Any:
        args = AppConnectionArgs(app_name=APP, type="basic", label="CRM", scope=["a"])
        connection = zis_pulumi.make.AppConnection("crm", args)
        return connection.scope.apply(lambda scope: assertion(scope == ["a"]))

    run()
    assert mocks.registered[0].inputs["scope"] == ["a"]
    assert zis_pulumi.make.AppConnection is AppConnection


def assertion(condition: bool) -> None:
    assert condition


def test_resource_refuses_args_and_keywords_together_or_missing_inputs() -> None:
    with pytest.raises(TypeError, match="not both"):
        AppConnection("crm", AppConnectionArgs(app_name=APP, type="basic", label="x"), label="y")
    with pytest.raises(TypeError, match="type, label"):
        AppConnection("crm", app_name=APP)


def test_a_used_provider_pickles_without_credentials_or_common(
    driver: ProviderDriver, admin: EmulatorAdmin, stack_config: dict[str, str]
) -> None:
    driver.create(full_inputs())  # builds the client and sees `common`

    pickled = base64.b64decode(serialize_provider(driver.provider))

    assert stack_config["make:apiToken"].encode() not in pickled
    assert SECRET.encode() not in pickled


def test_example_declares_a_connection_the_provider_accepts(mocks: _Mocks, driver: ProviderDriver) -> None:
    spec = importlib.util.spec_from_file_location("make_connection_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    pulumi.runtime.set_config("project:crmClientSecret", SECRET)

    @pulumi.runtime.test
    def run() -> Any:
        return example.crm_oauth_connection().name

    run()
    # what the engine hands the provider: secrets unwrapped (it does not accept secrets)
    inputs = {k: unwrap_rpc_secret(v) for k, v in mocks.registered[0].inputs.items() if k != "__provider"}
    assert rpc.is_rpc_secret(mocks.registered[0].inputs["common"])
    assert inputs["common"]["clientSecret"] == SECRET
    assert driver.check(inputs).failures == []
    assert driver.create(inputs).id == "acme-crm"
