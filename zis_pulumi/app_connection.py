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
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from typing import Any, NoReturn, cast

import json5
import pulumi
import pulumi.dynamic as dynamic
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, UpdateResult

from ._http import AMBIGUOUS_STATUSES
from ._pickling import unnest_sorting_pickler
from ._provider import BaseProvider, failure, is_unknown, merge_options, plain
from .errors import ApiError, NotFoundError, TransportError, ZisPulumiError
from .models import AppConnection as WireConnection

__all__ = [
    "CONNECTION_TYPES",
    "AppConnection",
    "AppConnectionArgs",
    "AppConnectionProvider",
]

log = logging.getLogger("zis_pulumi.make")

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
)
REQUIRED = ("app_name", "type", "label")
CLAIM = "claim"
"""The input holding the resource's claim: set by `AppConnection` itself, not by users."""
CLAIM_KEY = "zisPulumiClaim"
"""The member of the connection's common data that holds the claim."""
PROVIDER_KEY = "__provider"
SECRET = "[secret]"
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


# --- values: JSONC, numbers, semantic comparison -----------------------------------------------------


def parse_jsonc(text: str) -> Any:
    """A JSONC document (comments, trailing commas) as a value; blank text is None. Raises ValueError."""
    if not text.strip():
        return None
    return json5.loads(text)


def json_value(value: Any) -> Any:
    """The value with whole floats made ints again.

    Numbers cross the engine as doubles: `30` comes back `30.0`, which Make would then store as `30.0`.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def canonical(value: Any) -> Any:
    """A form where equal JSON values compare equal and different ones do not.

    Key order, int/float spelling and members whose value is null (the engine drops those from objects)
    do not matter; `true` and `1` stay different.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer() and math.isfinite(value):
            value = int(value)
        return ("number", value)
    if isinstance(value, Mapping):
        return ("object", tuple(sorted((str(k), canonical(v)) for k, v in value.items() if v is not None)))
    if isinstance(value, list | tuple):
        return ("array", tuple(canonical(v) for v in value))
    return ("other", repr(value))


def same(a: Any, b: Any) -> bool:
    return bool(canonical(a) == canonical(b))


# --- secrets -------------------------------------------------------------------------------------------


def _secret_strings(*commons: Any) -> list[str]:
    """Every string in the given `common` values, longest first (so no secret is half-replaced)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if value and not is_unknown(value):
                found.add(value)
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for common in commons:
        walk(common)
    return sorted(found, key=len, reverse=True)


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, SECRET)
    return text


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _redacted_copy(exc: Exception, secrets: Sequence[str]) -> Exception:
    if isinstance(exc, ApiError):
        return type(exc)(
            vendor=exc.vendor,
            status=exc.status,
            method=exc.method,
            url=_redact(exc.url, secrets),
            message=_redact(exc.message, secrets),
            code=exc.code,
            details=[_redact(detail, secrets) for detail in exc.details],
        )
    if isinstance(exc, TransportError):
        return TransportError(exc.method, _redact(exc.url, secrets), _redact(exc.reason, secrets), exc.attempts)
    return ZisPulumiError(_redact(str(exc), secrets))


@contextlib.contextmanager
def _scrubbed(*commons: Any) -> Iterator[None]:
    """Let no error out that quotes a `common` value (a vendor may echo a request body back).

    The provider process prints tracebacks, chained exceptions included, so a chain that mentions a
    secret is cut as well.
    """
    secrets = _secret_strings(*commons)
    try:
        yield
    except Exception as exc:
        if not secrets:
            raise
        if any(secret in str(exc) for secret in secrets):
            raise _redacted_copy(exc, secrets) from None
        if any(secret in str(link) for link in _chain(exc) for secret in secrets):
            raise exc from None
        raise


# --- what the user declared ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Declared:
    app_name: str
    type: str
    label: str
    connected_system_name: str | None
    sections: dict[str, Any]
    """The declared sections by property name (undeclared ones are absent)."""
    common: dict[str, Any] | None
    recreate_trigger: Any
    claim: str | None

    @classmethod
    def of(cls, props: Mapping[str, Any]) -> _Declared:
        common = props.get("common")
        return cls(
            app_name=str(props["app_name"]),
            type=str(props["type"]),
            label=str(props["label"]),
            connected_system_name=props.get("connected_system_name"),
            sections={prop: json_value(props[prop]) for prop in SECTION_PROPS if props.get(prop) is not None},
            common=json_value(common) if common is not None else None,
            recreate_trigger=props.get("recreate_trigger"),
            claim=props.get(CLAIM) or None,
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
    failures: list[CheckFailure] = []
    for key in sorted(set(news) - set(INPUTS) - {PROVIDER_KEY, CLAIM}):
        failures.append(failure(key, f"is not an AppConnection input; inputs are {', '.join(INPUTS)}"))

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
        failures.append(failure("type", f"must be one of {', '.join(CONNECTION_TYPES)} (got {type_!r})"))

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
        inputs[section.prop] = json_value(plain(value))

    common = news.get("common")
    if common is not None:
        if is_unknown(common):
            inputs["common"] = common
        elif isinstance(common, Mapping):
            inputs["common"] = json_value(plain(common))
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
            inputs["recreate_trigger"] = json_value(trigger)
        else:
            failures.append(failure("recreate_trigger", "must be a string, number or boolean"))

    claim = news.get(CLAIM)
    if claim is not None:
        if is_unknown(claim) or (isinstance(claim, str) and _CLAIM_CHARS.fullmatch(claim)):
            inputs[CLAIM] = claim
        else:
            failures.append(failure(CLAIM, "is set by AppConnection itself: 8 to 64 lowercase hex digits"))
    return inputs, failures


# --- the provider --------------------------------------------------------------------------------------

_seen_lock = threading.Lock()
_made_here: set[tuple[str, str]] = set()
"""(Make URL, name) of the connections this provider process created or adopted: a later create in the
same run never needs to look at them. Module state, not provider state: the provider is pickled."""
_deleted_here: set[tuple[str, str]] = set()
"""(Make URL, name) of the connections this process deleted. Make deletes in the background, so during a
replacement the old connection, claim and all, can still be listed when its successor is created."""


class _FirstListings:
    """Each app's connection list as this provider process first saw it, fetched once however many creates ask.

    What an interrupted earlier run left behind is there before this run starts, so the first list shows
    all of it; what this run creates afterwards is in `_made_here` and never needs finding.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gates: dict[tuple[str, str], threading.Lock] = {}
        self._listed: dict[tuple[str, str], list[WireConnection]] = {}

    def get(self, key: tuple[str, str], fetch: Callable[[], list[WireConnection]]) -> list[WireConnection]:
        with self._lock:
            gate = self._gates.setdefault(key, threading.Lock())
        with gate:
            listed = self._listed.get(key)
            if listed is None:
                listed = self._listed[key] = fetch()
            return listed

    def clear(self) -> None:
        with self._lock:
            self._listed.clear()


_first_listings = _FirstListings()


def _remember(seen: set[tuple[str, str]], base_url: str, name: str) -> None:
    with _seen_lock:
        seen.add((base_url, name))


def _seen(seen: set[tuple[str, str]], base_url: str, name: str) -> bool:
    with _seen_lock:
        return (base_url, name) in seen


def claim_of(urn: str) -> str:
    """The claim of the resource with this URN: short, stable, and telling nothing about the stack."""
    return hashlib.sha256(urn.encode()).hexdigest()[:20]


def pending_label(label: str, claim: str) -> str:
    """The label a connection carries while its create is under way."""
    return f"{label} [zis-pulumi {claim}]"


def _ambiguous(exc: Exception) -> bool:
    """True when a POST failed in a way that may have created the connection anyway."""
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, ApiError) and exc.status in AMBIGUOUS_STATUSES


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
    delete_before_replace = True
    """A replacement holds the same claim as the connection it replaces: the old one goes first, so the
    new create cannot mistake it for its own leftover."""

    def normalize(self, name: str, value: Any) -> Any:
        if name == "type":
            return value  # the state keeps the declared type; see `read`
        return canonical(value)

    # --- check / diff --------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs, failures = validate(news)
        return CheckResult(inputs, failures)

    # --- create --------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Adopt the connection holding this resource's claim, or POST one; then write what is declared.

        The label is written last: until then it names the claim, so a create cut off at any point leaves
        a connection the next create recognises. A failure after the POST deletes the connection again.
        """
        with _scrubbed(props.get("common")):
            declared = _Declared.of(props)
            claim = declared.claim or uuid.uuid4().hex[:20]  # without a URN (direct use): recovery within this call
            connection, baseline = self._adopt_or_post(declared, claim)
            puts, patch = self._write_steps(connection.name, declared, baseline, claim=claim)
            try:
                _run_all(puts)
                _run_all(patch)
            except _StepFailed as failed:
                self._roll_back(connection.name, declared, failed)
            _remember(_made_here, self.make.base_url, connection.name)
            return CreateResult(connection.name, declared.outputs(connection.name))

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
            log.info("adopting Make connection %r, left by an interrupted create of this resource", keep.name)
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
            c for c in listed if not _seen(_deleted_here, base_url, c.name) and not _seen(_made_here, base_url, c.name)
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
                if not _ambiguous(exc):
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
        with _scrubbed(props.get("common")):
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
            inputs = {k: outs[k] for k in INPUTS if outs.get(k) is not None}
            if props.get(CLAIM):
                inputs[CLAIM] = props[CLAIM]
            return ReadResult(connection.name, outs, inputs=inputs)

    # --- update --------------------------------------------------------------------------------

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """PATCH label / connected system, PUT changed sections and `common`; recreate on a new trigger.

        After a recreate every declared property is written again, whatever the recreate reset.
        """
        with _scrubbed(olds.get("common"), news.get("common")):
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
        """DELETE; a connection already gone is deleted. (Make finishes deleting in the background.)"""
        with _scrubbed(props.get("common")):
            self._discard(str(props.get("name") or id_))

    def _discard(self, name: str) -> None:
        """Delete the connection (gone already is fine) and remember it: Make may list it a while longer."""
        with contextlib.suppress(NotFoundError):
            self.make.delete_connection(name)
        _remember(_deleted_here, self.make.base_url, name)


def _bind(function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    return lambda: function(*args)


def _read_type(declared: Any, read_back: str | None) -> Any:
    """The declared type while Make's normalized read-back is of the same kind, else what Make says."""
    if isinstance(declared, str) and make_kind(declared) == make_kind(read_back):
        return declared
    return read_back


def _section_value(text: str) -> Any:
    try:
        return json_value(parse_jsonc(text))
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


_TYPE_TOKEN = "pulumi-python:dynamic/make:AppConnection"


def _claim(resource_name: str, opts: pulumi.ResourceOptions | None) -> pulumi.Output[str]:
    """The claim of the resource about to be registered: a hash of the URN it will have."""
    parent = opts.parent if opts is not None else None
    parent_urn: pulumi.Output[str] | None = None
    if parent is not None:
        # The parent's URN as a value only: a dependency on a component parent would include this resource.
        urn = parent.urn
        parent_urn = pulumi.Output(set(), urn.future(), urn.is_known(), urn.is_secret())  # type: ignore[arg-type]
    return pulumi.resource.create_urn(resource_name, _TYPE_TOKEN, parent=parent_urn).apply(claim_of)


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
        common: pulumi.Input[Mapping[str, pulumi.Input[Any]]] | None = None,
        recreate_trigger: pulumi.Input[str | int | float | bool] | None = None,
    ) -> None:
        keywords: dict[str, Any] = {
            "app_name": app_name,
            "type": type,
            "label": label,
            "connected_system_name": connected_system_name,
            "api": api,
            "parameters": parameters,
            "scopes": scopes,
            "scope": scope,
            "install": install,
            "install_spec": install_spec,
            "common": common,
            "recreate_trigger": recreate_trigger,
        }
        if args is None:
            missing = [key for key in REQUIRED if keywords[key] is None]
            if missing:
                raise TypeError(f"AppConnection needs {', '.join(missing)} (or an AppConnectionArgs)")
            args = AppConnectionArgs(**keywords)
        elif any(value is not None for value in keywords.values()):
            raise TypeError("give AppConnection either an AppConnectionArgs or keyword arguments, not both")
        props: dict[str, Any] = {field.name: getattr(args, field.name) for field in fields(args)}
        if props["common"] is not None:
            # Secret as an input too, so previews and the state's inputs never show it in clear.
            props["common"] = pulumi.Output.secret(props["common"])
        props["name"] = None
        props[CLAIM] = _claim(resource_name, opts)
        options = merge_options(opts, secret_outputs=["common"], delete_before_replace=True)
        unnest_sorting_pickler()  # before the SDK pickles the provider: see _pickling
        super().__init__(AppConnectionProvider(), resource_name, props, options)

    @property
    def name(self) -> pulumi.Output[str]:
        """The connection's name, generated by Make (`acme-crm`, `acme-crm2`, …); also the resource ID."""
        return cast("pulumi.Output[str]", pulumi.get(self, "name"))

    @property
    def app_name(self) -> pulumi.Output[str]:
        """The custom app the connection belongs to."""
        return cast("pulumi.Output[str]", pulumi.get(self, "app_name"))

    @property
    def type(self) -> pulumi.Output[str]:
        """The type as declared (Make itself reports only `oauth` or `basic`)."""
        return cast("pulumi.Output[str]", pulumi.get(self, "type"))

    @property
    def label(self) -> pulumi.Output[str]:
        """The label users see."""
        return cast("pulumi.Output[str]", pulumi.get(self, "label"))

    @property
    def connected_system_name(self) -> pulumi.Output[str | None]:
        """The connected system, if any."""
        return cast("pulumi.Output[str | None]", pulumi.get(self, "connected_system_name"))

    @property
    def api(self) -> pulumi.Output[dict[str, Any] | None]:
        """The `api` section as a value, if declared."""
        return cast("pulumi.Output[dict[str, Any] | None]", pulumi.get(self, "api"))

    @property
    def parameters(self) -> pulumi.Output[list[Any] | None]:
        """The `parameters` section as a value, if declared."""
        return cast("pulumi.Output[list[Any] | None]", pulumi.get(self, "parameters"))

    @property
    def scopes(self) -> pulumi.Output[dict[str, Any] | None]:
        """The `scopes` section as a value, if declared."""
        return cast("pulumi.Output[dict[str, Any] | None]", pulumi.get(self, "scopes"))

    @property
    def scope(self) -> pulumi.Output[list[Any] | None]:
        """The `scope` section as a value, if declared."""
        return cast("pulumi.Output[list[Any] | None]", pulumi.get(self, "scope"))

    @property
    def install(self) -> pulumi.Output[dict[str, Any] | None]:
        """The `install` section as a value, if declared."""
        return cast("pulumi.Output[dict[str, Any] | None]", pulumi.get(self, "install"))

    @property
    def install_spec(self) -> pulumi.Output[list[Any] | None]:
        """The `installSpec` section as a value, if declared."""
        return cast("pulumi.Output[list[Any] | None]", pulumi.get(self, "install_spec"))

    @property
    def common(self) -> pulumi.Output[dict[str, Any] | None]:
        """The common data, if declared: a secret."""
        return cast("pulumi.Output[dict[str, Any] | None]", pulumi.get(self, "common"))

    @property
    def recreate_trigger(self) -> pulumi.Output[Any]:
        """The trigger value of the last recreate (or the one the connection was created with)."""
        return cast("pulumi.Output[Any]", pulumi.get(self, "recreate_trigger"))
