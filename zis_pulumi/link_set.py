"""Many ZIS links of one integration and type as one resource: `zis.LinkSet`.

A stack of thousands of `zis.Link` resources is slow for reasons no provider can fix (the file backend
rewrites the whole state after every step, so an `up` costs about n²). A LinkSet is one resource whatever
its size, and runs its own requests concurrently: a bounded thread pool, `DEFAULT_CONCURRENCY` wide unless
stack config `zendesk:linkSetConcurrency` (or ZENDESK_LINK_SET_CONCURRENCY) says otherwise.

Each link in the set behaves as a `zis.Link` would (the same validation, identity, adoption and PATCH
rules: `link.validate` and the request steps of `_link_requests`): diff compares the state's links with the
declared ones by identity, so an added link is a POST, a removed one a DELETE, a metadata change a PATCH
(`null` for removed keys), and a changed name is a DELETE plus a POST inside the set. A no-change preview
makes no request.

Before a link is POSTed, the provider looks for an existing one with its identity (one listing of the
set's left-name prefix, 100 a page, when that is cheaper than a GET per link) and adopts what it finds:
that is how a re-run after a killed `up` finishes the job without a second copy. A create or update that
fails part-way reports what it did to the engine (`_partial`), so the state lists exactly the links that
exist; the next `up` does only what is left. Refresh reads the set by listing, not by a GET per link, a big
listing cut into narrower searches read side by side (`_split`). Links travel to the engine and back as JSON
text, one per link (`RECORDS` says why).

Rate limits: Zendesk answers 429 with `Retry-After` when an account's per-minute budget is spent (the limit
is per account and plan, e.g. 400 requests a minute on Support Professional, 700 on Enterprise and 2,500
with the High Volume add-on: https://developer.zendesk.com/api-reference/introduction/rate-limits; the ZIS
reference points to the same mechanism: https://developer.zendesk.com/api-reference/integration-services/introduction).
The HTTP layer waits as told and retries, so the pool only bounds how many requests are in flight.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from inspect import isawaitable
from typing import Any, TypedDict, TypeVar

import pulumi
import pulumi.dynamic as dynamic
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from . import _ownership as ownership
from ._link_requests import SIDES, LinkIdentity, LinkRequests
from ._partial import raise_partial_failure
from ._provider import BaseProvider, contains_unknown, failure, is_unknown, not_inputs, plain
from ._resource import Out, inputs_from, registered
from ._unknowns import contains_output
from .config import ZENDESK_LINK_SET_CONCURRENCY, lookup_from
from .errors import ConfigurationError, NotFoundError, ZisPulumiError
from .link import LinkObjectArgs, validate
from .models import Link as WireLink

__all__ = ["LinkSet", "LinkSetArgs", "LinkSetEntryArgs", "LinkSetProvider"]

INPUTS = ("integration", "link_type", "links")
OUTPUTS = ("count", "link_ids", "links_json")
ENTRY_FIELDS = ("left_object", "right_object")
DEFAULT_CONCURRENCY = 8
"""Requests a LinkSet keeps in flight: enough to hide a SaaS API's latency, few enough that the account's
per-minute limit, not the pool, is what a big set runs into (and 429 + Retry-After then paces it)."""
MAX_CONCURRENCY = 16
"""The HTTP client's connection pool; more workers would only wait for a connection."""
PAGE_SIZE = 100
RECORDS = "links_json"
"""The output that records each link as ZIS holds it: one compact JSON text per link, in declared order.

The engine's cost grows with the number of values in a resource's properties, not their size: it marshals,
logs and checkpoints each value at every step, so 10,000 links as objects (ten values each) cost it several
times what 10,000 strings do. So a set carries its links as text both ways: the resource class sends each
declared link as one JSON text (`_as_text`), and the record the provider diffs against is this output. The
readable outputs are `count` and `link_ids`. A state written before either existed holds objects, which
`LinkSetProvider.members` reads as well."""

Names = tuple[str, str]
"""A link's identity within a set: (left object name, right object name)."""
T = TypeVar("T")


def link_key(names: Names) -> str:
    """The key of a link in the `link_ids` output: `left → right`."""
    return f"{names[0]} → {names[1]}"


@dataclass(frozen=True)
class _Plan:
    """What an apply does, by identity: POST (after a look for an existing copy), DELETE, PATCH."""

    adds: list[Names]
    removes: list[Names]
    patches: list[Names]

    def __bool__(self) -> bool:
        return bool(self.adds or self.removes or self.patches)


def _metadata_to_send(entry: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The declared metadata of both sides of an entry: the one place the set shapes what it sends."""
    declared: dict[str, dict[str, Any]] = {}
    for side in SIDES:
        link_object = entry.get(side)
        metadata = link_object.get("metadata") if isinstance(link_object, Mapping) else None
        declared[side] = dict(metadata) if isinstance(metadata, Mapping) else {}
    return declared


def _names(entry: Mapping[str, Any]) -> Names:
    return (str(entry["left_object"]["name"]), str(entry["right_object"]["name"]))


def _entry_from(link: WireLink) -> dict[str, Any]:
    """A link as the set's `links` output holds it."""
    return {
        "left_object": {"name": link.left_object.name, "metadata": plain(link.left_object.metadata or {})},
        "right_object": {"name": link.right_object.name, "metadata": plain(link.right_object.metadata or {})},
        "link_id": str(link.id),
    }


def _record(entry: Mapping[str, Any]) -> str:
    """One link as compact JSON text: a `links_json` entry (`{"left_object": …, "right_object": …,
    "link_id": …}`) or a declared link (`_as_text`)."""
    return json.dumps(entry, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _as_text(entry: Any) -> Any:
    """A declared link as the engine carries it: compact JSON text (see `RECORDS`). What is not a plain JSON
    object (a string, a number, a value json cannot write) is left as given, for check to name."""
    if not isinstance(entry, Mapping) or contains_unknown(entry):  # an unknown must stay one the engine sees
        return entry
    try:
        return _record(entry)
    except (TypeError, ValueError):
        return entry


def _from_text(entry: Any) -> Any:
    """A declared link as check and the plan read it: the object a JSON text holds, else the value as given."""
    if isinstance(entry, str) and entry.startswith("{"):
        try:
            return json.loads(entry)
        except ValueError:
            return entry
    return entry


def _links_as_text(links: Any) -> Any:
    """The `links` input as the resource registers it: each link one JSON text. A link that holds another
    resource's output becomes text once that resolves (unknown at preview until then)."""
    if isinstance(links, pulumi.Output) or isawaitable(links):
        return pulumi.Output.from_input(links).apply(
            lambda resolved: [_as_text(entry) for entry in resolved] if isinstance(resolved, list) else resolved
        )
    if not isinstance(links, Sequence) or isinstance(links, str | bytes):
        return links
    return [
        pulumi.Output.from_input(entry).apply(_as_text) if contains_output(entry) else _as_text(entry)
        for entry in links
    ]


def _listing_prefix(names: Iterable[str]) -> str:
    """The longest prefix the left names share (never empty: a group shares at least its first character)."""
    ordered = sorted(names)
    first, last = ordered[0], ordered[-1]
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    return first[:length]


def _groups(names: Iterable[Names]) -> dict[str, list[Names]]:
    """Names grouped by left-name scheme (`zendesk:` …, as `zis.Link` groups its look-ups), each with the search
    that lists it: the longest prefix the group shares, then `*`."""
    by_scheme: dict[str, list[Names]] = {}
    for pair in names:
        left = pair[0]
        scheme = left.split(":", 1)[0] + ":" if ":" in left else left[:1]
        by_scheme.setdefault(scheme, []).append(pair)
    return {_listing_prefix(left for left, _ in group) + "*": group for group in by_scheme.values()}


def _pages_for(members: Sequence[Names]) -> int:
    return max(1, math.ceil(len(members) / PAGE_SIZE))


def _rounds(groups: Mapping[str, Sequence[Names]], width: int) -> int:
    """How many page reads one after another a set of searches takes in a pool `width` wide (a search's pages
    are read in order, so its own page count is a floor)."""
    pages = [_pages_for(members) for members in groups.values()]
    return max(max(pages), math.ceil(sum(pages) / width))


def _split(pattern: str, group: list[Names], width: int) -> dict[str, list[Names]]:
    """A big group's search cut into narrower ones, so its pages can be read side by side.

    Cursor pages of one search come one after another; searches for disjoint prefixes do not. The biggest
    group is cut by the character after its prefix (a name equal to the prefix gets an exact search) while
    that takes fewer rounds of the pool and adds at most a tenth to the one search's pages (each cut group
    costs at most one partly filled page more), so a refresh of 10,000 links stays near 100 requests.
    """
    groups = {pattern: group}
    single = _pages_for(group)
    allowed = single + math.ceil(single / 10)
    while True:
        biggest = max(groups, key=lambda key: len(groups[key]))
        members = groups[biggest]
        if not biggest.endswith("*") or len(members) <= 2 * PAGE_SIZE:
            break
        prefix = biggest[:-1]
        cut: dict[str, list[Names]] = {}
        for pair in members:
            left = pair[0]
            cut.setdefault(left[: len(prefix) + 1] + "*" if len(left) > len(prefix) else prefix, []).append(pair)
        if len(cut) == 1:  # every member has the same left name: nothing to cut on
            break
        candidate = {key: value for key, value in groups.items() if key != biggest}
        for key, sub in cut.items():
            narrowed = _listing_prefix(left for left, _ in sub) + "*" if key.endswith("*") else key
            candidate.setdefault(narrowed, []).extend(sub)
        pages = sum(_pages_for(sub) for sub in candidate.values())
        if _rounds(candidate, width) >= _rounds(groups, width) or pages > allowed:
            break
        groups = candidate
    return groups


def _read_on(pages: Iterator[list[WireLink]], read: list[WireLink], budget: int) -> list[WireLink] | None:
    """The rest of a search's pages after `read`; None once it would take more than `budget` pages in all."""
    links = list(read)
    for number, page in enumerate(pages, start=2 if read else 1):
        if number > budget:
            return None
        links.extend(page)
    return links


class LinkSetProvider(BaseProvider):
    """Creates (or adopts), patches, reads and deletes the links of a set, many at a time, always by identity."""

    # --- the set's identities: the one place they are enumerated (check, create, update, read, delete) ----

    def members(self, props: Mapping[str, Any]) -> dict[Names, dict[str, Any]]:
        """The set's links by identity, from inputs (`links`) or outputs (`links_json`), in declared order.

        Every operation goes through here, so a rule about which links a set may hold belongs here.
        """
        records = props.get(RECORDS)
        links = records if isinstance(records, Sequence) and not isinstance(records, str) else props.get("links")
        if not isinstance(links, Sequence) or isinstance(links, str):
            return {}
        entries = (_from_text(entry) for entry in links)
        return {_names(entry): dict(entry) for entry in entries if isinstance(entry, Mapping)}

    # --- check and diff (no request) ---------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate every link as zis.Link does; declare the set's links as its own (`_ownership`).

        A link that another resource of the stack (a zis.Link or another set) declares fails the check.
        """
        news, owner = ownership.take_owner(news)
        failures = not_inputs("LinkSet", news, INPUTS, OUTPUTS)
        integration, link_type = news.get("integration"), news.get("link_type")
        # The integration and type rules are zis.Link's own.
        _, top = validate({"integration": integration, "link_type": link_type})
        failures.extend(f for f in top if f.property in ("integration", "link_type"))
        inputs: dict[str, Any] = {"integration": integration, "link_type": link_type}

        links = news.get("links")
        if is_unknown(links):
            inputs["links"] = links
            return CheckResult(inputs, failures)
        if links is None:
            links = []
        if not isinstance(links, Sequence) or isinstance(links, str | bytes):
            failures.append(
                failure("links", f'must be a list of {{"left_object": …, "right_object": …}} (got {links!r})')
            )
            inputs["links"] = links
            return CheckResult(inputs, failures)

        normalised: list[Any] = []
        seen: dict[Names, int] = {}
        for index, entry in enumerate(links):
            where = f"links[{index}]"
            if is_unknown(entry):
                normalised.append(entry)
                continue
            entry = _from_text(entry)
            if not isinstance(entry, Mapping):
                failures.append(
                    failure(where, f'must be an object {{"left_object": …, "right_object": …}} (got {entry!r})')
                )
                normalised.append(entry)
                continue
            # `link_id` is tolerated, so an entry of another set's `links_json` can be passed in.
            for key in sorted(set(entry) - {*ENTRY_FIELDS, "link_id"}):
                failures.append(
                    failure(f"{where}.{key}", "is not a link field; a link has left_object and right_object")
                )
            checked, problems = validate(
                {
                    "integration": integration,
                    "link_type": link_type,
                    "left_object": entry.get("left_object"),
                    "right_object": entry.get("right_object"),
                }
            )
            failures.extend(
                failure(f"{where}.{f.property}", f.reason) for f in problems if f.property.startswith(SIDES)
            )
            item = {side: checked[side] for side in SIDES}
            normalised.append(_as_text(item))
            try:
                names = _names(item)
            except (KeyError, TypeError):
                continue
            if any(is_unknown(name) for name in names) or problems:
                continue
            if names in seen:
                failures.append(
                    failure(
                        where,
                        f"repeats the link {link_key(names)!r} of links[{seen[names]}]: a link's identity is "
                        "integration, link_type and both names, so a set holds it once",
                    )
                )
            else:
                seen[names] = index
        inputs["links"] = normalised
        if not failures and isinstance(integration, str) and isinstance(link_type, str):
            identities = [LinkIdentity(integration, link_type, *names) for names in seen]
            claims: dict[Hashable, str] = {identity: identity.describe() for identity in identities}
            failures = ownership.conflicts(ownership.LINK, owner, claims, "links")
        return CheckResult(inputs, failures)

    def plan(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> _Plan:
        """The requests that take the links in `olds` (the state's outputs) to the declared `news`."""
        old, new = self.members(olds), self.members(news)
        patches = [
            names
            for names, entry in new.items()
            if names in old and _metadata_to_send(entry) != _metadata_to_send(old[names])
        ]
        return _Plan(
            adds=[names for names in new if names not in old],
            removes=[names for names in old if names not in new],
            patches=patches,
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A changed integration or type replaces the set; the links are compared one by one. No request."""
        replaces = [
            name
            for name in ("integration", "link_type")
            if is_unknown(news.get(name)) or news.get(name) != olds.get(name)
        ]
        if replaces:
            return DiffResult(changes=True, replaces=replaces)
        if contains_unknown(news.get("links")):
            return DiffResult(changes=True, replaces=[])
        return DiffResult(changes=bool(self.plan(olds, news)), replaces=[])

    # --- requests ------------------------------------------------------------------------------------

    def concurrency(self) -> int:
        """Requests in flight at once: stack config `zendesk:linkSetConcurrency`, the environment, or the default."""
        raw = lookup_from(self._lookup())(ZENDESK_LINK_SET_CONCURRENCY)
        if raw is None:
            return DEFAULT_CONCURRENCY
        try:
            value = int(raw)
        except ValueError:
            raise ConfigurationError(
                f"{ZENDESK_LINK_SET_CONCURRENCY.describe()} must be a whole number from 1 to {MAX_CONCURRENCY} "
                f"(got {raw!r})"
            ) from None
        if not 1 <= value <= MAX_CONCURRENCY:
            raise ConfigurationError(
                f"{ZENDESK_LINK_SET_CONCURRENCY.describe()} must be from 1 to {MAX_CONCURRENCY} (got {value})"
            )
        return value

    def _run(self, work: Mapping[T, Callable[[], Any]]) -> tuple[dict[T, Any], dict[T, Exception]]:
        """Run each piece of work in the pool; every piece is tried, whatever the others do."""
        done: dict[T, Any] = {}
        failed: dict[T, Exception] = {}
        if not work:
            return done, failed
        with ThreadPoolExecutor(max_workers=min(self.concurrency(), len(work))) as pool:
            futures = {key: pool.submit(job) for key, job in work.items()}
            for key, future in futures.items():
                try:
                    done[key] = future.result()
                except Exception as exc:
                    failed[key] = exc
        return done, failed

    def _existing(self, integration: str, link_type: str, wanted: Sequence[Names]) -> dict[Names, list[WireLink]]:
        """The copies that exist of each wanted identity.

        Per group of names (`_groups`), a search of their shared prefix, read while it costs at most half the
        GETs it spares; a longer one (a prefix shared with many other links) falls back to a GET per identity.
        Each search's first page is read side by side. A group whose first page is full may have its search
        cut into narrower ones (`_split`), read side by side too: 10,000 links are listed in ~110 pages read
        in ~14 rounds of the pool, not 100 pages one after another, while a group the cut would not speed up
        keeps its one search.
        """
        wanted_set = set(wanted)
        found: dict[Names, list[WireLink]] = {names: [] for names in wanted}
        zendesk = self.zendesk

        def search(pattern: str) -> Iterator[list[WireLink]]:
            return zendesk.link_pages(integration, link_type, left_object_name=pattern)

        def opening(pattern: str) -> tuple[Iterator[list[WireLink]], list[WireLink]]:
            pages = search(pattern)
            return pages, next(pages, [])

        def budget(members: Sequence[Names]) -> int:
            return max(1, math.ceil(len(members) / 2))

        groups = _groups(wanted)
        openings, failed = self._run({pattern: partial(opening, pattern) for pattern in groups})
        if failed:
            raise next(iter(failed.values()))
        searches: dict[str, list[Names]] = {}
        work: dict[str, Callable[[], list[WireLink] | None]] = {}
        for pattern, (pages, first) in openings.items():
            group = groups[pattern]
            parts = _split(pattern, group, self.concurrency()) if len(first) >= PAGE_SIZE else {pattern: group}
            if len(parts) == 1:
                searches[pattern] = group
                work[pattern] = partial(_read_on, pages, first, budget(group))
                continue
            close = getattr(pages, "close", None)
            if close is not None:
                close()
            for sub, members in parts.items():
                searches[sub] = members
                work[sub] = partial(_read_on, search(sub), [], budget(members))
        listings, failed = self._run(work)
        if failed:
            raise next(iter(failed.values()))
        unanswered: list[Names] = []
        seen: set[str] = set()  # searches of two schemes may overlap ("z*" and "zendesk:*"): a link counts once
        for pattern, links in listings.items():
            if links is None:
                unanswered.extend(searches[pattern])
                continue
            for link in links:
                names = (link.left_object.name, link.right_object.name)
                if names in wanted_set and link.link_type == link_type and link.id not in seen:
                    seen.add(link.id)
                    found[names].append(link)
        if unanswered:
            requests = LinkRequests(zendesk)
            copies, lookups_failed = self._run(
                {names: partial(requests.copies, LinkIdentity(integration, link_type, *names)) for names in unanswered}
            )
            if lookups_failed:
                raise next(iter(lookups_failed.values()))
            found.update(copies)
        return found

    def _patch(
        self, identity: LinkIdentity, old: Mapping[str, Any], declared: Mapping[str, Mapping[str, Any]]
    ) -> WireLink | None:
        """PATCH to the declared metadata; a link deleted outside Pulumi is made again."""
        requests = LinkRequests(self.zendesk)
        try:
            return requests.patch_to(identity, _metadata_to_send(old), declared)
        except NotFoundError:
            return requests.add(identity, requests.copies(identity), declared)

    def _apply(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """Do the plan from `olds` to `news`; the outputs, or a partial failure saying what exists now."""
        integration, link_type = str(news["integration"]), str(news["link_type"])
        old, new = self.members(olds), self.members(news)
        plan = self.plan(olds, news)
        current: dict[Names, dict[str, Any]] = dict(old)  # what exists, as far as this apply knows

        def identity(names: Names) -> LinkIdentity:
            return LinkIdentity(integration, link_type, *names)

        requests = LinkRequests(self.zendesk)
        errors: list[Exception] = []
        try:
            existing = self._existing(integration, link_type, plan.adds) if plan.adds else {}
        except Exception as exc:
            existing, errors = {}, [exc]
        work: dict[Names, Callable[[], Any]] = {}
        if not errors:
            for names in plan.adds:
                work[names] = partial(
                    requests.add, identity(names), existing.get(names, []), _metadata_to_send(new[names])
                )
            for names in plan.patches:
                work[names] = partial(self._patch, identity(names), old[names], _metadata_to_send(new[names]))
            for names in self._not_declared_elsewhere(identity, plan.removes):
                work[names] = partial(requests.delete, identity(names))
        done, failed = self._run(work)
        for names in plan.removes:
            if names not in work and not errors:
                current.pop(names, None)  # another resource declares it: it leaves this set, not ZIS
        for names, result in done.items():
            if names in plan.removes:
                current.pop(names, None)
            elif isinstance(result, WireLink):
                current[names] = _entry_from(result)
            else:  # a PATCH that found the metadata as declared already
                current[names] = {**new[names], "link_id": old[names].get("link_id")}
        errors.extend(failed.values())
        outputs = self._outputs(integration, link_type, new, current)
        if errors:
            first = errors[0]
            summary = ZisPulumiError(
                f"LinkSet of {integration!r} type {link_type!r}: {len(errors)} of {len(work) or len(plan.adds)} "
                f"link operations failed; the first: {first}"
            )
            provider_blob = news.get("__provider")
            raise_partial_failure(
                summary,
                id_,
                {**outputs, "__provider": provider_blob},
                {**{key: news.get(key) for key in INPUTS}, "__provider": provider_blob},
            )
        return outputs

    @staticmethod
    def _outputs(
        integration: str, link_type: str, declared: Mapping[Names, Any], current: Mapping[Names, dict[str, Any]]
    ) -> dict[str, Any]:
        """The set's outputs: the links that exist, declared ones first in declared order (see `RECORDS`)."""
        order = [names for names in declared if names in current] + [n for n in current if n not in declared]
        return {
            "integration": integration,
            "link_type": link_type,
            "count": len(order),
            "link_ids": {link_key(names): current[names].get("link_id") for names in order},
            RECORDS: [_record(current[names]) for names in order],
        }

    # --- CRUD ----------------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        id_ = f"{props['integration']}/{props['link_type']}/{uuid.uuid4().hex[:12]}"
        return CreateResult(id_, self._apply(id_, {}, props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._apply(id_, olds, news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The set's links as listed now: changed metadata shows, links deleted outside Pulumi drop out."""
        integration, link_type = str(props.get("integration")), str(props.get("link_type"))
        members = self.members(props)
        existing = self._existing(integration, link_type, list(members))
        current: dict[Names, dict[str, Any]] = {}
        for names, entry in members.items():
            copies = existing.get(names) or []
            if not copies:
                continue
            link = next((c for c in copies if str(c.id) == entry.get("link_id")), copies[0])
            current[names] = _entry_from(link)
        outs = self._outputs(integration, link_type, members, current)
        inputs = {
            "integration": integration,
            "link_type": link_type,
            "links": [
                _as_text({side: current[names][side] for side in SIDES}) for names in members if names in current
            ],
        }
        return ReadResult(id_, outs, inputs=inputs)

    def _not_declared_elsewhere(
        self, identity: Callable[[Names], LinkIdentity], removed: Iterable[Names]
    ) -> list[Names]:
        """The removed links no resource of this run declares; says how many it leaves in place.

        A link another resource declares (moved into a zis.Link or another set, or this set's replacement)
        belongs to that resource now, so deleting it would take it from under its new owner.
        """
        removed = list(removed)
        kept = [names for names in removed if ownership.declared(ownership.LINK, identity(names))]
        if kept:
            first = identity(kept[0])
            ownership.notice(
                f"left {len(kept)} ZIS link(s) of integration {first.integration!r} type {first.link_type!r} in "
                f"place instead of deleting them (the first: {first.describe()}): another resource of this run "
                "declares them (a rename without `aliases`, a replacement, or a link moved to another resource)"
            )
        return [names for names in removed if names not in kept]

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """One DELETE per link, many at a time; 404 is success. A failure leaves the set in the state.

        Links a resource of this run declares stay (see `_not_declared_elsewhere`); `pulumi destroy` checks
        nothing, so it deletes them all.
        """
        integration, link_type = str(props.get("integration")), str(props.get("link_type"))

        def identity(names: Names) -> LinkIdentity:
            return LinkIdentity(integration, link_type, *names)

        requests = LinkRequests(self.zendesk)
        _, failed = self._run(
            {
                names: partial(requests.delete, identity(names))
                for names in self._not_declared_elsewhere(identity, self.members(props))
            }
        )
        if failed:
            raise ZisPulumiError(
                f"LinkSet of {integration!r} type {link_type!r}: {len(failed)} DELETEs failed (a re-run repeats "
                f"them; 404 counts as done); the first: {next(iter(failed.values()))}"
            )


# --- the resource ---------------------------------------------------------------------------------


class LinkSetEntryArgs(TypedDict):
    """One link of a set: `{"left_object": {"name": …, "metadata": {…}}, "right_object": {…}}`."""

    left_object: pulumi.Input[LinkObjectArgs | Mapping[str, Any]]
    """A name change is a DELETE and a POST; a metadata change a PATCH."""
    right_object: pulumi.Input[LinkObjectArgs | Mapping[str, Any]]


@dataclass
class LinkSetArgs:
    """The inputs of a `LinkSet`."""

    integration: pulumi.Input[str]
    """The integration the links belong to: 1 to 64 of a-z, 0-9, '-', '_'. A change replaces the set."""
    link_type: pulumi.Input[str]
    """The links' type, e.g. `ticket_to_issue`. A change replaces the set."""
    links: pulumi.Input[Sequence[pulumi.Input[LinkSetEntryArgs | Mapping[str, Any]]]]
    """`[{"left_object": {"name": "zendesk:ticket1", "metadata": {...}}, "right_object": {...}}, …]`; each
    identity (both names) at most once. Adding, removing or changing one link touches only that link."""


class LinkSet(dynamic.Resource, module="zis", name="LinkSet"):
    """Many ZIS links of one integration and type, managed as one resource, with requests run concurrently.

    Links that exist already with a declared identity (made by hand, or by an `up` that was cut off) are
    adopted and their metadata set, never made twice.
    """

    def __init__(
        self,
        resource_name: str,
        args: LinkSetArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        links: pulumi.Input[Sequence[pulumi.Input[LinkSetEntryArgs | Mapping[str, Any]]]] | None = None,
        integration: pulumi.Input[str] | None = None,
        link_type: pulumi.Input[str] | None = None,
    ) -> None:
        inputs = inputs_from("LinkSet", args, LinkSetArgs, locals(), required=INPUTS)
        inputs["links"] = _links_as_text(inputs["links"])
        super().__init__(LinkSetProvider(), resource_name, registered(self, resource_name, opts, inputs, OUTPUTS), opts)

    links_json = Out[list[str]](
        "The links that exist as ZIS holds them, declared order, one JSON text each: "
        '`{"left_object": {"name", "metadata"}, "right_object": {…}, "link_id"}` (`json.loads` reads one).'
    )
    count = Out[int]("How many of the set's links exist.")
    link_ids = Out[dict[str, str]]("Each link's id, keyed `left name → right name`.")
    integration = Out[str]("The integration the links belong to.")
    link_type = Out[str]("The links' type.")
