"""ZIS connections: create per type, masked secrets, OAuth seeded in clear, name rules."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import ZIS, Clients

CONNECTIONS = f"{ZIS}/integrations/shop/connections"
CREATE_BODIES: dict[str, dict[str, Any]] = {
    "api_key": {
        "name": "my_api_key_connection",
        "api_key": "secret-key",
        "header_name": "x-api-key",
        "allowed_domain": "api.example.com",
    },
    "basic_auth": {
        "name": "my_basic_auth_connection",
        "username": "user@example.com",
        "password": "secret-pw",
        "allowed_domain": "api.example.com",
    },
    "bearer_token": {
        "name": "my_bearer_token_connection",
        "token": "secret-token",
        "allowed_domain": "api.example.com",
    },
}
SECRET_FIELD = {"api_key": "api_key", "basic_auth": "password", "bearer_token": "token"}


@pytest.mark.parametrize("kind", sorted(CREATE_BODIES))
def test_create_answers_201_with_the_secret_masked(clients: Clients, kind: str) -> None:
    response = clients.bearer.post(f"{CONNECTIONS}/{kind}", json=CREATE_BODIES[kind])

    assert response.status_code == 201
    created = response.json()[kind]
    expected = {**CREATE_BODIES[kind], SECRET_FIELD[kind]: "*****"}
    assert {key: created[key] for key in expected} == expected
    assert set(created) == set(expected) | {"created_at", "updated_at"}


def test_list_all_masks_secrets_and_sorts_by_type(clients: Clients) -> None:
    for kind, body in CREATE_BODIES.items():
        clients.bearer.post(f"{CONNECTIONS}/{kind}", json=body).raise_for_status()

    response = clients.bearer.get(f"{CONNECTIONS}/all")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"api_key", "basic_auth", "bearer_token", "oauth", "meta"}
    assert body["api_key"][0]["api_key"] == "*****"
    assert body["basic_auth"][0]["password"] == "*****"
    assert body["basic_auth"][0]["username"] == "user@example.com"
    assert body["bearer_token"][0]["token"] == "*****"
    assert body["oauth"] == []
    assert "secret" not in response.text


def test_secrets_are_stored_in_clear_in_the_state(clients: Clients) -> None:
    clients.bearer.post(f"{CONNECTIONS}/api_key", json=CREATE_BODIES["api_key"]).raise_for_status()

    [stored] = clients.state()["zis"]["connections"].values()

    assert stored["fields"]["api_key"] == "secret-key"


def test_seeded_oauth_connection_is_listed_with_tokens_in_clear(clients: Clients) -> None:
    seeded = clients.admin.post(
        "/_emulator/zis/shop/oauth_connections",
        json={
            "name": "my_oauth_connection",
            "access_token": "access-1",
            "refresh_token": "refresh-1",
            "oauth_access_token_response_body": '{"access_token":"access-1"}',
            "permission_scope": "read write",
            "token_expiry": "2021-10-01T12:44:22Z",
            "oauth_url_subdomain": "foobar",
            "created_by": "test_user",
            "allowed_domain": "api.example.com",
        },
    )

    listed = clients.bearer.get(f"{CONNECTIONS}/all").json()["oauth"]

    assert seeded.status_code == 201
    [oauth] = listed
    assert oauth["access_token"] == "access-1"
    assert oauth["refresh_token"] == "refresh-1"
    assert oauth["oauth_access_token_response_body"] == '{"access_token":"access-1"}'
    assert oauth["token_type"] == "bearer"
    assert set(oauth) >= {"created_by", "name", "oauth_url_subdomain", "permission_scope", "token_expiry", "uuid"}


def test_oauth_connections_cannot_be_created_through_the_api(clients: Clients) -> None:
    response = clients.bearer.post(f"{CONNECTIONS}/oauth", json={"name": "my_oauth", "access_token": "a"})

    assert response.status_code == 404


def test_names_are_unique_across_types(clients: Clients) -> None:
    clients.bearer.post(f"{CONNECTIONS}/api_key", json=CREATE_BODIES["api_key"]).raise_for_status()

    response = clients.bearer.post(
        f"{CONNECTIONS}/bearer_token", json={**CREATE_BODIES["bearer_token"], "name": "my_api_key_connection"}
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "Conflict"


def test_same_name_in_another_integration_is_allowed(clients: Clients) -> None:
    clients.bearer.post(f"{CONNECTIONS}/api_key", json=CREATE_BODIES["api_key"]).raise_for_status()

    response = clients.bearer.post(f"{ZIS}/integrations/other/connections/api_key", json=CREATE_BODIES["api_key"])

    assert response.status_code == 201


@pytest.mark.parametrize("name", ["ab", "x" * 65, "has space", ""])
def test_names_must_have_3_to_64_characters(clients: Clients, name: str) -> None:
    response = clients.bearer.post(f"{CONNECTIONS}/bearer_token", json={**CREATE_BODIES["bearer_token"], "name": name})

    assert response.status_code == 400


@pytest.mark.parametrize("name", ["abc", "x" * 64])
def test_names_of_3_and_64_characters_are_accepted(clients: Clients, name: str) -> None:
    response = clients.bearer.post(f"{CONNECTIONS}/bearer_token", json={**CREATE_BODIES["bearer_token"], "name": name})

    assert response.status_code == 201


@pytest.mark.parametrize("kind", sorted(CREATE_BODIES))
def test_create_without_a_required_field_is_400(clients: Clients, kind: str) -> None:
    body = dict(CREATE_BODIES[kind])
    del body[SECRET_FIELD[kind]]

    response = clients.bearer.post(f"{CONNECTIONS}/{kind}", json=body)

    assert response.status_code == 400
    assert clients.state()["zis"]["connections"] == {}


def test_show_and_delete_a_connection(clients: Clients) -> None:
    clients.bearer.post(f"{CONNECTIONS}/api_key", json=CREATE_BODIES["api_key"]).raise_for_status()

    shown = clients.bearer.get(f"{CONNECTIONS}/my_api_key_connection")
    deleted = clients.bearer.delete(f"{CONNECTIONS}/my_api_key_connection")
    missing = clients.bearer.get(f"{CONNECTIONS}/my_api_key_connection")

    assert shown.status_code == 200
    assert shown.json()["api_key"]["api_key"] == "*****"
    assert deleted.status_code == 204
    assert missing.status_code == 404
