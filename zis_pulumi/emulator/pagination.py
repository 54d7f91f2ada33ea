"""Zendesk cursor pagination: ``page[size]``, ``page[after]``, ``page[before]`` and ``meta: {after, before, has_more}``.

Cursors are opaque: URL-safe base64 of the JSON sort key of the item they point at (never a plain offset), so a
cursor stays valid when items around it are created or deleted. ``meta.after`` points at the last item of the page
(pass it as ``page[after]`` for the next page), ``meta.before`` at the first (pass it as ``page[before]`` for the
previous one); both are null on an empty page. ``page[size]`` is 1 to 100 (20 if absent). Empty parameters, as in
the vendor's code samples (``?page[after]=&page[size]=``), count as absent.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.responses import Response

from .runtime import Refused

Item = TypeVar("Item")
SortKey = tuple[Any, ...]

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PaginationError(ValueError):
    """A page parameter the vendor would refuse with a 400."""


@dataclass(frozen=True)
class PageRequest:
    size: int
    after: SortKey | None = None
    before: SortKey | None = None


def encode_cursor(key: SortKey) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> SortKey:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise PaginationError(f"invalid cursor: {cursor}") from error
    if not isinstance(key, list) or not key:
        raise PaginationError(f"invalid cursor: {cursor}")
    return tuple(key)


def parse_page_request(query: Mapping[str, str], default_size: int = DEFAULT_PAGE_SIZE) -> PageRequest:
    raw_size = query.get("page[size]", "")
    if raw_size == "":
        size = default_size
    else:
        try:
            size = int(raw_size)
        except ValueError as error:
            raise PaginationError(f"page[size] must be an integer, got {raw_size!r}") from error
        if size < 1:
            raise PaginationError(f"page[size] must be at least 1, got {size}")
        # "Returns a maximum of 100 records per page" (the Pagination note of every ZIS list reference page: bundles,
        # job specs, links, connections; seeds zis-*.seed.txt), and "Most endpoints limit this to a maximum of 100"
        # (https://developer.zendesk.com/api-reference/introduction/pagination/). A size over the limit is refused,
        # not clamped, as Zendesk endpoints that limit the page size were seen to do ("Many endpoints are strict about
        # the page size and would error out", https://github.com/amp-labs/connectors/pull/1517).
        if size > MAX_PAGE_SIZE:
            raise PaginationError(f"page[size] must be at most {MAX_PAGE_SIZE}, got {size}")
    after = query.get("page[after]", "")
    before = query.get("page[before]", "")
    if after and before:
        raise PaginationError("page[after] and page[before] cannot be used together")
    return PageRequest(
        size=size,
        after=decode_cursor(after) if after else None,
        before=decode_cursor(before) if before else None,
    )


def paginate(
    items: Sequence[Item], key: Callable[[Item], SortKey], page: PageRequest
) -> tuple[list[Item], dict[str, Any]]:
    """One page of ``items`` in key order, and its ``meta``."""
    ordered = sorted(items, key=key)
    try:
        if page.before is not None:
            before = page.before
            candidates = [item for item in ordered if key(item) < before]
            selected = candidates[-page.size :]
            has_more = len(candidates) > len(selected)
        else:
            after = page.after
            candidates = ordered if after is None else [item for item in ordered if key(item) > after]
            selected = candidates[: page.size]
            has_more = len(candidates) > len(selected)
    except TypeError as error:
        raise PaginationError("invalid cursor") from error
    meta = {
        "after": encode_cursor(key(selected[-1])) if selected else None,
        "before": encode_cursor(key(selected[0])) if selected else None,
        "has_more": has_more,
    }
    return selected, meta


def paginate_ordered(
    ordered: Sequence[SortKey], page: PageRequest, matches: Callable[[SortKey], bool]
) -> tuple[list[SortKey], dict[str, Any]]:
    """`paginate` over keys already in order, keeping those that `matches`; reads only as far as the page needs.

    The same pages and `meta` as `paginate`, but a page among 10,000 items costs about its own size: the cursor
    is found by bisection, and the walk stops once it has one match more than the page holds (`has_more`).
    """
    wanted = page.size + 1
    try:
        if page.before is not None:
            end = bisect.bisect_left(ordered, page.before)
            found = []
            for index in range(end - 1, -1, -1):
                if matches(ordered[index]):
                    found.append(ordered[index])
                    if len(found) == wanted:
                        break
            has_more = len(found) > page.size
            selected = list(reversed(found[: page.size]))
        else:
            start = 0 if page.after is None else bisect.bisect_right(ordered, page.after)
            found = []
            for index in range(start, len(ordered)):
                if matches(ordered[index]):
                    found.append(ordered[index])
                    if len(found) == wanted:
                        break
            has_more = len(found) > page.size
            selected = found[: page.size]
    except TypeError as error:
        raise PaginationError("invalid cursor") from error
    meta = {
        "after": encode_cursor(selected[-1]) if selected else None,
        "before": encode_cursor(selected[0]) if selected else None,
        "has_more": has_more,
    }
    return selected, meta


@contextmanager
def refusing_bad_pages(answer: Callable[[str], Response]) -> Iterator[None]:
    """A `PaginationError` inside becomes `Refused` with `answer(reason)`: each API's own 400."""
    try:
        yield
    except PaginationError as error:
        raise Refused(answer(str(error))) from None
