"""One remote object, one resource: the registry of the provider process, and each provider's use of it.

The engine tests (tests/engine/test_ownership_stack.py) run the same through the real CLI; these pin down the
rules one by one, with the emulator counting requests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pulumi
import pytest
from pulumi.runtime.rpc import UNKNOWN

from tests.conftest import EmulatorAdmin
from tests.support.driver import ProviderDriver
from tests.test_bundle import bundle_inputs, flow, job_spec
from tests.test_job_spec import bundle as job_spec_bundle
from tests.test_link_set import records
from zis_pulumi import _ownership as ownership
from zis_pulumi._ownership import OWNER_INPUT, Registry
from zis_pulumi._urns import describe_urn
from zis_pulumi._zendesk import ZendeskClient
from zis_pulumi.bundle import Bundle, BundleProvider
from zis_pulumi.job_spec import JobSpecInstallation, JobSpecInstallationProvider
from zis_pulumi.link import Link, LinkProvider
from zis_pulumi.link_set import LinkSetProvider

STACK_URN = "urn:pulumi:dev::proj::"
A = f"{STACK_URN}pulumi-python:dynamic/zis:Link::a"
B = f"{STACK_URN}pulumi-python:dynamic/zis:Link::b"
INTEGRATION = "acme_sync"
LINK = ("acme_sync", "ticket_to_issue", "zendesk:ticket1", "jira:PROJ-1")


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    ownership.REGISTRY.clear()
    yield
    ownership.REGISTRY.clear()


def link_inputs(owner: str | None = None, **changes: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "integration": INTEGRATION,
        "link_type": "ticket_to_issue",
        "left_object": {"name": "zendesk:ticket1", "metadata": {"id": 1}},
        "right_object": {"name": "jira:PROJ-1", "metadata": {}},
        **changes,
    }
    if owner is not None:
        props[OWNER_INPUT] = owner
    return props


def writes(admin: EmulatorAdmin) -> dict[str, int]:
    by_endpoint: dict[str, int] = admin.requests()["by_endpoint"]
    return {endpoint: n for endpoint, n in by_endpoint.items() if not endpoint.startswith("GET ")}


# --- the registry --------------------------------------------------------------------------------------


def test_the_same_owner_declaring_again_is_no_conflict() -> None:
    registry = Registry()
    assert registry.declare("link", [LINK], A) == {}
    assert registry.declare("link", [LINK], A) == {}
    assert registry.owner("link", LINK) == A


def test_a_second_owner_gets_the_first_and_records_nothing() -> None:
    registry = Registry()
    other = ("acme_sync", "ticket_to_issue", "zendesk:ticket2", "jira:PROJ-2")
    registry.declare("link", [LINK], A)
    assert registry.declare("link", [other, LINK], B) == {LINK: A}
    assert registry.owner("link", LINK) == A
    assert registry.owner("link", other) is None


def test_kinds_are_separate() -> None:
    registry = Registry()
    registry.declare("bundle", [("acme_sync", "sync")], A)
    assert registry.declare("job spec", [("acme_sync", "sync")], B) == {}


def test_a_set_of_identities_clashes_with_a_single_one_of_the_same_kind() -> None:
    """How a link set declares its links: one call, many identities, caught against a Link's."""
    registry = Registry()
    many = [("acme_sync", "ticket_to_issue", f"zendesk:ticket{n}", f"jira:PROJ-{n}") for n in range(1, 4)]
    registry.declare("link", many, A)
    assert registry.declare("link", [("acme_sync", "ticket_to_issue", "zendesk:ticket2", "jira:PROJ-2")], B) == {
        many[1]: A
    }


def test_declaring_again_replaces_what_the_owner_declared_before() -> None:
    registry = Registry()
    moved = ("acme_sync", "ticket_to_issue", "zendesk:ticket1", "jira:PROJ-9")
    registry.declare("link", [LINK], A)
    registry.declare("link", [moved], A)
    assert registry.owner("link", LINK) is None
    assert registry.declare("link", [LINK], B) == {}


def test_concurrent_declarations_of_one_identity_have_one_winner() -> None:
    registry = Registry()
    owners = [f"{STACK_URN}pulumi-python:dynamic/zis:Link::r{n}" for n in range(32)]
    start = threading.Barrier(8)

    def declare(owner: str) -> bool:
        if owners.index(owner) < 8:
            start.wait()
        return not registry.declare("link", [LINK], owner)

    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(declare, owners))
    assert won.count(True) == 1
    assert registry.owner("link", LINK) == owners[won.index(True)]


def test_take_owner_removes_the_hidden_input_and_ignores_an_unknown_one() -> None:
    assert ownership.take_owner({"a": 1, OWNER_INPUT: A}) == ({"a": 1}, A)
    assert ownership.take_owner({"a": 1, OWNER_INPUT: UNKNOWN}) == ({"a": 1}, None)
    assert ownership.take_owner({"a": 1}) == ({"a": 1}, None)


def test_a_urn_is_named_by_its_short_type_and_name() -> None:
    assert describe_urn(A) == 'zis:Link "a"'
    child = "urn:pulumi:dev::proj::acme:index:Tenant$pulumi-python:dynamic/zis:Bundle::eu-sync"
    assert describe_urn(child) == 'zis:Bundle "eu-sync"'


# --- the providers: duplicates at check -------------------------------------------------------------


def test_two_links_declaring_one_identity_fail_the_second_check_naming_both(admin: EmulatorAdmin) -> None:
    provider = LinkProvider()
    assert provider.check({}, link_inputs(A)).failures == []
    failures = provider.check({}, link_inputs(B, right_object={"name": "jira:PROJ-1", "metadata": {"x": 1}})).failures
    assert len(failures) == 1
    assert "'zendesk:ticket1' → 'jira:PROJ-1'" in failures[0].reason
    assert 'zis:Link "a"' in failures[0].reason and A in failures[0].reason
    assert provider.check({}, link_inputs(A)).failures == []  # the first, checked again
    assert admin.request_count() == 0


def test_check_leaves_the_hidden_input_out_of_the_inputs() -> None:
    for provider, news in (
        (LinkProvider(), link_inputs(A)),
        (BundleProvider(), {**bundle_inputs(), OWNER_INPUT: A}),
        (JobSpecInstallationProvider(), {"integration": INTEGRATION, "job_spec_name": "x", OWNER_INPUT: A}),
    ):
        result = provider.check({}, news)
        assert result.failures == [] and OWNER_INPUT not in result.inputs


def test_a_link_whose_identity_is_unknown_yet_declares_nothing() -> None:
    provider = LinkProvider()
    assert provider.check({}, link_inputs(A, integration=UNKNOWN)).failures == []
    assert provider.check({}, link_inputs(B, integration=UNKNOWN)).failures == []
    assert ownership.declared(ownership.LINK, LINK) is None


def test_a_check_without_an_owner_declares_nothing() -> None:
    provider = LinkProvider()
    assert provider.check({}, link_inputs()).failures == []
    assert provider.check({}, link_inputs(B)).failures == []


def test_two_bundles_of_one_name_in_one_integration_fail() -> None:
    provider = BundleProvider()
    assert provider.check({}, {**bundle_inputs(), OWNER_INPUT: A}).failures == []
    failures = provider.check({}, {**bundle_inputs(description="other"), OWNER_INPUT: B}).failures
    assert [f.reason.split(",")[0] for f in failures] == [
        f"declares the ZIS bundle {bundle_inputs()['name']!r} of integration {INTEGRATION!r}"
    ]
    resources = {"the_flow": flow(), "the_job_spec": job_spec(integration="other_sync")}
    other_integration = {**bundle_inputs(integration="other_sync", resources=resources), OWNER_INPUT: B}
    assert provider.check({}, other_integration).failures == []


def test_a_short_and_a_qualified_job_spec_name_are_one_job_spec() -> None:
    provider = JobSpecInstallationProvider()
    short = {"integration": INTEGRATION, "job_spec_name": "on_ticket_created", OWNER_INPUT: A}
    qualified = {**short, "job_spec_name": f"zis:{INTEGRATION}:job_spec:on_ticket_created", OWNER_INPUT: B}
    assert provider.check({}, short).failures == []
    failures = provider.check({}, qualified).failures
    assert len(failures) == 1 and f"zis:{INTEGRATION}:job_spec:on_ticket_created" in failures[0].reason


# --- the providers: delete keeps what another resource of the run declares -------------------------------


def test_delete_of_a_link_another_resource_declares_leaves_it(
    stack_config: dict[str, str], admin: EmulatorAdmin, capsys: pytest.CaptureFixture[str]
) -> None:
    driver = ProviderDriver(LinkProvider(), stack_config)
    created = driver.create(link_inputs())
    driver.check(link_inputs(B))  # the renamed resource, checked in this run
    admin.reset(counters_only=True)
    driver.delete(created.id, created.outs)
    assert writes(admin) == {}
    assert len(admin.state()["zis"]["links"]) == 1
    assert "declares it in this run" in capsys.readouterr().err


def test_delete_with_nothing_declared_deletes(stack_config: dict[str, str], admin: EmulatorAdmin) -> None:
    """`pulumi destroy`, or a resource removed from the program: nobody checked declares the link."""
    driver = ProviderDriver(LinkProvider(), stack_config)
    created = driver.create(link_inputs())
    driver.check(link_inputs(B, left_object={"name": "zendesk:ticket2"}))
    driver.delete(created.id, created.outs)
    assert admin.state()["zis"]["links"] == {}


def test_delete_of_a_bundle_another_resource_declares_leaves_it_and_its_job_specs(
    stack_config: dict[str, str], admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    bundles = ProviderDriver(BundleProvider(), stack_config)
    created = bundles.create(bundle_inputs())
    bundles.check({**bundle_inputs(), OWNER_INPUT: B})
    admin.reset(counters_only=True)
    bundles.delete(created.id, created.outs)
    assert writes(admin) == {}
    assert zendesk.find_bundle_uuid(INTEGRATION, bundle_inputs()["name"]) == created.id


def test_delete_of_an_installation_another_resource_declares_leaves_it_installed(
    stack_config: dict[str, str], admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    zendesk.upload_bundle(INTEGRATION, job_spec_bundle())
    installs = ProviderDriver(JobSpecInstallationProvider(), stack_config)
    created = installs.create({"integration": INTEGRATION, "job_spec_name": "on_ticket_created"})
    installs.check({"integration": INTEGRATION, "job_spec_name": "on_ticket_created", OWNER_INPUT: B})
    admin.reset(counters_only=True)
    installs.delete(created.id, created.outs)
    assert writes(admin) == {}
    assert [spec.installed for spec in zendesk.list_job_specs(INTEGRATION)] == [True]


# --- the providers: a create that finds its object says so ------------------------------------------------


def test_a_create_that_adopts_says_so_naming_the_object_and_the_resource(
    stack_config: dict[str, str], zendesk: ZendeskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    zendesk.create_link(INTEGRATION, {key: link_inputs()[key] for key in ("link_type", "left_object", "right_object")})
    zendesk.upload_bundle(INTEGRATION, job_spec_bundle())
    zendesk.install_job_spec(f"zis:{INTEGRATION}:job_spec:on_ticket_created")
    capsys.readouterr()

    links = ProviderDriver(LinkProvider(), stack_config)
    links.provider.create(links.checked(link_inputs(B)))
    installs = ProviderDriver(JobSpecInstallationProvider(), stack_config)
    installs.create({"integration": INTEGRATION, "job_spec_name": "on_ticket_created"})
    bundles = ProviderDriver(BundleProvider(), stack_config)
    bundles.create(bundle_inputs(name=job_spec_bundle()["name"]))

    said = capsys.readouterr().err.splitlines()
    assert said[0].startswith(
        "zis-pulumi: zis:Link \"b\" adopted the existing ZIS link 'ticket_to_issue' 'zendesk:ticket1' → 'jira:PROJ-1'"
    )
    assert said[1].startswith(
        f"zis-pulumi: adopted the existing installation of ZIS job spec zis:{INTEGRATION}:job_spec:on_ticket_created"
    )
    assert said[2].startswith(f"zis-pulumi: adopted the existing ZIS bundle 'acme_sync' of integration {INTEGRATION!r}")
    assert len(said) == 3


def test_a_create_of_a_new_object_says_nothing(
    stack_config: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    ProviderDriver(LinkProvider(), stack_config).create(link_inputs())
    ProviderDriver(BundleProvider(), stack_config).create(bundle_inputs())
    assert capsys.readouterr().err == ""


# --- the resource classes pass their URN --------------------------------------------------------------


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        self.registered.append(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        return {}, None


def test_each_resource_passes_the_urn_it_is_registered_under() -> None:
    """A child's URN is its parent's type chain plus its own type and name (the engine's rule; the mocks give
    children other URNs, so the expectation is built from the parent's)."""
    mocks = _Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    parents: list[str] = []

    class Tenant(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("acme:index:Tenant", name)
            self.urn.apply(parents.append)
            child = pulumi.ResourceOptions(parent=self)
            Link(f"{name}-link", **link_inputs(), opts=child)
            Bundle(f"{name}-bundle", **bundle_inputs(), opts=child)
            JobSpecInstallation(f"{name}-install", integration=INTEGRATION, job_spec_name="x", opts=child)

    @pulumi.runtime.test
    def run() -> Any:
        Tenant("eu")
        return pulumi.Output.from_input(None)

    run()
    chain = parents[0].rsplit("::", 1)[0]
    owners = {args.name: args.inputs.get(OWNER_INPUT) for args in mocks.registered if args.typ != "acme:index:Tenant"}
    assert owners == {
        "eu-link": f"{chain}$pulumi-python:dynamic/zis:Link::eu-link",
        "eu-bundle": f"{chain}$pulumi-python:dynamic/zis:Bundle::eu-bundle",
        "eu-install": f"{chain}$pulumi-python:dynamic/zis:JobSpecInstallation::eu-install",
    }


# --- zis.LinkSet: its links belong to it as a Link's link belongs to the Link -------------------------------

SET = f"{STACK_URN}pulumi-python:dynamic/zis:LinkSet::tickets"


def set_inputs(owner: str | None, *tickets: int) -> dict[str, Any]:
    props: dict[str, Any] = {
        "integration": INTEGRATION,
        "link_type": "ticket_to_issue",
        "links": [
            {"left_object": {"name": f"zendesk:ticket{t}"}, "right_object": {"name": f"jira:PROJ-{t}"}} for t in tickets
        ],
    }
    if owner is not None:
        props[OWNER_INPUT] = owner
    return props


def test_a_link_set_and_a_link_declaring_one_link_fail_naming_both(admin: EmulatorAdmin) -> None:
    assert LinkProvider().check({}, link_inputs(A)).failures == []
    failures = LinkSetProvider().check({}, set_inputs(SET, 2, 1)).failures
    assert len(failures) == 1
    assert failures[0].property == "links"
    assert "'zendesk:ticket1' → 'jira:PROJ-1'" in failures[0].reason and 'zis:Link "a"' in failures[0].reason
    assert "ticket2" not in failures[0].reason
    assert admin.request_count() == 0


def test_two_link_sets_declaring_one_link_fail(admin: EmulatorAdmin) -> None:
    provider = LinkSetProvider()
    assert provider.check({}, set_inputs(SET, 1, 2)).failures == []
    other = f"{STACK_URN}pulumi-python:dynamic/zis:LinkSet::more"
    failures = provider.check({}, set_inputs(other, 2, 3)).failures
    assert len(failures) == 1 and "'zendesk:ticket2'" in failures[0].reason
    assert provider.check({}, set_inputs(SET, 1, 2)).failures == []  # the first, checked again
    assert OWNER_INPUT not in provider.check({}, set_inputs(SET, 1, 2)).inputs


def test_delete_of_a_link_set_leaves_the_links_another_resource_declares(
    stack_config: dict[str, str], admin: EmulatorAdmin, capsys: pytest.CaptureFixture[str]
) -> None:
    driver = ProviderDriver(LinkSetProvider(), stack_config)
    created = driver.create(set_inputs(None, 1, 2, 3))
    LinkProvider().check({}, link_inputs(B))  # ticket1's link moved into a zis.Link in this run
    driver.delete(created.id, created.outs)
    left = [link["left_object"]["name"] for link in admin.state()["zis"]["links"].values()]
    assert left == ["zendesk:ticket1"]
    assert "left 1 ZIS link(s)" in capsys.readouterr().err


def test_a_link_removed_from_a_set_that_another_resource_declares_stays(
    stack_config: dict[str, str], admin: EmulatorAdmin
) -> None:
    driver = ProviderDriver(LinkSetProvider(), stack_config)
    created = driver.create(set_inputs(None, 1, 2, 3))
    LinkProvider().check({}, link_inputs(B))
    outs = driver.update(created.id, created.outs, driver.checked(set_inputs(None, 2, 3)))
    assert [entry["left_object"]["name"] for entry in records(outs)] == ["zendesk:ticket2", "zendesk:ticket3"]
    assert outs["count"] == 2
    assert len(admin.state()["zis"]["links"]) == 3
    assert not [endpoint for endpoint in writes(admin) if endpoint.startswith("DELETE ")]
