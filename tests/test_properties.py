"""Property tests (hypothesis) of the pure parts of diff and validation: they hold for every input, not just the
examples the other tests pick.

- Link metadata: the PATCH the provider sends, merged the way the Links API documents (a key left out stays, a key
  sent as null goes: https://developer.zendesk.com/api-reference/integration-services/links/links), gives exactly
  the declared metadata; equal metadata needs no PATCH.
- Make sections: Make answers with JSONC text (comments, its own layout:
  https://developers.make.com/api-documentation/api-reference/sdk-apps/connections); the comparison treats that
  text as the value it spells, ignores key order, whole-number spelling and null members, and still tells values
  apart (`true` is not `1`).
- Whole numbers: numbers cross the engine as doubles (`30` arrives `30.0`); `whole_numbers`, which every request
  body goes through, gives back the ints.
- check: whatever the program declares, `check` answers with failures naming properties, never with an exception.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from zis_pulumi._numbers import canonical, same, whole_numbers
from zis_pulumi.app_connection import AppConnectionProvider, parse_jsonc
from zis_pulumi.bundle import BundleProvider
from zis_pulumi.job_spec import JobSpecInstallationProvider
from zis_pulumi.link import LinkProvider, metadata_patch

KEYS = st.text(min_size=1, max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=10,
)
NOT_NULL = JSON.filter(lambda value: value is not None)
METADATA = st.dictionaries(KEYS, NOT_NULL, max_size=6)
# No deadline: the machines running the suite are shared, and a slow example is not a wrong one.
PROPERTY = settings(max_examples=50, deadline=None)


def merged(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """The Links API's PATCH of metadata: keys left out stay, keys sent as null are removed, others are set."""
    result = dict(current)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


@PROPERTY
@given(current=METADATA, declared=METADATA)
def test_the_metadata_patch_makes_the_stored_metadata_exactly_the_declared(
    current: dict[str, Any], declared: dict[str, Any]
) -> None:
    patch = metadata_patch(current, declared)
    assert merged(current, patch) == declared
    assert set(patch) <= set(current) | set(declared)
    assert all(key not in current or current[key] != declared.get(key) for key in patch)  # nothing needless


@PROPERTY
@given(metadata=METADATA)
def test_equal_metadata_needs_no_patch(metadata: dict[str, Any]) -> None:
    assert metadata_patch(metadata, dict(metadata)) == {}


def floated(value: Any) -> Any:
    """The value as it crosses the engine: every number a double."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {k: floated(v) for k, v in value.items()}
    if isinstance(value, list):
        return [floated(v) for v in value]
    return value


def jsonc(value: Any) -> str:
    """`value` written the way Make writes sections: indented, with comment lines between the lines."""
    lines = json.dumps(value, indent=4).splitlines()
    return "\n".join(f"// line {i}\n{line}" for i, line in enumerate(lines)) + "\n/* end */\n"


def reordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(v) for v in value]
    return value


@PROPERTY
@given(value=JSON)
def test_a_section_read_back_as_jsonc_is_the_same_value(value: Any) -> None:
    text = jsonc(value)
    assert same(parse_jsonc(text), value)


@PROPERTY
@given(value=JSON)
def test_key_order_and_number_spelling_do_not_make_values_differ(value: Any) -> None:
    assert same(reordered(value), value)
    assert same(floated(value), value)


@PROPERTY
@given(members=st.dictionaries(KEYS, NOT_NULL, max_size=5), nulls=st.lists(KEYS, max_size=3))
def test_null_members_do_not_make_objects_differ(members: dict[str, Any], nulls: list[str]) -> None:
    with_nulls = {**{key: None for key in nulls}, **members}
    assert same(with_nulls, members)


@PROPERTY
@given(value=JSON, extra=NOT_NULL)
def test_a_changed_value_is_seen_as_changed(value: Any, extra: Any) -> None:
    assert not same([value], [value, extra])
    assert not same({"k": value}, {"k": [value]})


@PROPERTY
@given(flag=st.booleans())
def test_a_boolean_is_never_the_same_as_a_number(flag: bool) -> None:
    assert not same(flag, int(flag))
    assert not same(flag, float(flag))
    assert canonical(flag) != canonical(int(flag))


def ints_only(value: Any) -> bool:
    """True when `value` holds no non-whole float (what a program that writes `30` declares)."""
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(ints_only(v) for v in value.values())
    if isinstance(value, list):
        return all(ints_only(v) for v in value)
    return True


@PROPERTY
@given(value=JSON.filter(ints_only))
def test_whole_numbers_come_back_as_the_ints_that_were_declared(value: Any) -> None:
    back = whole_numbers(floated(value))
    assert back == value
    assert json.dumps(back, sort_keys=True) == json.dumps(value, sort_keys=True)  # 30, not 30.0


@PROPERTY
@given(value=JSON)
def test_normalising_numbers_twice_changes_nothing(value: Any) -> None:
    once = whole_numbers(value)
    assert json.dumps(whole_numbers(once), sort_keys=True) == json.dumps(once, sort_keys=True)


PROVIDERS = (BundleProvider, JobSpecInstallationProvider, LinkProvider, AppConnectionProvider)
DECLARED = st.dictionaries(
    st.sampled_from(
        [
            "integration",
            "name",
            "description",
            "resources",
            "zis_template_version",
            "job_spec_name",
            "link_type",
            "left_object",
            "right_object",
            "app_name",
            "type",
            "label",
            "api",
            "parameters",
            "common",
            "surprise",
        ]
    ),
    JSON,
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(news=DECLARED)
def test_check_answers_any_input_with_named_failures_not_an_exception(news: dict[str, Any]) -> None:
    for provider_class in PROVIDERS:
        result = provider_class().check({}, dict(news))
        for failure in result.failures or []:
            # A failure about a secret input names it in its reason only (the engine would print the value).
            named = failure.property or failure.reason.partition(":")[0]
            assert isinstance(failure.reason, str) and failure.reason and named


@PROPERTY
@given(
    metadata_before=METADATA,
    metadata_after=METADATA,
    name=st.text(min_size=1, max_size=10),
    renamed=st.text(min_size=1, max_size=10),
)
def test_a_link_diff_replaces_for_a_new_name_and_only_updates_for_new_metadata(
    metadata_before: dict[str, Any], metadata_after: dict[str, Any], name: str, renamed: str
) -> None:
    def link(left_name: str, metadata: dict[str, Any]) -> dict[str, Any]:
        return {
            "integration": "acme_sync",
            "link_type": "ticket_to_issue",
            "left_object": {"name": left_name, "metadata": metadata},
            "right_object": {"name": "jira:PROJ-1", "metadata": {}},
        }

    provider = LinkProvider()
    same_name = provider.diff("id", link(name, metadata_before), link(name, metadata_after))
    assert not same_name.replaces
    assert bool(same_name.changes) == (metadata_before != metadata_after)

    other_name = provider.diff("id", link(name, metadata_before), link(renamed, metadata_after))
    if renamed != name:
        assert other_name.changes and other_name.replaces == ["left_object"]
