"""The requests behind a ZIS link, shared by `zis.Link` and `zis.LinkSet`: look up, adopt, POST, PATCH.

The Links API reads, updates and deletes a link by its identity, never by id, so every step here takes a
`LinkIdentity`. PATCH merges metadata (a key left out stays), so a PATCH sends `null` for every key that
must go, and is repeated while the answer still differs from the declared metadata.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, NamedTuple

from . import _ownership as ownership
from ._http import may_have_happened
from ._numbers import same
from ._zendesk import ZendeskClient
from .errors import ApiError, NotFoundError, TransportError, ZisPulumiError
from .models import Link as WireLink

SIDES = ("left_object", "right_object")
POST_ATTEMPTS = 3
"""POSTs tried when answers are lost (each followed by a look-up before the next)."""
PATCH_ROUNDS = 3
"""PATCHes tried to bring the stored metadata to the declared one."""

Declared = Mapping[str, Mapping[str, Any]]
"""The declared metadata of both sides: `{"left_object": {...}, "right_object": {...}}`."""


class LinkIdentity(NamedTuple):
    integration: str
    link_type: str
    left_object_name: str
    right_object_name: str

    @classmethod
    def of(cls, props: Mapping[str, Any]) -> LinkIdentity:
        """The identity in a resource's inputs or outputs."""
        try:
            left, right = props["left_object"], props["right_object"]
            identity = cls(str(props["integration"]), str(props["link_type"]), str(left["name"]), str(right["name"]))
        except (KeyError, TypeError):
            raise ZisPulumiError(
                "a ZIS link is found by integration, link_type and both object names, and the state holds "
                "no such identity (a Link cannot be imported by id)"
            ) from None
        return identity

    def describe(self) -> str:
        return (
            f"ZIS link {self.link_type!r} {self.left_object_name!r} → {self.right_object_name!r} "
            f"of integration {self.integration!r}"
        )


def metadata_patch(current: Mapping[str, Any], declared: Mapping[str, Any]) -> dict[str, Any]:
    """What to PATCH so that `current` becomes `declared`: changed keys, and `None` for removed ones."""
    patch: dict[str, Any] = {key: None for key in current if key not in declared}
    patch.update({key: value for key, value in declared.items() if key not in current or not same(current[key], value)})
    return patch


def stored(link: WireLink) -> dict[str, dict[str, Any]]:
    """The metadata the API holds for both sides of a link."""
    return {side: dict(getattr(link, side).metadata or {}) for side in SIDES}


class LinkRequests:
    """The request steps of one link, on a client: cheap to make, holds nothing but the client."""

    def __init__(self, zendesk: ZendeskClient) -> None:
        self.zendesk = zendesk

    def copies(self, identity: LinkIdentity) -> list[WireLink]:
        """Every link with exactly this identity (the names hold no wildcard: check refuses `*`)."""
        found = self.zendesk.find_links(
            identity.integration,
            identity.link_type,
            left_object_name=identity.left_object_name,
            right_object_name=identity.right_object_name,
        )
        assert found is not None  # no page limit asked
        return [
            link
            for link in found
            if link.left_object.name == identity.left_object_name
            and link.right_object.name == identity.right_object_name
            and link.link_type == identity.link_type
        ]

    def patch_to(self, identity: LinkIdentity, current: Declared, declared: Declared) -> WireLink | None:
        """PATCH until the stored metadata is the declared one; None when `current` already is."""
        link: WireLink | None = None
        for _ in range(PATCH_ROUNDS):
            body: dict[str, Any] = {}
            for side in SIDES:
                patch = metadata_patch(current[side], declared[side])
                if patch:
                    body[side] = {"metadata": patch}
            if not body:
                return link
            link = self.zendesk.patch_link(*identity, body)
            current = stored(link)
        if not all(same(current[side], declared[side]) for side in SIDES):
            raise ZisPulumiError(
                f"{identity.describe()}: after {PATCH_ROUNDS} PATCHes the stored metadata is still not the declared "
                f"one (stored {dict(current)!r})"
            )
        return link

    def adopt(self, identity: LinkIdentity, copies: list[WireLink], declared: Declared) -> WireLink:
        """Take over an existing link: one copy left, metadata as declared.

        Copies of one identity cannot be told apart by the API (DELETE takes the identity), so the surplus
        ones go first, one DELETE each, and the listing then says which is left."""
        if len(copies) > 1:
            for _ in copies[1:]:
                with contextlib.suppress(NotFoundError):
                    self.zendesk.delete_link(*identity)
            copies = self.copies(identity)
            if not copies:
                raise ZisPulumiError(f"{identity.describe()} disappeared while its surplus copies were deleted")
        link = copies[0]
        ownership.adopted(ownership.LINK, identity, identity.describe())
        return self.patch_to(identity, stored(link), declared) or link

    def add(self, identity: LinkIdentity, copies: list[WireLink], declared: Declared) -> WireLink:
        """Adopt the existing copies, or POST when there are none."""
        if copies:
            return self.adopt(identity, copies, declared)
        return self.post(identity, declared)

    def post(self, identity: LinkIdentity, declared: Declared) -> WireLink:
        """POST a link known not to exist; a 409/422 or a lost answer is followed by a look-up and adoption."""
        body = {
            "link_type": identity.link_type,
            "left_object": {"name": identity.left_object_name, "metadata": dict(declared["left_object"])},
            "right_object": {"name": identity.right_object_name, "metadata": dict(declared["right_object"])},
        }
        attempt = 0
        while True:
            attempt += 1
            try:
                return self.zendesk.create_link(identity.integration, body)
            except (ApiError, TransportError) as exc:
                exists = isinstance(exc, ApiError) and exc.status in (409, 422)
                if not exists and not may_have_happened(exc):
                    raise
                # "It exists" (409/422), or the answer was lost: look before posting again, so a server
                # that stores copies never gets a second one.
                copies = self.copies(identity)
                if copies:
                    return self.adopt(identity, copies, declared)
                if exists or attempt >= POST_ATTEMPTS:
                    raise

    def delete(self, identity: LinkIdentity) -> None:
        """One DELETE by identity; 404 is success."""
        with contextlib.suppress(NotFoundError):
            self.zendesk.delete_link(*identity)
