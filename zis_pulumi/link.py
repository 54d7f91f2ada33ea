"""A ZIS link: a typed relationship between two named objects, e.g. a ticket and a Jira issue.

A link's identity is `(integration, link_type, left_object.name, right_object.name)`; the API reads,
updates and deletes links by identity, never by id. Changing any part of it therefore replaces the
link, while a metadata change is a PATCH. PATCH merges metadata (a key left out stays), so the provider
sends `null` for every key that must go, and patches again if the answer still differs from what is
declared (a key someone added by hand, say), until the stored metadata is exactly the declared one.

Whether the API refuses a second link with an existing identity (409 or 422) or stores a copy is not
known, so `create` looks the identity up first and adopts what it finds (patching it to the declared
metadata) rather than posting blind: on a server that stores copies, that is the only way not to make
one when a link was made by hand, or by an earlier `up` whose answer was lost. It costs one GET per
create. A 409 or 422 to the POST (someone was faster) and an answer lost on the way back are both
followed by another look-up before anything else is tried.

Copies of one identity cannot be told apart by the API (PATCH and DELETE take the identity), so the
provider treats them as one link: adoption deletes the surplus copies first, read reports the copy whose
id is in the state (or else the first listed), and delete sends one DELETE (404 is success): create never
leaves copies. The request steps themselves (look-up, adoption, POST, PATCH) are `_link_requests`, which
`zis.LinkSet` uses too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

import pulumi
import pulumi.dynamic as dynamic
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from . import _ownership as ownership
from ._integration import integration_failures
from ._link_requests import SIDES, LinkIdentity, LinkRequests, metadata_patch
from ._numbers import same
from ._provider import BaseProvider, contains_unknown, failure, is_unknown, not_inputs, plain, shown
from ._resource import Out, inputs_from, registered
from ._run_cache import RunCache
from .errors import NotFoundError, ZisPulumiError
from .models import Link as WireLink

__all__ = ["Link", "LinkArgs", "LinkIdentity", "LinkObjectArgs", "LinkProvider", "metadata_patch"]

INPUTS = ("integration", "link_type", "left_object", "right_object")
OUTPUTS = ("link_id", "account_id", "created_at", "updated_at")
OBJECT_FIELDS = ("name", "metadata")

SNAPSHOT_MAX_PAGES = 10
"""Pages (of 100) of existing links read once per link type and left-name prefix before creating links;
beyond that each create looks its own identity up."""


class _NamedObject(TypedDict):
    name: pulumi.Input[str]
    """The object's name, e.g. `zendesk:ticket1`; part of the link's identity. No `*` (the API reads it as
    a wildcard)."""


class LinkObjectArgs(_NamedObject, total=False):
    """One side of a link: `{"name": "zendesk:ticket1", "metadata": {"id": 1}}`."""

    metadata: pulumi.Input[Mapping[str, Any]] | None
    """Free-form data kept with the object; left out means `{}`. Values cannot be null.

    A `name_attrs` key (as in another link's `left_object` output) is ignored: the API fills it in."""


# --- validation (check) ---------------------------------------------------------------------------


def _name_problem(value: Any, what: str) -> str | None:
    if not isinstance(value, str):
        return f"must be a string, the {what} (got {shown(value)})"
    if not value.strip():
        return f"must be a non-empty string, the {what}"
    if "*" in value:
        return (
            f"must not contain `*` (got {shown(value)}): the Links API reads it as a wildcard, and a link's identity "
            "must name exactly one object"
        )
    return None


def _link_object(side: str, value: Any, failures: list[CheckFailure]) -> Any:
    """The normalised `{name, metadata}` of one side, recording its problems."""
    if value is None:
        failures.append(failure(side, 'is required: an object {"name": …, "metadata": {…}}'))
        return value
    if is_unknown(value):
        return value
    if not isinstance(value, Mapping):
        failures.append(failure(side, f'must be an object {{"name": …, "metadata": {{…}}}} (got {shown(value)})'))
        return value
    # `name_attrs` is filled by the API; it is dropped, so another link's output object can be passed in.
    for key in sorted(set(value) - {*OBJECT_FIELDS, "name_attrs"}):
        failures.append(failure(f"{side}.{key}", "is not a link object field; a link object has name and metadata"))
    name = value.get("name")
    if name is None:
        failures.append(failure(f"{side}.name", "is required, e.g. `zendesk:ticket1`"))
    elif not is_unknown(name):
        problem = _name_problem(name, "object's name, e.g. `zendesk:ticket1`")
        if problem:
            failures.append(failure(f"{side}.name", problem))
    metadata = value.get("metadata")
    if metadata is None:
        metadata = {}
    elif not is_unknown(metadata):
        if not isinstance(metadata, Mapping):
            failures.append(failure(f"{side}.metadata", f"must be an object, or left out (got {shown(metadata)})"))
        else:
            for key, item in metadata.items():
                if item is None:
                    failures.append(
                        failure(
                            f"{side}.metadata.{key}",
                            "must not be null: the API reads null as 'remove this key'; leave the key out",
                        )
                    )
    return {"name": name, "metadata": plain(metadata)}


def validate(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[CheckFailure]]:
    """The normalised inputs and every problem, each naming its property. No API call."""
    failures = not_inputs("Link", news, INPUTS, OUTPUTS)

    integration = news.get("integration")
    failures.extend(integration_failures(integration, "the link"))

    link_type = news.get("link_type")
    if link_type is None:
        failures.append(failure("link_type", "is required, e.g. `ticket_to_issue`"))
    elif not is_unknown(link_type):
        problem = _name_problem(link_type, "link's type, e.g. `ticket_to_issue`")
        if problem:
            failures.append(failure("link_type", problem))

    inputs: dict[str, Any] = {"integration": integration, "link_type": link_type}
    for side in SIDES:
        inputs[side] = _link_object(side, news.get(side), failures)
    return inputs, failures


# --- metadata --------------------------------------------------------------------------------------


def _metadata(link_object: Any) -> dict[str, Any]:
    if isinstance(link_object, Mapping):
        metadata = link_object.get("metadata")
        if isinstance(metadata, Mapping):
            return dict(metadata)
    return {}


# --- the provider ---------------------------------------------------------------------------------


@dataclass
class _Listing:
    """The links of one integration, type and left-name prefix, read page by page as refreshes need them.

    Refresh of many Links shares it: a read first looks in the pages read so far, and may read one more
    page per read served (so the listing never costs more pages than there are reads), else looks its own
    identity up. Pages are read at the time of the refresh, so a link changed remotely shows as changed; any
    write by this provider process to links of the key drops the listing (see `_forget_listing`). Read
    only through `_listings.using`, which holds the key's gate.
    """

    fetch_page: Callable[[str | None], tuple[list[WireLink], str | None]]
    by_names: dict[tuple[str, str], list[WireLink]] = field(default_factory=dict)
    after: str | None = None
    complete: bool = False
    pages: int = 0
    reads: int = 0

    def lookup(self, names: tuple[str, str]) -> list[WireLink] | None:
        """The copies listed with these names; None when the listing cannot say (look the identity up)."""
        self.reads += 1
        while names not in self.by_names and not self.complete and self.pages < self.reads:
            links, self.after = self.fetch_page(self.after)
            self.pages += 1
            self.complete = self.after is None
            for link in links:
                self.by_names.setdefault((link.left_object.name, link.right_object.name), []).append(link)
        if names in self.by_names:
            return list(self.by_names[names])
        return [] if self.complete else None


ListingKey = tuple[str, str, str, str]
"""(Zendesk URL, integration, link type, left-name prefix)."""

_existing_names: RunCache[set[tuple[str, str]] | None] = RunCache()
"""The (left, right) names of the links that existed when the first create of a key looked (read once), or
None when there were too many to read."""
_listings: RunCache[_Listing] = RunCache()
"""The listings refreshes of a key share."""


class LinkProvider(BaseProvider):
    """Creates (or adopts), patches, reads and deletes one ZIS link, always by its identity."""

    run_caches = (_existing_names, _listings)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news, owner = ownership.take_owner(news)
        inputs, failures = validate(news)
        identity = _known_identity(inputs) if not failures else None
        if identity is not None:
            failures = ownership.conflicts(ownership.LINK, owner, {identity: identity.describe()})
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Identity changes replace; metadata changes update. No API call; unknown values count as changes."""
        changed: list[str] = []
        replaces: list[str] = []
        for name in ("integration", "link_type"):
            if is_unknown(news.get(name)) or news.get(name) != olds.get(name):
                changed.append(name)
                replaces.append(name)
        for side in SIDES:
            new, old = news.get(side), olds.get(side)
            if not isinstance(new, Mapping) or not isinstance(old, Mapping):
                changed.append(side)
                replaces.append(side)
                continue
            if is_unknown(new.get("name")) or new.get("name") != old.get("name"):
                changed.append(side)
                replaces.append(side)
            elif contains_unknown(new.get("metadata")) or not same(_metadata(new), _metadata(old)):
                changed.append(side)
        return DiffResult(changes=bool(changed), replaces=replaces)

    # --- API steps ---------------------------------------------------------------------------------

    def _requests(self) -> LinkRequests:
        return LinkRequests(self.zendesk)

    def _key(self, identity: LinkIdentity) -> ListingKey:
        """The key of the look-ups and listings shared by the links of one left-name scheme (`zendesk:`)."""
        prefix = identity.left_object_name.split(":", 1)[0] + ":" if ":" in identity.left_object_name else ""
        prefix = prefix or identity.left_object_name[:1]
        return (self.zendesk.base_url, identity.integration, identity.link_type, prefix)

    def _may_exist(self, identity: LinkIdentity) -> bool:
        """Whether a link with this identity may already exist (made by hand, or left by a failed run).

        A server that stores a second copy instead of refusing the POST makes this look-up necessary. One
        listing per integration, link type and left-name prefix (`zendesk:*`) serves every create of the
        provider process (one `pulumi up`), instead of a GET per link; a listing too large to read falls back
        to looking each identity up.
        """
        key = self._key(identity)

        def fetch() -> set[tuple[str, str]] | None:
            links = self.zendesk.find_links(
                identity.integration, identity.link_type, left_object_name=key[3] + "*", max_pages=SNAPSHOT_MAX_PAGES
            )
            return None if links is None else {(link.left_object.name, link.right_object.name) for link in links}

        names = _existing_names.get(key, fetch)
        if names is None:
            return bool(self._requests().copies(identity))
        return (identity.left_object_name, identity.right_object_name) in names

    def _create(self, identity: LinkIdentity, declared: Mapping[str, Mapping[str, Any]]) -> WireLink:
        self._forget_listing(identity)
        try:
            return self._create_or_adopt(identity, declared)
        except Exception:
            # It may have left the link all the same: the next create of these names looks it up.
            names = (identity.left_object_name, identity.right_object_name)
            _existing_names.update(
                self._key(identity), lambda existing: None if existing is None else existing | {names}
            )
            raise

    def _create_or_adopt(self, identity: LinkIdentity, declared: Mapping[str, Mapping[str, Any]]) -> WireLink:
        requests = self._requests()
        copies = requests.copies(identity) if self._may_exist(identity) else []
        return requests.add(identity, copies, declared)

    # --- CRUD ----------------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        identity = LinkIdentity.of(props)
        link = self._create(identity, _declared(props))
        return CreateResult(str(link.id), _outputs(identity, link))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        identity = LinkIdentity.of(news)
        self._forget_listing(identity)
        declared = _declared(news)
        current = {side: _metadata(olds.get(side)) for side in SIDES}
        try:
            link = self._requests().patch_to(identity, current, declared)
        except NotFoundError:
            # Deleted outside Pulumi: make it again (a refresh then reports its new id).
            return UpdateResult(_outputs(identity, self._create(identity, declared)))
        if link is None:
            link = self._current(identity, id_) or self._create(identity, declared)
        return UpdateResult(_outputs(identity, link))

    def _current(self, identity: LinkIdentity, id_: str) -> WireLink | None:
        """The link with this identity: the copy with the state's id if there are several, else the first listed."""
        copies = self._requests().copies(identity)
        return next((link for link in copies if str(link.id) == id_), copies[0] if copies else None)

    def _forget_listing(self, identity: LinkIdentity) -> None:
        """A write to links of this key: the next read lists them afresh."""
        _listings.drop(self._key(identity))

    def _read_current(self, identity: LinkIdentity, id_: str) -> WireLink | None:
        """As `_current`, but from the listing shared by the refresh of every Link of the key when it can say."""
        key = self._key(identity)
        _, integration, link_type, prefix = key
        copies = _listings.using(
            key,
            lambda: _Listing(lambda after: self.zendesk.links_page(integration, link_type, prefix + "*", after)),
            lambda listing: listing.lookup((identity.left_object_name, identity.right_object_name)),
        )
        if copies is None:
            return self._current(identity, id_)
        return next((link for link in copies if str(link.id) == id_), copies[0] if copies else None)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        identity = LinkIdentity.of(props)
        try:
            link = self._read_current(identity, id_)
        except NotFoundError:
            link = None
        if link is None:
            return ReadResult("", {})
        outs = _outputs(identity, link)
        inputs = {
            "integration": identity.integration,
            "link_type": identity.link_type,
            **{side: {"name": outs[side]["name"], "metadata": outs[side]["metadata"]} for side in SIDES},
        }
        # A link deleted and made again outside Pulumi has a new id: report it.
        return ReadResult(str(link.id), outs, inputs=inputs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """One DELETE by identity; 404 is success. Create never leaves copies, so one call is enough.

        Nothing is deleted when a resource of this run declares the link: the renamed one, or a replacement
        of this one (see `_ownership`).
        """
        identity = LinkIdentity.of(props)
        if ownership.kept(ownership.LINK, identity, identity.describe()):
            return
        self._forget_listing(identity)
        self._requests().delete(identity)


def _known_identity(inputs: Mapping[str, Any]) -> LinkIdentity | None:
    """The identity in checked inputs, or None while a part of it is unknown (a preview)."""
    try:
        identity = LinkIdentity.of(inputs)
    except ZisPulumiError:
        return None
    return None if any(is_unknown(part) for part in identity) else identity


def _declared(props: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {side: _metadata(props.get(side)) for side in SIDES}


def _outputs(identity: LinkIdentity, link: WireLink) -> dict[str, Any]:
    def side(link_object: Any) -> dict[str, Any]:
        return {
            "name": link_object.name,
            "metadata": plain(link_object.metadata or {}),
            "name_attrs": plain(link_object.name_attrs or {}),
        }

    return {
        "link_id": str(link.id),
        "integration": link.integration or identity.integration,
        "link_type": link.link_type,
        "left_object": side(link.left_object),
        "right_object": side(link.right_object),
        **link.model_dump(include={"account_id", "created_at", "updated_at"}),
    }


# --- the resource ---------------------------------------------------------------------------------


@dataclass
class LinkArgs:
    """The inputs of a `Link`."""

    integration: pulumi.Input[str]
    """The integration the link belongs to: 1 to 64 of a-z, 0-9, '-', '_'. A change replaces."""
    link_type: pulumi.Input[str]
    """The link's type, e.g. `ticket_to_issue`. A change replaces."""
    left_object: pulumi.Input[LinkObjectArgs | Mapping[str, Any]]
    """`{"name": "zendesk:ticket1", "metadata": {...}}`. A name change replaces; a metadata change updates."""
    right_object: pulumi.Input[LinkObjectArgs | Mapping[str, Any]]
    """`{"name": "jira:PROJ-1", "metadata": {...}}`. A name change replaces; a metadata change updates."""


class Link(dynamic.Resource, module="zis", name="Link"):
    """A ZIS link between two objects, with metadata kept exactly as declared.

    If a link with the same identity exists already (made by hand, by a flow, or by an earlier `up`
    whose answer was lost), creating this resource adopts it and sets its metadata.
    """

    def __init__(
        self,
        resource_name: str,
        args: LinkArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        left_object: pulumi.Input[LinkObjectArgs | Mapping[str, Any]] | None = None,
        right_object: pulumi.Input[LinkObjectArgs | Mapping[str, Any]] | None = None,
        integration: pulumi.Input[str] | None = None,
        link_type: pulumi.Input[str] | None = None,
    ) -> None:
        inputs = inputs_from("Link", args, LinkArgs, locals(), required=INPUTS)
        super().__init__(LinkProvider(), resource_name, registered(self, resource_name, opts, inputs, OUTPUTS), opts)

    link_id = Out[str]("The link's id (also the resource ID).")
    integration = Out[str]("The integration the link belongs to.")
    link_type = Out[str]("The link's type.")
    left_object = Out[dict[str, Any]](
        "`{name, metadata, name_attrs}` as stored. `name_attrs` is filled by the API: `zendesk:ticket1` gives "
        '`{"zendesk": "ticket1"}`.'
    )
    right_object = Out[dict[str, Any]]("`{name, metadata, name_attrs}` as stored.")
    account_id = Out[int | None]("The Zendesk account the link belongs to.")
    created_at = Out[str | None]("When the link was created (by the API's clock).")
    updated_at = Out[str | None]("When the link was last changed (by the API's clock).")
