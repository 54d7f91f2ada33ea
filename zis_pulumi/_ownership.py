"""One remote object, one resource: which resource of this run declares which remote object.

A rename without `aliases` is, to the engine, a new resource and a removed one: "create b, delete a". Both
stand for the same remote object (links, bundles and job specs are known by what they are, not by an id),
so the create adopts it, and the delete would then remove it from under the new resource. The provider
process serves one operation, and the engine checks every resource of the program before it deletes the
ones the program no longer declares (deletes come after the program has registered everything; a program
that fails deletes nothing). So:

- `check` records the identities each resource declares, with its URN (`declare`); a second resource
  declaring one of them fails its check, naming both (`conflicts`);
- `delete` leaves the remote object in place when a resource of this run declares it (`kept`): the
  renamed resource, or a replacement of the same one. `pulumi destroy` checks nothing, so it deletes.

The URN reaches `check` as a hidden input (OWNER_INPUT) that each resource class computes; `check` takes it
out of the inputs (`take_owner`), so no state ever holds it: stacks made before it see no change, and an
aliased rename (whose URN changes) no update.

What the user should hear goes to the provider process's stderr, which the engine prints in the run's
output (under the stack's diagnostics). `pulumi.log` in this process has no engine either and prints
there too, prefixed `info:`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure

from ._provider import is_unknown
from ._urns import describe_urn, future_urn

__all__ = [
    "BUNDLE",
    "JOB_SPEC",
    "LINK",
    "MAKE_CONNECTION",
    "OWNER_INPUT",
    "Registry",
    "adopted",
    "conflicts",
    "declare",
    "declared",
    "kept",
    "notice",
    "owner_input",
    "take_owner",
]

OWNER_INPUT = "__owner_urn"
"""The hidden input holding the URN of the resource that declares the inputs; never in the state."""

LINK = "link"
"""Identity `(integration, link_type, left name, right name)`: a `Link`, and each link of a link set."""
BUNDLE = "bundle"
"""Identity `(integration, name)`."""
JOB_SPEC = "job spec"
"""Identity `(integration, fully qualified job spec name)`: an installation."""
MAKE_CONNECTION = "make connection"
"""Identity `(app name, connection name)`, for a connection taken over by its name."""


class Registry:
    """Identities by kind, each with the URN that declared it in this process. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owners: dict[tuple[str, Hashable], str] = {}
        self._by_owner: dict[tuple[str, str], set[Hashable]] = {}

    def declare(self, kind: str, identities: Iterable[Hashable], owner: str) -> dict[Hashable, str]:
        """Record that `owner` declares these identities of `kind`, in place of what it declared before.

        Returns the identities another owner declared already, with that owner; then nothing is recorded.
        The same owner declaring again (a second check of one resource) is no conflict. A resource
        declares all its identities of a kind in one call.
        """
        wanted = {tuple(identity) if isinstance(identity, tuple) else identity for identity in identities}
        with self._lock:
            taken = {
                identity: other
                for identity in wanted
                if (other := self._owners.get((kind, identity))) is not None and other != owner
            }
            if taken:
                return taken
            for dropped in self._by_owner.get((kind, owner), set()) - wanted:
                self._owners.pop((kind, dropped), None)
            for identity in wanted:
                self._owners[kind, identity] = owner
            self._by_owner[kind, owner] = wanted
            return {}

    def owner(self, kind: str, identity: Hashable) -> str | None:
        """The URN that declared this identity in this process, if any."""
        key = tuple(identity) if isinstance(identity, tuple) else identity
        with self._lock:
            return self._owners.get((kind, key))

    def clear(self) -> None:
        with self._lock:
            self._owners.clear()
            self._by_owner.clear()


REGISTRY = Registry()
"""The provider process's registry: module state, since the provider object is pickled and carries nothing."""

_output_lock = threading.Lock()


def take_owner(news: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The inputs without the hidden owner input, and the owner's URN (None: not given, or not known yet)."""
    inputs = {key: value for key, value in news.items() if key != OWNER_INPUT}
    owner = news.get(OWNER_INPUT)
    if not isinstance(owner, str) or not owner or is_unknown(owner):
        return inputs, None
    return inputs, owner


def declare(kind: str, identity: Hashable, owner: str) -> str | None:
    """Record one identity for `owner` (see `Registry.declare`); the other owner that declared it, if any."""
    taken = REGISTRY.declare(kind, [identity], owner)
    return next(iter(taken.values()), None)


def declared(kind: str, identity: Hashable) -> str | None:
    """The URN of the resource of this run that declares this identity, if any."""
    return REGISTRY.owner(kind, identity)


def conflicts(
    kind: str, owner: str | None, identities: Mapping[Hashable, str], property_: str = ""
) -> list[CheckFailure]:
    """Declare `identities` (each with how to name its object) for `owner`; a failure for each that another
    resource of the stack declares already. Nothing is declared without an owner (a check outside the engine).
    """
    if owner is None or not identities:
        return []
    taken = REGISTRY.declare(kind, identities, owner)
    return [
        CheckFailure(
            property_,
            f"declares the {identities[identity]}, which {describe_urn(other)} declares too ({other}): one remote "
            "object belongs to one resource; declare it once (two resources would fight over it, and deleting "
            "either would remove it from under the other)",
        )
        for identity, other in sorted(taken.items(), key=lambda item: str(item[0]))
    ]


def notice(message: str) -> None:
    """Tell the user something in the run's output (one line on the provider's stderr, see module docstring)."""
    line = " ".join(message.split())
    with _output_lock:
        sys.stderr.write(f"zis-pulumi: {line}\n")
        sys.stderr.flush()


def adopted(kind: str, identity: Hashable, what: str, why: str = "") -> None:
    """Say that a create took over `what`, which existed already; names the resource when this run declared it."""
    owner = declared(kind, identity)
    who = f"{describe_urn(owner)} " if owner else ""
    why = why or "left by an interrupted run, made by hand, or held by a resource renamed without aliases"
    notice(f"{who}adopted the existing {what} instead of creating it ({why})")


def kept(kind: str, identity: Hashable, what: str) -> bool:
    """True, and says so, when a resource of this run declares the object a delete was about to remove."""
    owner = declared(kind, identity)
    if owner is None:
        return False
    notice(
        f"left the {what} in place instead of deleting it: {describe_urn(owner)} declares it in this run (a "
        "rename without `aliases`, or a replacement)"
    )
    return True


def owner_input(resource: Any, resource_name: str, opts: pulumi.ResourceOptions | None) -> dict[str, Any]:
    """The hidden input to add to a dynamic resource's properties: the URN it is about to be registered under."""
    type_token = f"pulumi-python:{type(resource)._resource_type_name}"
    return {OWNER_INPUT: future_urn(type_token, resource_name, opts)}
