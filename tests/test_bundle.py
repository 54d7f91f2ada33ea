"""The Bundle provider against the emulator, driven the way the engine drives it."""

from __future__ import annotations

import base64
import copy
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from tests.conftest import EmulatorAdmin
from tests.support.driver import ProviderDriver
from zis_pulumi._zendesk import ZendeskClient
from zis_pulumi.bundle import (
    BundleProvider,
    Flow,
    HttpAction,
    JobSpec,
    build_resources,
    bundle_warnings,
    load_bundle,
)
from zis_pulumi.config import ZendeskSettings
from zis_pulumi.errors import ApiError, TransportError

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
INTEGRATION = "acme_sync"


def flow(name: str = "my_flow", result: str = "Hello World!") -> dict[str, Any]:
    return {
        "type": "ZIS::Flow",
        "properties": {
            "name": name,
            "definition": {
                "StartAt": "HelloWorld",
                "States": {"HelloWorld": {"Type": "Pass", "Result": result, "ResultPath": "$.messages", "End": True}},
            },
        },
    }


def job_spec(name: str = "my_job_spec", flow_name: str = "my_flow", integration: str = INTEGRATION) -> dict[str, Any]:
    return {
        "type": "ZIS::JobSpec",
        "properties": {
            "name": name,
            "event_source": "support",
            "event_type": "ticket.TicketCreated",
            "flow_name": f"zis:{integration}:flow:{flow_name}",
        },
    }


def bundle_inputs(**overrides: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "integration": INTEGRATION,
        "name": "acme_sync",
        "description": "Ticket sync",
        "resources": {"the_flow": flow(), "the_job_spec": job_spec()},
    }
    inputs.update(overrides)
    return inputs


@pytest.fixture
def driver(stack_config: dict[str, str]) -> ProviderDriver:
    return ProviderDriver(BundleProvider(), stack_config)


@pytest.fixture
def zendesk(stack_config: dict[str, str]) -> ZendeskClient:
    return ZendeskClient(ZendeskSettings.resolve(stack_config, environ={}))


# --- check ----------------------------------------------------------------------------------------


def action(definition: dict[str, Any], name: str = "notify") -> dict[str, Any]:
    return {"type": "ZIS::Action::Http", "properties": {"name": name, "definition": definition}}


def flow_of(states: dict[str, Any], start: str = "A", name: str = "my_flow") -> dict[str, Any]:
    return {"type": "ZIS::Flow", "properties": {"name": name, "definition": {"StartAt": start, "States": states}}}


def calling(action_name: str) -> dict[str, Any]:
    return flow_of({"A": {"Type": "Action", "ActionName": action_name, "End": True}})


NOTIFY = f"zis:{INTEGRATION}:action:notify"

BAD_INPUTS = [
    ("integration", {"integration": "Acme Sync"}),
    ("integration", {"integration": "a" * 65}),
    ("name", {"name": ""}),
    ("zis_template_version", {"zis_template_version": "2020-01-01"}),
    ("description", {"description": 42}),
    ("resources", {"resources": {}}),
    ("resources", {"resources": {"the_job_spec": job_spec()}}),  # no flow
    ("resources.the_flow.type", {"resources": {"the_flow": {**flow(), "type": "ZIS::Lambda"}, "js": job_spec()}}),
    ("resources.the_flow.properties", {"resources": {"the_flow": {"type": "ZIS::Flow", "properties": []}}}),
    (
        "resources.the_job_spec.properties.flow_name",
        {"resources": {"the_flow": flow(), "the_job_spec": {**job_spec(), "properties": {"name": "j"}}}},
    ),
    (
        "resources.the_flow.properties.definition.StartAt",
        {"resources": {"the_flow": flow_of({"A": {"Type": "Succeed"}}, start="Nope"), "the_job_spec": job_spec()}},
    ),
    (
        "resources.the_flow.properties.definition.States.A.Type",
        {"resources": {"the_flow": flow_of({"A": {"Type": "Task"}}), "the_job_spec": job_spec()}},
    ),
    (
        "resources.the_flow.properties.definition.States.A.Next",
        {"resources": {"the_flow": flow_of({"A": {"Type": "Pass", "Next": "B"}}), "the_job_spec": job_spec()}},
    ),
    (
        "resources.the_flow.properties.definition.States.A",
        {"resources": {"the_flow": flow_of({"A": {"Type": "Wait", "Timestamp": "2030-01-01T00:00:00Z"}})}},
    ),
    (
        "resources.the_flow.properties.definition.States.A.ItemsPath",
        {
            "resources": {
                "the_flow": flow_of(
                    {
                        "A": {
                            "Type": "Map",
                            "Iterator": {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}},
                            "End": True,
                        }
                    }
                )
            }
        },
    ),
    (
        "resources.the_flow.properties.definition.States.A.ActionName",
        {"resources": {"the_flow": calling(f"zis:{INTEGRATION}:action:nope"), "the_job_spec": job_spec()}},
    ),
    (
        "resources.the_flow.properties.definition.States.A.ActionName",
        {
            "resources": {
                "the_flow": calling("zis:other:action:notify"),
                "notify": action({"method": "GET", "path": "/x"}),
            }
        },
    ),
    (
        "resources.notify.properties.definition.method",
        {"resources": {"the_flow": calling(NOTIFY), "notify": action({"method": "FETCH", "path": "/x"})}},
    ),
    (
        "resources.notify.properties.definition",
        {"resources": {"the_flow": calling(NOTIFY), "notify": action({"method": "GET"})}},
    ),
    (
        "resources.notify.properties.definition.headers",
        {
            "resources": {
                "the_flow": calling(NOTIFY),
                "notify": action({"method": "GET", "path": "/x", "headers": {"a": "b"}}),
            }
        },
    ),
    (
        "resources.second.properties.name",
        {
            "resources": {
                "the_flow": calling(NOTIFY),
                "notify": action({"method": "GET", "path": "/x"}),
                "second": action({"method": "GET", "path": "/y"}),
            }
        },
    ),
    ("colour", {"colour": "blue"}),
]


@pytest.mark.parametrize(("prop", "change"), BAD_INPUTS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(BAD_INPUTS)])
def test_bad_input_is_a_check_failure_naming_the_property_with_no_request(
    driver: ProviderDriver, admin: EmulatorAdmin, prop: str, change: dict[str, Any]
) -> None:
    before = admin.request_count()
    result = driver.check(bundle_inputs(**change))
    assert [f.property for f in result.failures].count(prop) >= 1, [(f.property, f.reason) for f in result.failures]
    assert all(f.reason for f in result.failures)
    assert admin.request_count() == before


WARNED_ONLY = [
    ("resources", {"resources": {"the_flow": flow()}}),  # no job spec: another bundle's may start the flow
    (
        "resources.the_job_spec.properties.flow_name",
        {"resources": {"the_flow": flow(), "the_job_spec": job_spec(flow_name="in_another_bundle")}},
    ),
    (
        "resources.the_job_spec.properties.flow_name",
        {"resources": {"the_flow": flow(), "the_job_spec": job_spec(integration="example")}},
    ),
    (
        "resources.notify.properties",
        {
            "resources": {
                "the_flow": calling(NOTIFY),
                "notify": {
                    **action({"method": "GET", "path": "/x"}),
                    "properties": {
                        **action({"method": "GET", "path": "/x"})["properties"],
                        "schema": {"type": "object"},
                    },
                },
                "the_job_spec": job_spec(),
            }
        },
    ),
    (
        "resources.notify.properties.definition",
        {
            "resources": {
                "the_flow": calling(NOTIFY),
                "notify": action({"method": "GET", "url": "https://x", "path": "/x"}),
                "the_job_spec": job_spec(),
            }
        },
    ),
    (
        "resources.the_flow.properties.definition.States.A",
        {
            "resources": {
                "the_flow": flow_of({"A": {"Type": "Pass", "Next": "B", "End": True}, "B": {"Type": "Succeed"}}),
                "the_job_spec": job_spec(),
            }
        },
    ),
    (
        "resources.extra",
        {"resources": {"the_flow": flow(), "the_job_spec": job_spec(), "extra": {**job_spec("other"), "metadata": {}}}},
    ),
]


@pytest.mark.parametrize(("prop", "change"), WARNED_ONLY, ids=[f"{p}-{i}" for i, (p, _) in enumerate(WARNED_ONLY)])
def test_what_zis_is_not_known_to_refuse_passes_check_with_a_warning_naming_the_property(
    driver: ProviderDriver, prop: str, change: dict[str, Any]
) -> None:
    inputs = bundle_inputs(**change)
    assert driver.check(inputs).failures == []
    warnings = bundle_warnings(inputs)
    assert any(line.startswith(f"{prop}: ") for line in warnings), warnings


def test_jsonpath_forms_count_as_the_property_and_raise_no_warning(driver: ProviderDriver) -> None:
    resources = {
        "the_flow": flow_of(
            {
                "A": {"Type": "Action", "ActionName": NOTIFY, "Next": "B"},
                "B": {"Type": "Action", "ActionName": f"zis:{INTEGRATION}:action:fetch", "End": True},
            }
        ),
        "notify": action(
            {
                "method": "POST",
                "url.$": "$.external_api_url",
                "headers": [{"key": "X-Zendesk-Ticket-Id", "value.$": "$.ticketId"}],
                "requestBody.$": "$.payload",
            }
        ),
        "fetch": action({"method": "GET", "path.$": "/api/v2/users/{{$.requester_id}}.json"}, name="fetch"),
        "the_job_spec": job_spec(),
    }
    inputs = bundle_inputs(resources=resources)
    assert driver.check(inputs).failures == []
    assert bundle_warnings(inputs) == []


def test_builtin_common_action_and_unknown_values_pass_check(driver: ProviderDriver) -> None:
    resources = {
        "the_flow": {
            "type": "ZIS::Flow",
            "properties": {
                "name": "my_flow",
                "definition": {
                    "StartAt": "A",
                    "States": {
                        "A": {"Type": "Action", "ActionName": "zis:common:action:LoadLinks", "Next": "B"},
                        "B": UNKNOWN,
                    },
                },
            },
        },
        "the_job_spec": job_spec(),
    }
    assert driver.check(bundle_inputs(resources=resources)).failures == []
    assert driver.check(bundle_inputs(integration=UNKNOWN, resources=UNKNOWN)).failures == []


def test_check_fills_the_default_template_version(driver: ProviderDriver) -> None:
    inputs = driver.checked(bundle_inputs())
    assert inputs["zis_template_version"] == "2019-10-14"


def test_typed_helpers_build_the_api_resources_map() -> None:
    action = HttpAction("post", method="post", path="/issue", connection_name="jira", headers={"X-A": "1"})
    the_flow = Flow(
        "f",
        {"StartAt": "A", "States": {"A": {"Type": "Action", "ActionName": action.qualified_name("acme"), "End": True}}},
    )
    resources = build_resources(
        "acme", [the_flow, action, JobSpec("js", "support", "ticket.TicketCreated", flow=the_flow)]
    )
    assert resources["js_job_spec"]["properties"]["flow_name"] == "zis:acme:flow:f"
    assert resources["post"]["properties"]["definition"] == {
        "method": "POST",
        "path": "/issue",
        "connectionName": "jira",
        "headers": [{"key": "X-A", "value": "1"}],
    }
    assert resources["f_flow"]["type"] == "ZIS::Flow"


def test_load_bundle_takes_the_get_bundle_answer_ignoring_its_read_only_fields(tmp_path: Path) -> None:
    answer = Path(__file__).parent / "data" / "zis_bundles" / "zis_explorer_show_bundle.json"
    loaded = load_bundle(answer)
    assert set(loaded) == {"name", "description", "resources", "zis_template_version"}
    document = json.loads(answer.read_text())
    assert loaded == {k: document[k] for k in loaded}


def test_load_bundle_warns_of_fields_it_does_not_upload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warned: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *args, **kwargs: warned.append(message))
    document = {"name": "b", "zis_template_version": "2019-10-14", "resources": {"f": flow()}, "owner": "me"}
    (tmp_path / "b.json").write_text(json.dumps(document))
    assert "owner" not in load_bundle(tmp_path / "b.json")
    assert len(warned) == 1 and "['owner']" in warned[0]


def test_load_bundle_reads_json_and_yaml(tmp_path: Path) -> None:
    document = {"name": "b", "description": "d", "zis_template_version": "2019-10-14", "resources": {"f": flow()}}
    (tmp_path / "b.json").write_text(json.dumps(document))
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(document))
    assert load_bundle(tmp_path / "b.json") == document
    assert load_bundle(tmp_path / "b.yaml") == document


# --- lifecycle ------------------------------------------------------------------------------------


def test_create_uploads_finds_the_uuid_and_reads_back(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    created = driver.create(bundle_inputs())
    assert created.outs["uuid"] == created.id
    assert created.outs["resources"]["the_flow"] == flow()
    assert created.outs["zendesk_account_id"] is not None
    bundles = admin.state()
    assert created.id in json.dumps(bundles)


def test_no_change_diff_after_read_makes_no_request(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    created = driver.create(bundle_inputs())
    read = driver.read(created.id, created.outs)
    assert read.id == created.id
    before = admin.request_count()
    diff = driver.diff(created.id, read.outs, bundle_inputs())
    assert diff.changes is False
    assert admin.request_count() == before


def test_update_keeps_the_id_and_reinstalls_the_job_specs_the_upload_orphaned(
    driver: ProviderDriver, zendesk: ZendeskClient
) -> None:
    created = driver.create(bundle_inputs())
    zendesk.install_job_spec(f"zis:{INTEGRATION}:job_spec:my_job_spec")
    changed = bundle_inputs(resources={"the_flow": flow(result="changed"), "the_job_spec": job_spec()})
    diff = driver.diff(created.id, created.outs, changed)
    assert diff.changes is True and not diff.replaces
    outs = driver.update(created.id, created.outs, changed)
    assert outs["uuid"] == created.id
    assert outs["resources"]["the_flow"]["properties"]["definition"]["States"]["HelloWorld"]["Result"] == "changed"
    specs = {spec.name: spec for spec in zendesk.list_job_specs(INTEGRATION)}
    assert specs["my_job_spec"].installed is True


def test_upload_without_reinstall_would_orphan(zendesk: ZendeskClient, driver: ProviderDriver) -> None:
    """The behaviour the provider works around, seen through the client alone."""
    driver.create(bundle_inputs())
    zendesk.install_job_spec(f"zis:{INTEGRATION}:job_spec:my_job_spec")
    document = {k: v for k, v in bundle_inputs().items() if k != "integration"}
    zendesk.upload_bundle(INTEGRATION, {**document, "zis_template_version": "2019-10-14"})
    assert [s.installed for s in zendesk.list_job_specs(INTEGRATION)] == [False]


def test_name_or_integration_change_replaces(driver: ProviderDriver) -> None:
    created = driver.create(bundle_inputs())
    assert driver.diff(created.id, created.outs, bundle_inputs(name="other")).replaces == ["name"]
    moved = bundle_inputs(integration="other", resources={"f": flow(), "j": job_spec(integration="other")})
    assert driver.diff(created.id, created.outs, moved).replaces == ["integration"]


def test_drift_in_resources_shows_after_refresh(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    created = driver.create(bundle_inputs())
    edited = {k: v for k, v in bundle_inputs().items() if k != "integration"}
    edited["zis_template_version"] = "2019-10-14"
    edited["resources"] = copy.deepcopy(edited["resources"])
    edited["resources"]["the_flow"] = flow(result="edited in Zendesk")
    zendesk.upload_bundle(INTEGRATION, edited)
    read = driver.read(created.id, created.outs)
    assert read.inputs["resources"]["the_flow"] == flow(result="edited in Zendesk")
    assert driver.diff(created.id, read.outs, bundle_inputs()).changes is True


def test_read_of_a_deleted_bundle_is_gone_and_delete_tolerates_404(
    driver: ProviderDriver, zendesk: ZendeskClient
) -> None:
    created = driver.create(bundle_inputs())
    zendesk.delete_bundle(INTEGRATION, created.id)
    assert driver.read(created.id, created.outs).id == ""
    driver.delete(created.id, created.outs)


def test_update_after_out_of_band_delete_recreates_with_a_new_uuid(
    driver: ProviderDriver, zendesk: ZendeskClient
) -> None:
    created = driver.create(bundle_inputs())
    zendesk.delete_bundle(INTEGRATION, created.id)
    changed = bundle_inputs(description="again")
    outs = driver.update(created.id, created.outs, changed)
    assert outs["uuid"] != created.id
    assert driver.read(created.id, outs).outs["description"] == "again"


def test_uuid_is_found_past_the_first_page_of_bundles(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    for i in range(120):
        zendesk.upload_bundle(
            INTEGRATION,
            {
                "name": f"filler_{i:03}",
                "description": "",
                "zis_template_version": "2019-10-14",
                "resources": bundle_inputs()["resources"],
            },
        )
    created = driver.create(bundle_inputs(name="zz_last"))
    assert zendesk.get_bundle(INTEGRATION, created.id).name == "zz_last"
    assert len(zendesk.list_bundles(INTEGRATION)) == 121


def test_create_retried_after_a_lost_upload_response_adopts_the_bundle(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZIS_PULUMI_RETRY_MAX_ATTEMPTS", "1")
    admin.settings(lost_response_every=1)
    with pytest.raises((ApiError, TransportError)):  # the emulator drops the connection after committing
        driver.create(bundle_inputs())
    assert len(zendesk.list_bundles(INTEGRATION)) == 1  # committed, answer lost
    admin.settings(lost_response_every=0)
    created = driver.create(bundle_inputs())
    assert [b.uuid for b in zendesk.list_bundles(INTEGRATION)] == [created.id]


def test_four_concurrent_creates_on_one_provider(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    names = [f"bundle_{i}" for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: driver.create(bundle_inputs(name=n)), names))
    assert sorted(r.outs["name"] for r in results) == names
    assert {b.name: b.uuid for b in zendesk.list_bundles(INTEGRATION)} == {r.outs["name"]: r.id for r in results}


def test_the_pickled_provider_holds_no_credential(driver: ProviderDriver, stack_config: dict[str, str]) -> None:
    raw = base64.b64decode(driver.blob)
    for key in ("zendesk:apiToken", "zendesk:oauthToken", "make:apiToken"):
        assert stack_config[key].encode() not in raw
    assert b"emulator" not in raw


def test_an_action_from_the_typed_helper_is_keyed_by_its_name_as_the_docs_want() -> None:
    action = HttpAction("post", method="POST", url="https://example.com/hook")
    resources = build_resources(INTEGRATION, [action])
    assert list(resources) == ["post"]
    warnings = bundle_warnings({**bundle_inputs(), "resources": {**bundle_inputs()["resources"], **resources}})
    assert not [line for line in warnings if "differs from its key" in line], warnings


def test_an_action_keyed_as_0_1_0_keyed_it_is_no_change() -> None:
    """0.1.0's HttpAction keyed actions `{name}_action`; its stacks see no change once the key is the name."""
    provider = BundleProvider()
    flow_resource = {"type": "ZIS::Flow", "properties": {"name": "f", "definition": {"StartAt": "S", "States": {}}}}
    action = {"type": "ZIS::Action::Http", "properties": {"name": "post", "definition": {"method": "GET"}}}
    old = {**bundle_inputs(), "resources": {"f_flow": flow_resource, "post_action": action}}
    new = {**bundle_inputs(), "resources": {"f_flow": flow_resource, "post": action}}
    assert not provider.diff("uuid", old, new).changes
    renamed = {**bundle_inputs(), "resources": {"f_flow": flow_resource, "other_key": action}}
    assert provider.diff("uuid", old, renamed).changes
