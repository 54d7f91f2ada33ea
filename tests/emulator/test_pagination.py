"""Cursor pagination: default 20, max 100, opaque cursors, after/before, across the four connection lists."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zis_pulumi.emulator.pagination import PageRequest, paginate, paginate_ordered

from .helpers import ZIS, Clients, bundle

LINKS = f"{ZIS}/links/paged"
SEARCH = {"link_type": "t", "left_object_name": "left:*"}
BUNDLES = f"{ZIS}/registry/paged/bundles"


def create_links(clients: Clients, count: int) -> list[str]:
    """``count`` links, in creation order (their ids)."""
    return [
        clients.create_link(
            "paged",
            {"link_type": "t", "left_object": {"name": f"left:{index:03d}"}, "right_object": {"name": "right:1"}},
        ).json()["link"]["id"]
        for index in range(count)
    ]


@pytest.fixture
def many_links(clients: Clients) -> list[str]:
    """More links than the largest page."""
    return create_links(clients, 105)


@pytest.fixture
def some_links(clients: Clients) -> list[str]:
    """A few more links than the default page."""
    return create_links(clients, 25)


def page(clients: Clients, **params: Any) -> dict[str, Any]:
    response = clients.bearer.get(LINKS, params={**SEARCH, **params})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_default_page_size_is_20(clients: Clients, some_links: list[str]) -> None:
    body = page(clients)

    assert [link["id"] for link in body["links"]] == some_links[:20]
    assert body["count"] == 20
    assert body["meta"]["has_more"] is True


def test_page_size_100_is_the_largest_page(clients: Clients, many_links: list[str]) -> None:
    assert len(page(clients, **{"page[size]": 100})["links"]) == 100


@pytest.mark.parametrize(
    ("path", "params", "credential", "detail_of"),
    [
        (BUNDLES, {}, "basic", lambda body: body["errors"][0]["detail"]),
        (f"{ZIS}/registry/paged/job_specs", {}, "basic", lambda body: body["errors"][0]["detail"]),
        (LINKS, SEARCH, "bearer", lambda body: body["errors"][0]["detail"]),
        (f"{ZIS}/integrations/paged/connections/all", {}, "bearer", lambda body: body["errors"][0]["title"]),
    ],
    ids=["bundles", "job_specs", "links", "connections"],
)
def test_page_size_over_100_is_400_in_each_lists_error_shape(
    clients: Clients, path: str, params: dict[str, str], credential: str, detail_of: Any
) -> None:
    """Every ZIS list page says "Returns a maximum of 100 records per page": 101 is refused, not clamped."""
    http = clients.basic if credential == "basic" else clients.bearer

    response = http.get(path, params={**params, "page[size]": 101})

    assert response.status_code == 400
    assert "page[size] must be at most 100, got 101" in detail_of(response.json())


@pytest.mark.parametrize("size", ["abc", "1.5", "0", "-3"])
def test_invalid_page_size_is_400(clients: Clients, size: str) -> None:
    response = clients.bearer.get(LINKS, params={**SEARCH, "page[size]": size})

    assert response.status_code == 400


def test_empty_page_parameters_as_in_the_vendor_samples_are_ignored(clients: Clients, some_links: list[str]) -> None:
    body = page(clients, **{"page[after]": "", "page[before]": "", "page[size]": ""})

    assert len(body["links"]) == 20


def test_following_after_cursors_visits_every_item_once_in_order(clients: Clients, many_links: list[str]) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"page[size]": 30}
    while True:
        body = page(clients, **params)
        seen.extend(link["id"] for link in body["links"])
        if not body["meta"]["has_more"]:
            break
        params["page[after]"] = body["meta"]["after"]

    assert seen == many_links


def test_cursors_are_opaque_not_offsets(clients: Clients, some_links: list[str]) -> None:
    meta = page(clients)["meta"]

    for cursor in (meta["after"], meta["before"]):
        assert not cursor.isdigit()
        assert cursor not in some_links
        base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def test_before_cursor_returns_the_previous_page(clients: Clients, some_links: list[str]) -> None:
    first = page(clients, **{"page[size]": 10})
    second = page(clients, **{"page[size]": 10, "page[after]": first["meta"]["after"]})

    back = page(clients, **{"page[size]": 10, "page[before]": second["meta"]["before"]})

    assert [link["id"] for link in second["links"]] == some_links[10:20]
    assert [link["id"] for link in back["links"]] == some_links[:10]
    assert back["meta"]["has_more"] is False


def test_cursor_stays_valid_when_the_item_it_points_at_is_deleted(clients: Clients, some_links: list[str]) -> None:
    first = page(clients, **{"page[size]": 10})
    clients.bearer.delete(
        LINKS, params={"link_type": "t", "left_object_name": "left:009", "right_object_name": "right:1"}
    ).raise_for_status()

    second = page(clients, **{"page[size]": 10, "page[after]": first["meta"]["after"]})

    assert [link["id"] for link in second["links"]] == some_links[10:20]


def test_last_page_has_no_more(clients: Clients, many_links: list[str]) -> None:
    first = page(clients, **{"page[size]": 100})
    last = page(clients, **{"page[size]": 100, "page[after]": first["meta"]["after"]})

    assert [link["id"] for link in last["links"]] == many_links[100:]
    assert last["meta"]["has_more"] is False


def test_invalid_cursor_is_400(clients: Clients) -> None:
    response = clients.bearer.get(LINKS, params={**SEARCH, "page[after]": "not a cursor!"})

    assert response.status_code == 400


def test_after_and_before_together_are_400(clients: Clients, some_links: list[str]) -> None:
    meta = page(clients)["meta"]

    response = clients.bearer.get(
        LINKS, params={**SEARCH, "page[after]": meta["after"], "page[before]": meta["before"]}
    )

    assert response.status_code == 400


def test_empty_result_has_null_cursors(clients: Clients) -> None:
    assert page(clients)["meta"] == {"after": None, "before": None, "has_more": False}


def test_bundles_and_job_specs_are_paginated(clients: Clients) -> None:
    for index in range(25):
        clients.upload("paged", bundle("paged", name=f"bundle-{index:02d}", job_specs=(f"job_{index:02d}",)))

    bundles = clients.basic.get(BUNDLES).json()
    more_bundles = clients.basic.get(BUNDLES, params={"page[after]": bundles["meta"]["after"]}).json()
    job_specs = clients.basic.get(f"{ZIS}/registry/paged/job_specs", params={"page[size]": 5}).json()

    assert [b["name"] for b in bundles["bundles"] + more_bundles["bundles"]] == [
        f"bundle-{index:02d}" for index in range(25)
    ]
    assert bundles["meta"]["has_more"] is True
    assert more_bundles["meta"]["has_more"] is False
    assert [js["name"] for js in job_specs["job_specs"]] == [f"job_{index:02d}" for index in range(5)]


def test_connection_pages_span_the_four_lists_in_name_order(clients: Clients) -> None:
    connections = f"{ZIS}/integrations/paged/connections"
    clients.bearer.post(
        f"{connections}/api_key",
        json={"name": "conn_a", "api_key": "k", "header_name": "x-key", "allowed_domain": "api.example.com"},
    ).raise_for_status()
    clients.bearer.post(
        f"{connections}/basic_auth",
        json={"name": "conn_b", "username": "u", "password": "p", "allowed_domain": "api.example.com"},
    ).raise_for_status()
    clients.admin.post("/_emulator/zis/paged/oauth_connections", json={"name": "conn_c"}).raise_for_status()
    clients.bearer.post(
        f"{connections}/bearer_token", json={"name": "conn_d", "token": "t", "allowed_domain": "api.example.com"}
    ).raise_for_status()

    first = clients.bearer.get(f"{connections}/all", params={"page[size]": 3}).json()
    second = clients.bearer.get(
        f"{connections}/all", params={"page[size]": 3, "page[after]": first["meta"]["after"]}
    ).json()

    def names(body: dict[str, Any]) -> dict[str, list[str]]:
        return {kind: [c["name"] for c in body[kind]] for kind in ("api_key", "basic_auth", "bearer_token", "oauth")}

    assert names(first) == {"api_key": ["conn_a"], "basic_auth": ["conn_b"], "bearer_token": [], "oauth": ["conn_c"]}
    assert first["meta"]["has_more"] is True
    assert names(second) == {"api_key": [], "basic_auth": [], "bearer_token": ["conn_d"], "oauth": []}
    assert second["meta"]["has_more"] is False


@settings(max_examples=300, deadline=None)
@given(
    keys=st.lists(st.tuples(st.integers(0, 60), st.sampled_from("abc")), unique=True, max_size=40),
    size=st.integers(1, 7),
    kept=st.sets(st.sampled_from("abc")),
    cursor=st.one_of(
        st.none(),
        st.tuples(st.just("after"), st.integers(-1, 61)),
        st.tuples(st.just("before"), st.integers(-1, 61)),
    ),
)
def test_ordered_pages_are_the_pages_of_the_whole_list(
    keys: list[tuple[int, str]], size: int, kept: set[str], cursor: tuple[str, int] | None
) -> None:
    """The links search's fast path (bisect the cursor, stop after the page) answers what sorting and
    filtering everything answers, for every cursor position, direction and filter."""
    ordered = sorted(keys)
    at = None if cursor is None else (cursor[1], "b")
    request = PageRequest(
        size=size,
        after=at if cursor is not None and cursor[0] == "after" else None,
        before=at if cursor is not None and cursor[0] == "before" else None,
    )
    matching = [key for key in ordered if key[1] in kept]
    assert paginate_ordered(ordered, request, lambda key: key[1] in kept) == paginate(matching, lambda k: k, request)


def test_a_prefix_search_pages_through_interleaved_links(clients: Clients) -> None:
    """Matching links among others of the same type: every match once, in creation order, pages of the asked size."""
    names = [f"{'left' if index % 3 else 'other'}:{index:03d}" for index in range(60)]
    for name in names:
        clients.create_link(
            "paged", {"link_type": "t", "left_object": {"name": name}, "right_object": {"name": "right:1"}}
        )
    seen: list[str] = []
    after = ""
    while True:
        body = page(clients, **{**SEARCH, "page[size]": "7", "page[after]": after})
        seen.extend(link["left_object"]["name"] for link in body["links"])
        assert len(body["links"]) <= 7
        if not body["meta"]["has_more"]:
            break
        after = body["meta"]["after"]
    assert seen == [name for name in names if name.startswith("left:")]
