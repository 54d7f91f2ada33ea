"""The JobSpecInstallation provider against the emulator, driven the way the engine drives it."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pulumi
import pytest
from pulumi.runtime.rpc import UNKNOWN

from tests.conftest import EmulatorAdmin
from tests.support.driver import ProviderDriver, ship
from zis_pulumi._zendesk import ZendeskClient
from zis_pulumi.errors import ApiError, NotFoundError
from zis_pulumi.job_spec import (
    JobSpecInstallation,
    JobSpecInstallationArgs,
    JobSpecInstallationProvider,
    JobSpecLists,
)
from zis_pulumi.models import JobSpec

INTEGRATION = "acme_sync"
SHORT = "on_ticket_created"
QUALIFIED = f"zis:{INTEGRATION}:job_spec:{SHORT}"
LIST = "GET /api/services/zis/registry/{integration}/job_specs"
INSTALL = "POST /api/services/zis/registry/job_specs/install"
UNINSTALL = "DELETE /api/services/zis/registry/job_specs/install"


def bundle(
    name: str = "acme_sync", job_specs: tuple[str, ...] = (SHORT,), integration: str = INTEGRATION
) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "flow": {
            "type": "ZIS::Flow",
            "properties": {"name": "sync", "definition": {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}},
        }
    }
    for job_spec in job_specs:
        resources[f"job_spec_{job_spec}"] = {
            "type": "ZIS::JobSpec",
            "properties": {
                "name": job_spec,
                "event_source": "support",
                "event_type": "ticket.TicketCreated",
                "flow_name": f"zis:{integration}:flow:sync",
            },
        }
    return {"name": name, "description": "sync", "zis_template_version": "2019-10-14", "resources": resources}


def inputs(**changes: Any) -> dict[str, Any]:
    return {"integration": INTEGRATION, "job_spec_name": SHORT, **changes}


def endpoint_count(admin: EmulatorAdmin, endpoint: str) -> int:
    return int(admin.requests()["by_endpoint"].get(endpoint, 0))


@pytest.fixture
def uploaded(admin: EmulatorAdmin, zendesk: ZendeskClient) -> Iterator[None]:
    """A bundle declaring the job spec, and the emulator's reinstall switch at its default."""
    admin.settings(job_spec_reinstall="ok")
    zendesk.upload_bundle(INTEGRATION, bundle())
    admin.reset(counters_only=True)
    yield
    admin.settings(job_spec_reinstall="ok")


@pytest.fixture
def driver(stack_config: dict[str, str], uploaded: None) -> ProviderDriver:
    return ProviderDriver(JobSpecInstallationProvider(), stack_config)


def installed(zendesk: ZendeskClient, name: str = SHORT) -> bool:
    return next(spec.installed for spec in zendesk.list_job_specs(INTEGRATION) if spec.name == name)


# --- check ----------------------------------------------------------------------------------------

BAD_INPUTS = [
    ("integration", {"integration": "Acme Sync"}),
    ("integration", {"integration": "a" * 65}),
    ("integration", {"integration": 42}),
    ("integration", {"integration": None}),
    ("job_spec_name", {"job_spec_name": ""}),
    ("job_spec_name", {"job_spec_name": None}),
    ("job_spec_name", {"job_spec_name": 7}),
    ("job_spec_name", {"job_spec_name": "on ticket"}),
    ("job_spec_name", {"job_spec_name": "zis:other_integration:job_spec:on_ticket_created"}),
    ("job_spec_name", {"job_spec_name": f"zis:{INTEGRATION}:flow:sync"}),
    ("job_spec_name", {"job_spec_name": f"zis:{INTEGRATION}:job_spec:"}),
    ("colour", {"colour": "blue"}),
]


@pytest.mark.parametrize(("prop", "change"), BAD_INPUTS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(BAD_INPUTS)])
def test_bad_input_is_a_check_failure_naming_the_property_with_no_request(
    driver: ProviderDriver, admin: EmulatorAdmin, prop: str, change: dict[str, Any]
) -> None:
    result = driver.check(inputs(**change))
    assert [f.property for f in result.failures] == [prop], [(f.property, f.reason) for f in result.failures]
    assert result.failures[0].reason
    assert admin.request_count() == 0


def test_check_failure_says_what_is_allowed(driver: ProviderDriver) -> None:
    (name_failure,) = driver.check(inputs(job_spec_name="zis:other:job_spec:x")).failures
    assert "'other'" in name_failure.reason and repr(INTEGRATION) in name_failure.reason
    (integration_failure,) = driver.check(inputs(integration="Acme")).failures
    assert "a-z, 0-9" in integration_failure.reason


def test_check_stores_the_job_spec_name_fully_qualified(driver: ProviderDriver) -> None:
    assert driver.checked(inputs())["job_spec_name"] == QUALIFIED
    assert driver.checked(inputs(job_spec_name=QUALIFIED))["job_spec_name"] == QUALIFIED


def test_check_accepts_unknown_values_during_preview(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    assert driver.check(inputs(integration=UNKNOWN)).failures == []
    assert driver.check(inputs(job_spec_name=UNKNOWN)).inputs["job_spec_name"] == UNKNOWN
    assert admin.request_count() == 0


def test_outputs_declared_by_the_resource_class_are_not_unknown_inputs(driver: ProviderDriver) -> None:
    result = driver.check(inputs(installed=None, event_source=None, flow_name=None))
    assert result.failures == []
    assert set(result.inputs) == {"integration", "job_spec_name"}


# --- diff -----------------------------------------------------------------------------------------


def test_diff_of_unchanged_inputs_is_no_change_and_makes_no_request(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    created = driver.create(inputs())
    admin.reset(counters_only=True)
    assert driver.diff(created.id, created.outs, inputs()).changes is False
    assert driver.diff(created.id, created.outs, inputs(job_spec_name=QUALIFIED)).changes is False
    assert admin.request_count() == 0


def test_integration_or_job_spec_name_change_replaces(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    zendesk.upload_bundle("other_sync", bundle(integration="other_sync"))
    created = driver.create(inputs())
    assert driver.diff(created.id, created.outs, inputs(job_spec_name="other")).replaces == ["job_spec_name"]
    moved = driver.diff(created.id, created.outs, inputs(integration="other_sync"))
    assert moved.changes is True
    assert moved.replaces == ["integration", "job_spec_name"]  # the qualified name names the integration


def test_unknown_input_during_preview_is_a_replacement(driver: ProviderDriver) -> None:
    created = driver.create(inputs())
    diff = driver.provider.diff(created.id, created.outs, {"integration": INTEGRATION, "job_spec_name": UNKNOWN})
    assert diff.changes is True and diff.replaces == ["job_spec_name"]


def test_diff_ignores_the_provider_blob_and_outputs(driver: ProviderDriver) -> None:
    created = driver.create(inputs())
    olds = {**created.outs, "__provider": "old-blob", "installed": False, "event_type": "changed"}
    news = {**driver.checked(inputs()), "__provider": "new-blob"}
    assert driver.provider.diff(created.id, olds, news).changes is False


# --- create ---------------------------------------------------------------------------------------


def test_create_installs_with_the_fully_qualified_name(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    created = driver.create(inputs())
    assert created.id == QUALIFIED
    assert created.outs == {
        "integration": INTEGRATION,
        "job_spec_name": QUALIFIED,
        "installed": True,
        "event_source": "support",
        "event_type": "ticket.TicketCreated",
        "flow_name": f"zis:{INTEGRATION}:flow:sync",
        "description": "",
    }
    log = admin.http.get("/_emulator/requests", params={"log": "1"}).json()["log"]
    installs = [entry for entry in log if entry["method"] == "POST"]
    assert [entry["query"] for entry in installs] == [f"job_spec_name=zis%3A{INTEGRATION}%3Ajob_spec%3A{SHORT}"]
    assert installed(zendesk)


@pytest.mark.parametrize("reinstall", ["ok", "conflict"])
def test_installing_an_installed_job_spec_succeeds(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient, reinstall: str
) -> None:
    admin.settings(job_spec_reinstall=reinstall)
    zendesk.install_job_spec(QUALIFIED)
    created = driver.create(inputs())
    assert created.outs["installed"] is True


def test_create_retried_after_a_lost_install_answer_succeeds(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    admin.settings(job_spec_reinstall="conflict", lost_response_every=1)
    created = driver.create(inputs())
    assert created.outs["installed"] is True
    assert admin.requests()["by_status"].get("lost") == 1


def test_create_of_a_job_spec_no_bundle_declares_explains_the_fix(driver: ProviderDriver) -> None:
    with pytest.raises(ApiError) as raised:
        driver.create(inputs(job_spec_name="not_in_any_bundle"))
    assert raised.value.status == 400
    assert "depends_on" in str(raised.value)
    assert f"zis:{INTEGRATION}:job_spec:not_in_any_bundle" in str(raised.value)


def test_create_of_a_job_spec_past_the_first_page(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    names = tuple(f"job_{i:03}" for i in range(130))
    zendesk.upload_bundle(INTEGRATION, bundle(name="big", job_specs=names))
    created = driver.create(inputs(job_spec_name="job_129"))
    assert created.outs["installed"] is True
    assert driver.read(created.id, created.outs).id == "zis:acme_sync:job_spec:job_129"


# --- read -----------------------------------------------------------------------------------------


def test_read_after_an_unchanged_up_shows_no_change(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    created = driver.create(inputs())
    read = driver.read(created.id, created.outs)
    assert read.id == QUALIFIED
    assert read.outs == created.outs
    assert read.inputs == {"integration": INTEGRATION, "job_spec_name": QUALIFIED}
    admin.reset(counters_only=True)
    assert driver.diff(read.id, read.outs, inputs()).changes is False
    assert admin.request_count() == 0


def test_read_of_an_uninstalled_job_spec_is_gone_and_create_installs_it_again(
    driver: ProviderDriver, zendesk: ZendeskClient
) -> None:
    created = driver.create(inputs())
    zendesk.uninstall_job_spec(QUALIFIED)
    assert driver.read(created.id, created.outs).id == ""
    assert driver.create(inputs()).outs["installed"] is True
    assert installed(zendesk)


def test_read_after_a_bundle_upload_orphaned_the_job_spec_is_gone(
    driver: ProviderDriver, zendesk: ZendeskClient
) -> None:
    created = driver.create(inputs())
    zendesk.upload_bundle(INTEGRATION, bundle())
    read = driver.read(created.id, created.outs)
    assert (read.id, read.outs) == ("", {})


def test_read_of_a_job_spec_whose_bundle_was_deleted_is_gone(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    created = driver.create(inputs())
    uuid = zendesk.find_bundle_uuid(INTEGRATION, "acme_sync")
    assert uuid is not None
    zendesk.delete_bundle(INTEGRATION, uuid)
    assert driver.read(created.id, created.outs).id == ""


def test_read_answered_404_is_gone(driver: ProviderDriver, monkeypatch: pytest.MonkeyPatch) -> None:
    created = driver.create(inputs())

    def not_found(integration: str) -> list[JobSpec]:
        raise NotFoundError(vendor="Zendesk ZIS", status=404, method="GET", url="u", message="Missing Resource")

    monkeypatch.setattr(driver.provider.zendesk, "list_job_specs", not_found)  # type: ignore[attr-defined]
    assert driver.read(created.id, created.outs).id == ""


def test_read_with_only_the_id_finds_the_integration_in_it(driver: ProviderDriver) -> None:
    created = driver.create(inputs())
    assert driver.read(created.id, {}).outs == created.outs


# --- delete ----------------------------------------------------------------------------


def test_delete_uninstalls(driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient) -> None:
    created = driver.create(inputs())
    driver.delete(created.id, created.outs)
    assert not installed(zendesk)
    assert endpoint_count(admin, UNINSTALL) == 1


def test_delete_of_an_uninstalled_job_spec_is_success(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    created = driver.create(inputs())
    zendesk.uninstall_job_spec(QUALIFIED)
    driver.delete(created.id, created.outs)  # the API answers 404
    assert not installed(zendesk)


def test_delete_after_the_bundle_was_deleted_is_success(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    created = driver.create(inputs())
    uuid = zendesk.find_bundle_uuid(INTEGRATION, "acme_sync")
    assert uuid is not None
    zendesk.delete_bundle(INTEGRATION, uuid)
    driver.delete(created.id, created.outs)  # the API answers 400 "invalid job spec"
    assert zendesk.list_job_specs(INTEGRATION) == []


# --- the shared list, and concurrency -------------------------------------------------------------


def test_reads_of_one_integration_share_one_list_call(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    names = tuple(f"job_{i}" for i in range(12))
    zendesk.upload_bundle(INTEGRATION, bundle(job_specs=names))
    created = [driver.create(inputs(job_spec_name=name)) for name in names]
    admin.reset(counters_only=True)
    with ThreadPoolExecutor(4) as pool:
        reads = list(pool.map(lambda c: driver.read(c.id, c.outs), created))
    assert [read.id for read in reads] == [c.id for c in created]
    assert endpoint_count(admin, LIST) == 1


def test_without_the_shared_list_each_read_lists(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    driver.provider.list_cache_seconds = 0  # type: ignore[attr-defined]
    names = tuple(f"job_{i}" for i in range(5))
    zendesk.upload_bundle(INTEGRATION, bundle(job_specs=names))
    created = [driver.create(inputs(job_spec_name=name)) for name in names]
    admin.reset(counters_only=True)
    for c in created:
        driver.read(c.id, c.outs)
    assert endpoint_count(admin, LIST) == 5


def test_an_install_or_uninstall_by_the_provider_drops_the_shared_list(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    zendesk.upload_bundle(INTEGRATION, bundle(job_specs=(SHORT, "second")))
    first = driver.create(inputs())
    second = driver.create(inputs(job_spec_name="second"))
    assert driver.read(first.id, first.outs).id == first.id  # lists, and keeps the list
    driver.delete(second.id, second.outs)  # a write: the kept list is dropped
    assert driver.read(second.id, second.outs).id == ""  # so this read sees the uninstall


def test_shared_list_is_not_stored_when_a_write_happened_during_the_fetch() -> None:
    lists = JobSpecLists()
    spec = JobSpec(name=SHORT, installed=True)

    def fetch_during_which_a_write_happens() -> list[JobSpec]:
        lists.invalidate(INTEGRATION)
        return [spec]

    assert lists.get(INTEGRATION, fetch_during_which_a_write_happens, ttl=60) == [spec]
    fresh = JobSpec(name=SHORT, installed=False)
    assert lists.get(INTEGRATION, lambda: [fresh], ttl=60) == [fresh]
    assert lists.get(INTEGRATION, lambda: [spec], ttl=60) == [fresh]  # now kept


def test_a_list_fetched_after_an_install_finished_serves_that_install() -> None:
    lists = JobSpecLists()
    fetched: list[str] = []

    def fetch() -> list[JobSpec]:
        fetched.append("list")
        return [JobSpec(name=SHORT, installed=True)]

    before = time.monotonic()
    lists.get_since(INTEGRATION, fetch, since=before)
    lists.get_since(INTEGRATION, fetch, since=before)  # finished before that list started: shares it
    assert fetched == ["list"]
    lists.get_since(INTEGRATION, fetch, since=time.monotonic())  # finished after it: a new list
    assert fetched == ["list", "list"]


def test_concurrent_creates_list_less_than_once_each(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    names = tuple(f"job_{i}" for i in range(8))
    zendesk.upload_bundle(INTEGRATION, bundle(job_specs=names))
    admin.settings(latency_ms=30)
    admin.reset(counters_only=True)
    with ThreadPoolExecutor(4) as pool:
        created = list(pool.map(lambda name: driver.create(inputs(job_spec_name=name)), names))
    assert all(c.outs["installed"] and c.outs["flow_name"] for c in created)
    assert endpoint_count(admin, LIST) < len(names)


def test_four_concurrent_creates_and_reads_on_one_provider(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    names = tuple(f"job_{i}" for i in range(8))
    zendesk.upload_bundle(INTEGRATION, bundle(job_specs=names))
    with ThreadPoolExecutor(4) as pool:
        created = list(pool.map(lambda name: driver.create(inputs(job_spec_name=name)), names))
        reads = list(pool.map(lambda c: driver.read(c.id, c.outs), created))
    assert [c.id for c in created] == [f"zis:{INTEGRATION}:job_spec:{name}" for name in names]
    assert all(c.outs["installed"] for c in created)
    assert [read.outs for read in reads] == [c.outs for c in created]
    assert all(spec.installed for spec in zendesk.list_job_specs(INTEGRATION))


# --- the provider blob and the resource -----------------------------------------------------------


def test_the_pickled_provider_holds_no_credential(driver: ProviderDriver, stack_config: dict[str, str]) -> None:
    raw = base64.b64decode(driver.blob)
    for key in ("zendesk:apiToken", "zendesk:oauthToken", "make:apiToken", "zendesk:baseUrl"):
        assert stack_config[key].encode() not in raw
    driver.create(inputs())  # the configured instance now holds clients and a shared list ...
    blob, _ = ship(driver.provider)
    assert blob == driver.blob  # ... and none of it is pickled


def run_with_mocks(mocks: pulumi.runtime.Mocks, program: Callable[[], pulumi.Output[Any]]) -> None:
    pulumi.runtime.set_mocks(mocks, preview=False)
    run: Callable[[Callable[[], pulumi.Output[Any]]], Callable[[], None]] = pulumi.runtime.test  # untyped in the SDK
    run(program)()


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.types: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.types.append(args.typ)
        return "id-1", {**args.inputs, "installed": True, "job_spec_name": QUALIFIED}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def test_the_resource_has_a_readable_type_token_and_typed_outputs() -> None:
    mocks = _Mocks()

    def program() -> pulumi.Output[Any]:
        by_keywords = JobSpecInstallation("a", integration=INTEGRATION, job_spec_name=SHORT)
        by_args = JobSpecInstallation("b", JobSpecInstallationArgs(integration=INTEGRATION, job_spec_name=SHORT))

        def check(values: list[Any]) -> None:
            assert values == [QUALIFIED, True, QUALIFIED]

        return pulumi.Output.all(by_keywords.job_spec_name, by_keywords.installed, by_args.job_spec_name).apply(check)

    run_with_mocks(mocks, program)
    assert mocks.types == ["pulumi-python:dynamic/zis:JobSpecInstallation"] * 2


def test_the_resource_refuses_args_and_keywords_together() -> None:
    with pytest.raises(TypeError):
        JobSpecInstallation("x", JobSpecInstallationArgs(INTEGRATION, SHORT), integration=INTEGRATION)
