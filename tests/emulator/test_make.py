"""Make custom-app connections: names, types, sections (JSONC), common, delete delay."""

from __future__ import annotations

import json
import time

import json5
import pytest

from .helpers import Clients


def test_create_answers_app_connection_with_generated_name(clients: Clients) -> None:
    response = clients.create_make_connection("my-app", "basic", "Main Connection")

    assert response.status_code == 200
    assert response.json() == {"appConnection": {"name": "my-app", "label": "Main Connection", "type": "basic"}}


def test_generated_names_are_app_then_app2_app3(clients: Clients) -> None:
    names = [clients.create_make_connection("my-app").json()["appConnection"]["name"] for _ in range(3)]

    assert names == ["my-app", "my-app2", "my-app3"]


def test_generated_names_are_not_reused_after_delete(clients: Clients) -> None:
    clients.create_make_connection("my-app").raise_for_status()
    clients.create_make_connection("my-app").raise_for_status()
    clients.make.delete("/sdk/apps/connections/my-app2").raise_for_status()

    assert clients.create_make_connection("my-app").json()["appConnection"]["name"] == "my-app3"


@pytest.mark.parametrize(
    ("requested", "normalized"),
    [
        ("oauth", "oauth"),
        ("oauth-refresh", "oauth"),
        ("oauth-resowncre", "oauth"),
        ("oauth-clicre", "oauth"),
        ("oauth-1", "oauth"),
        ("apikey", "basic"),
        ("basic", "basic"),
        ("other", "basic"),
    ],
)
def test_type_reads_back_normalized(clients: Clients, requested: str, normalized: str) -> None:
    created = clients.create_make_connection("my-app", requested).json()["appConnection"]

    fetched = clients.make.get(f"/sdk/apps/connections/{created['name']}").json()["appConnection"]

    assert created["type"] == normalized
    assert fetched["type"] == normalized


def test_invalid_type_is_400_value_not_found(clients: Clients) -> None:
    response = clients.create_make_connection("my-app", "token")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "SC400"
    assert "Value not found in options in parameter 'type'" in body["detail"]
    assert body["suberrors"] == [{"message": "Value not found in options in parameter 'type'"}]


@pytest.mark.parametrize("app", ["My-App", "a", "has space", "x" * 200])
def test_invalid_app_name_is_404(clients: Clients, app: str) -> None:
    response = clients.make.get(f"/sdk/apps/{app}/connections")

    assert response.status_code == 404
    assert response.json()["code"] == "SC404"


def test_list_returns_the_apps_connections_without_pagination(clients: Clients) -> None:
    for _ in range(3):
        clients.create_make_connection("my-app").raise_for_status()
    clients.create_make_connection("other-app").raise_for_status()

    body = clients.make.get("/sdk/apps/my-app/connections").json()

    assert list(body) == ["appConnections"]
    assert [c["name"] for c in body["appConnections"]] == ["my-app", "my-app2", "my-app3"]


def test_update_changes_label_and_connected_system(clients: Clients) -> None:
    clients.create_make_connection("my-app", "basic", "Old").raise_for_status()

    response = clients.make.patch(
        "/sdk/apps/connections/my-app", json={"label": "New", "connectedSystemName": "my-system"}
    )

    assert response.status_code == 200
    assert response.json()["appConnection"] == {
        "name": "my-app",
        "label": "New",
        "type": "basic",
        "connectedSystemName": "my-system",
    }
    assert clients.make.get("/sdk/apps/connections/my-app").json()["appConnection"]["label"] == "New"


def test_update_of_the_type_is_400(clients: Clients) -> None:
    clients.create_make_connection("my-app").raise_for_status()

    response = clients.make.patch("/sdk/apps/connections/my-app", json={"type": "oauth"})

    assert response.status_code == 400
    assert response.json()["suberrors"]


def test_delete_answers_the_name_and_removes_the_connection(clients: Clients) -> None:
    clients.create_make_connection("my-app").raise_for_status()

    response = clients.make.delete("/sdk/apps/connections/my-app")

    assert response.status_code == 200
    assert response.json() == {"appConnection": "my-app"}
    assert clients.make.get("/sdk/apps/connections/my-app").status_code == 404
    assert clients.make.get("/sdk/apps/my-app/connections").json() == {"appConnections": []}


def test_deleted_connection_stays_visible_for_the_delete_delay(clients: Clients) -> None:
    clients.settings(make_delete_delay_ms=300)
    clients.create_make_connection("my-app").raise_for_status()

    clients.make.delete("/sdk/apps/connections/my-app").raise_for_status()
    during_get = clients.make.get("/sdk/apps/connections/my-app").status_code
    during_list = len(clients.make.get("/sdk/apps/my-app/connections").json()["appConnections"])
    time.sleep(0.35)
    after_get = clients.make.get("/sdk/apps/connections/my-app").status_code

    assert (during_get, during_list, after_get) == (200, 1, 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("GET", "/api"),
        ("PUT", "/api"),
        ("GET", "/common"),
        ("PUT", "/common"),
        ("POST", "/recreate"),
    ],
)
def test_unknown_connection_is_404_in_make_shape(clients: Clients, method: str, path: str) -> None:
    response = clients.make.request(
        method, f"/sdk/apps/connections/missing{path}", json={} if method in ("PATCH", "PUT") else None
    )

    assert response.status_code == 404
    assert response.json()["code"] == "SC404"


@pytest.mark.parametrize("connection_type", ["apikey", "basic", "other", "oauth", "oauth-refresh", "oauth-1"])
def test_new_connection_sections_are_commented_jsonc_templates(clients: Clients, connection_type: str) -> None:
    name = clients.create_make_connection("my-app", connection_type).json()["appConnection"]["name"]

    for section, container in [
        ("api", dict),
        ("parameters", list),
        ("scopes", dict),
        ("scope", list),
        ("install", dict),
        ("installSpec", list),
    ]:
        response = clients.make.get(f"/sdk/apps/connections/{name}/{section}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/jsonc")
        assert "//" in response.text
        assert isinstance(json5.loads(response.text), container)


def test_section_templates_depend_on_the_type(clients: Clients) -> None:
    apikey = clients.create_make_connection("my-app", "apikey").json()["appConnection"]["name"]
    oauth = clients.create_make_connection("my-app", "oauth-refresh").json()["appConnection"]["name"]

    apikey_api = json5.loads(clients.make.get(f"/sdk/apps/connections/{apikey}/api").text)
    oauth_api = json5.loads(clients.make.get(f"/sdk/apps/connections/{oauth}/api").text)

    assert "x-api-key" in apikey_api["headers"]
    assert {"authorize", "token", "refresh"} <= set(oauth_api)
    with pytest.raises(ValueError):
        json.loads(clients.make.get(f"/sdk/apps/connections/{apikey}/api").text)


def test_put_json_section_reads_back_as_the_same_value(clients: Clients) -> None:
    clients.create_make_connection("my-app").raise_for_status()
    api = {"url": "https://api.example.com/me", "headers": {"authorization": "Bearer {{parameters.token}}"}}

    put = clients.make.put("/sdk/apps/connections/my-app/api", json=api)
    got = clients.make.get("/sdk/apps/connections/my-app/api")

    assert put.status_code == 200
    assert json.loads(got.text) == api


def test_put_jsonc_section_is_stored_as_sent_with_comments(clients: Clients) -> None:
    clients.create_make_connection("my-app").raise_for_status()
    text = '[\n    // the token\n    {"name": "token", "type": "password", "required": true,},\n]\n'

    put = clients.make.put(
        "/sdk/apps/connections/my-app/parameters", content=text.encode(), headers={"Content-Type": "application/jsonc"}
    )

    assert put.status_code == 200
    assert clients.make.get("/sdk/apps/connections/my-app/parameters").text == text


@pytest.mark.parametrize(
    ("section", "body"),
    [("parameters", {"name": "x"}), ("scope", {}), ("installSpec", {}), ("api", []), ("scopes", []), ("install", [])],
)
def test_put_section_of_the_wrong_container_is_400(clients: Clients, section: str, body: object) -> None:
    clients.create_make_connection("my-app").raise_for_status()

    response = clients.make.put(f"/sdk/apps/connections/my-app/{section}", json=body)

    assert response.status_code == 400
    assert response.json()["code"] == "SC400"


def test_put_section_with_invalid_json_is_400(clients: Clients) -> None:
    clients.create_make_connection("my-app").raise_for_status()

    response = clients.make.put(
        "/sdk/apps/connections/my-app/api", content=b"{oops", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400


def test_unknown_section_is_404(clients: Clients) -> None:
    clients.create_make_connection("my-app").raise_for_status()

    assert clients.make.get("/sdk/apps/connections/my-app/base").status_code == 404


@pytest.mark.parametrize(
    ("section_format", "content_type"),
    [("text", "text/plain"), ("json_string", "application/json")],
)
def test_section_format_switch(clients: Clients, section_format: str, content_type: str) -> None:
    clients.settings(make_section_format=section_format)
    clients.create_make_connection("my-app", "apikey").raise_for_status()

    response = clients.make.get("/sdk/apps/connections/my-app/api")

    assert response.headers["content-type"].startswith(content_type)
    text = response.json() if section_format == "json_string" else response.text
    assert "x-api-key" in json5.loads(text)["headers"]


def test_common_starts_empty_and_returns_what_was_put_in_clear(clients: Clients) -> None:
    clients.create_make_connection("my-app", "oauth").raise_for_status()
    common = {"clientId": "client-1", "clientSecret": "secret-1"}

    before = clients.make.get("/sdk/apps/connections/my-app/common").json()
    put = clients.make.put("/sdk/apps/connections/my-app/common", json=common)
    after = clients.make.get("/sdk/apps/connections/my-app/common").json()

    assert before == {}
    assert put.json() == {"changed": True}
    assert after == common


def test_common_must_be_an_object(clients: Clients) -> None:
    clients.create_make_connection("my-app").raise_for_status()

    assert clients.make.put("/sdk/apps/connections/my-app/common", json=["x"]).status_code == 400


def test_recreate_answers_empty_object(clients: Clients) -> None:
    clients.create_make_connection("my-app").raise_for_status()

    response = clients.make.post("/sdk/apps/connections/my-app/recreate")

    assert response.status_code == 200
    assert response.json() == {}
