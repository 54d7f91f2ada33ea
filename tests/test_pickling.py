"""Any number of this package's resources in one program, despite the SDK's nesting pickler wrappers."""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest
from pulumi.dynamic.dynamic import serialize_provider

import zis_pulumi as zis
from zis_pulumi._pickling import unnest_sorting_pickler
from zis_pulumi.link import LinkProvider

ORIGINAL = pickle._Pickler.__dict__["_batch_setitems"]
RESOURCES = 2500
"""Well over the ~972 resources after which the SDK alone raises RecursionError."""


@pytest.fixture(autouse=True)
def clean_pickler() -> Iterator[None]:
    """Each test starts and ends with the pickler as Python defines it (other tests pickle providers too)."""
    pickle._Pickler._batch_setitems = ORIGINAL  # type: ignore[attr-defined]
    yield
    pickle._Pickler._batch_setitems = ORIGINAL  # type: ignore[attr-defined]


def depth() -> int:
    """How many SDK wrappers are around the original `_batch_setitems`."""
    function = pickle._Pickler.__dict__["_batch_setitems"]
    count = 0
    while function is not ORIGINAL:
        names = function.__code__.co_freevars
        function = function.__closure__[names.index("unsorted_batch_setitems")].cell_contents
        count += 1
    return count


def test_the_sdk_nests_one_wrapper_per_serialized_provider_and_unnesting_removes_them() -> None:
    for _ in range(5):
        serialize_provider(LinkProvider())
    assert depth() == 5  # the SDK defect this module works around (3.259; 3.272 is the same)
    assert unnest_sorting_pickler() == 5
    assert pickle._Pickler.__dict__["_batch_setitems"] is ORIGINAL
    assert unnest_sorting_pickler() == 0


def test_the_pickled_bytes_are_those_of_the_first_call() -> None:
    first = serialize_provider(LinkProvider())
    for _ in range(50):
        unnest_sorting_pickler()
        assert serialize_provider(LinkProvider()) == first
    assert depth() == 1


def test_many_serializations_never_hit_the_recursion_limit() -> None:
    for _ in range(sys.getrecursionlimit() + 500):
        unnest_sorting_pickler()
        serialize_provider(LinkProvider())
    assert depth() == 1


def test_a_wrapper_that_is_not_the_sdks_is_left_in_place() -> None:
    def someone_elses(self: Any, items: Any) -> None:
        ORIGINAL(self, items)

    pickle._Pickler._batch_setitems = someone_elses  # type: ignore[attr-defined]
    serialize_provider(LinkProvider())
    serialize_provider(LinkProvider())
    assert unnest_sorting_pickler() == 2
    assert pickle._Pickler.__dict__["_batch_setitems"] is someone_elses


def test_nothing_to_do_when_the_sdk_restores_the_pickler_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed SDK (one that puts the method back after pickling) leaves nothing to peel off."""
    original_serialize = serialize_provider

    def fixed(provider: Any) -> str:
        before = pickle._Pickler.__dict__["_batch_setitems"]
        try:
            return str(original_serialize(provider))
        finally:
            pickle._Pickler._batch_setitems = before  # type: ignore[attr-defined]

    for _ in range(3):
        fixed(LinkProvider())
        assert unnest_sorting_pickler() == 0
    assert depth() == 0


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.created = 0

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.created += 1
        return f"id-{self.created}", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def test_a_program_constructs_thousands_of_this_packages_resources() -> None:
    mocks = _Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    run: Callable[[Callable[[], pulumi.Output[Any]]], Callable[[], None]] = pulumi.runtime.test  # untyped in the SDK

    def program() -> pulumi.Output[Any]:
        links = [
            zis.Link(
                f"link-{i}",
                integration="acme_sync",
                link_type="ticket_to_issue",
                left_object={"name": f"zendesk:ticket{i}", "metadata": {"i": i}},
                right_object={"name": f"jira:PROJ-{i}"},
            )
            for i in range(RESOURCES)
        ]
        installs = [
            zis.JobSpecInstallation(f"install-{j}", integration="acme_sync", job_spec_name=f"job_{j}")
            for j in range(10)
        ]
        return pulumi.Output.all(links[-1].link_id, installs[-1].id).apply(lambda values: values)

    run(program)()
    assert mocks.created == RESOURCES + 10
    assert depth() == 1
