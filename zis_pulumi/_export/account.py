"""Reading what `zis-pulumi export` turns into code: integrations (bundles, installed job specs, links) and the
connections of Make apps, through the same clients the providers use.

Every read that fails is re-raised as an `ExportError` that says what was being read, with the API error (its
status and request) after it.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from pydantic import ValidationError

from .._bundle_rules import FLOW, JOB_SPEC
from .._make import MakeClient
from .._numbers import whole_numbers
from .._zendesk import ZendeskClient
from ..app_connection import CLAIM_KEY, SECTIONS, ConnectionContent, _section_problem, parse_jsonc
from ..bundle import DEFAULT_TEMPLATE_VERSION
from ..errors import ZisPulumiError
from ..models import Link

__all__ = [
    "DEFAULT_LINK_PREFIXES",
    "Account",
    "ExportError",
    "ExportedBundle",
    "ExportedConnection",
    "ExportedIntegration",
    "ExportedLink",
    "LinkSearch",
    "Progress",
    "read_integration",
    "read_make_app",
]

DEFAULT_LINK_PREFIXES = tuple(c for c in string.printable if not c.isspace() and c != "*")
"""The Links API lists nothing without a name filter, and `*` alone is refused (CONTRACT.md, Links): so by default
every link whose left object name starts with a printable ASCII character is found, one search per character."""

PROGRESS_EVERY = 500
"""Links between two progress lines."""


class ExportError(ZisPulumiError):
    """A read of the account failed: says what was being read, then the API error (status and request)."""


@contextmanager
def reading(what: str) -> Iterator[None]:
    try:
        yield
    except ExportError:
        raise
    except ZisPulumiError as exc:
        raise ExportError(f"reading {what} failed: {exc}") from None
    except ValidationError as exc:  # an answer of an unexpected shape
        raise ExportError(f"reading {what} failed: unexpected answer: {exc}") from None


class Progress:
    """Lines on stderr about long reads; silent without a stream."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    def say(self, message: str) -> None:
        if self._stream is not None:
            print(f"zis-pulumi export: {message}", file=self._stream, flush=True)


# --- what is read ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedBundle:
    integration: str
    name: str
    description: str
    zis_template_version: str
    resources: dict[str, Any]

    def job_spec_names(self) -> set[str]:
        return {
            str(res["properties"]["name"])
            for res in self.resources.values()
            if isinstance(res, Mapping) and res.get("type") == JOB_SPEC and isinstance(res.get("properties"), Mapping)
        }

    def link_types(self) -> set[str]:
        """The link types the flows name literally (the `link_type` parameter of the built-in link actions,
        https://developer.zendesk.com/documentation/integration-services/developer-guide/zis-built-in-actions)."""
        found: set[str] = set()

        def walk(value: Any) -> None:
            if isinstance(value, Mapping):
                link_type = value.get("link_type")
                if isinstance(link_type, str) and link_type:
                    found.add(link_type)
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        for res in self.resources.values():
            if isinstance(res, Mapping) and res.get("type") == FLOW:
                walk(res.get("properties"))
        return found


@dataclass(frozen=True)
class ExportedLink:
    link_type: str
    left_object: dict[str, Any]
    """`{"name", "metadata"}`."""
    right_object: dict[str, Any]

    @property
    def identity(self) -> tuple[str, str, str]:
        return self.link_type, str(self.left_object["name"]), str(self.right_object["name"])


@dataclass(frozen=True)
class ExportedIntegration:
    name: str
    bundles: list[ExportedBundle]
    installed_job_specs: list[tuple[str, str | None]]
    """(job spec name, name of the bundle declaring it) of every installed job spec, sorted."""
    links: dict[str, list[ExportedLink]] = field(default_factory=dict)
    """Links by link type, each list sorted by object names."""


@dataclass(frozen=True)
class ExportedConnection(ConnectionContent):
    """A connection as Make holds it (`common` None when empty), to be declared with `adopt_name`."""

    name: str


@dataclass(frozen=True)
class Account:
    zendesk_url: str | None
    make_url: str | None
    integrations: list[ExportedIntegration]
    connections: list[ExportedConnection]


@dataclass(frozen=True)
class LinkSearch:
    """Which links to read: link types (none: those the bundles' flows name) and left object name prefixes."""

    link_types: Sequence[str] = ()
    prefixes: Sequence[str] = DEFAULT_LINK_PREFIXES


# --- ZIS --------------------------------------------------------------------------------------------


def read_integration(
    zendesk: ZendeskClient, integration: str, links: LinkSearch | None, progress: Progress
) -> ExportedIntegration:
    with reading(f"the bundles of ZIS integration {integration!r}"):
        summaries = sorted(zendesk.list_bundles(integration), key=lambda b: b.name)
    bundles: list[ExportedBundle] = []
    for summary in summaries:
        with reading(f"ZIS bundle {summary.name!r} ({summary.uuid}) of integration {integration!r}"):
            bundle = zendesk.get_bundle(integration, summary.uuid)
        bundles.append(
            ExportedBundle(
                integration=integration,
                name=bundle.name,
                description=bundle.description or "",
                zis_template_version=bundle.zis_template_version or DEFAULT_TEMPLATE_VERSION,
                resources={key: res.model_dump(mode="json") for key, res in bundle.resources.items()},
            )
        )
    with reading(f"the job specs of ZIS integration {integration!r}"):
        job_specs = zendesk.list_job_specs(integration)
    declared_by = {name: b.name for b in reversed(bundles) for name in b.job_spec_names()}
    installed = sorted((spec.name, declared_by.get(spec.name)) for spec in job_specs if spec.installed)
    progress.say(f"integration {integration}: {len(bundles)} bundle(s), {len(installed)} installed job spec(s)")
    exported = ExportedIntegration(name=integration, bundles=bundles, installed_job_specs=installed)
    if links is not None:
        link_types = sorted(set(links.link_types) or set().union(*(b.link_types() for b in bundles)))
        if not link_types:
            progress.say(
                f"integration {integration}: no links read: the Links API finds links only by link type, and no "
                "flow names one; give the link types with --link-type"
            )
        for link_type in link_types:
            exported.links[link_type] = read_links(zendesk, integration, link_type, links.prefixes, progress)
    return exported


def read_links(
    zendesk: ZendeskClient, integration: str, link_type: str, prefixes: Iterable[str], progress: Progress
) -> list[ExportedLink]:
    """Every link of the type whose left object name starts with one of `prefixes`, each identity once."""
    found: dict[tuple[str, str, str], ExportedLink] = {}
    reported = 0
    progress.say(f"integration {integration}: reading links of type {link_type!r}")
    for prefix in prefixes:
        pattern = f"{prefix}*"
        with reading(f"the ZIS links of integration {integration!r}, type {link_type!r}, left object {pattern!r}"):
            for page in zendesk.link_pages(integration, link_type, left_object_name=pattern):
                for link in page:
                    exported = _exported_link(link)
                    found.setdefault(exported.identity, exported)
                if len(found) - reported >= PROGRESS_EVERY:
                    reported = len(found)
                    progress.say(f"integration {integration}: {reported} links of type {link_type!r} read so far")
    progress.say(f"integration {integration}: {len(found)} link(s) of type {link_type!r}")
    return [found[identity] for identity in sorted(found)]


def _exported_link(link: Link) -> ExportedLink:
    def side(name: str, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
        return {"name": name, "metadata": whole_numbers(dict(metadata or {}))}

    return ExportedLink(
        link_type=link.link_type,
        left_object=side(link.left_object.name, link.left_object.metadata),
        right_object=side(link.right_object.name, link.right_object.metadata),
    )


# --- Make -------------------------------------------------------------------------------------------


def read_make_app(make: MakeClient, app_name: str, progress: Progress) -> list[ExportedConnection]:
    with reading(f"the connections of Make app {app_name!r}"):
        listed = sorted(make.list_connections(app_name), key=lambda c: c.name)
    progress.say(f"Make app {app_name}: {len(listed)} connection(s)")
    connections: list[ExportedConnection] = []
    for connection in listed:
        name = connection.name
        sections: dict[str, Any] = {}
        for section in SECTIONS:
            with reading(f"section {section.wire!r} of Make connection {name!r} (app {app_name!r})"):
                text = make.get_section(name, section.wire)
            value = _section_value(text)
            if isinstance(value, ValueError):
                progress.say(
                    f"{name}: section {section.wire} left out (Make keeps it): it is not valid JSONC ({value})"
                )
            elif value is not None:
                problem = _section_problem(section, value)
                if problem:
                    progress.say(f"{name}: section {section.wire} left out (Make keeps it): it {problem}")
                else:
                    sections[section.prop] = value
        with reading(f"the common data of Make connection {name!r} (app {app_name!r})"):
            common = {k: v for k, v in make.get_common(name).items() if k != CLAIM_KEY}
        connections.append(
            ExportedConnection(
                app_name=app_name,
                name=name,
                type=connection.type or "other",
                label=connection.label or name,
                connected_system_name=connection.connected_system_name,
                sections=sections,
                common=whole_numbers(common) or None,
            )
        )
    return connections


def _section_value(text: str) -> Any:
    """The section as a value; None when it holds none (blank, or only comments); the error when it does not parse."""
    try:
        return whole_numbers(parse_jsonc(text))
    except ValueError as exc:
        return exc
