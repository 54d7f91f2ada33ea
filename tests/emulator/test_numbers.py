"""The emulator keeps numbers as it receives them, as the real APIs do: an integer stays an integer, a float a
float, at any depth and beyond 2**53, in its answers and in its state file.

Compared as JSON text, never with Python's `==` (which says `12345 == 12345.0`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zis_pulumi.emulator.state import LinkObject, LinkRecord, StateStore

from .helpers import ZIS, Clients, bundle

NUMBERS_TEXT = '{"int": 12345, "float": 12345.0, "half": 0.5, "list": [1, [2, 3.0]], "beyond": 9007199254740993}'
NUMBERS: dict[str, Any] = json.loads(NUMBERS_TEXT)
PATCH_TEXT = '{"int": 7, "added": [4294967296, 1.25]}'


def as_text(value: Any) -> str:
    return json.dumps(value)


def test_numbers_are_json_text_with_types_kept() -> None:
    assert as_text(NUMBERS) == NUMBERS_TEXT  # the fixture itself: json keeps int and float apart


def test_link_metadata_keeps_each_numbers_type_on_create_patch_and_read(clients: Clients) -> None:
    body = (
        '{"link_type": "numbers", "left_object": {"name": "zendesk:ticket1", "metadata": '
        + NUMBERS_TEXT
        + '}, "right_object": {"name": "jira:PROJ-1"}}'
    )
    created = clients.bearer.post(
        f"{ZIS}/links/my_integration", content=body, headers={"Content-Type": "application/json"}
    )
    assert created.status_code == 201
    assert as_text(created.json()["link"]["left_object"]["metadata"]) == NUMBERS_TEXT

    patched = clients.bearer.patch(
        f"{ZIS}/links/my_integration",
        params={"link_type": "numbers", "left_object_name": "zendesk:ticket1", "right_object_name": "jira:PROJ-1"},
        content='{"left_object": {"metadata": ' + PATCH_TEXT + "}}",
        headers={"Content-Type": "application/json"},
    )
    assert patched.status_code == 200
    expected = {**NUMBERS, **json.loads(PATCH_TEXT)}
    assert as_text(patched.json()["link"]["left_object"]["metadata"]) == as_text(expected)

    found = clients.bearer.get(
        f"{ZIS}/links/my_integration", params={"link_type": "numbers", "left_object_name": "zendesk:*"}
    )
    assert as_text(found.json()["links"][0]["left_object"]["metadata"]) == as_text(expected)


def test_bundle_resources_keep_each_numbers_type(clients: Clients) -> None:
    document = bundle("my_integration")
    document["resources"]["flow"]["properties"]["definition"]["States"]["Done"] = {"Type": "Pass", "End": True}
    text = json.dumps(document).replace('"End": true}', '"End": true, "Result": ' + NUMBERS_TEXT + "}")
    assert clients.basic.post(
        f"{ZIS}/registry/my_integration/bundles", content=text, headers={"Content-Type": "application/json"}
    ).is_success
    (summary,) = clients.basic.get(f"{ZIS}/registry/my_integration/bundles").json()["bundles"]
    shown = clients.basic.get(f"{ZIS}/registry/my_integration/bundles/{summary['uuid']}").json()
    result = shown["resources"]["flow"]["properties"]["definition"]["States"]["Done"]["Result"]
    assert as_text(result) == NUMBERS_TEXT


def test_make_common_and_json_sections_keep_each_numbers_type(clients: Clients) -> None:
    name = clients.make.post("/sdk/apps/my-app/connections", json={"type": "basic", "label": "n"}).json()[
        "appConnection"
    ]["name"]
    json_body = {"Content-Type": "application/json"}
    assert clients.make.put(f"/sdk/apps/connections/{name}/common", content=NUMBERS_TEXT, headers=json_body).is_success
    assert as_text(clients.make.get(f"/sdk/apps/connections/{name}/common").json()) == NUMBERS_TEXT

    assert clients.make.put(f"/sdk/apps/connections/{name}/api", content=NUMBERS_TEXT, headers=json_body).is_success
    section = clients.make.get(f"/sdk/apps/connections/{name}/api")
    assert '"float": 12345.0' in section.text and '"int": 12345,' in section.text
    assert '"beyond": 9007199254740993' in section.text


def test_the_state_file_keeps_each_numbers_type(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.json")
    store.state.zis.links["1"] = LinkRecord(
        seq=1,
        id="1",
        uuid="u",
        integration="my_integration",
        link_type="numbers",
        left_object=LinkObject(name="zendesk:ticket1", metadata=NUMBERS),
        right_object=LinkObject(name="jira:PROJ-1"),
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
    )
    store.save()

    again = StateStore(tmp_path / "state.json")
    assert as_text(again.state.zis.links["1"].left_object.metadata) == NUMBERS_TEXT
