"""A Make custom-app ("SDK app") connection: its definition sections and common data, as one resource.

What the API shape means here:

- Make generates the connection's name (`my-app`, `my-app2`, …), so neither a create whose answer is lost
  nor one whose `pulumi up` was killed can simply be sent again. Each resource therefore carries a *claim*
  (a hash of its URN) that the connection holds from the moment it exists: in its label until the create
  is done (`Acme CRM [zis-pulumi 3f2a…]`), and in its common data (`zisPulumiClaim`) from then on. A
  create first looks for a connection holding its claim and adopts it (see `_adopt_or_post`); a
  connection made by hand, or by another resource, never holds it.
- Make reads `type` back normalized (`oauth` for the OAuth kinds, `basic` for apikey/basic/other): the state
  keeps the declared type, and a normalized read-back of the same kind is no change.
- Sections are JSONC documents that Make reformats and comments; they are parsed and compared as values.
  Only the declared sections are managed; the others keep whatever Make has (its templates, at first).
- `common` holds the OAuth client secret: it is a secret input and output, and is scrubbed from any error.
- A connection that exists already (made by hand, found by `zis-pulumi export`) has no identity a create could
  find it by, so the program names it: `adopt_name="acme-crm2"`. The create then takes that connection over and
  writes only what differs from the declared state (nothing, if it is identical); no claim is needed, the name
  finds it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NoReturn

import json5
import pulumi
import pulumi.dynamic as dynamic
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, UpdateResult

from . import _ownership as ownership
from ._http import may_have_happened
from ._numbers import canonical, same
from ._provider import BaseProvider, failure, is_unknown, merge_options, not_inputs, plain, shown
from ._resource import Out, inputs_from, registered
from ._run_cache import RunCache
from ._secrets import scrubbed
from ._urns import future_urn
from .errors import ApiError, NotFoundError, TransportError, ZisPulumiError
from .models import AppConnection as WireConnection

__all__ = [
    "CONNECTION_TYPES",
    "AppConnection",
    "AppConnectionArgs",
    "AppConnectionProvider",
]

CONNECTION_TYPES = ("oauth", "oauth-refresh", "oauth-resowncre", "oauth-clicre", "oauth-1", "apikey", "basic", "other")
"""The `type` values Make accepts on create."""


@dataclass(frozen=True)
class _Section:
    prop: str
    """The Python and state name."""
    wire: str
    """Make's name in the URL."""
    kind: type[list[Any]] | type[dict[str, Any]]
    item: str | None = None
    """What each element of a list section must be: "object" or "string"."""

    @property
    def shape(self) -> str:
        if self.kind is dict:
            return "an object"
        return {"object": "a list of objects", "string": "a list of strings"}.get(self.item or "", "a list")


SECTIONS = (
    _Section("api", "api", dict),
    _Section("parameters", "parameters", list, "object"),
    _Section("scopes", "scopes", dict),
    _Section("scope", "scope", list, "string"),
    _Section("install", "install", dict),
    _Section("install_spec", "installSpec", list, "object"),
)
SECTION_PROPS = tuple(section.prop for section in SECTIONS)
INPUTS = (
    "app_name",
    "type",
    "label",
    "connected_system_name",
    *SECTION_PROPS,
    "common",
    "recreate_trigger",
    "adopt_name",
)
REQUIRED = ("app_name", "type", "label")
ADOPT = "adopt_name"
"""The input naming an existing connection to take over on create; never compared by diff (create-only)."""
CLAIM = "claim"
"""The input holding the resource's claim: set by `AppConnection` itself, not by users."""
CLAIM_KEY = "zisPulumiClaim"
"""The member of the connection's common data that holds the claim."""
_CLAIM_CHARS = re.compile(r"[0-9a-f]{8,64}")
_MAX_POST_ATTEMPTS = 3
_PARALLEL_REQUESTS = 4


def make_kind(type_: str | None) -> str | None:
    """The type as Make reads it back: `oauth` for the OAuth kinds, `basic` for the others."""
    if type_ is None:
        return None
    if type_.startswith("oauth"):
        return "oauth"
    if type_ in ("apikey", "basic", "other"):
        return "basic"
    return type_


# --- values: JSONC ------------------------------------------------------------------------------------


def parse_jsonc(text: str) -> Any:
    """A JSONC document (comments, trailing commas) as a value; blank text is None. Raises ValueError."""
    if not text.strip():
        return None
    return _paired_surrogates(json5.loads(text))


def _paired_surrogates(value: Any) -> Any:
    """The value with each escaped surrogate pair (`\\ud83d\\ude00`, how JSON escapes a character beyond U+FFFF:
    RFC 8259, section 7) made the one character it spells; json5 0.17 leaves the two halves apart."""
    if isinstance(value, str):
        if any("\ud800" <= c <= "\udfff" for c in value):
            return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        return value
    if isinstance(value, dict):
        return {_paired_surrogates(k): _paired_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_paired_surrogates(v) for v in value]
    return value


# --- what the user declared ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionContent:
    """What an AppConnection manages of a Make connection (the provider's declared state, and what
    `zis-pulumi export` reads)."""

    app_name: str
    type: str
    label: str
    connected_system_name: str | None
    sections: dict[str, Any]
    """Section values by property name: only the declared ones (or, exported, those that hold a value)."""
    common: dict[str, Any] | None
    """The common data (a secret), without zis-pulumi's own claim."""


@dataclass(frozen=True)
class _Declared(ConnectionContent):
    recreate_trigger: Any
    claim: str | None
    adopt_name: str | None = None

    @classmethod
    def of(cls, props: Mapping[str, Any]) -> _Declared:
        common = props.get("common")
        return cls(
            app_name=str(props["app_name"]),
            type=str(props["type"]),
            label=str(props["label"]),
            connected_system_name=props.get("connected_system_name"),
            sections={prop: props[prop] for prop in SECTION_PROPS if props.get(prop) is not None},
            common=dict(common) if common is not None else None,
            recreate_trigger=props.get("recreate_trigger"),
            claim=props.get(CLAIM) or None,
            adopt_name=props.get(ADOPT) or None,
        )

    def outputs(self, name: str) -> dict[str, Any]:
        outs: dict[str, Any] = {
            "name": name,
            "app_name": self.app_name,
            "type": self.type,
            "label": self.label,
            "connected_system_name": self.connected_system_name,
            **self.sections,
        }
        if self.common is not None:
            outs["common"] = self.common
        if self.recreate_trigger is not None:
            outs["recreate_trigger"] = self.recreate_trigger
        if self.adopt_name is not None:
            outs[ADOPT] = self.adopt_name
        return outs


def _section(prop: str) -> _Section:
    return next(section for section in SECTIONS if section.prop == prop)


# --- check -----------------------------------------------------------------------------------------


def _section_problem(section: _Section, value: Any) -> str | None:
    if not isinstance(value, section.kind):
        got = (
            "an object" if isinstance(value, Mapping) else "a list" if isinstance(value, list) else type(value).__name__
        )
        return f"must be {section.shape} (or JSONC text of one), got {got}"
    if section.kind is list and section.item is not None:
        for index, item in enumerate(value):
            if is_unknown(item):
                continue
            if section.item == "object" and not isinstance(item, Mapping):
                return f"must be {section.shape}; element {index} is not an object"
            if section.item == "string" and not isinstance(item, str):
                return f"must be {section.shape}; element {index} is not a string"
    return None


def validate(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[CheckFailure]]:
    """The normalized inputs and every problem with them, each naming its property. No API call."""
    inputs: dict[str, Any] = {}
    failures = not_inputs("AppConnection", news, INPUTS, hidden=(CLAIM,))

    for key in REQUIRED:
        value = news.get(key)
        if is_unknown(value):
            inputs[key] = value
        elif not isinstance(value, str) or not value.strip():
            failures.append(failure(key, "is required: a non-empty string"))
        else:
            inputs[key] = value
    type_ = inputs.get("type")
    if isinstance(type_, str) and not is_unknown(type_) and type_ not in CONNECTION_TYPES:
        failures.append(failure("type", f"must be one of {', '.join(CONNECTION_TYPES)} (got {shown(type_)})"))

    system = news.get("connected_system_name")
    if system is not None:
        if is_unknown(system) or isinstance(system, str):
            inputs["connected_system_name"] = system
        else:
            failures.append(failure("connected_system_name", "must be a string (or None to leave it unset)"))

    for section in SECTIONS:
        value = news.get(section.prop)
        if value is None:
            continue
        if is_unknown(value):
            inputs[section.prop] = value
            continue
        if isinstance(value, str):
            try:
                value = parse_jsonc(value)
            except ValueError as exc:
                failures.append(failure(section.prop, f"is not valid JSONC: {exc}"))
                continue
            if value is None:
                failures.append(failure(section.prop, f"is empty text; give {section.shape} or leave it out"))
                continue
        problem = _section_problem(section, value)
        if problem:
            failures.append(failure(section.prop, problem))
            continue
        inputs[section.prop] = plain(value)

    common = news.get("common")
    if common is not None:
        if is_unknown(common):
            inputs["common"] = common
        elif isinstance(common, Mapping):
            inputs["common"] = plain(common)
        else:
            # Never quote the value: it is a secret. And no `property`: the engine prints the input value of a
            # failure's top-level property in clear, secret or not (pulumi 3.259, step_generator.go).
            failures.append(
                failure(
                    "",
                    f"common: must be an object such as {{clientId, clientSecret}}, got a {type(common).__name__} "
                    "(its value is not shown: it is secret)",
                )
            )

    trigger = news.get("recreate_trigger")
    if trigger is not None:
        if is_unknown(trigger) or isinstance(trigger, str | int | float | bool):
            inputs["recreate_trigger"] = trigger
        else:
            failures.append(failure("recreate_trigger", "must be a string, number or boolean"))

    adopt = news.get(ADOPT)
    if adopt is not None:
        if is_unknown(adopt) or (isinstance(adopt, str) and adopt.strip()):
            inputs[ADOPT] = adopt
        else:
            failures.append(failure(ADOPT, "must be the name of an existing Make connection (or None to create one)"))

    claim = news.get(CLAIM)
    if claim is not None:
        if is_unknown(claim) or (isinstance(claim, str) and _CLAIM_CHARS.fullmatch(claim)):
            inputs[CLAIM] = claim
        else:
            failures.append(failure(CLAIM, "is set by AppConnection itself: 8 to 64 lowercase hex digits"))
    return inputs, failures


# --- the provider --------------------------------------------------------------------------------------

# Module state, not provider state: the provider is pickled. Neither is emptied on configure (they are not in
# the provider's `run_caches`): they live as long as the provider process, one run.
_made_here: RunCache[bool] = RunCache()
"""(Make URL, name) of the connections this provider process created or adopted: a later create in the
same run never needs to look at them."""
_deleted_here: RunCache[bool] = RunCache()
"""(Make URL, name) of the connections this process deleted. Make deletes in the background, so during a
replacement the old connection, claim and all, can still be listed when its successor is created."""
_first_listings: RunCache[list[WireConnection]] = RunCache()
"""Each app's connection list by (Make URL, app) as this process first saw it, fetched once however many
creates ask. What an interrupted earlier run left behind is there before this run starts, so the first list
shows all of it; what this run creates afterwards is in `_made_here` and never needs finding."""


def claim_of(urn: str) -> str:
    """The claim of the resource with this URN: short, stable, and telling nothing about the stack."""
    return hashlib.sha256(urn.encode()).hexdigest()[:20]


def pending_label(label: str, claim: str) -> str:
    """The label a connection carries while its create is under way."""
    return f"{label} [zis-pulumi {claim}]"


def _run_all(steps: Sequence[tuple[str, Callable[[], Any]]]) -> list[Any]:
    """Run independent requests side by side; every one finishes, then the first failure is raised.

    Each failure is re-raised as ``_StepFailed`` naming the step, so callers can say what failed.
    """
    if not steps:
        return []
    with ThreadPoolExecutor(max_workers=min(_PARALLEL_REQUESTS, len(steps))) as pool:
        futures = [(what, pool.submit(step)) for what, step in steps]
    results: list[Any] = []
    for what, future in futures:
        exc = future.exception()
        if exc is not None:
            raise _StepFailed(what, exc) from exc
        results.append(future.result())
    return results


class _StepFailed(Exception):
    def __init__(self, step: str, error: BaseException) -> None:
        self.step = step
        self.error = error
        super().__init__(f"{step}: {error}")


class AppConnectionProvider(BaseProvider):
    """Creates, reads, updates and deletes one Make app connection and its declared sections."""

    inputs = INPUTS
    replace_on = ("app_name", "type")
    not_diffed = (ADOPT,)  # read on create only: adding, changing or removing it later changes nothing
    delete_before_replace = True
    """A replacement holds the same claim as the connection it replaces: the old one goes first, so the
    new create cannot mistake it for its own leftover."""

    def normalize(self, name: str, value: Any) -> Any:
        if name == "type":
            return value  # the state keeps the declared type; see `read`
        return canonical(value)

    # --- check / diff --------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate; a connection adopted by name is declared as this resource's (one connection, one resource).

        A connection Make names on create has no identity to share before it exists, and the claim is this
        resource's own (a hash of its URN), so only `adopt_name` declares one.
        """
        news, owner = ownership.take_owner(news)
        inputs, failures = validate(news)
        app, name = inputs.get("app_name"), inputs.get(ADOPT)
        if not failures and isinstance(app, str) and isinstance(name, str) and name and not is_unknown(name):
            what = f"Make connection {name!r} (app {app!r})"
            failures = ownership.conflicts(ownership.MAKE_CONNECTION, owner, {(app, name): what}, ADOPT)
        return CheckResult(inputs, failures)

    # --- create --------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Adopt the connection holding this resource's claim, or POST one; then write what is declared.

        The label is written last: until then it names the claim, so a create cut off at any point leaves
        a connection the next create recognises. A failure after the POST deletes the connection again.
        """
        with scrubbed(props.get("common")):
            declared = _Declared.of(props)
            if declared.adopt_name is not None and (self.make.base_url, declared.adopt_name) not in _deleted_here:
                return self._adopt_named(declared, declared.adopt_name)
            # An adopted connection this run deleted was replaced: its successor is created like any other.
            claim = declared.claim or uuid.uuid4().hex[:20]  # without a URN (direct use): recovery within this call
            connection, baseline = self._adopt_or_post(declared, claim)
            puts, patch = self._write_steps(connection.name, declared, baseline, claim=claim)
            try:
                _run_all(puts)
                _run_all(patch)
            except _StepFailed as failed:
                self._roll_back(connection.name, declared, failed)
            _made_here.put((self.make.base_url, connection.name), True)
            return CreateResult(connection.name, declared.outputs(connection.name))

    def _adopt_named(self, declared: _Declared, name: str) -> CreateResult:
        """Take over the existing connection `name` of the app; write only what differs from the declared state.

        It must be listed under the declared app and be of the declared kind. A failed write leaves the
        connection as it was found or half-updated, never deleted: it existed before; the next `up` adopts it again.
        """
        app, make = declared.app_name, self.make
        listed = _first_listings.get((make.base_url, app), lambda: make.list_connections(app))
        if not any(c.name == name for c in listed):
            names = ", ".join(sorted(c.name for c in listed)) or "none"
            raise ZisPulumiError(
                f"adopt_name: Make app {app!r} has no connection {name!r} to adopt (its connections: {names}); "
                "name one of them, or remove adopt_name to create a new connection"
            )
        if not _made_here.add((make.base_url, name), True):
            raise ZisPulumiError(
                f"adopt_name: Make connection {name!r} is already created or adopted by another resource of "
                "this program; a connection belongs to one resource"
            )
        try:
            connection = make.get_connection(name)
        except NotFoundError:
            raise ZisPulumiError(f"adopt_name: Make connection {name!r} of app {app!r} is gone") from None
        if make_kind(connection.type) != make_kind(declared.type):
            raise ZisPulumiError(
                f"adopt_name: Make connection {name!r} is of type {connection.type!r}, which the declared type "
                f"{declared.type!r} cannot be (Make reads it back as {make_kind(declared.type)!r}); a type cannot "
                "change: declare its type, or remove adopt_name to create a new connection"
            )
        baseline = self._held(name, declared, connection)
        puts, patch = self._write_steps(name, declared, baseline)
        try:
            _run_all([*puts, *patch])
        except _StepFailed as failed:
            raise ZisPulumiError(
                f"Adopting Make connection {name!r} (app {app!r}) failed at {failed.step}: {failed.error}. The "
                "connection is kept; `pulumi up` adopts it again."
            ) from None
        ownership.adopted(
            ownership.MAKE_CONNECTION, (app, name), f"Make connection {name!r} (app {app!r})", "named by adopt_name"
        )
        return CreateResult(name, declared.outputs(name))

    def _held(self, name: str, declared: _Declared, connection: WireConnection) -> dict[str, Any]:
        """What the connection holds now, for the properties the declaration manages (one GET each, side by side)."""
        make = self.make
        steps = [
            (f"GET section {_section(prop).wire}", _bind(make.get_section, name, _section(prop).wire))
            for prop in declared.sections
        ]
        if declared.common is not None:
            steps.append(("GET common", _bind(make.get_common, name)))
        try:
            results = _run_all(steps)
        except _StepFailed as failed:
            raise ZisPulumiError(f"Adopting Make connection {name!r} failed at {failed.step}: {failed.error}") from None
        held: dict[str, Any] = {"label": connection.label, "connected_system_name": connection.connected_system_name}
        for prop, text in zip(declared.sections, results, strict=False):
            held[prop] = _section_value(text)
        if declared.common is not None:
            held["common"] = {k: v for k, v in results[-1].items() if k != CLAIM_KEY}
        return held

    def _adopt_or_post(self, declared: _Declared, claim: str) -> tuple[WireConnection, dict[str, Any]]:
        """The connection to finish: one an earlier, interrupted create of this resource left, or a new one.

        Returns it with what Make is known to hold (the baseline of the writes that follow).
        """
        app = declared.app_name
        listed = _first_listings.get((self.make.base_url, app), lambda: self.make.list_connections(app))
        found = self._claimed(declared, claim, listed)
        kind = make_kind(declared.type)
        # Ours for sure, but of a type no longer declared (the type cannot change): not worth keeping.
        stale = [c for c in found if make_kind(c.type) != kind]
        found = [c for c in found if make_kind(c.type) == kind]
        for extra in [*stale, *found[1:]]:  # more than one interrupted create of this resource: all ours
            self._discard(extra.name)
        if found:
            keep = found[0]
            ownership.notice(
                f"adopted the existing Make connection {keep.name!r} (app {app!r}) instead of creating one: an "
                "interrupted create of this resource left it"
            )
            return keep, {"label": keep.label, "connected_system_name": keep.connected_system_name}
        connection = self._post_connection(declared, claim)
        return connection, {"label": connection.label}

    def _claimed(self, declared: _Declared, claim: str, listed: Sequence[WireConnection]) -> list[WireConnection]:
        """The listed connections that hold `claim`, of any type: by a pending label (whatever label it was
        for), or, among those with the declared label, by their common data.

        A create that finished but was not saved, under a label since changed, is not found: finding it
        would mean reading the common data of every connection of the app.
        """
        base_url = self.make.base_url
        candidates = [
            c for c in listed if (base_url, c.name) not in _deleted_here and (base_url, c.name) not in _made_here
        ]
        ours = [c for c in candidates if (c.label or "").endswith(pending_label("", claim))]
        lookalikes = [c for c in candidates if c.label == declared.label]
        if lookalikes:
            steps = [(f"GET common of {c.name}", _bind(self._claim_in_common, c.name)) for c in lookalikes]
            try:
                claims = _run_all(steps)
            except _StepFailed as failed:
                raise failed.error from None
            ours += [c for c, held in zip(lookalikes, claims, strict=True) if held == claim]
        return sorted(ours, key=lambda c: c.name)

    def _claim_in_common(self, name: str) -> str | None:
        try:
            held = self.make.get_common(name).get(CLAIM_KEY)
        except NotFoundError:
            return None  # deleted meanwhile
        return held if isinstance(held, str) else None

    def _post_connection(self, declared: _Declared, claim: str) -> WireConnection:
        """POST the connection under its pending label; after an answer that got lost, find it by that label.

        If the list shows no such connection, the POST is sent again (up to three times).
        """
        app, label = declared.app_name, pending_label(declared.label, claim)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self.make.create_connection(app, declared.type, label)
            except (TransportError, ApiError) as exc:
                if not may_have_happened(exc):
                    raise
                cause = exc
            try:
                after = self.make.list_connections(app)
            except Exception as exc:
                raise ZisPulumiError(
                    f"Creating a Make connection for app {app!r} failed ({cause}) in a way that may have created "
                    f"it, and listing the app's connections to find out failed too ({exc}). Run `pulumi up` again: "
                    f"it adopts the connection labelled {label!r} if there is one."
                ) from None
            ours = sorted((c for c in after if c.label == label), key=lambda c: c.name)
            if ours:
                for duplicate in ours[1:]:
                    self._discard(duplicate.name)
                return ours[0]
            if attempt >= _MAX_POST_ATTEMPTS:
                raise ZisPulumiError(
                    f"Creating a Make connection for app {app!r} failed {attempt} times without creating one "
                    f"(the app's connection list shows none labelled {label!r}); last error: {cause}"
                ) from None

    def _roll_back(self, name: str, declared: _Declared, failed: _StepFailed) -> NoReturn:
        """Delete the half-made connection; if that fails too, say which one was left and how to remove it."""
        try:
            self.make.delete_connection(name)
        except NotFoundError:
            pass
        except Exception as cleanup:
            raise ZisPulumiError(
                f"Creating Make connection {name!r} (app {declared.app_name!r}) failed at {failed.step}: "
                f"{failed.error}. Deleting it again failed too ({cleanup}), so it is left in Make: remove it with "
                f"DELETE {self.make.url(f'sdk/apps/connections/{name}')} or in Make's app {declared.app_name!r} "
                "under Connections."
            ) from None
        raise ZisPulumiError(
            f"Creating Make connection {name!r} (app {declared.app_name!r}) failed at {failed.step}: "
            f"{failed.error}. The connection was deleted again; nothing is left behind."
        ) from None

    def _write_steps(
        self, name: str, declared: _Declared, baseline: Mapping[str, Any], *, claim: str | None = None
    ) -> tuple[list[tuple[str, Callable[[], Any]]], list[tuple[str, Callable[[], Any]]]]:
        """The requests that bring the connection from `baseline` (what Make is known to hold) to the
        declared state: the PUTs, and apart from them the PATCH of label and connected system (a create
        sends it last). A section or `common` no longer declared is left as Make has it.

        With a `claim` (a create), `common` is written whether declared or not, holding the claim.
        """
        make = self.make
        puts: list[tuple[str, Callable[[], Any]]] = []
        for prop, value in declared.sections.items():
            if not same(value, baseline.get(prop)):
                wire = _section(prop).wire
                puts.append((f"PUT section {wire}", _bind(make.set_section, name, wire, value)))
        held = claim or declared.claim
        if claim is not None or (declared.common is not None and not same(declared.common, baseline.get("common"))):
            common = {**(declared.common or {}), **({CLAIM_KEY: held} if held else {})}
            puts.append(("PUT common", _bind(make.set_common, name, common)))
        changes: dict[str, Any] = {}
        if declared.label != baseline.get("label"):
            changes["label"] = declared.label
        if declared.connected_system_name != baseline.get("connected_system_name"):
            changes["connectedSystemName"] = declared.connected_system_name
        patch = [(f"PATCH {' and '.join(changes)}", _bind(make.update_connection, name, changes))] if changes else []
        return puts, patch

    # --- read ----------------------------------------------------------------------------------

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """What Make has now, for the properties this resource manages; gone on 404.

        One GET of the connection, then the declared sections and `common` side by side. A value equal
        (as a value) to the state's is returned exactly as the state has it, so Make's formatting never
        shows as a change; a section Make holds as text that does not parse comes back as that text.
        """
        with scrubbed(props.get("common")):
            try:
                connection = self.make.get_connection(id_)
                declared_sections = [p for p in SECTION_PROPS if props.get(p) is not None]
                steps: list[tuple[str, Callable[[], Any]]] = [
                    (f"GET section {_section(p).wire}", _bind(self.make.get_section, id_, _section(p).wire))
                    for p in declared_sections
                ]
                if props.get("common") is not None:
                    steps.append(("GET common", _bind(self.make.get_common, id_)))
                try:
                    results = _run_all(steps)
                except _StepFailed as failed:
                    raise failed.error from None  # a 404 here means the connection went meanwhile
            except NotFoundError:
                return ReadResult("", {})

            outs: dict[str, Any] = {
                "name": connection.name,
                "app_name": props.get("app_name"),
                "type": _read_type(props.get("type"), connection.type),
                "label": connection.label,
                "connected_system_name": connection.connected_system_name,
            }
            for prop, text in zip(declared_sections, results, strict=False):
                outs[prop] = _keep_if_same(props.get(prop), _section_value(text))
            if props.get("common") is not None:
                held = {k: v for k, v in results[-1].items() if k != CLAIM_KEY}
                outs["common"] = _keep_if_same(props.get("common"), held)
            if props.get("recreate_trigger") is not None:
                outs["recreate_trigger"] = props["recreate_trigger"]
            if props.get(ADOPT) is not None:
                outs[ADOPT] = props[ADOPT]
            inputs = {k: outs[k] for k in INPUTS if outs.get(k) is not None}
            if props.get(CLAIM):
                inputs[CLAIM] = props[CLAIM]
            return ReadResult(connection.name, outs, inputs=inputs)

    # --- update --------------------------------------------------------------------------------

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """PATCH label / connected system, PUT changed sections and `common`; recreate on a new trigger.

        After a recreate every declared property is written again, whatever the recreate reset.
        """
        with scrubbed(olds.get("common"), news.get("common")):
            declared = _Declared.of(news)
            name = str(olds.get("name") or id_)
            recreate = declared.recreate_trigger is not None and not same(
                declared.recreate_trigger, olds.get("recreate_trigger")
            )
            if recreate:
                self.make.recreate_connection(name)
            puts, patch = self._write_steps(name, declared, {} if recreate else olds)
            steps = [*patch, *puts]
            try:
                _run_all(steps)
            except _StepFailed as failed:
                hint = ""
                if isinstance(failed.error, NotFoundError):
                    hint = "; it is gone from Make: `pulumi refresh` forgets it, then `pulumi up` creates it again"
                raise ZisPulumiError(
                    f"Updating Make connection {name!r} failed at {failed.step}: {failed.error}{hint}"
                ) from None
            return UpdateResult(declared.outputs(name))

    # --- delete --------------------------------------------------------------------------------

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """DELETE; a connection already gone is deleted. (Make finishes deleting in the background.)

        Nothing is deleted when a resource of this run declares the connection by its name (`_ownership`).
        """
        with scrubbed(props.get("common")):
            name, app = str(props.get("name") or id_), str(props.get("app_name"))
            if ownership.kept(ownership.MAKE_CONNECTION, (app, name), f"Make connection {name!r} (app {app!r})"):
                return
            self._discard(name)

    def _discard(self, name: str) -> None:
        """Delete the connection (gone already is fine) and remember it: Make may list it a while longer."""
        with contextlib.suppress(NotFoundError):
            self.make.delete_connection(name)
        _deleted_here.put((self.make.base_url, name), True)


def _bind(function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    return lambda: function(*args)


def _read_type(declared: Any, read_back: str | None) -> Any:
    """The declared type while Make's normalized read-back is of the same kind, else what Make says."""
    if isinstance(declared, str) and make_kind(declared) == make_kind(read_back):
        return declared
    return read_back


def _section_value(text: str) -> Any:
    try:
        return parse_jsonc(text)
    except ValueError:
        return text  # an edit in Make that does not parse: a change from any declared value


def _keep_if_same(old: Any, new: Any) -> Any:
    return old if same(old, new) else new


# --- the resource --------------------------------------------------------------------------------------

SectionObject = Mapping[str, Any] | str
"""An object section, or its JSONC text."""
SectionList = Sequence[Any] | str
"""A list section, or its JSONC text."""


@dataclass(kw_only=True)
class AppConnectionArgs:
    """The inputs of an `AppConnection`."""

    app_name: pulumi.Input[str]
    """The custom app's name (`acme-crm`). A change replaces the connection."""
    type: pulumi.Input[str]
    """One of oauth, oauth-refresh, oauth-resowncre, oauth-clicre, oauth-1, apikey, basic, other.

    Set on create only: a change replaces the connection. Make reads it back as `oauth` or `basic`, which
    is no change."""
    label: pulumi.Input[str]
    """The label users see when they pick the connection."""
    connected_system_name: pulumi.Input[str] | None = None
    """The connected system this connection belongs to; None leaves it unset (or clears it)."""
    api: pulumi.Input[SectionObject] | None = None
    """The `api` section: the IML request that checks the credentials, or the OAuth directives."""
    parameters: pulumi.Input[SectionList] | None = None
    """The `parameters` section: a list of field definitions users fill in."""
    scopes: pulumi.Input[SectionObject] | None = None
    """The `scopes` section: an object of scope → description."""
    scope: pulumi.Input[SectionList] | None = None
    """The `scope` section: the list of scopes requested by default."""
    install: pulumi.Input[SectionObject] | None = None
    """The `install` section (an object)."""
    install_spec: pulumi.Input[SectionList] | None = None
    """The `installSpec` section (a list)."""
    common: pulumi.Input[Mapping[str, pulumi.Input[Any]]] | None = None
    """The connection's common data, e.g. `{"clientId": …, "clientSecret": …}`. Always kept secret."""
    recreate_trigger: pulumi.Input[str | int | float | bool] | None = None
    """A value to bump (a date, a counter) when the connection needs Make's "recreate connection"
    (POST …/recreate): each update that changes it to a new value calls recreate, then writes the label,
    the declared sections and `common` again. Creating with it, or removing it, recreates nothing."""
    adopt_name: pulumi.Input[str] | None = None
    """The name of an existing connection of the app (`acme-crm2`) to take over instead of creating one.

    Read on create only: the connection must exist and be of the declared kind (else the create fails naming
    it); what differs from the declared label, sections and `common` is written, nothing if it is identical.
    `zis-pulumi export` sets it. Deleting the resource deletes the connection."""


_TYPE_TOKEN = "pulumi-python:dynamic/make:AppConnection"


def _claim(resource_name: str, opts: pulumi.ResourceOptions | None) -> pulumi.Output[str]:
    """The claim of the resource about to be registered: a hash of the URN it will have."""
    return future_urn(_TYPE_TOKEN, resource_name, opts).apply(claim_of)


class AppConnection(dynamic.Resource, module="make", name="AppConnection"):
    """A connection of a Make custom app, with its declared sections and common data.

    Sections not declared keep what Make has. Removing a section (or `common`) from the program stops
    managing it; Make keeps its content.
    """

    def __init__(
        self,
        resource_name: str,
        args: AppConnectionArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        common: pulumi.Input[Mapping[str, pulumi.Input[Any]]] | None = None,
        app_name: pulumi.Input[str] | None = None,
        type: pulumi.Input[str] | None = None,
        label: pulumi.Input[str] | None = None,
        connected_system_name: pulumi.Input[str] | None = None,
        api: pulumi.Input[SectionObject] | None = None,
        parameters: pulumi.Input[SectionList] | None = None,
        scopes: pulumi.Input[SectionObject] | None = None,
        scope: pulumi.Input[SectionList] | None = None,
        install: pulumi.Input[SectionObject] | None = None,
        install_spec: pulumi.Input[SectionList] | None = None,
        recreate_trigger: pulumi.Input[str | int | float | bool] | None = None,
        adopt_name: pulumi.Input[str] | None = None,
    ) -> None:
        props = inputs_from("AppConnection", args, AppConnectionArgs, locals(), required=REQUIRED)
        if props["common"] is not None:
            # Secret as an input too, so previews and the state's inputs never show it in clear.
            props["common"] = pulumi.Output.secret(props["common"])
        props[CLAIM] = _claim(resource_name, opts)
        options = merge_options(opts, secret_outputs=["common"], delete_before_replace=True)
        props = registered(self, resource_name, opts, props, ("name",))
        super().__init__(AppConnectionProvider(), resource_name, props, options)

    name = Out[str]("The connection's name, generated by Make (`acme-crm`, `acme-crm2`, …); also the resource ID.")
    app_name = Out[str]("The custom app the connection belongs to.")
    type = Out[str]("The type as declared (Make itself reports only `oauth` or `basic`).")
    label = Out[str]("The label users see.")
    connected_system_name = Out[str | None]("The connected system, if any.")
    api = Out[dict[str, Any] | None]("The `api` section as a value, if declared.")
    parameters = Out[list[Any] | None]("The `parameters` section as a value, if declared.")
    scopes = Out[dict[str, Any] | None]("The `scopes` section as a value, if declared.")
    scope = Out[list[Any] | None]("The `scope` section as a value, if declared.")
    install = Out[dict[str, Any] | None]("The `install` section as a value, if declared.")
    install_spec = Out[list[Any] | None]("The `installSpec` section as a value, if declared.")
    common = Out[dict[str, Any] | None]("The common data, if declared: a secret.")
    adopt_name = Out[str | None]("The connection this resource took over on create, if it was adopted.")
    recreate_trigger = Out[Any]("The trigger value of the last recreate (or the one the connection was created with).")
