"""Links: create, search (wildcards), patch (metadata merge), delete, duplicates."""

from __future__ import annotations

import copy
import re
import time
from typing import Any

import httpx
import pytest

from .helpers import SEED_LINK, ZIS, Clients

LINKS = f"{ZIS}/links/my_integration"
IDENTITY = {"link_type": "example_link", "left_object_name": "zendesk:ticket1", "right_object_name": "external:object1"}
ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
SECONDS_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def link(
    left: str, right: str, link_type: str = "example_link", metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "link_type": link_type,
        "left_object": {"name": left, "metadata": metadata or {}},
        "right_object": {"name": right},
    }


def search(clients: Clients, **params: str) -> httpx.Response:
    return clients.bearer.get(LINKS, params=params)


def test_seed_link_create_answers_201_with_the_documented_link(clients: Clients) -> None:
    response = clients.create_link("my_integration", SEED_LINK)

    assert response.status_code == 201
    created = response.json()["link"]
    assert set(created) == {
        "account_id",
        "created_at",
        "id",
        "integration",
        "left_object",
        "link_type",
        "right_object",
        "updated_at",
        "uuid",
    }
    assert created["account_id"] == 12345
    assert created["integration"] == "my_integration"
    assert created["link_type"] == "example_link"
    assert created["left_object"] == {
        "metadata": {"ID": 123},
        "name": "zendesk:ticket1",
        "name_attrs": {"zendesk": "ticket1"},
    }
    assert created["right_object"] == {
        "metadata": {"ID": 456},
        "name": "external:object1",
        "name_attrs": {"external": "object1"},
    }
    assert ULID.fullmatch(created["id"])
    assert SECONDS_TIMESTAMP.fullmatch(created["created_at"])
    assert created["updated_at"] == created["created_at"]


def test_name_attrs_split_at_first_colon_and_are_empty_without_one(clients: Clients) -> None:
    created = clients.create_link("my_integration", link("plainname", "a:b:c")).json()["link"]

    assert created["left_object"]["name_attrs"] == {}
    assert created["right_object"]["name_attrs"] == {"a": "b:c"}
    assert created["left_object"]["metadata"] == {}
    assert created["right_object"]["metadata"] == {}


def test_search_by_exact_name_answers_count_links_and_meta(clients: Clients) -> None:
    clients.create_link("my_integration", SEED_LINK).raise_for_status()
    clients.create_link("my_integration", link("zendesk:ticket2", "external:object2")).raise_for_status()

    response = search(clients, link_type="example_link", left_object_name="zendesk:ticket1")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [found["left_object"]["name"] for found in body["links"]] == ["zendesk:ticket1"]
    assert body["meta"]["has_more"] is False


def test_search_with_trailing_wildcard_matches_by_prefix(clients: Clients) -> None:
    for left, right in [
        ("zendesk:ticket1", "external:a"),
        ("zendesk:ticket22", "other:b"),
        ("zendesk:user1", "external:c"),
    ]:
        clients.create_link("my_integration", link(left, right)).raise_for_status()

    left_only = search(clients, link_type="example_link", left_object_name="zendesk:ticket*").json()
    both = search(clients, link_type="example_link", left_object_name="zendesk:*", right_object_name="external:*")

    assert sorted(found["left_object"]["name"] for found in left_only["links"]) == [
        "zendesk:ticket1",
        "zendesk:ticket22",
    ]
    assert sorted(found["left_object"]["name"] for found in both.json()["links"]) == [
        "zendesk:ticket1",
        "zendesk:user1",
    ]


def test_search_filters_by_link_type_and_integration(clients: Clients) -> None:
    clients.create_link("my_integration", link("zendesk:ticket1", "x:1", link_type="other")).raise_for_status()
    clients.create_link("another", link("zendesk:ticket1", "x:1")).raise_for_status()

    body = search(clients, link_type="example_link", left_object_name="zendesk:ticket1").json()

    assert body["count"] == 0
    assert body["links"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"left_object_name": "zendesk:ticket1"},
        {"link_type": "example_link"},
        {"link_type": "example_link", "left_object_name": "*"},
        {"link_type": "example_link", "right_object_name": "*"},
        {"link_type": "example_link", "left_object_name": "zen*desk"},
    ],
    ids=["no-link-type", "no-name", "left-star-alone", "right-star-alone", "star-not-last"],
)
def test_search_refuses_missing_parameters_and_bad_wildcards_with_400(clients: Clients, params: dict[str, str]) -> None:
    response = search(clients, **params)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "1100"
    assert error["status"] == "400"


def test_patch_merges_metadata_and_null_removes_a_key(clients: Clients) -> None:
    body = copy.deepcopy(SEED_LINK)
    body["right_object"]["metadata"] = {"ID": 456, "removedField": "x", "kept": True}
    created = clients.create_link("my_integration", body).json()["link"]
    _wait_for_next_second()

    response = clients.bearer.patch(
        LINKS,
        params=IDENTITY,
        json={
            "left_object": {"metadata": {"ID": "Updated ID"}},
            "right_object": {"metadata": {"addedField": 123, "removedField": None}},
        },
    )

    assert response.status_code == 200
    patched = response.json()["link"]
    assert patched["left_object"]["metadata"] == {"ID": "Updated ID"}
    assert patched["right_object"]["metadata"] == {"ID": 456, "kept": True, "addedField": 123}
    assert patched["id"] == created["id"]
    assert patched["created_at"] == created["created_at"]
    assert patched["updated_at"] > created["updated_at"]
    found = search(clients, link_type="example_link", left_object_name="zendesk:ticket1").json()["links"]
    assert found[0]["right_object"]["metadata"] == patched["right_object"]["metadata"]


def test_patch_with_seed_body_keeps_identity(clients: Clients) -> None:
    clients.create_link("my_integration", SEED_LINK).raise_for_status()

    response = clients.bearer.patch(LINKS, params=IDENTITY, json=SEED_LINK)

    assert response.status_code == 200
    assert response.json()["link"]["left_object"]["metadata"] == {"ID": 123}


def test_patch_of_absent_link_is_404(clients: Clients) -> None:
    response = clients.bearer.patch(LINKS, params=IDENTITY, json={"left_object": {"metadata": {"a": 1}}})

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
@pytest.mark.parametrize("missing", ["link_type", "left_object_name", "right_object_name"])
def test_patch_and_delete_need_all_three_parameters(clients: Clients, method: str, missing: str) -> None:
    params = {key: value for key, value in IDENTITY.items() if key != missing}

    response = clients.bearer.request(method, LINKS, params=params, json={} if method == "PATCH" else None)

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "1100"


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_patch_and_delete_refuse_wildcards(clients: Clients, method: str) -> None:
    clients.create_link("my_integration", SEED_LINK).raise_for_status()
    params = {**IDENTITY, "left_object_name": "zendesk:*"}

    response = clients.bearer.request(method, LINKS, params=params, json={} if method == "PATCH" else None)

    assert response.status_code == 400


def test_delete_answers_204_then_404(clients: Clients) -> None:
    clients.create_link("my_integration", SEED_LINK).raise_for_status()

    first = clients.bearer.delete(LINKS, params=IDENTITY)
    second = clients.bearer.delete(LINKS, params=IDENTITY)

    assert first.status_code == 204
    assert first.content == b""
    assert second.status_code == 404
    assert search(clients, link_type="example_link", left_object_name="zendesk:ticket1").json()["count"] == 0


def test_duplicate_identity_is_422_by_default(clients: Clients) -> None:
    clients.create_link("my_integration", SEED_LINK).raise_for_status()

    response = clients.create_link("my_integration", SEED_LINK)

    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "code": "1100",
        "detail": response.json()["errors"][0]["detail"],
        "status": "422",
    }


def test_duplicate_identity_is_409_with_conflict_switch(clients: Clients) -> None:
    clients.settings(link_duplicate="conflict")
    clients.create_link("my_integration", SEED_LINK).raise_for_status()

    response = clients.create_link("my_integration", SEED_LINK)

    assert response.status_code == 409
    assert response.json()["errors"][0]["status"] == "409"


def test_duplicate_identity_creates_a_second_copy_with_duplicate_switch(clients: Clients) -> None:
    clients.settings(link_duplicate="duplicate")
    first = clients.create_link("my_integration", SEED_LINK).json()["link"]

    response = clients.create_link("my_integration", SEED_LINK)

    assert response.status_code == 201
    assert response.json()["link"]["id"] != first["id"]
    assert search(clients, link_type="example_link", left_object_name="zendesk:ticket1").json()["count"] == 2
    clients.bearer.delete(LINKS, params=IDENTITY).raise_for_status()
    remaining = search(clients, link_type="example_link", left_object_name="zendesk:ticket1").json()["links"]
    assert [found["id"] for found in remaining] == [response.json()["link"]["id"]]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"left_object": {"name": "a:1"}, "right_object": {"name": "b:1"}}, 400),
        ({"link_type": "t", "right_object": {"name": "b:1"}}, 400),
        ({"link_type": "t", "left_object": {"metadata": {}}, "right_object": {"name": "b:1"}}, 400),
        ({"link_type": "t", "left_object": "a:1", "right_object": {"name": "b:1"}}, 422),
        ({"link_type": "t", "left_object": {"name": "a:1", "metadata": [1]}, "right_object": {"name": "b:1"}}, 422),
    ],
    ids=["no-link-type", "no-left-object", "no-left-name", "left-not-object", "metadata-not-object"],
)
def test_invalid_link_is_refused_in_links_shape(clients: Clients, body: dict[str, Any], status: int) -> None:
    response = clients.create_link("my_integration", body)

    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == "1100"
    assert clients.state()["zis"]["links"] == {}


def _wait_for_next_second() -> None:
    """Link timestamps have whole seconds: wait until the next one starts."""
    time.sleep(1.0 - time.time() % 1.0 + 0.01)
