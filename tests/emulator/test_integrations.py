"""Registering ZIS integrations and listing them; the body of a bundle upload's 200 (a behaviour switch)."""

from __future__ import annotations

import pytest

from .helpers import ZIS, Clients, seed_bundle

REGISTRY = f"{ZIS}/registry"


def test_register_answers_200_with_the_oauth_client_zis_made(clients: Clients) -> None:
    response = clients.basic.post(f"{REGISTRY}/my_integration", json={"description": "example integration"})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"description", "jwt_public_key", "zendesk_oauth_client"}
    assert body["description"] == "example integration"
    assert body["jwt_public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    client = body["zendesk_oauth_client"]
    assert client["identifier"] == "zis_my_integration"
    assert isinstance(client["id"], int)
    assert len(client["secret"]) >= 32


def test_the_list_shows_every_integration_with_its_secret_masked(clients: Clients) -> None:
    created = clients.basic.post(f"{REGISTRY}/first", json={"description": "one"}).json()
    clients.bearer.post(f"{REGISTRY}/second", json={"description": "two"}).raise_for_status()

    listed = clients.basic.get(f"{REGISTRY}/integrations").json()["integrations"]

    assert [(i["name"], i["description"]) for i in listed] == [("first", "one"), ("second", "two")]
    assert listed[0]["zendesk_oauth_client"] == {**created["zendesk_oauth_client"], "secret": "************"}
    assert listed[0]["jwt_public_key"] == created["jwt_public_key"]
    assert listed[0]["zendesk_oauth_client"]["id"] != listed[1]["zendesk_oauth_client"]["id"]


def test_registering_a_name_twice_is_409_and_keeps_the_first(clients: Clients) -> None:
    first = clients.basic.post(f"{REGISTRY}/twice", json={"description": "first"}).json()

    again = clients.basic.post(f"{REGISTRY}/twice", json={"description": "second"})

    assert again.status_code == 409
    assert again.json()["errors"][0]["status"] == "409"
    [listed] = clients.basic.get(f"{REGISTRY}/integrations").json()["integrations"]
    assert listed["description"] == "first"
    assert listed["zendesk_oauth_client"]["id"] == first["zendesk_oauth_client"]["id"]


@pytest.mark.parametrize("name", ["Upper", "has space", "x" * 65])
def test_a_malformed_name_is_400(clients: Clients, name: str) -> None:
    response = clients.basic.post(f"{REGISTRY}/{name}", json={"description": "d"})

    assert response.status_code == 400
    assert "64 characters" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize("body", [b"", b"[1]", b'{"description": 5}'], ids=["empty", "array", "number"])
def test_a_body_without_a_string_description_is_400(clients: Clients, body: bytes) -> None:
    response = clients.basic.post(
        f"{REGISTRY}/my_integration", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert clients.state()["zis"]["integrations"] == {}


def test_registering_needs_a_credential(clients: Clients) -> None:
    response = clients.anonymous.post(f"{REGISTRY}/my_integration", json={"description": "d"})

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "1001"


def test_bundle_upload_answers_null_by_default_and_empty_when_switched(clients: Clients) -> None:
    documented = clients.upload("example", seed_bundle())
    clients.settings(bundle_upload_body="empty")
    empty = clients.upload("example", seed_bundle())

    assert (documented.status_code, documented.content) == (200, b"null")
    assert (empty.status_code, empty.content) == (200, b"")
