"""Values as the provider process receives them: through the engine's wire format, as `pulumi.dynamic`'s server
does it (SDK 3.259, pulumi/dynamic/__main__.py).

Every number comes out a float (`12345` → `12345.0`), and an unknown (`rpc.UNKNOWN`, or a `pulumi.output.Unknown`)
comes out a `pulumi.output.Unknown` object wherever it was, so unit tests see exactly what check and diff see.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckResult, DiffResult, ResourceProvider
from pulumi.output import Unknown
from pulumi.runtime import rpc


def wire(props: Mapping[str, Any]) -> dict[str, Any]:
    """`props` serialised as the engine carries them, then deserialised as the provider server does (unknowns kept)."""
    loop = asyncio.new_event_loop()
    try:
        struct = loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()
    return dict(rpc.deserialize_properties(struct, True))


def engine_check(
    provider: ResourceProvider, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
) -> CheckResult:
    """Check as the engine calls it; the inputs it returns as they come back from the wire."""
    result = provider.check(wire(olds or {}), wire(news))
    return CheckResult(wire(result.inputs), result.failures)


def engine_diff(provider: ResourceProvider, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
    """Diff as in a preview: the state's outputs against the checked inputs, both off the wire."""
    checked = engine_check(provider, news, olds)
    assert checked.failures == [], [(f.property, f.reason) for f in checked.failures]
    return provider.diff(id_, wire(olds), checked.inputs)


Path = tuple[str | int, ...]


def positions(value: Any, path: Path = ()) -> list[Path]:
    """Every place inside a JSON value: each object member and list element, at any depth (not the root)."""
    found: list[Path] = []
    items: list[tuple[str | int, Any]] = []
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, list | tuple):
        items = list(enumerate(value))
    for key, item in items:
        found.append((*path, key))
        found.extend(positions(item, (*path, key)))
    return found


def replaced(value: Any, path: Path, new: Any) -> Any:
    """A copy of `value` with what is at `path` replaced by `new`."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, Mapping):
        return {k: (replaced(v, rest, new) if k == head else v) for k, v in value.items()}
    return [replaced(v, rest, new) if i == head else v for i, v in enumerate(value)]


def unknown_at(value: Any, path: Path) -> Any:
    """A copy of `value` with an unknown at `path`."""
    return replaced(value, path, Unknown())


def dotted(path: Path) -> str:
    return ".".join(str(part) for part in path)
