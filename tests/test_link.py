"""The Link provider against the emulator, driven the way the engine drives it."""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pulumi
import pytest
from pulumi.runtime.rpc import UNKNOWN

from tests.conftest import EmulatorAdmin
from tests.support.driver import ProviderDriver, ship
from zis_pulumi._http import may_have_happened
from zis_pulumi._zendesk import ZendeskClient
from zis_pulumi.errors import ApiError, NotFoundError, TransportError
from zis_pulumi.link import Link, LinkArgs, LinkProvider, metadata_patch
from zis_pulumi.models import Link as WireLink

INTEGRATION = "acme_sync"
LINK_TYPE = "ticket_to_issue"
LEFT = "zendesk:ticket1"
RIGHT = "jira:PROJ-1"
LINKS = "/api/services/zis/links/{integration}"
DUPLICATE_MODES = ["conflict", "unprocessable", "duplicate"]


def inputs(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "integration": INTEGRATION,
        "link_type": LINK_TYPE,
        "left_object": {"name": LEFT, "metadata": {"id": 1}},
        "right_object": {"name": RIGHT, "metadata": {"key": "PROJ-1", "status": "open"}},
    }
    base.update(changes)
    return base


def body_of(props: dict[str, Any]) -> dict[str, Any]:
    """The POST body a person would send for the same link."""
    return {key: copy.deepcopy(props[key]) for key in ("link_type", "left_object", "right_object")}


def stored_links(admin: EmulatorAdmin) -> list[dict[str, Any]]:
    links: dict[str, dict[str, Any]] = admin.state()["zis"]["links"]
    return sorted(links.values(), key=lambda link: link["seq"])


def requests_by_endpoint(admin: EmulatorAdmin) -> dict[str, int]:
    by_endpoint: dict[str, int] = admin.requests()["by_endpoint"]
    return by_endpoint


@pytest.fixture
def driver(stack_config: dict[str, str], admin: EmulatorAdmin) -> Iterator[ProviderDriver]:
    admin.settings(link_duplicate="unprocessable")
    yield ProviderDriver(LinkProvider(), stack_config)
    admin.settings(link_duplicate="unprocessable")


# --- check ----------------------------------------------------------------------------------------

BAD_INPUTS = [
    ("integration", {"integration": "Acme Sync"}),
    ("integration", {"integration": None}),
    ("link_type", {"link_type": ""}),
    ("link_type", {"link_type": None}),
    ("link_type", {"link_type": 5}),
    ("link_type", {"link_type": "ticket_*"}),
    ("left_object", {"left_object": None}),
    ("left_object", {"left_object": LEFT}),
    ("left_object.name", {"left_object": {"metadata": {}}}),
    ("left_object.name", {"left_object": {"name": ""}}),
    ("left_object.name", {"left_object": {"name": 12}}),
    ("left_object.name", {"left_object": {"name": "zendesk:*"}}),
    ("right_object.name", {"right_object": {"name": "jira:PROJ-*"}}),
    ("right_object.metadata", {"right_object": {"name": RIGHT, "metadata": "key=PROJ-1"}}),
    ("right_object.metadata", {"right_object": {"name": RIGHT, "metadata": [1, 2]}}),
    ("right_object.metadata.status", {"right_object": {"name": RIGHT, "metadata": {"status": None}}}),
    ("left_object.colour", {"left_object": {"name": LEFT, "colour": "blue"}}),
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


def test_check_explains_the_wildcard_refusal(driver: ProviderDriver) -> None:
    (wildcard,) = driver.check(inputs(left_object={"name": "zendesk:ticket*"})).failures
    assert "wildcard" in wildcard.reason and "exactly one" in wildcard.reason


def test_check_normalises_left_out_metadata_to_an_empty_object(driver: ProviderDriver) -> None:
    checked = driver.checked(inputs(left_object={"name": LEFT}, right_object={"name": RIGHT, "metadata": None}))
    assert checked["left_object"] == {"name": LEFT, "metadata": {}}
    assert checked["right_object"] == {"name": RIGHT, "metadata": {}}


def test_another_links_output_object_is_accepted_without_its_name_attrs(driver: ProviderDriver) -> None:
    output_object = {"name": LEFT, "metadata": {"id": 1}, "name_attrs": {"zendesk": "ticket1"}}
    checked = driver.checked(inputs(left_object=output_object))
    assert checked["left_object"] == {"name": LEFT, "metadata": {"id": 1}}


def test_check_accepts_unknown_values_during_preview(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    assert driver.check(inputs(integration=UNKNOWN, link_type=UNKNOWN, right_object=UNKNOWN)).failures == []
    assert driver.check(inputs(left_object={"name": UNKNOWN, "metadata": {"id": UNKNOWN}})).failures == []
    assert driver.check(inputs(left_object={"name": LEFT, "metadata": UNKNOWN})).failures == []
    assert admin.request_count() == 0


def test_outputs_declared_by_the_resource_class_are_not_unknown_inputs(driver: ProviderDriver) -> None:
    result = driver.check(inputs(link_id=None, account_id=None, created_at=None, updated_at=None))
    assert result.failures == []
    assert set(result.inputs) == {"integration", "link_type", "left_object", "right_object"}


# --- diff -----------------------------------------------------------------------------------------


def test_diff_of_unchanged_inputs_is_no_change_and_makes_no_request(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    created = driver.create(inputs())
    admin.reset(counters_only=True)
    diff = driver.diff(created.id, created.outs, inputs())
    assert diff.changes is False and diff.replaces == []
    assert admin.request_count() == 0


def test_diff_ignores_server_filled_fields_and_the_provider_blob(driver: ProviderDriver) -> None:
    created = driver.create(inputs())
    olds = {**created.outs, "__provider": "old", "updated_at": "2000-01-01T00:00:00Z", "account_id": 9}
    assert olds["left_object"]["name_attrs"] == {"zendesk": "ticket1"}
    news = {**driver.checked(inputs()), "__provider": "new"}
    assert driver.provider.diff(created.id, olds, news).changes is False


@pytest.mark.parametrize(
    ("change", "replaced"),
    [
        ({"integration": "other_sync"}, "integration"),
        ({"link_type": "ticket_to_epic"}, "link_type"),
        ({"left_object": {"name": "zendesk:ticket2", "metadata": {"id": 1}}}, "left_object"),
        ({"right_object": {"name": "jira:PROJ-2", "metadata": {"key": "PROJ-1", "status": "open"}}}, "right_object"),
    ],
)
def test_an_identity_change_replaces(driver: ProviderDriver, change: dict[str, Any], replaced: str) -> None:
    created = driver.create(inputs())
    diff = driver.diff(created.id, created.outs, inputs(**change))
    assert diff.changes is True and diff.replaces == [replaced]


def test_a_metadata_change_is_an_update(driver: ProviderDriver) -> None:
    created = driver.create(inputs())
    diff = driver.diff(created.id, created.outs, inputs(right_object={"name": RIGHT, "metadata": {"key": "PROJ-1"}}))
    assert diff.changes is True and diff.replaces == []


def test_unknown_values_during_preview_are_changes(driver: ProviderDriver) -> None:
    created = driver.create(inputs())
    news = driver.checked(inputs())
    unknown_metadata = {**news, "left_object": {"name": LEFT, "metadata": {"id": UNKNOWN}}}
    unknown_name = {**news, "left_object": {"name": UNKNOWN, "metadata": {"id": 1}}}
    unknown_object = {**news, "right_object": UNKNOWN}
    assert driver.provider.diff(created.id, created.outs, unknown_metadata).replaces == []
    assert driver.provider.diff(created.id, created.outs, unknown_metadata).changes is True
    assert driver.provider.diff(created.id, created.outs, unknown_name).replaces == ["left_object"]
    assert driver.provider.diff(created.id, created.outs, unknown_object).replaces == ["right_object"]


# --- create ---------------------------------------------------------------------------------------


def test_create_makes_the_link_and_returns_its_outputs(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    created = driver.create(inputs())
    outs = created.outs
    assert created.id == outs["link_id"]
    assert outs["left_object"] == {"name": LEFT, "metadata": {"id": 1}, "name_attrs": {"zendesk": "ticket1"}}
    assert outs["right_object"]["name_attrs"] == {"jira": "PROJ-1"}
    assert outs["account_id"] is not None and outs["created_at"] and outs["updated_at"]
    assert (outs["integration"], outs["link_type"]) == (INTEGRATION, LINK_TYPE)
    assert [link["id"] for link in stored_links(admin)] == [created.id]


def test_create_lists_the_existing_links_once_then_posts(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    driver.create(inputs())
    assert requests_by_endpoint(admin) == {f"GET {LINKS}": 1, f"POST {LINKS}": 1}


def test_names_that_need_url_encoding_round_trip(driver: ProviderDriver) -> None:
    left = {"name": "zendesk:ticket 1&view=x?y#z", "metadata": {}}
    created = driver.create(inputs(left_object=left))
    read = driver.read(created.id, created.outs)
    assert read.id == created.id
    assert read.outs["left_object"]["name"] == left["name"]
    driver.delete(created.id, created.outs)
    assert driver.read(created.id, created.outs).id == ""


@pytest.mark.parametrize("duplicate_mode", DUPLICATE_MODES)
def test_create_adopts_a_link_made_by_hand_and_sets_its_metadata(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient, duplicate_mode: str
) -> None:
    admin.settings(link_duplicate=duplicate_mode)
    by_hand = body_of(inputs())
    by_hand["right_object"]["metadata"] = {"key": "PROJ-1", "added_by_hand": True}
    existing = zendesk.create_link(INTEGRATION, by_hand)
    created = driver.create(inputs())
    assert created.id == str(existing.id)
    assert created.outs["right_object"]["metadata"] == {"key": "PROJ-1", "status": "open"}
    links = stored_links(admin)
    assert len(links) == 1
    assert links[0]["right_object"]["metadata"] == {"key": "PROJ-1", "status": "open"}


@pytest.mark.parametrize("duplicate_mode", DUPLICATE_MODES)
def test_create_after_a_lost_answer_adopts_the_link_instead_of_making_a_second(
    driver: ProviderDriver, admin: EmulatorAdmin, duplicate_mode: str
) -> None:
    admin.settings(link_duplicate=duplicate_mode, lost_response_every=1)
    created = driver.create(inputs())
    admin.settings(lost_response_every=0)
    links = stored_links(admin)
    assert [link["id"] for link in links] == [created.id]
    assert admin.requests()["by_status"].get("lost") == 1
    assert created.outs["right_object"]["metadata"] == {"key": "PROJ-1", "status": "open"}


@pytest.mark.parametrize("duplicate_mode", DUPLICATE_MODES)
def test_create_retried_by_the_engine_after_a_failed_create_adopts_the_link(
    driver: ProviderDriver, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch, duplicate_mode: str
) -> None:
    """The first `up` committed the link but failed before reporting it; the next `up` creates again."""
    admin.settings(link_duplicate=duplicate_mode, lost_response_every=1)
    zendesk = driver.provider.zendesk  # type: ignore[attr-defined]
    real_find = zendesk.find_links
    calls = {"n": 0}

    def find_links_failing_after_the_post(*args: Any, **kwargs: Any) -> list[WireLink]:
        calls["n"] += 1
        if calls["n"] == 2:  # the look-up after the lost answer fails too
            raise TransportError("GET", "http://zendesk/links", "network down")
        return list(real_find(*args, **kwargs))

    monkeypatch.setattr(zendesk, "find_links", find_links_failing_after_the_post)
    with pytest.raises(TransportError):
        driver.create(inputs())
    admin.settings(lost_response_every=0)
    created = driver.create(inputs())
    assert [link["id"] for link in stored_links(admin)] == [created.id]


@pytest.mark.parametrize("duplicate_mode", ["conflict", "unprocessable"])
def test_create_that_loses_a_race_to_someone_else_adopts_their_link(
    driver: ProviderDriver,
    admin: EmulatorAdmin,
    zendesk: ZendeskClient,
    monkeypatch: pytest.MonkeyPatch,
    duplicate_mode: str,
) -> None:
    admin.settings(link_duplicate=duplicate_mode)
    provider_client = driver.provider.zendesk  # type: ignore[attr-defined]
    real_find = provider_client.find_links
    calls = {"n": 0}

    def someone_creates_it_right_after_the_look_up(*args: Any, **kwargs: Any) -> list[WireLink]:
        found = list(real_find(*args, **kwargs))
        calls["n"] += 1
        if calls["n"] == 1:
            zendesk.create_link(INTEGRATION, body_of(inputs(left_object={"name": LEFT, "metadata": {"id": 99}})))
        return found

    monkeypatch.setattr(provider_client, "find_links", someone_creates_it_right_after_the_look_up)
    created = driver.create(inputs())
    assert created.outs["left_object"]["metadata"] == {"id": 1}
    assert [link["id"] for link in stored_links(admin)] == [created.id]
    assert requests_by_endpoint(admin)[f"POST {LINKS}"] == 2  # theirs, and our refused one


def test_create_adopting_several_copies_keeps_one(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    admin.settings(link_duplicate="duplicate")
    for _ in range(3):
        zendesk.create_link(INTEGRATION, body_of(inputs()))
    created = driver.create(inputs())
    assert [link["id"] for link in stored_links(admin)] == [created.id]


def test_a_failed_post_that_is_not_ambiguous_is_raised_without_a_retry(
    driver: ProviderDriver, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(driver.provider.zendesk, "find_links", lambda *args, **kwargs: [])  # type: ignore[attr-defined]
    with pytest.raises(ApiError) as raised:
        driver.provider.create(inputs(integration="Not Valid"))  # past check, so the API refuses the POST
    assert raised.value.status == 400
    assert requests_by_endpoint(admin) == {f"POST {LINKS}": 1}


def test_ambiguous_failures_are_lost_answers_and_gateway_errors() -> None:
    def api_error(status: int) -> ApiError:
        return ApiError(vendor="Zendesk ZIS", status=status, method="POST", url="u", message="m")

    assert may_have_happened(TransportError("POST", "u", "RemoteProtocolError"))
    assert all(may_have_happened(api_error(status)) for status in (500, 502, 503, 504))
    assert not any(may_have_happened(api_error(status)) for status in (400, 401, 403, 404, 409, 422, 429, 501))


# --- update ---------------------------------------------------------------------------------------


def test_metadata_key_removed_is_sent_as_null(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    created = driver.create(inputs())
    admin.reset(counters_only=True)
    news = inputs(right_object={"name": RIGHT, "metadata": {"key": "PROJ-1"}})
    outs = driver.update(created.id, created.outs, news)
    assert outs["right_object"]["metadata"] == {"key": "PROJ-1"}
    assert outs["link_id"] == created.id
    assert stored_links(admin)[0]["right_object"]["metadata"] == {"key": "PROJ-1"}
    assert requests_by_endpoint(admin) == {f"PATCH {LINKS}": 1}


def test_metadata_patch_sends_null_for_removed_keys_and_only_what_changed() -> None:
    current = {"key": "PROJ-1", "status": "open", "n": 1}
    assert metadata_patch(current, {"key": "PROJ-1", "n": 2, "new": [1]}) == {"status": None, "n": 2, "new": [1]}
    assert metadata_patch(current, current) == {}


def test_update_removes_keys_added_by_hand_so_metadata_is_exactly_as_declared(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    created = driver.create(inputs())
    zendesk.patch_link(INTEGRATION, LINK_TYPE, LEFT, RIGHT, {"left_object": {"metadata": {"by_hand": "x"}}})
    news = inputs(left_object={"name": LEFT, "metadata": {"id": 2}})
    outs = driver.update(created.id, created.outs, news)
    assert outs["left_object"]["metadata"] == {"id": 2}
    assert stored_links(admin)[0]["left_object"]["metadata"] == {"id": 2}


def test_update_of_a_link_deleted_by_hand_makes_it_again(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    created = driver.create(inputs())
    zendesk.delete_link(INTEGRATION, LINK_TYPE, LEFT, RIGHT)
    news = inputs(left_object={"name": LEFT, "metadata": {"id": 2}})
    outs = driver.update(created.id, created.outs, news)
    assert outs["link_id"] != created.id
    assert outs["left_object"]["metadata"] == {"id": 2}
    assert driver.read(created.id, outs).id == outs["link_id"]


# --- read -----------------------------------------------------------------------------------------


def test_refresh_after_an_unchanged_up_shows_no_change(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    created = driver.create(inputs())
    read = driver.read(created.id, created.outs)
    assert read.id == created.id
    assert read.outs == created.outs
    assert read.inputs == driver.checked(inputs())
    admin.reset(counters_only=True)
    assert driver.diff(read.id, read.outs, inputs()).changes is False
    assert admin.request_count() == 0


def test_metadata_drift_made_outside_shows_after_refresh(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    created = driver.create(inputs())
    zendesk.patch_link(INTEGRATION, LINK_TYPE, LEFT, RIGHT, {"right_object": {"metadata": {"status": "closed"}}})
    read = driver.read(created.id, created.outs)
    assert read.outs["right_object"]["metadata"] == {"key": "PROJ-1", "status": "closed"}
    assert read.inputs["right_object"]["metadata"]["status"] == "closed"
    diff = driver.diff(read.id, read.outs, inputs())
    assert diff.changes is True and diff.replaces == []
    outs = driver.update(read.id, read.outs, inputs())
    assert outs["right_object"]["metadata"] == {"key": "PROJ-1", "status": "open"}


def test_read_of_a_deleted_link_is_gone(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    created = driver.create(inputs())
    zendesk.delete_link(INTEGRATION, LINK_TYPE, LEFT, RIGHT)
    read = driver.read(created.id, created.outs)
    assert (read.id, read.outs) == ("", {})


def test_read_answered_404_is_gone(driver: ProviderDriver, monkeypatch: pytest.MonkeyPatch) -> None:
    created = driver.create(inputs())

    def not_found(*args: Any, **kwargs: Any) -> list[WireLink]:
        raise NotFoundError(vendor="Zendesk ZIS", status=404, method="GET", url="u", message="Not Found")

    monkeypatch.setattr(driver.provider.zendesk, "find_links", not_found)  # type: ignore[attr-defined]
    monkeypatch.setattr(driver.provider.zendesk, "links_page", not_found)  # type: ignore[attr-defined]
    assert driver.read(created.id, created.outs).id == ""


def test_read_finds_the_link_by_its_exact_identity(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    created = driver.create(inputs())
    zendesk.create_link(INTEGRATION, body_of(inputs(left_object={"name": LEFT + "0", "metadata": {}})))
    zendesk.create_link(INTEGRATION, body_of(inputs(right_object={"name": RIGHT + "0", "metadata": {}})))
    zendesk.delete_link(INTEGRATION, LINK_TYPE, LEFT, RIGHT)
    assert driver.read(created.id, created.outs).id == ""


def test_read_of_a_link_made_again_by_hand_reports_its_new_id(driver: ProviderDriver, zendesk: ZendeskClient) -> None:
    created = driver.create(inputs())
    zendesk.delete_link(INTEGRATION, LINK_TYPE, LEFT, RIGHT)
    again = zendesk.create_link(INTEGRATION, body_of(inputs()))
    read = driver.read(created.id, created.outs)
    assert read.id == str(again.id) != created.id
    assert read.outs["link_id"] == read.id


def test_read_among_copies_reports_the_one_in_the_state(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    admin.settings(link_duplicate="duplicate")
    created = driver.create(inputs())
    zendesk.create_link(INTEGRATION, body_of(inputs()))
    zendesk.create_link(INTEGRATION, body_of(inputs()))
    oldest, *_ = [link["id"] for link in stored_links(admin)]
    newest = stored_links(admin)[-1]["id"]
    assert driver.read(newest, created.outs).id == newest
    assert driver.read("no-longer-there", created.outs).id == oldest == created.id  # the first listed


# --- delete ---------------------------------------------------------------------------------------


def test_delete_removes_the_link(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    created = driver.create(inputs())
    driver.delete(created.id, created.outs)
    assert stored_links(admin) == []


def test_delete_of_a_link_already_gone_is_success(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    created = driver.create(inputs())
    zendesk.delete_link(INTEGRATION, LINK_TYPE, LEFT, RIGHT)
    admin.reset(counters_only=True)
    driver.delete(created.id, created.outs)
    assert admin.requests()["by_status"] == {"404": 1}


def test_delete_is_one_request_and_leaves_a_copy_made_by_hand(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    admin.settings(link_duplicate="duplicate")
    created = driver.create(inputs())
    zendesk.create_link(INTEGRATION, body_of(inputs()))  # a second copy, made outside Pulumi
    admin.reset(counters_only=True)
    driver.delete(created.id, created.outs)
    assert admin.requests()["by_endpoint"] == {"DELETE /api/services/zis/links/{integration}": 1}
    assert [link["left_object"]["name"] for link in stored_links(admin)] == ["zendesk:ticket1"]


def test_four_concurrent_creates_and_reads_on_one_provider(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    wanted = [inputs(left_object={"name": f"zendesk:ticket{i}", "metadata": {"i": i}}) for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        created = list(pool.map(driver.create, wanted))
        reads = list(pool.map(lambda c: driver.read(c.id, c.outs), created))
    assert [c.outs["left_object"]["metadata"] for c in created] == [{"i": i} for i in range(8)]
    assert [read.id for read in reads] == [c.id for c in created]
    assert sorted(link["id"] for link in stored_links(admin)) == sorted(c.id for c in created)


def test_the_pickled_provider_holds_no_credential(driver: ProviderDriver, stack_config: dict[str, str]) -> None:
    raw = base64.b64decode(driver.blob)
    for key in ("zendesk:apiToken", "zendesk:oauthToken", "make:apiToken", "zendesk:baseUrl"):
        assert stack_config[key].encode() not in raw
    driver.create(inputs())  # the configured instance now holds a client ...
    assert ship(driver.provider)[0] == driver.blob  # ... and it is not pickled


def run_with_mocks(mocks: pulumi.runtime.Mocks, program: Callable[[], pulumi.Output[Any]]) -> None:
    pulumi.runtime.set_mocks(mocks, preview=False)
    run: Callable[[Callable[[], pulumi.Output[Any]]], Callable[[], None]] = pulumi.runtime.test  # untyped in the SDK
    run(program)()


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.types: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.types.append(args.typ)
        left = {**args.inputs["left_object"], "name_attrs": {"zendesk": "ticket1"}}
        return "L1", {**args.inputs, "link_id": "L1", "left_object": left}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def test_the_resource_has_a_readable_type_token_and_typed_outputs() -> None:
    mocks = _Mocks()

    def program() -> pulumi.Output[Any]:
        link = Link(
            "ticket1-to-jira",
            integration=INTEGRATION,
            link_type=LINK_TYPE,
            left_object={"name": LEFT, "metadata": {"id": 1}},
            right_object={"name": RIGHT, "metadata": {"key": "PROJ-1"}},
        )
        by_args = Link("b", LinkArgs(INTEGRATION, LINK_TYPE, {"name": LEFT}, {"name": RIGHT}))

        def check(values: list[Any]) -> None:
            assert values[0] == "L1"
            assert values[1]["name_attrs"] == {"zendesk": "ticket1"}
            assert values[2] == LINK_TYPE

        return pulumi.Output.all(link.link_id, link.left_object, by_args.link_type).apply(check)

    run_with_mocks(mocks, program)
    assert mocks.types == ["pulumi-python:dynamic/zis:Link"] * 2


def test_creates_share_one_listing_of_existing_links_per_type_and_prefix(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    admin.settings(link_duplicate="duplicate")
    zendesk.create_link(
        INTEGRATION, body_of(inputs(left_object={"name": "zendesk:ticket7", "metadata": {"by": "hand"}}))
    )
    admin.reset(counters_only=True)
    with ThreadPoolExecutor(4) as pool:
        created = list(
            pool.map(
                lambda n: driver.create(inputs(left_object={"name": f"zendesk:ticket{n}", "metadata": {"n": n}})),
                range(1, 21),
            )
        )
    by_endpoint = requests_by_endpoint(admin)
    # One listing of `zendesk:*`, one exact look-up and one PATCH for the adopted ticket7, 19 POSTs.
    assert by_endpoint == {f"GET {LINKS}": 2, f"POST {LINKS}": 19, f"PATCH {LINKS}": 1}
    assert len(stored_links(admin)) == 20
    assert {c.outs["left_object"]["metadata"]["n"] for c in created} == set(range(1, 21))


# --- refresh of many links shares one listing ---------------------------------------------------


def make_links(driver: ProviderDriver, count: int) -> list[Any]:
    wanted = [inputs(left_object={"name": f"zendesk:ticket{i}", "metadata": {"i": i}}) for i in range(count)]
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(driver.create, wanted))


def test_refresh_of_many_links_shares_one_listing_instead_of_a_get_each(
    driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    created = make_links(driver, 250)
    admin.reset(counters_only=True)
    with ThreadPoolExecutor(4) as pool:
        reads = list(pool.map(lambda c: driver.read(c.id, c.outs), created))
    assert [read.id for read in reads] == [c.id for c in created]
    assert [read.outs for read in reads] == [c.outs for c in created]
    # 250 links of `zendesk:*` are 3 pages; a read may pay for one page, so a few early reads may GET their own.
    assert requests_by_endpoint(admin)[f"GET {LINKS}"] <= 3 + 4


def test_refresh_by_listing_sees_links_changed_and_deleted_outside(
    driver: ProviderDriver, admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    created = make_links(driver, 120)
    admin.settings(link_duplicate="duplicate")
    zendesk.patch_link(INTEGRATION, LINK_TYPE, "zendesk:ticket7", RIGHT, {"left_object": {"metadata": {"i": 70}}})
    zendesk.delete_link(INTEGRATION, LINK_TYPE, "zendesk:ticket9", RIGHT)
    again = zendesk.create_link(INTEGRATION, body_of(inputs(left_object={"name": "zendesk:ticket11", "metadata": {}})))
    reads = [driver.read(c.id, c.outs) for c in created]
    assert reads[7].outs["left_object"]["metadata"] == {"i": 70}
    assert reads[7].inputs["left_object"]["metadata"] == {"i": 70}
    assert (reads[9].id, reads[9].outs) == ("", {})
    assert reads[11].id == created[11].id != str(again.id)  # copies: the one in the state is reported
    assert all(read.outs == c.outs for i, (read, c) in enumerate(zip(reads, created, strict=True)) if i not in (7, 9))


def test_a_write_by_the_provider_drops_the_shared_listing(driver: ProviderDriver, admin: EmulatorAdmin) -> None:
    created = make_links(driver, 3)
    assert driver.read(created[0].id, created[0].outs).outs == created[0].outs  # the listing is read
    news = inputs(left_object={"name": "zendesk:ticket0", "metadata": {"i": 100}})
    outs = driver.update(created[0].id, created[0].outs, news)
    admin.reset(counters_only=True)
    read = driver.read(created[0].id, outs)
    assert read.outs["left_object"]["metadata"] == {"i": 100}
    assert admin.request_count() == 1  # listed afresh
