"""The Make client against the emulator: auth, User-Agent, retries without Retry-After, error shapes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import EmulatorAdmin
from tests.support.sleeps import Sleeps
from zis_pulumi._http import RetryPolicy
from zis_pulumi._make import MakeClient
from zis_pulumi.config import MakeSettings
from zis_pulumi.errors import ApiError, ConfigurationError, NotFoundError, RateLimitedError

APP = "acme-crm"


@pytest.fixture
def client(stack_config: dict[str, str], sleeps: Sleeps) -> Iterator[MakeClient]:
    client = MakeClient(MakeSettings.resolve(stack_config, environ={}), sleep=sleeps, retry=RetryPolicy(max_attempts=4))
    yield client
    client.close()


def test_create_read_update_delete_round_trip(client: MakeClient, admin: EmulatorAdmin) -> None:
    created = client.create_connection(APP, "apikey", "Acme API key")
    assert created.name == APP
    assert client.create_connection(APP, "basic", "Second").name == f"{APP}2"
    assert client.get_connection(created.name).type == "basic"  # read back normalized
    assert client.update_connection(created.name, {"label": "Renamed"}).label == "Renamed"
    client.set_section(created.name, "parameters", [{"name": "apiKey", "type": "text"}])
    assert '"apiKey"' in client.get_section(created.name, "parameters")
    client.set_common(created.name, {"clientSecret": "s3cret"})
    assert client.get_common(created.name) == {"clientSecret": "s3cret"}
    client.delete_connection(created.name)
    with pytest.raises(NotFoundError):
        client.get_connection(created.name)
    assert [c.name for c in client.list_connections(APP)] == [f"{APP}2"]


def test_a_new_connection_has_commented_section_templates(client: MakeClient) -> None:
    name = client.create_connection(APP, "oauth", "OAuth").name
    assert "//" in client.get_section(name, "api")


def test_requests_carry_our_user_agent_so_make_does_not_refuse_them(client: MakeClient, admin: EmulatorAdmin) -> None:
    client.list_connections(APP)
    assert admin.requests()["by_status"].get("200") == 1
    bare = httpx.get(f"{client.base_url}/sdk/apps/{APP}/connections", headers={"Authorization": "Token x"})
    assert bare.status_code in (401, 403)


def test_a_429_without_retry_after_backs_off_exponentially(
    client: MakeClient, admin: EmulatorAdmin, sleeps: Sleeps
) -> None:
    admin.settings(rate_limit_every=1, scope="make")
    with pytest.raises(RateLimitedError) as raised:
        client.list_connections(APP)
    assert raised.value.status == 429
    assert "Requests limit for organization exceeded" in str(raised.value)
    assert len(sleeps) == 3  # four attempts, three waits
    assert all(0 < wait <= RetryPolicy().max_delay for wait in sleeps)
    assert sleeps[2] > sleeps[0]  # grows


def test_a_post_is_not_retried_on_a_5xx(client: MakeClient, admin: EmulatorAdmin) -> None:
    admin.settings(server_error_probability=1.0, scope="make")
    with pytest.raises(ApiError) as raised:
        client.create_connection(APP, "basic", "x")
    assert raised.value.status >= 500
    assert admin.request_count() == 1


def test_an_invalid_type_surfaces_make_s_message_status_and_request(client: MakeClient) -> None:
    with pytest.raises(ApiError) as raised:
        client.create_connection(APP, "kerberos", "x")
    error = raised.value
    assert error.status == 400
    assert error.method == "POST" and error.url.endswith(f"/sdk/apps/{APP}/connections")
    assert "Value not found in options in parameter 'type'" in str(error)


def test_a_wrong_token_is_a_401_that_never_quotes_the_token(stack_config: dict[str, str]) -> None:
    settings = MakeSettings(base_url=stack_config["make:baseUrl"], api_token="not-the-token-123")
    with pytest.raises(ApiError) as raised, MakeClient(settings) as client:
        client.list_connections(APP)
    assert raised.value.status == 401
    assert "not-the-token-123" not in str(raised.value)
    assert raised.value.code == "SC401"


def test_a_missing_token_is_named_before_any_request(stack_config: dict[str, str], admin: EmulatorAdmin) -> None:
    with pytest.raises(ConfigurationError, match=r"make:apiToken.*MAKE_API_TOKEN"):
        MakeClient(MakeSettings(base_url=stack_config["make:baseUrl"])).list_connections(APP)
    assert admin.request_count() == 0


def test_make_error_shapes_are_parsed() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400,
            json={
                "message": "Validation failed",
                "detail": ["label is too long", "type is missing"],
                "code": "SC400",
                "suberrors": [{"message": "label: max 128 characters"}],
            },
        )

    client = MakeClient(
        MakeSettings(base_url="https://eu1.make.com/api/v2", api_token="t"), transport=httpx.MockTransport(answer)
    )
    with pytest.raises(ApiError) as raised:
        client.update_connection("acme-crm", {"label": "x" * 500})
    error = raised.value
    assert (error.status, error.code, error.message) == (400, "SC400", "Validation failed")
    assert error.details == ["label is too long; type is missing", "label: max 128 characters"]
    assert "PATCH https://eu1.make.com/api/v2/sdk/apps/connections/acme-crm" in str(error)
