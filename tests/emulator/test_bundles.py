"""Bundles: upload/update, list, show, delete, validation."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import ZIS, Clients, bundle, seed_bundle


def test_seed_bundle_upload_answers_200_with_null_body(clients: Clients) -> None:
    response = clients.upload("example", seed_bundle())

    assert response.status_code == 200
    assert response.json() is None


def test_bundle_list_shows_metadata_only(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()

    response = clients.basic.get(f"{ZIS}/registry/example/bundles")

    assert response.status_code == 200
    [listed] = response.json()["bundles"]
    assert set(listed) == {"description", "integration", "name", "uuid", "zendesk_account_id", "zis_template_version"}
    assert listed["name"] == "example bundle"
    assert listed["integration"] == "example"
    assert listed["zendesk_account_id"] == 12345
    assert set(response.json()["meta"]) == {"after", "before", "has_more"}


def test_bundle_show_returns_the_whole_bundle_unwrapped(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()
    [listed] = clients.basic.get(f"{ZIS}/registry/example/bundles").json()["bundles"]

    response = clients.bearer.get(f"{ZIS}/registry/example/bundles/{listed['uuid']}")

    assert response.status_code == 200
    expected = {**seed_bundle(), "integration": "example", "uuid": listed["uuid"], "zendesk_account_id": 12345}
    assert response.json() == expected


def test_reupload_with_same_name_keeps_uuid_and_replaces_content(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()
    [before] = clients.basic.get(f"{ZIS}/registry/example/bundles").json()["bundles"]
    changed = seed_bundle()
    changed["description"] = "second version"
    changed["resources"]["example_flow"]["properties"]["definition"]["States"]["HelloWorld"]["Result"] = "Bye"

    clients.upload("example", changed).raise_for_status()

    [after] = clients.basic.get(f"{ZIS}/registry/example/bundles").json()["bundles"]
    assert after["uuid"] == before["uuid"]
    assert after["description"] == "second version"
    shown = clients.basic.get(f"{ZIS}/registry/example/bundles/{after['uuid']}").json()
    assert shown["resources"] == changed["resources"]


def test_bundles_of_other_integrations_are_not_listed(clients: Clients) -> None:
    clients.upload("first", bundle("first")).raise_for_status()
    clients.upload("second", bundle("second")).raise_for_status()

    listed = clients.basic.get(f"{ZIS}/registry/first/bundles").json()["bundles"]

    assert [b["integration"] for b in listed] == ["first"]


def test_bundle_delete_answers_204_and_removes_its_job_specs(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()
    [listed] = clients.basic.get(f"{ZIS}/registry/example/bundles").json()["bundles"]

    response = clients.basic.delete(f"{ZIS}/registry/example/bundles/{listed['uuid']}")

    assert response.status_code == 204
    assert response.content == b""
    assert clients.basic.get(f"{ZIS}/registry/example/bundles").json()["bundles"] == []
    assert clients.basic.get(f"{ZIS}/registry/example/job_specs").json()["job_specs"] == []


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_unknown_bundle_uuid_is_404_missing_resource(clients: Clients, method: str) -> None:
    response = clients.basic.request(method, f"{ZIS}/registry/example/bundles/5c722550-4180-4b64-9bcd-f8e38baac15d")

    assert response.status_code == 404
    body = response.json()
    assert body["message"] == "Missing Resource"
    assert body["errors"][0]["code"] == "1020"


def _without_job_specs(body: dict[str, Any]) -> None:
    del body["resources"]["example_job_spec"]


def _without_flows(body: dict[str, Any]) -> None:
    del body["resources"]["example_flow"]


def _with_task_state(body: dict[str, Any]) -> None:
    body["resources"]["example_flow"]["properties"]["definition"]["States"]["HelloWorld"]["Type"] = "Task"


def _with_foreign_flow_name(body: dict[str, Any]) -> None:
    body["resources"]["example_job_spec"]["properties"]["flow_name"] = "zis:other:flow:my_flow"


def _with_unknown_flow_name(body: dict[str, Any]) -> None:
    body["resources"]["example_job_spec"]["properties"]["flow_name"] = "zis:example:flow:missing"


def _with_unknown_resource_type(body: dict[str, Any]) -> None:
    body["resources"]["example_flow"]["type"] = "ZIS::Lambda"


def _with_wrong_template_version(body: dict[str, Any]) -> None:
    body["zis_template_version"] = "2020-01-01"


def _without_name(body: dict[str, Any]) -> None:
    del body["name"]


def _with_empty_resources(body: dict[str, Any]) -> None:
    body["resources"] = {}


def _with_resource_without_properties(body: dict[str, Any]) -> None:
    del body["resources"]["example_flow"]["properties"]


def _with_unknown_action(body: dict[str, Any]) -> None:
    body["resources"]["example_flow"]["properties"]["definition"]["States"]["HelloWorld"] = {
        "Type": "Action",
        "ActionName": "zis:example:action:missing",
        "End": True,
    }


def _with_action_without_url_or_path(body: dict[str, Any]) -> None:
    body["resources"]["notify"] = {
        "type": "ZIS::Action::Http",
        "properties": {"name": "notify", "definition": {"method": "GET"}},
    }


def _with_unknown_http_method(body: dict[str, Any]) -> None:
    body["resources"]["notify"] = {
        "type": "ZIS::Action::Http",
        "properties": {"name": "notify", "definition": {"method": "FETCH", "path": "/x"}},
    }


def _with_jsonpath_url_header_and_extra_fields(body: dict[str, Any]) -> None:
    body["resources"]["notify"] = {
        "type": "ZIS::Action::Http",
        "properties": {
            "name": "notify",
            "description": "the custom actions page's url.$ and the flows tutorial's value.$",
            "definition": {
                "method": "POST",
                "url.$": "$.external_api_url",
                "headers": [{"key": "X-Zendesk-Ticket-Id", "value.$": "$.ticketId"}],
            },
            "schema": {"type": "object"},
        },
    }
    body["resources"]["example_job_spec"]["properties"]["description"] = "stored, not refused"


@pytest.mark.parametrize(
    "change",
    [_without_job_specs, _with_foreign_flow_name, _with_unknown_flow_name, _with_jsonpath_url_header_and_extra_fields],
)
def test_what_zis_accepts_is_accepted(clients: Clients, change: Any) -> None:
    body = seed_bundle()
    change(body)

    response = clients.upload("example", body)

    assert response.status_code == 200, response.text
    assert len(clients.state()["zis"]["bundles"]) == 1


@pytest.mark.parametrize(
    "spoil",
    [
        _without_flows,
        _with_task_state,
        _with_unknown_resource_type,
        _with_wrong_template_version,
        _without_name,
        _with_empty_resources,
        _with_resource_without_properties,
        _with_unknown_action,
        _with_action_without_url_or_path,
        _with_unknown_http_method,
    ],
)
def test_invalid_bundle_is_refused_with_400_and_nothing_stored(clients: Clients, spoil: Any) -> None:
    body = seed_bundle()
    spoil(body)

    response = clients.upload("example", body)

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "1010"
    assert error["status"] == "400"
    assert error["detail"]
    assert clients.state()["zis"]["bundles"] == {}


def test_bundle_with_builtin_and_own_actions_is_accepted(clients: Clients) -> None:
    body = bundle("shop")
    body["resources"]["notify"] = {
        "type": "ZIS::Action::Http",
        "properties": {
            "name": "notify",
            "definition": {
                "method": "POST",
                "path": "/hooks",
                "connectionName": "shop_api",
                "headers": [{"key": "X-A", "value": "1"}],
            },
        },
    }
    body["resources"]["flow"]["properties"]["definition"] = {
        "StartAt": "Notify",
        "States": {
            "Notify": {"Type": "Action", "ActionName": "zis:shop:action:notify", "Next": "Load"},
            "Load": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig", "Next": "Wait"},
            "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }

    assert clients.upload("shop", body).status_code == 200


def test_invalid_body_json_is_400(clients: Clients) -> None:
    response = clients.basic.post(
        f"{ZIS}/registry/example/bundles", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "1010"


@pytest.mark.parametrize("integration", ["Upper", "has.dot", "x" * 65])
def test_invalid_integration_name_is_400(clients: Clients, integration: str) -> None:
    response = clients.basic.get(f"{ZIS}/registry/{integration}/bundles")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "1010"


def test_integration_name_of_64_allowed_characters_is_accepted(clients: Clients) -> None:
    integration = ("a-z_0-9" * 10)[:64]

    assert clients.upload(integration, bundle(integration)).status_code == 200
