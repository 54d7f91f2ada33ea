"""The LinkSet provider against the emulator, driven the way the engine drives it."""

from __future__ import annotations

import copy
import json
import math
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import pulumi
import pytest
from pulumi.runtime.rpc import UNKNOWN

from tests.conftest import EmulatorAdmin
from tests.emulator.helpers import SEED_LINK
from tests.support.driver import ProviderDriver
from zis_pulumi._partial import PartialFailure, _status_bytes
from zis_pulumi._zendesk import ZendeskClient
from zis_pulumi.errors import ConfigurationError, ZisPulumiError
from zis_pulumi.link_set import DEFAULT_CONCURRENCY, LinkSet, LinkSetArgs, LinkSetProvider, _names, link_key

INTEGRATION = "acme_sync"
LINK_TYPE = "ticket_to_issue"
LINKS = "/api/services/zis/links/{integration}"
GET, POST, PATCH, DELETE = (f"{method} {LINKS}" for method in ("GET", "POST", "PATCH", "DELETE"))


def entry(i: int, **metadata: Any) -> dict[str, Any]:
    return {
        "left_object": {"name": f"zendesk:ticket{i}", "metadata": {"ticket_id": i}},
        "right_object": {"name": f"jira:PROJ-{i}", "metadata": {"key": f"PROJ-{i}", **metadata}},
    }


def inputs(links: list[Any], **changes: Any) -> dict[str, Any]:
    return {"integration": INTEGRATION, "link_type": LINK_TYPE, "links": copy.deepcopy(links), **changes}


def stored(admin: EmulatorAdmin) -> list[dict[str, Any]]:
    links: dict[str, dict[str, Any]] = admin.state()["zis"]["links"]
    return sorted(links.values(), key=lambda link: link["seq"])


def stored_identities(admin: EmulatorAdmin) -> Counter[tuple[str, str]]:
    return Counter((link["left_object"]["name"], link["right_object"]["name"]) for link in stored(admin))


def records(outs: dict[str, Any]) -> list[dict[str, Any]]:
    """The `links_json` output, read."""
    return [json.loads(text) for text in outs["links_json"]]


def by_endpoint(admin: EmulatorAdmin) -> dict[str, int]:
    counts: dict[str, int] = admin.requests()["by_endpoint"]
    return counts


@pytest.fixture
def driver(stack_config: dict[str, str], admin: EmulatorAdmin) -> ProviderDriver:
    admin.settings(link_duplicate="duplicate")  # the strictest server: a second POST would make a copy
    return ProviderDriver(LinkSetProvider(), stack_config)


# --- check and diff -------------------------------------------------------------------------------

BAD = [
    ("integration", {"integration": "Acme Sync"}),
    ("link_type", {"link_type": "ticket_*"}),
    ("links", {"links": "zendesk:ticket1"}),
    ("links[1]", {"links": [entry(0), "zendesk:ticket1"]}),
    ("links[0].colour", {"links": [{**entry(0), "colour": "blue"}]}),
    ("links[0].left_object.name", {"links": [{**entry(0), "left_object": {"name": "zendesk:*"}}]}),
    ("links[0].right_object", {"links": [{"left_object": {"name": "zendesk:ticket1"}}]}),
    ("links[0].right_object.metadata.key", {"links": [entry(0, key=None)]}),
    ("links[2]", {"links": [entry(0), entry(1), entry(0)]}),
    ("colour", {"colour": "blue"}),
]


@pytest.mark.parametrize(("prop", "change"), BAD, ids=[p for p, _ in BAD])
def test_bad_input_is_a_check_failure_naming_the_property_with_no_request(
    driver: ProviderDriver, admin: EmulatorAdmin, prop: str, change: dict[str, Any]
) -> None:
    result = driver.check({**inputs([entry(0)]), **change})
    assert [f.property for f in result.failures] == [prop], [(f.property, f.reason) for f in result.failures]
    assert admin.request_count() == 0


def test_a_repeated_identity_names_the_first_occurrence(driver: ProviderDriver) -> None:
    (repeat,) = driver.check(inputs([entry(0), entry(1), entry(0)])).failures
    assert "links[0]" in repeat.reason and "zendesk:ticket0 → jira:PROJ-0" in repeat.reason


def test_check_normalises_left_out_metadata_and_accepts_unknowns(driver: ProviderDriver) -> None:
    checked = driver.checked(inputs([{"left_object": {"name": "zendesk:a"}, "right_object": {"name": "jira:b"}}]))
    assert [json.loads(text) for text in checked["links"]] == [
        {"left_object": {"name": "zendesk:a", "metadata": {}}, "right_object": {"name": "jira:b", "metadata": {}}}
    ]
    assert driver.check({**inputs([]), "links": UNKNOWN}).failures == []
    partly_known: list[Any] = [entry(0), UNKNOWN, {**entry(1), "right_object": {"name": UNKNOWN}}]
    result = driver.check(inputs(partly_known))
    assert result.failures == []
    assert result.inputs["links"][1] == UNKNOWN and result.inputs["links"][2]["right_object"]["name"] == UNKNOWN


def test_links_travel_as_json_text_and_check_reads_either_form(driver: ProviderDriver) -> None:
    """The resource class sends each link as one JSON text (the engine's cost is per value); check takes text
    or objects, returns text, and names an entry that is text but no object."""
    as_text = json.dumps(entry(1))
    checked = driver.checked(inputs([entry(0), as_text]))
    assert [json.loads(text) for text in checked["links"]] == [entry(0), entry(1)]
    (bad,) = driver.check(inputs([entry(0), "zendesk:ticket1"])).failures
    assert bad.property == "links[1]" and "must be an object" in bad.reason
    (bad,) = driver.check(inputs([json.dumps({**entry(0), "colour": "blue"})])).failures
    assert bad.property == "links[0].colour"


# --- create -----------------------------------------------------------------------------------------


def test_create_lists_once_then_posts_each_link_concurrently(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    links = [entry(i) for i in range(250)]
    created = driver.create(inputs(links))
    assert created.outs["count"] == 250
    assert by_endpoint(admin) == {GET: 1, POST: 250}
    assert stored_identities(admin) == Counter({(f"zendesk:ticket{i}", f"jira:PROJ-{i}"): 1 for i in range(250)})
    ids = {(link["left_object"]["name"], link["right_object"]["name"]): link["id"] for link in stored(admin)}
    assert created.outs["link_ids"] == {link_key(names): id_ for names, id_ in ids.items()}
    assert [link["link_id"] for link in records(created.outs)] == [
        ids[(f"zendesk:ticket{i}", f"jira:PROJ-{i}")] for i in range(250)
    ]


def test_create_adopts_links_that_exist_already_and_sets_their_metadata(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    by_hand = entry(3, status="by hand")
    zendesk.create_link(INTEGRATION, {"link_type": LINK_TYPE, **by_hand})
    admin.reset(counters_only=True)
    created = driver.create(inputs([entry(i) for i in range(5)]))
    assert by_endpoint(admin) == {GET: 1, POST: 4, PATCH: 1}
    assert stored_identities(admin) == Counter({(f"zendesk:ticket{i}", f"jira:PROJ-{i}"): 1 for i in range(5)})
    adopted = next(link for link in stored(admin) if link["left_object"]["name"] == "zendesk:ticket3")
    assert adopted["right_object"]["metadata"] == {"key": "PROJ-3"}  # the key added by hand is removed
    assert records(created.outs)[3]["right_object"]["metadata"] == {"key": "PROJ-3"}


def test_searches_that_overlap_count_a_link_once(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    """Names without a scheme are grouped by first letter, so `z*` also lists `zendesk:` links: a link found
    by two searches is one link, not a copy to clean up."""
    links = [
        {"left_object": {"name": name}, "right_object": {"name": f"jira:{name}"}}
        for name in ("zendesk:ticket1", "zoo", "zebra")
    ]
    zendesk.create_link(INTEGRATION, {"link_type": LINK_TYPE, **links[0]})
    admin.reset(counters_only=True)
    created = driver.create(inputs(links))
    assert by_endpoint(admin) == {GET: 2, POST: 2}
    assert stored_identities(admin) == Counter({(n, f"jira:{n}"): 1 for n in ("zendesk:ticket1", "zoo", "zebra")})
    assert created.outs["count"] == 3


def test_create_after_lost_answers_makes_no_copy(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    admin.settings(lost_response_every=4)
    created = driver.create(inputs([entry(i) for i in range(40)]))
    assert created.outs["count"] == 40
    assert set(stored_identities(admin).values()) == {1} and len(stored_identities(admin)) == 40


def test_create_honours_429_and_retry_after(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    admin.settings(rate_limit_every=7, retry_after_seconds=0)
    created = driver.create(inputs([entry(i) for i in range(30)]))
    assert created.outs["count"] == 30
    assert admin.requests()["by_status"]["429"] >= 4
    assert len(stored(admin)) == 30


# --- diff and update --------------------------------------------------------------------------------


def test_no_change_diff_makes_no_request(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    created = driver.create(inputs([entry(i) for i in range(20)]))
    admin.reset(counters_only=True)
    assert driver.diff(created.id, created.outs, inputs([entry(i) for i in range(20)])).changes is False
    assert admin.request_count() == 0


def test_a_metadata_change_of_k_links_is_k_patches_with_null_for_removed_keys(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    links = [entry(i, status="open") for i in range(50)]
    created = driver.create(inputs(links))
    touched = range(0, 50, 5)
    for i in touched:
        links[i] = entry(i)  # `status` removed
    diff = driver.diff(created.id, created.outs, inputs(links))
    assert diff.changes is True and diff.replaces == []
    admin.reset(counters_only=True)
    outs = driver.update(created.id, created.outs, inputs(links))
    assert by_endpoint(admin) == {PATCH: len(touched)}
    metadata = {link["left_object"]["name"]: link["right_object"]["metadata"] for link in stored(admin)}
    for i in range(50):
        expected = {"key": f"PROJ-{i}"} if i in touched else {"key": f"PROJ-{i}", "status": "open"}
        assert metadata[f"zendesk:ticket{i}"] == expected
    assert outs["link_ids"] == created.outs["link_ids"]


def test_adds_and_removes_touch_only_those_links(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    created = driver.create(inputs([entry(i) for i in range(10)]))
    wanted = [entry(i) for i in range(2, 13)]  # 0 and 1 removed, 10-12 added
    admin.reset(counters_only=True)
    outs = driver.update(created.id, created.outs, inputs(wanted))
    assert by_endpoint(admin) == {GET: 1, POST: 3, DELETE: 2}
    assert set(stored_identities(admin)) == {(f"zendesk:ticket{i}", f"jira:PROJ-{i}") for i in range(2, 13)}
    assert outs["count"] == 11
    assert [link["left_object"]["name"] for link in records(outs)] == [f"zendesk:ticket{i}" for i in range(2, 13)]


def test_a_changed_identity_is_a_delete_and_a_post_inside_the_set(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    links = [entry(i) for i in range(5)]
    created = driver.create(inputs(links))
    links[2] = {**links[2], "right_object": {"name": "jira:PROJ-200", "metadata": {}}}
    diff = driver.diff(created.id, created.outs, inputs(links))
    assert diff.changes is True and diff.replaces == []
    admin.reset(counters_only=True)
    outs = driver.update(created.id, created.outs, inputs(links))
    assert by_endpoint(admin) == {GET: 1, POST: 1, DELETE: 1}
    assert ("zendesk:ticket2", "jira:PROJ-200") in stored_identities(admin)
    assert ("zendesk:ticket2", "jira:PROJ-2") not in stored_identities(admin)
    assert records(outs)[2]["right_object"]["name"] == "jira:PROJ-200"


def test_the_records_are_text_and_a_state_that_holds_them_as_objects_still_works(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    """`links_json` is one string per link (the engine's cost is per value); a state from before it, which
    kept the records as a `links` list of objects, diffs and updates the same."""
    created = driver.create(inputs([entry(i) for i in range(4)]))
    assert all(isinstance(text, str) for text in created.outs["links_json"]) and "links" not in created.outs
    older = {key: value for key, value in created.outs.items() if key != "links_json"}
    older["links"] = records(created.outs)
    assert driver.diff(created.id, older, inputs([entry(i) for i in range(4)])).changes is False
    admin.reset(counters_only=True)
    outs = driver.update(created.id, older, inputs([entry(0), entry(1), entry(2, status="new")]))
    assert by_endpoint(admin) == {PATCH: 1, DELETE: 1}
    assert [link["right_object"]["metadata"] for link in records(outs)][2] == {"key": "PROJ-2", "status": "new"}


def test_a_changed_integration_or_type_replaces_the_set(driver: ProviderDriver) -> None:
    created = driver.create(inputs([entry(0)]))
    assert driver.diff(created.id, created.outs, inputs([entry(0)], link_type="other")).replaces == ["link_type"]
    assert driver.diff(created.id, created.outs, inputs([entry(0)], integration="other")).replaces == ["integration"]


def test_update_of_a_link_deleted_outside_makes_it_again(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    created = driver.create(inputs([entry(0), entry(1)]))
    zendesk.delete_link(INTEGRATION, LINK_TYPE, "zendesk:ticket1", "jira:PROJ-1")
    outs = driver.update(created.id, created.outs, inputs([entry(0), entry(1, status="new")]))
    assert records(outs)[1]["right_object"]["metadata"] == {"key": "PROJ-1", "status": "new"}
    assert len(stored(admin)) == 2


# --- partial failure and re-run ---------------------------------------------------------------------


def test_a_failed_create_says_exactly_which_links_exist_and_a_rerun_finishes_without_copies(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    wanted = inputs([entry(i) for i in range(60)])
    admin.settings(server_error_probability=0.5, server_error_statuses=[503], seed=12)
    with pytest.raises(PartialFailure) as failed:
        driver.create(wanted)
    admin.settings(server_error_probability=0)
    partial = failed.value.outputs
    assert failed.value.reported is False  # no engine here; in a provider process the engine records it
    listed = {(link["left_object"]["name"], link["right_object"]["name"]) for link in records(partial)}
    assert listed == set(stored_identities(admin))
    assert 0 < partial["count"] < 60
    admin.reset(counters_only=True)
    outs = driver.update(failed.value.resource_id, partial, wanted)
    assert by_endpoint(admin)[POST] == 60 - partial["count"]
    assert outs["count"] == 60
    assert stored_identities(admin) == Counter({(f"zendesk:ticket{i}", f"jira:PROJ-{i}"): 1 for i in range(60)})


def test_a_rerun_after_a_create_that_left_no_state_adopts_instead_of_copying(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    """A killed `up` records nothing: the next create finds the links by listing and adopts them."""
    wanted = inputs([entry(i) for i in range(30)])
    admin.settings(server_error_probability=0.5, server_error_statuses=[503], seed=3)
    with pytest.raises(PartialFailure):
        driver.create(wanted)
    admin.settings(server_error_probability=0)
    made = len(stored(admin))
    admin.reset(counters_only=True)
    outs = driver.create(wanted).outs
    assert by_endpoint(admin) == {GET: 1, POST: 30 - made}
    assert outs["count"] == 30 and set(stored_identities(admin).values()) == {1}


def test_a_failed_update_keeps_removed_links_that_still_exist_in_the_outputs(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    created = driver.create(inputs([entry(i) for i in range(40)]))
    admin.settings(server_error_probability=0.6, server_error_statuses=[500], seed=5)
    with pytest.raises(PartialFailure) as failed:
        driver.update(created.id, created.outs, inputs([]))
    admin.settings(server_error_probability=0)
    listed = {(link["left_object"]["name"], link["right_object"]["name"]) for link in records(failed.value.outputs)}
    assert listed == set(stored_identities(admin)) and listed
    outs = driver.update(created.id, failed.value.outputs, inputs([]))
    assert outs["count"] == 0 and stored(admin) == []


def test_the_partial_failure_detail_is_a_google_rpc_status() -> None:
    status_pb2 = pytest.importorskip("google.rpc.status_pb2")
    status = status_pb2.Status.FromString(_status_bytes("it failed", b"\x0a\x02id"))
    assert (status.code, status.message) == (2, "it failed")
    assert status.details[0].type_url == "type.googleapis.com/pulumirpc.ErrorResourceInitFailed"
    assert status.details[0].value == b"\x0a\x02id"


# --- read and delete --------------------------------------------------------------------------------


def test_refresh_reads_the_set_by_listing_and_sees_changes_made_outside(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    links = [entry(i) for i in range(250)]
    created = driver.create(inputs(links))
    zendesk.patch_link(
        INTEGRATION, LINK_TYPE, "zendesk:ticket7", "jira:PROJ-7", {"right_object": {"metadata": {"x": 1}}}
    )
    zendesk.delete_link(INTEGRATION, LINK_TYPE, "zendesk:ticket9", "jira:PROJ-9")
    admin.reset(counters_only=True)
    read = driver.read(created.id, created.outs)
    assert by_endpoint(admin) == {GET: math.ceil(250 / 100)}
    assert read.id == created.id
    assert read.outs["count"] == 249
    assert records(read.outs)[7]["right_object"]["metadata"] == {"key": "PROJ-7", "x": 1}
    assert "zendesk:ticket9 → jira:PROJ-9" not in read.outs["link_ids"]
    assert len(read.inputs["links"]) == 249
    diff = driver.diff(read.id, read.outs, inputs(links))
    assert diff.changes is True
    admin.reset(counters_only=True)
    driver.update(read.id, read.outs, inputs(links))
    assert by_endpoint(admin) == {GET: 1, POST: 1, PATCH: 1}


def test_refresh_after_an_unchanged_up_shows_no_change(driver: ProviderDriver) -> None:
    created = driver.create(inputs([entry(i) for i in range(5)]))
    read = driver.read(created.id, created.outs)
    assert read.outs == created.outs
    assert driver.diff(read.id, read.outs, inputs([entry(i) for i in range(5)])).changes is False


def test_delete_removes_every_link_and_tolerates_those_already_gone(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    created = driver.create(inputs([entry(i) for i in range(30)]))
    zendesk.delete_link(INTEGRATION, LINK_TYPE, "zendesk:ticket4", "jira:PROJ-4")
    admin.reset(counters_only=True)
    driver.delete(created.id, created.outs)
    assert by_endpoint(admin) == {DELETE: 30}
    assert admin.requests()["by_status"] == {"204": 29, "404": 1}
    assert stored(admin) == []


def test_a_failed_delete_is_an_error_and_a_rerun_finishes(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    created = driver.create(inputs([entry(i) for i in range(30)]))
    admin.settings(server_error_probability=0.5, server_error_statuses=[500], seed=1)
    with pytest.raises(ZisPulumiError, match="DELETEs failed"):
        driver.delete(created.id, created.outs)
    admin.settings(server_error_probability=0)
    driver.delete(created.id, created.outs)
    assert stored(admin) == []


# --- configuration ----------------------------------------------------------------------------------


def test_a_big_set_is_listed_by_narrower_searches_side_by_side(
    stack_config: dict[str, str], admin: EmulatorAdmin
) -> None:
    """1,200 links under four prefixes, a pool 4 wide: one search of 12 pages one after another becomes four
    of 3 pages each (after one opening page), with no link missed and no page more than a tenth extra."""
    driver = ProviderDriver(LinkSetProvider(), {**stack_config, "zendesk:linkSetConcurrency": "4"})
    links = [
        {"left_object": {"name": f"zendesk:t{letter}{i:03d}"}, "right_object": {"name": f"jira:{letter}-{i}"}}
        for letter in "abcd"
        for i in range(300)
    ]
    created = driver.create(inputs(links))
    admin.reset(counters_only=True)
    read = driver.read(created.id, created.outs)
    assert read.outs["count"] == 1200 and read.outs["link_ids"] == created.outs["link_ids"]
    log = admin.http.get("/_emulator/requests", params={"log": "1"}).raise_for_status().json()["log"]
    searches = Counter(
        dict(parse_qsl(record["query"]))["left_object_name"] for record in log if record["method"] == "GET"
    )
    assert searches == {"zendesk:t*": 1, "zendesk:ta*": 3, "zendesk:tb*": 3, "zendesk:tc*": 3, "zendesk:td*": 3}
    assert sum(searches.values()) <= math.ceil(1200 / 100) * 1.1 + 1


def test_concurrency_comes_from_stack_config_or_the_default(stack_config: dict[str, str]) -> None:
    assert ProviderDriver(LinkSetProvider(), stack_config).provider.concurrency() == DEFAULT_CONCURRENCY  # type: ignore[attr-defined]
    configured = ProviderDriver(LinkSetProvider(), {**stack_config, "zendesk:linkSetConcurrency": "3"})
    assert configured.provider.concurrency() == 3  # type: ignore[attr-defined]
    for bad in ("0", "many", "99"):
        wrong = ProviderDriver(LinkSetProvider(), {**stack_config, "zendesk:linkSetConcurrency": bad})
        with pytest.raises(ConfigurationError, match="zendesk:linkSetConcurrency"):
            wrong.provider.concurrency()  # type: ignore[attr-defined]


# --- the resource -----------------------------------------------------------------------------------


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.types: list[str] = []
        self.links: dict[str, list[Any]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.types.append(args.typ)
        self.links[args.name] = list(args.inputs["links"])
        links = [json.loads(text) for text in args.inputs["links"]]  # the class sends each link as text
        ids = {link_key(_names(link)): f"L{i}" for i, link in enumerate(links)}
        return "set-1", {**args.inputs, "count": len(links), "link_ids": ids}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def test_the_resource_has_its_type_token_and_typed_outputs() -> None:
    mocks = _Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    run: Callable[[Callable[[], pulumi.Output[Any]]], Callable[[], None]] = pulumi.runtime.test  # untyped in the SDK

    def program() -> pulumi.Output[Any]:
        by_keywords = LinkSet("set", integration=INTEGRATION, link_type=LINK_TYPE, links=[entry(0), entry(1)])
        by_args = LinkSet("args", LinkSetArgs(INTEGRATION, LINK_TYPE, [entry(2)]))

        def check(values: list[Any]) -> None:
            assert values[0] == 2
            assert values[1] == {"zendesk:ticket0 → jira:PROJ-0": "L0", "zendesk:ticket1 → jira:PROJ-1": "L1"}
            assert values[2] == 1

        return pulumi.Output.all(by_keywords.count, by_keywords.link_ids, by_args.count).apply(check)

    run(program)()
    assert mocks.types == ["pulumi-python:dynamic/zis:LinkSet"] * 2
    with pytest.raises(TypeError):
        LinkSet("both", LinkSetArgs(INTEGRATION, LINK_TYPE, []), integration=INTEGRATION)


def test_the_resource_sends_each_link_as_text_once_its_outputs_resolve() -> None:
    """A link holding another resource's output is sent as text when that output is known."""
    mocks = _Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    run: Callable[[Callable[[], pulumi.Output[Any]]], Callable[[], None]] = pulumi.runtime.test  # untyped in the SDK

    def program() -> pulumi.Output[Any]:
        computed = {**entry(1), "right_object": {"name": pulumi.Output.from_input("jira:PROJ-1"), "metadata": {}}}
        link_set = LinkSet("set", integration=INTEGRATION, link_type=LINK_TYPE, links=[entry(0), computed])
        return link_set.count.apply(lambda count: count == 2)

    run(program)()
    sent = mocks.links["set"]
    assert all(isinstance(text, str) for text in sent)
    assert json.loads(sent[0]) == entry(0)
    assert json.loads(sent[1])["right_object"] == {"name": "jira:PROJ-1", "metadata": {}}


def test_the_reference_pages_example_link_goes_through_a_set_as_text(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    """The Create Link reference page's example body, sent as the resource class sends it (JSON text):
    stored with its metadata as given, integers as integers, and read back the same."""
    sides = {side: SEED_LINK[side] for side in ("left_object", "right_object")}
    wanted = {"integration": INTEGRATION, "link_type": SEED_LINK["link_type"], "links": [json.dumps(sides)]}
    created = driver.create(wanted)
    (link,) = stored(admin)
    assert link["left_object"]["metadata"] == {"ID": 123} and link["right_object"]["metadata"] == {"ID": 456}
    assert isinstance(link["left_object"]["metadata"]["ID"], int)
    assert records(created.outs)[0]["right_object"] == {"name": "external:object1", "metadata": {"ID": 456}}
    assert driver.diff(created.id, created.outs, wanted).changes is False
