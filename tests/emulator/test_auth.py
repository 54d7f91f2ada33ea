"""Credentials per endpoint group, and each vendor's refusal bodies."""

from __future__ import annotations

import re

import httpx
import pytest

from zis_pulumi.emulator import EmulatorSettings

from .helpers import (
    MAKE_OAUTH_TOKEN,
    MAKE_TOKEN,
    ZIS,
    Clients,
    basic_header,
    bearer_header,
    make_headers,
    seed_bundle,
)

# Make's TypeScript SDK sends `Token …` only for a token matching this (@makehq/sdk 1.6.10, src/utils.ts UUIDv4_RE).
MAKE_SDK_API_KEY = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)


def test_bundle_upload_with_basic_api_token_is_accepted(clients: Clients) -> None:
    response = clients.anonymous.post(f"{ZIS}/registry/example/bundles", json=seed_bundle(), headers=basic_header())

    assert response.status_code == 200


def test_bundle_upload_with_oauth_bearer_is_401_oauth_disabled(clients: Clients) -> None:
    response = clients.bearer.post(f"{ZIS}/registry/example/bundles", json=seed_bundle())

    assert response.status_code == 401
    assert response.json() == {"message": "OAuth being disabled for this API request"}
    assert clients.state()["zis"]["bundles"] == {}


@pytest.mark.parametrize(
    "headers",
    [{}, basic_header(token="wrong"), basic_header(email="other@example.com"), bearer_header("wrong")],
    ids=["none", "wrong-token", "wrong-email", "wrong-bearer"],
)
def test_registry_without_valid_credentials_is_401_in_registry_shape(clients: Clients, headers: dict[str, str]) -> None:
    response = clients.anonymous.get(f"{ZIS}/registry/example/bundles", headers=headers)

    assert response.status_code == 401
    body = response.json()
    assert body["message"] == "Unauthorized"
    assert body["errors"][0]["code"] == "1001"
    assert body["errors"][0]["status"] == "401"


@pytest.mark.parametrize("headers", [basic_header(), bearer_header()], ids=["basic", "bearer"])
def test_registry_reads_and_job_specs_accept_basic_or_bearer(clients: Clients, headers: dict[str, str]) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()

    listed = clients.anonymous.get(f"{ZIS}/registry/example/bundles", headers=headers)
    job_specs = clients.anonymous.get(f"{ZIS}/registry/example/job_specs", headers=headers)
    install = clients.anonymous.post(
        f"{ZIS}/registry/job_specs/install",
        params={"job_spec_name": "zis:example:job_spec:my_job_Spec"},
        headers=headers,
    )

    assert (listed.status_code, job_specs.status_code, install.status_code) == (200, 200, 200)


def test_links_with_api_token_are_403_not_supported(clients: Clients) -> None:
    response = clients.basic.get(f"{ZIS}/links/example", params={"link_type": "t", "left_object_name": "a"})

    assert response.status_code == 403
    assert response.json() == {"message": "API token is not supported"}


@pytest.mark.parametrize("headers", [{}, bearer_header("wrong")], ids=["none", "wrong-bearer"])
def test_links_without_valid_bearer_are_401_bare_string(clients: Clients, headers: dict[str, str]) -> None:
    response = clients.anonymous.post(f"{ZIS}/links/example", json={}, headers=headers)

    assert response.status_code == 401
    assert response.json() == "Authentication failed"


def test_connections_with_api_token_are_403_not_supported(clients: Clients) -> None:
    response = clients.basic.get(f"{ZIS}/integrations/example/connections/all")

    assert response.status_code == 403
    assert response.json() == {"message": "API token is not supported"}


def test_connections_without_valid_bearer_are_401_in_connections_shape(clients: Clients) -> None:
    response = clients.anonymous.get(f"{ZIS}/integrations/example/connections/all", headers=bearer_header("x"))

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "InvalidCredentials"
    assert "title" in response.json()["errors"][0]


@pytest.mark.parametrize("user_agent", ["python-requests/2.32.3", "python-httpx/0.28.1", "Python-urllib/3.11", None])
def test_make_with_default_library_user_agent_is_403(clients: Clients, user_agent: str | None) -> None:
    headers = {"Authorization": f"Token {clients.server.env()['MAKE_API_TOKEN']}"}
    request = clients.anonymous.build_request(
        "GET", f"{clients.server.make_base_url}/sdk/apps/my-app/connections", headers=headers
    )
    if user_agent is None:
        del request.headers["User-Agent"]
    else:
        request.headers["User-Agent"] = user_agent

    response = clients.anonymous.send(request)

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "SC403"
    assert body["message"] == "Forbidden"
    assert body["detail"]


@pytest.mark.parametrize(
    "authorization",
    [
        "Token 00000000-0000-4000-8000-0000000000ff",
        f"Bearer {MAKE_TOKEN}",
        f"Token {MAKE_OAUTH_TOKEN}",
        "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzb21lb25lIn0.c2ln",
        f"Basic {MAKE_TOKEN}",
        "Token",
        "",
    ],
    ids=["wrong-key", "key-as-bearer", "oauth-as-token", "wrong-oauth", "basic", "empty-token", "missing"],
)
def test_make_without_valid_token_is_401_in_make_shape(clients: Clients, authorization: str) -> None:
    headers = make_headers()
    headers["Authorization"] = authorization
    if not authorization:
        del headers["Authorization"]

    response = httpx.get(f"{clients.server.make_base_url}/sdk/apps/my-app/connections", headers=headers)

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "SC401"
    assert body["message"] == "Unauthorized"
    assert isinstance(body["detail"], str) and body["detail"]


def test_make_accepts_its_oauth_access_token_as_bearer(clients: Clients) -> None:
    headers = {"Authorization": f"Bearer {MAKE_OAUTH_TOKEN}", "User-Agent": "tests"}

    response = httpx.get(f"{clients.server.make_base_url}/sdk/apps/my-app/connections", headers=headers)

    assert response.status_code == 200
    assert response.json() == {"appConnections": []}


def test_default_credentials_are_shaped_like_the_vendors() -> None:
    """A Make API key is a UUID v4 (so Make's SDK sends it as `Token`), its OAuth token a JWT; a Zendesk API token
    is 40 letters and digits, a Zendesk OAuth token 64 hex digits."""
    defaults = EmulatorSettings()

    assert MAKE_SDK_API_KEY.fullmatch(defaults.make_token)
    assert not MAKE_SDK_API_KEY.fullmatch(defaults.make_oauth_token)
    assert re.fullmatch(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", defaults.make_oauth_token)
    assert re.fullmatch(r"[A-Za-z0-9]{40}", defaults.api_token)
    assert re.fullmatch(r"[0-9a-f]{64}", defaults.oauth_token)


def test_make_with_token_and_explicit_user_agent_is_accepted(clients: Clients) -> None:
    assert clients.make.get("/sdk/apps/my-app/connections").status_code == 200
