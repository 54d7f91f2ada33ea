"""get_connections and get_connections_output against the emulator."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pulumi
import pytest
from pulumi.runtime.config import CONFIG, set_all_config

from tests.conftest import EmulatorAdmin
from zis_pulumi.config import ZendeskSettings
from zis_pulumi.connections import GetConnectionsResult, get_connections, get_connections_output
from zis_pulumi.emulator import EmulatorServer
from zis_pulumi.errors import ApiError, ConfigurationError
from zis_pulumi.models import ApiKeyConnection, BasicAuthConnection, BearerTokenConnection, OAuthConnection

INTEGRATION = "acme_sync"
ALL = "GET /api/services/zis/integrations/{integration}/connections/all"
ACCESS_TOKEN = "oauth-access-token-that-must-stay-secret"
REFRESH_TOKEN = "oauth-refresh-token-that-must-stay-secret"
RESPONSE_BODY = '{"access_token":"oauth-access-token-that-must-stay-secret"}'
SECRETS = (ACCESS_TOKEN, REFRESH_TOKEN)
ZENDESK_ENV = ("ZENDESK_BASE_URL", "ZENDESK_SUBDOMAIN", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN")


@pytest.fixture
def settings(stack_config: dict[str, str]) -> ZendeskSettings:
    return ZendeskSettings.resolve(stack_config, environ={})


@pytest.fixture
def no_zendesk_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No Zendesk variable in the environment and no stack config: each test says where settings come from."""
    for name in ZENDESK_ENV:
        monkeypatch.delenv(name, raising=False)
    token = CONFIG.set({})
    yield
    CONFIG.reset(token)


class Seeder:
    def __init__(self, emulator: EmulatorServer, settings: ZendeskSettings) -> None:
        self.http = httpx.Client(
            base_url=emulator.base_url, headers={"Authorization": f"Bearer {settings.oauth_token}"}, timeout=10
        )

    def connection(self, kind: str, name: str) -> None:
        fields = {
            "api_key": {"api_key": "k-secret", "header_name": "x-api-key"},
            "basic_auth": {"username": "bob", "password": "p-secret"},
            "bearer_token": {"token": "t-secret"},
        }[kind]
        body = {"name": name, "allowed_domain": "api.example.com", **fields}
        self.http.post(f"/api/services/zis/integrations/{INTEGRATION}/connections/{kind}", json=body).raise_for_status()

    def oauth(self, name: str) -> None:
        body = {
            "name": name,
            "access_token": ACCESS_TOKEN,
            "refresh_token": REFRESH_TOKEN,
            "oauth_access_token_response_body": RESPONSE_BODY,
            "permission_scope": "read write",
        }
        self.http.post(f"/_emulator/zis/{INTEGRATION}/oauth_connections", json=body).raise_for_status()


@pytest.fixture
def seeded(emulator: EmulatorServer, admin: EmulatorAdmin, settings: ZendeskSettings) -> Iterator[dict[str, list[str]]]:
    """115 connections of the four kinds: more than one page of 100."""
    seeder = Seeder(emulator, settings)
    names: dict[str, list[str]] = {"api_key": [], "basic_auth": [], "bearer_token": [], "oauth": []}
    for kind, count in (("api_key", 60), ("basic_auth", 30), ("bearer_token", 20)):
        for i in range(count):
            name = f"{kind}_{i:03}"
            seeder.connection(kind, name)
            names[kind].append(name)
    for i in range(5):
        seeder.oauth(f"oauth_{i}")
        names["oauth"].append(f"oauth_{i}")
    seeder.http.close()
    admin.reset(counters_only=True)
    yield names


# --- get_connections ------------------------------------------------------------------------------


def test_get_connections_follows_every_page_and_returns_all_four_kinds_typed(
    seeded: dict[str, list[str]], settings: ZendeskSettings, admin: EmulatorAdmin
) -> None:
    result = get_connections(INTEGRATION, settings=settings)
    assert isinstance(result, GetConnectionsResult)
    assert result.integration == INTEGRATION
    assert sorted(c.name for c in result.api_key) == seeded["api_key"]
    assert sorted(c.name for c in result.basic_auth) == seeded["basic_auth"]
    assert sorted(c.name for c in result.bearer_token) == seeded["bearer_token"]
    assert sorted(c.name for c in result.oauth) == seeded["oauth"]
    assert all(isinstance(c, ApiKeyConnection) for c in result.api_key)
    assert all(isinstance(c, BasicAuthConnection) for c in result.basic_auth)
    assert all(isinstance(c, BearerTokenConnection) for c in result.bearer_token)
    assert all(isinstance(c, OAuthConnection) for c in result.oauth)
    assert len(result.names) == 115
    assert admin.requests()["by_endpoint"] == {ALL: 2}


def test_get_connections_finds_a_connection_by_name(seeded: dict[str, list[str]], settings: ZendeskSettings) -> None:
    result = get_connections(INTEGRATION, settings=settings)
    found = result.get("bearer_token_007")
    assert isinstance(found, BearerTokenConnection)
    assert found.allowed_domain == "api.example.com"
    assert found.token == "*****"
    assert result.get("missing") is None


def test_oauth_tokens_are_returned_in_clear_by_the_plain_form(
    seeded: dict[str, list[str]], settings: ZendeskSettings
) -> None:
    oauth = get_connections(INTEGRATION, settings=settings).oauth[0]
    assert (oauth.access_token, oauth.refresh_token) == (ACCESS_TOKEN, REFRESH_TOKEN)
    assert oauth.oauth_access_token_response_body == RESPONSE_BODY
    assert oauth.permission_scope == "read write"


def test_include_secrets_false_leaves_the_oauth_tokens_out(
    seeded: dict[str, list[str]], settings: ZendeskSettings
) -> None:
    oauth = get_connections(INTEGRATION, include_secrets=False, settings=settings).oauth[0]
    assert (oauth.access_token, oauth.refresh_token, oauth.oauth_access_token_response_body) == (None, None, None)
    assert oauth.name == "oauth_0" and oauth.permission_scope == "read write"


def test_the_result_repr_shows_names_and_no_token(seeded: dict[str, list[str]], settings: ZendeskSettings) -> None:
    text = repr(get_connections(INTEGRATION, settings=settings))
    assert "oauth_0" in text and "api_key_000" in text
    assert not any(secret in text for secret in SECRETS)


def test_no_token_reaches_the_logs(
    seeded: dict[str, list[str]], settings: ZendeskSettings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        get_connections(INTEGRATION, settings=settings)
    assert caplog.records, "httpx logs each request at this level"
    assert not any(secret in caplog.text for secret in (*SECRETS, str(settings.oauth_token)))


def test_an_integration_without_connections_gives_empty_lists(settings: ZendeskSettings, admin: EmulatorAdmin) -> None:
    result = get_connections("empty_integration", settings=settings)
    assert (result.api_key, result.basic_auth, result.bearer_token, result.oauth) == ([], [], [], [])


def test_an_invalid_integration_name_is_refused_before_any_request(
    settings: ZendeskSettings, admin: EmulatorAdmin
) -> None:
    with pytest.raises(ValueError, match="a-z, 0-9"):
        get_connections("Acme Sync", settings=settings)
    assert admin.request_count() == 0


def test_a_refused_token_is_an_api_error_without_the_token(settings: ZendeskSettings, admin: EmulatorAdmin) -> None:
    wrong = ZendeskSettings(base_url=settings.base_url, oauth_token="wrong-oauth-token-value")
    with pytest.raises(ApiError) as raised:
        get_connections(INTEGRATION, settings=wrong)
    assert raised.value.status == 401
    assert "wrong-oauth-token-value" not in str(raised.value)


# --- where the settings come from in the program process -------------------------------------------


def test_settings_come_from_the_environment_without_stack_config(
    seeded: dict[str, list[str]], no_zendesk_env: None, monkeypatch: pytest.MonkeyPatch, stack_config: dict[str, str]
) -> None:
    monkeypatch.setenv("ZENDESK_BASE_URL", stack_config["zendesk:baseUrl"])
    monkeypatch.setenv("ZENDESK_OAUTH_TOKEN", stack_config["zendesk:oauthToken"])
    assert len(get_connections(INTEGRATION).names) == 115


def test_stack_config_wins_over_the_environment(
    seeded: dict[str, list[str]], no_zendesk_env: None, monkeypatch: pytest.MonkeyPatch, stack_config: dict[str, str]
) -> None:
    monkeypatch.setenv("ZENDESK_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("ZENDESK_OAUTH_TOKEN", "not-this-one")
    set_all_config({key: stack_config[key] for key in ("zendesk:baseUrl", "zendesk:oauthToken")})
    assert len(get_connections(INTEGRATION).names) == 115


def test_a_missing_oauth_token_names_the_setting_and_makes_no_request(
    no_zendesk_env: None, admin: EmulatorAdmin, stack_config: dict[str, str]
) -> None:
    set_all_config({"zendesk:baseUrl": stack_config["zendesk:baseUrl"], "zendesk:apiToken": "an-api-token"})
    with pytest.raises(ConfigurationError) as raised:
        get_connections(INTEGRATION)
    assert "zendesk:oauthToken" in str(raised.value) and "ZENDESK_OAUTH_TOKEN" in str(raised.value)
    assert "an-api-token" not in str(raised.value)
    assert admin.request_count() == 0


# --- get_connections_output -------------------------------------------------------------------------


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return "id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def run_program(program: Callable[[], pulumi.Output[Any]]) -> None:
    pulumi.runtime.set_mocks(_Mocks(), preview=False)
    run: Callable[[Callable[[], pulumi.Output[Any]]], Callable[[], None]] = pulumi.runtime.test  # untyped in the SDK
    run(program)()


def secret_flag(output: pulumi.Output[Any]) -> pulumi.Output[bool]:
    """Whether `output` is secret, as an Output (to check inside a program)."""
    flag: pulumi.Input[bool] = output.is_secret()
    return pulumi.Output.from_input(flag)


def test_the_output_form_is_secret_and_holds_the_typed_result(
    seeded: dict[str, list[str]], settings: ZendeskSettings
) -> None:
    seen: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        integration = pulumi.Output.from_input(INTEGRATION)  # an Input, as from another resource
        result = get_connections_output(integration, settings=settings)
        access_token = result.apply(lambda r: r.oauth[0].access_token)
        return pulumi.Output.all(result, secret_flag(result), secret_flag(access_token)).apply(
            lambda values: seen.update(result=values[0], secret=values[1], token_secret=values[2])
        )

    run_program(program)
    assert isinstance(seen["result"], GetConnectionsResult)
    assert len(seen["result"].names) == 115
    assert seen["result"].oauth[0].access_token == ACCESS_TOKEN
    assert seen["secret"] is True and seen["token_secret"] is True


def test_the_output_form_without_secrets_is_not_secret(seeded: dict[str, list[str]], settings: ZendeskSettings) -> None:
    seen: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        result = get_connections_output(INTEGRATION, include_secrets=False, settings=settings)
        names = result.apply(lambda r: r.names)
        return pulumi.Output.all(names, secret_flag(names), result).apply(
            lambda values: seen.update(names=values[0], secret=values[1], result=values[2])
        )

    run_program(program)
    assert len(seen["names"]) == 115 and seen["secret"] is False
    assert all(c.access_token is None and c.refresh_token is None for c in seen["result"].oauth)


def test_the_output_form_reads_the_programs_stack_config(
    seeded: dict[str, list[str]], no_zendesk_env: None, stack_config: dict[str, str]
) -> None:
    set_all_config({key: stack_config[key] for key in ("zendesk:baseUrl", "zendesk:oauthToken")})
    seen: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        return get_connections_output(INTEGRATION).apply(lambda r: seen.update(names=r.names))

    run_program(program)
    assert len(seen["names"]) == 115
