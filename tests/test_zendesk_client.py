"""ZendeskClient against the emulator: pagination, retries, credentials per endpoint, and errors.

`httpx.MockTransport` stands in for the server only where the emulator cannot produce the answer: a 429
without Retry-After (the emulator always sends one), a body that is not JSON, a cursor that repeats, and
connections dropped on a GET or refused.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import EmulatorAdmin
from tests.support.sleeps import Sleeps
from zis_pulumi._http import RetryPolicy
from zis_pulumi._zendesk import ZendeskClient
from zis_pulumi.config import ZendeskSettings
from zis_pulumi.emulator import EmulatorServer
from zis_pulumi.errors import (
    ApiError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    TransportError,
    ZisPulumiError,
)

INTEGRATION = "acme_sync"
ZIS = "/api/services/zis"
LINKS = f"GET {ZIS}/links/{{integration}}"
JOB_SPECS = f"GET {ZIS}/registry/{{integration}}/job_specs"
POST_LINK = f"POST {ZIS}/links/{{integration}}"
PATCH_LINK = f"PATCH {ZIS}/links/{{integration}}"
POLICY = RetryPolicy(max_attempts=3, max_total_seconds=600, base_delay=0.5, max_delay=20)


def bundle(job_specs: int = 1, name: str = "sync") -> dict[str, Any]:
    resources: dict[str, Any] = {
        "flow": {
            "type": "ZIS::Flow",
            "properties": {"name": "sync", "definition": {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}},
        }
    }
    for i in range(job_specs):
        resources[f"job_{i}"] = {
            "type": "ZIS::JobSpec",
            "properties": {
                "name": f"job_{i:03}",
                "event_source": "support",
                "event_type": "ticket.TicketCreated",
                "flow_name": f"zis:{INTEGRATION}:flow:sync",
            },
        }
    return {"name": name, "description": "", "zis_template_version": "2019-10-14", "resources": resources}


def link_body(left: str = "zendesk:ticket1", right: str = "jira:PROJ-1") -> dict[str, Any]:
    return {
        "link_type": "ticket_to_issue",
        "left_object": {"name": left, "metadata": {"id": 1}},
        "right_object": {"name": right, "metadata": {}},
    }


@pytest.fixture
def settings(stack_config: dict[str, str]) -> ZendeskSettings:
    return ZendeskSettings.resolve(stack_config, environ={})


@pytest.fixture
def make_client(settings: ZendeskSettings, sleeps: Sleeps) -> Iterator[Callable[..., ZendeskClient]]:
    made: list[ZendeskClient] = []

    def make(**overrides: Any) -> ZendeskClient:
        transport = overrides.pop("transport", None)
        fields = {
            "base_url": settings.base_url,
            "email": settings.email,
            "api_token": settings.api_token,
            "oauth_token": settings.oauth_token,
            **overrides,
        }
        client = ZendeskClient(ZendeskSettings(**fields), retry=POLICY, transport=transport, sleep=sleeps)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., ZendeskClient], admin: EmulatorAdmin) -> Iterator[ZendeskClient]:
    defaults = {
        "link_duplicate": "unprocessable",
        "job_spec_reinstall": "ok",
        "retry_after_seconds": 1,
        "server_error_statuses": [502, 503, 504],
        "server_error_body": "random",
    }
    admin.settings(**defaults)
    yield make_client()
    admin.settings(**defaults)  # the conftest resets only the fault rates


def by_endpoint(admin: EmulatorAdmin) -> dict[str, int]:
    counts: dict[str, int] = admin.requests()["by_endpoint"]
    return counts


def mock(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    return httpx.MockTransport(handler)


# --- pagination -----------------------------------------------------------------------------------


def test_job_specs_are_listed_across_pages(client: ZendeskClient, admin: EmulatorAdmin) -> None:
    client.upload_bundle(INTEGRATION, bundle(job_specs=130))
    admin.reset(counters_only=True)
    names = [spec.name for spec in client.list_job_specs(INTEGRATION)]
    assert names == [f"job_{i:03}" for i in range(130)]
    assert by_endpoint(admin) == {JOB_SPECS: 2}


def test_links_are_found_across_pages(client: ZendeskClient, admin: EmulatorAdmin) -> None:
    for i in range(150):
        client.create_link(INTEGRATION, link_body(left=f"zendesk:ticket{i}"))
    admin.reset(counters_only=True)
    found = client.find_links(INTEGRATION, "ticket_to_issue", left_object_name="zendesk:*")
    assert found is not None
    assert sorted(link.left_object.name for link in found) == sorted(f"zendesk:ticket{i}" for i in range(150))
    assert by_endpoint(admin) == {LINKS: 2}


def test_connections_of_every_kind_are_merged_across_pages(
    client: ZendeskClient, admin: EmulatorAdmin, emulator: EmulatorServer, settings: ZendeskSettings
) -> None:
    with httpx.Client(base_url=emulator.base_url, headers={"Authorization": f"Bearer {settings.oauth_token}"}) as http:
        for i in range(101):
            body = {"name": f"key_{i:03}", "api_key": "k", "header_name": "x-key", "allowed_domain": "example.com"}
            http.post(f"{ZIS}/integrations/{INTEGRATION}/connections/api_key", json=body).raise_for_status()
        body = {"name": "zz_token", "token": "t", "allowed_domain": "example.com"}
        http.post(f"{ZIS}/integrations/{INTEGRATION}/connections/bearer_token", json=body).raise_for_status()
        http.post(f"/_emulator/zis/{INTEGRATION}/oauth_connections", json={"name": "zz_oauth"}).raise_for_status()
    admin.reset(counters_only=True)
    connections = client.list_connections(INTEGRATION)
    assert len(connections.api_key) == 101
    assert [c.name for c in connections.bearer_token] == ["zz_token"]
    assert [c.name for c in connections.oauth] == ["zz_oauth"]
    assert by_endpoint(admin) == {f"GET {ZIS}/integrations/{{integration}}/connections/all": 2}


def test_a_cursor_that_comes_back_twice_is_an_error_not_a_loop(make_client: Callable[..., ZendeskClient]) -> None:
    def same_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"job_specs": [], "meta": {"after": "c1", "has_more": True}})

    with pytest.raises(ApiError, match="came back twice"):
        make_client(transport=mock(same_page)).list_job_specs(INTEGRATION)


# --- retries --------------------------------------------------------------------------------------


def test_a_429_is_retried_after_its_retry_after(client: ZendeskClient, admin: EmulatorAdmin, sleeps: Sleeps) -> None:
    client.upload_bundle(INTEGRATION, bundle())
    admin.settings(rate_limit_every=2, retry_after_seconds=3)
    admin.reset(counters_only=True)
    client.list_job_specs(INTEGRATION)  # request 1: 200
    assert [spec.name for spec in client.list_job_specs(INTEGRATION)] == ["job_000"]  # request 2: 429, then 200
    assert sleeps == [3.0]
    assert admin.requests()["by_status"] == {"200": 2, "429": 1}


def test_a_429_to_a_post_is_retried_and_creates_once(
    client: ZendeskClient, admin: EmulatorAdmin, sleeps: Sleeps
) -> None:
    admin.settings(rate_limit_every=2, retry_after_seconds=0)
    admin.reset(counters_only=True)
    client.find_links(INTEGRATION, "ticket_to_issue", left_object_name="x")  # request 1: 200
    link = client.create_link(INTEGRATION, link_body())  # request 2: 429, request 3: 201
    assert link.left_object.name == "zendesk:ticket1"
    assert sleeps == [0.0]
    assert len(admin.state()["zis"]["links"]) == 1


def test_a_429_without_retry_after_backs_off(make_client: Callable[..., ZendeskClient], sleeps: Sleeps) -> None:
    answers = iter([httpx.Response(429, json={"errors": [{"code": "TooManyRequests"}]}), httpx.Response(200, json={})])
    client = make_client(transport=mock(lambda request: next(answers)))
    assert client.list_job_specs(INTEGRATION) == []
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5  # full jitter in [base/2, base]


def test_429s_past_the_attempt_limit_raise_rate_limited(
    client: ZendeskClient, admin: EmulatorAdmin, sleeps: Sleeps
) -> None:
    admin.settings(rate_limit_every=1, retry_after_seconds=1)
    admin.reset(counters_only=True)
    with pytest.raises(RateLimitedError) as raised:
        client.list_job_specs(INTEGRATION)
    assert raised.value.status == 429 and raised.value.code == "TooManyRequests"
    assert admin.request_count() == POLICY.max_attempts
    assert sleeps == [1.0] * (POLICY.max_attempts - 1)


def test_a_post_is_not_retried_on_a_5xx(client: ZendeskClient, admin: EmulatorAdmin) -> None:
    admin.settings(server_error_probability=1.0, server_error_statuses=[502], server_error_body="vendor")
    with pytest.raises(ApiError) as raised:
        client.create_link(INTEGRATION, link_body())
    assert raised.value.status == 502
    assert by_endpoint(admin) == {POST_LINK: 1}


def test_a_get_and_an_idempotent_patch_are_retried_on_a_5xx(
    client: ZendeskClient, admin: EmulatorAdmin, sleeps: Sleeps
) -> None:
    admin.settings(server_error_probability=1.0, server_error_statuses=[503], server_error_body="vendor")
    with pytest.raises(ApiError):
        client.list_job_specs(INTEGRATION)
    with pytest.raises(ApiError):
        client.patch_link(INTEGRATION, "t", "a", "b", {"left_object": {"metadata": {"x": 1}}})
    assert by_endpoint(admin) == {JOB_SPECS: 3, PATCH_LINK: 3}
    assert len(sleeps) == 4


def test_a_post_whose_answer_is_lost_is_not_sent_again(client: ZendeskClient, admin: EmulatorAdmin) -> None:
    admin.settings(lost_response_every=1)
    with pytest.raises(TransportError) as raised:
        client.create_link(INTEGRATION, link_body())
    assert raised.value.attempts == 1
    assert by_endpoint(admin) == {POST_LINK: 1}
    assert len(admin.state()["zis"]["links"]) == 1  # the link was made all the same


def test_an_upload_whose_answer_is_lost_is_sent_again(client: ZendeskClient, admin: EmulatorAdmin) -> None:
    admin.settings(lost_response_every=2)
    admin.reset(counters_only=True)
    client.upload_bundle(INTEGRATION, bundle())  # create 1: answered
    client.upload_bundle(INTEGRATION, bundle())  # create 2: lost, then create 3: answered
    assert admin.requests()["by_status"] == {"200": 2, "lost": 1}


def test_a_connection_dropped_on_a_get_is_retried(make_client: Callable[..., ZendeskClient], sleeps: Sleeps) -> None:
    calls: list[str] = []

    def drop_then_answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        return httpx.Response(200, json={"job_specs": [{"name": "job_000", "installed": True}]})

    specs = make_client(transport=mock(drop_then_answer)).list_job_specs(INTEGRATION)
    assert [spec.name for spec in specs] == ["job_000"]
    assert calls == ["GET", "GET"] and len(sleeps) == 1


def test_a_refused_connection_is_retried_even_for_a_post(
    make_client: Callable[..., ZendeskClient], sleeps: Sleeps
) -> None:
    attempts: list[str] = []

    def refuse_then_answer(request: httpx.Request) -> httpx.Response:
        attempts.append(request.method)
        if len(attempts) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(201, json={"link": {**link_body(), "id": "L1"}})

    link = make_client(transport=mock(refuse_then_answer)).create_link(INTEGRATION, link_body())
    assert link.id == "L1" and attempts == ["POST", "POST"]


def test_a_connection_dropped_on_every_get_gives_a_transport_error(
    make_client: Callable[..., ZendeskClient],
) -> None:
    def always_drop(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset by peer", request=request)

    with pytest.raises(TransportError) as raised:
        make_client(transport=mock(always_drop)).list_job_specs(INTEGRATION)
    assert raised.value.attempts == POLICY.max_attempts
    assert "ReadError" in str(raised.value) and "/job_specs" in str(raised.value)


# --- credentials per endpoint group ---------------------------------------------------------------


def test_each_endpoint_group_gets_the_credential_it_accepts(client: ZendeskClient, admin: EmulatorAdmin) -> None:
    client.upload_bundle(INTEGRATION, bundle())  # basic only: the emulator refuses OAuth here
    client.install_job_spec(f"zis:{INTEGRATION}:job_spec:job_000")  # either
    client.create_link(INTEGRATION, link_body())  # OAuth only: the emulator refuses API tokens here
    client.list_connections(INTEGRATION)  # OAuth only
    assert set(admin.requests()["by_status"]) == {"200", "201"}


def test_either_group_prefers_the_oauth_token(
    make_client: Callable[..., ZendeskClient], client: ZendeskClient, admin: EmulatorAdmin
) -> None:
    client.upload_bundle(INTEGRATION, bundle())
    wrong_api_token = make_client(api_token="not-the-api-token")
    assert [spec.name for spec in wrong_api_token.list_job_specs(INTEGRATION)] == ["job_000"]


def test_either_group_uses_the_api_token_without_an_oauth_token(
    make_client: Callable[..., ZendeskClient], client: ZendeskClient
) -> None:
    client.upload_bundle(INTEGRATION, bundle())
    basic_only = make_client(oauth_token=None)
    assert [spec.name for spec in basic_only.list_job_specs(INTEGRATION)] == ["job_000"]


@pytest.mark.parametrize(
    ("missing", "call", "named"),
    [
        ({"oauth_token": None}, lambda c: c.find_links(INTEGRATION, "t", left_object_name="a"), "zendesk:oauthToken"),
        ({"oauth_token": None}, lambda c: c.list_connections(INTEGRATION), "ZENDESK_OAUTH_TOKEN"),
        ({"email": None}, lambda c: c.upload_bundle(INTEGRATION, bundle()), "zendesk:email"),
        ({"api_token": None}, lambda c: c.upload_bundle(INTEGRATION, bundle()), "ZENDESK_API_TOKEN"),
        ({"api_token": None, "oauth_token": None}, lambda c: c.list_job_specs(INTEGRATION), "zendesk:oauthToken"),
        ({"api_token": None, "oauth_token": None}, lambda c: c.list_job_specs(INTEGRATION), "ZENDESK_API_TOKEN"),
    ],
)
def test_a_missing_credential_is_named_before_any_request(
    make_client: Callable[..., ZendeskClient],
    admin: EmulatorAdmin,
    missing: dict[str, Any],
    call: Callable[[ZendeskClient], Any],
    named: str,
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        call(make_client(**missing))
    assert named in str(raised.value)
    assert admin.request_count() == 0


# --- error shapes ---------------------------------------------------------------------------------


def test_registry_errors_and_message_only_errors_are_parsed(client: ZendeskClient) -> None:
    with pytest.raises(NotFoundError) as missing:
        client.delete_bundle(INTEGRATION, "no-such-uuid")
    assert (missing.value.status, missing.value.code, missing.value.message) == (404, "1020", "Missing Resource")
    assert any("no-such-uuid" in detail for detail in missing.value.details)
    with pytest.raises(ApiError) as invalid:
        client.install_job_spec(f"zis:{INTEGRATION}:job_spec:nope")
    assert invalid.value.status == 400
    assert invalid.value.message == f"one or more requested job specs is invalid: zis:{INTEGRATION}:job_spec:nope"


def test_links_errors_are_parsed(
    client: ZendeskClient, make_client: Callable[..., ZendeskClient], admin: EmulatorAdmin
) -> None:
    with pytest.raises(ApiError) as bare_string:
        make_client(oauth_token="wrong-token").find_links(INTEGRATION, "t", left_object_name="a")
    assert (bare_string.value.status, bare_string.value.message) == (401, "Authentication failed")
    with pytest.raises(ApiError) as errors_only:
        client.find_links(INTEGRATION, "t", left_object_name="*")
    assert (errors_only.value.status, errors_only.value.code) == (400, "1100")
    assert "only" in errors_only.value.message and "*" in errors_only.value.message
    with pytest.raises(NotFoundError) as null_body:
        client.delete_link(INTEGRATION, "t", "a", "b")
    assert null_body.value.message == "Not Found"
    client.create_link(INTEGRATION, link_body())
    with pytest.raises(ApiError) as unprocessable:
        client.create_link(INTEGRATION, link_body())
    assert (unprocessable.value.status, unprocessable.value.code) == (422, "1100")
    admin.settings(link_duplicate="conflict")
    with pytest.raises(ConflictError):
        client.create_link(INTEGRATION, link_body())


def test_connections_errors_are_parsed(make_client: Callable[..., ZendeskClient], admin: EmulatorAdmin) -> None:
    with pytest.raises(ApiError) as raised:
        make_client(oauth_token="wrong-token").list_connections(INTEGRATION)
    assert (raised.value.status, raised.value.code, raised.value.message) == (
        401,
        "InvalidCredentials",
        "Token length is invalid",
    )


def test_a_gateway_html_page_is_parsed(client: ZendeskClient, admin: EmulatorAdmin) -> None:
    admin.settings(server_error_probability=1.0, server_error_statuses=[502], server_error_body="html")
    with pytest.raises(ApiError) as raised:
        client.create_link(INTEGRATION, link_body())
    assert raised.value.status == 502 and "502 Bad Gateway" in raised.value.message


def test_a_body_that_is_not_json_is_a_typed_error(make_client: Callable[..., ZendeskClient]) -> None:
    client = make_client(transport=mock(lambda request: httpx.Response(200, text="<html>maintenance</html>")))
    with pytest.raises(ApiError, match="not JSON") as raised:
        client.list_job_specs(INTEGRATION)
    assert raised.value.status == 200


def test_a_created_link_answer_without_a_link_is_a_typed_error(make_client: Callable[..., ZendeskClient]) -> None:
    client = make_client(transport=mock(lambda request: httpx.Response(201, json={"ok": True})))
    with pytest.raises(ApiError) as raised:
        client.create_link(INTEGRATION, link_body())
    assert 'expected {"link": {...}}' in str(raised.value)


# --- no token in any error ------------------------------------------------------------------------


def test_no_error_text_carries_a_token(
    make_client: Callable[..., ZendeskClient], settings: ZendeskSettings, admin: EmulatorAdmin
) -> None:
    api_token, oauth_token = str(settings.api_token), str(settings.oauth_token)
    basic = base64.b64encode(f"{settings.email}/token:{api_token}".encode()).decode()
    wrong = make_client(api_token="wrong-api-token-0123456789", oauth_token="wrong-oauth-token-0123456789")
    right = make_client()
    failures: list[Callable[[], Any]] = [
        lambda: wrong.upload_bundle(INTEGRATION, bundle()),
        lambda: wrong.list_job_specs(INTEGRATION),
        lambda: wrong.find_links(INTEGRATION, "t", left_object_name="a"),
        lambda: wrong.list_connections(INTEGRATION),
        lambda: right.install_job_spec("zis:acme_sync:job_spec:nope"),
        lambda: right.delete_link(INTEGRATION, "t", "a", "b"),
        lambda: make_client(oauth_token=None).list_connections(INTEGRATION),
        lambda: make_client(email=None).upload_bundle(INTEGRATION, bundle()),
        lambda: make_client(transport=mock(lambda r: httpx.Response(200, text="nope"))).list_job_specs(INTEGRATION),
    ]
    errors: list[ZisPulumiError] = []
    for fail in failures:
        with pytest.raises(ZisPulumiError) as raised:
            fail()
        errors.append(raised.value)
    admin.settings(rate_limit_every=1)
    with pytest.raises(RateLimitedError) as limited:
        right.list_job_specs(INTEGRATION)
    errors.append(limited.value)
    secrets = (api_token, oauth_token, basic, "wrong-api-token-0123456789", "wrong-oauth-token-0123456789")
    for error in errors:
        text = " ".join([str(error), repr(error), json.dumps(vars(error), default=str)])
        assert not any(secret in text for secret in secrets), text
