"""The in-memory model of both vendors, and its persistence.

Everything the emulator knows lives in one ``EmulatorState`` (pydantic, JSON-serialisable). ``StateStore`` guards
it with an ``asyncio.Lock`` and, when it has a file, writes it there atomically (temporary file + rename) after
every mutation, and reads it back on start.

Ordering: every record carries ``seq``, taken from one counter that only grows, so lists are stable and cursors
stay valid when records around them are deleted.
"""

from __future__ import annotations

import asyncio
import bisect
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

STATE_FORMAT_VERSION = 1

ConnectionKind = Literal["api_key", "basic_auth", "bearer_token", "oauth"]


class BundleRecord(BaseModel):
    seq: int
    uuid: str
    integration: str
    name: str
    description: str
    zis_template_version: str
    resources: dict[str, Any]


class JobSpecRecord(BaseModel):
    seq: int
    uuid: str
    integration: str
    name: str
    description: str
    event_source: str
    event_type: str
    flow_name: str
    installed: bool = False
    bundle_uuid: str


class LinkObject(BaseModel):
    name: str
    metadata: dict[str, Any] = Field(default_factory=dict)


class LinkRecord(BaseModel):
    seq: int
    id: str
    uuid: str
    integration: str
    link_type: str
    left_object: LinkObject
    right_object: LinkObject
    created_at: str
    updated_at: str


class ZisConnectionRecord(BaseModel):
    """One ZIS connection; ``fields`` holds the vendor fields in clear (secrets included)."""

    seq: int
    integration: str
    kind: ConnectionKind
    name: str
    fields: dict[str, Any]
    created_at: str
    updated_at: str


LinkIdentityKey = tuple[str, str, str, str]
LinkOrderKey = tuple[int, str]
"""A link's place in lists: (seq, id), the key its cursors encode."""


class IntegrationRecord(BaseModel):
    """A registered ZIS integration and the Zendesk OAuth client ZIS made for it (its secret in clear)."""

    seq: int
    name: str
    description: str
    jwt_public_key: str
    oauth_client_id: int
    oauth_client_secret: str


class ZisState(BaseModel):
    integrations: dict[str, IntegrationRecord] = Field(default_factory=dict, description="by name")
    bundles: dict[str, BundleRecord] = Field(default_factory=dict, description="by uuid")
    job_specs: dict[str, JobSpecRecord] = Field(default_factory=dict, description="by uuid")
    links: dict[str, LinkRecord] = Field(default_factory=dict, description="by id")
    connections: dict[str, ZisConnectionRecord] = Field(default_factory=dict, description="by integration/name")
    _link_ids_by_identity: dict[LinkIdentityKey, list[str]] = PrivateAttr(default_factory=dict)
    _link_keys_by_type: dict[tuple[str, str], list[LinkOrderKey]] = PrivateAttr(default_factory=dict)
    _indexed_links: int = PrivateAttr(default=-1)

    def _index(self) -> dict[LinkIdentityKey, list[str]]:
        """Link ids by identity, so a request finds its link without a scan (10,000 links would make each
        request slow), and each integration and type's links in list order, so a page costs its own size.
        Rebuilt whenever `links` was changed other than through `add_link`/`remove_link`."""
        if self._indexed_links != len(self.links):
            index: dict[LinkIdentityKey, list[str]] = {}
            by_type: dict[tuple[str, str], list[LinkOrderKey]] = {}
            for link in self.links.values():
                index.setdefault(_identity_key(link), []).append(link.id)
                by_type.setdefault((link.integration, link.link_type), []).append(_order_key(link))
            for keys in by_type.values():
                keys.sort()
            self._link_ids_by_identity = index
            self._link_keys_by_type = by_type
            self._indexed_links = len(self.links)
        return self._link_ids_by_identity

    def links_in_order(self, integration: str, link_type: str) -> list[LinkOrderKey]:
        """The `(seq, id)` of an integration and type's links, in the order lists show them (read only)."""
        self._index()
        return self._link_keys_by_type.get((integration, link_type), [])

    def links_with_identity(self, key: LinkIdentityKey) -> list[LinkRecord]:
        """The copies of one identity, oldest first."""
        found = [self.links[link_id] for link_id in self._index().get(key, ()) if link_id in self.links]
        return sorted(found, key=lambda link: link.seq)

    def add_link(self, link: LinkRecord) -> None:
        index = self._index()
        self.links[link.id] = link
        index.setdefault(_identity_key(link), []).append(link.id)
        bisect.insort(self._link_keys_by_type.setdefault((link.integration, link.link_type), []), _order_key(link))
        self._indexed_links = len(self.links)

    def remove_link(self, link_id: str) -> None:
        index = self._index()
        link = self.links.pop(link_id)
        ids = index.get(_identity_key(link), [])
        if link_id in ids:
            ids.remove(link_id)
        keys = self._link_keys_by_type.get((link.integration, link.link_type), [])
        at = bisect.bisect_left(keys, _order_key(link))
        if at < len(keys) and keys[at] == _order_key(link):
            del keys[at]
        self._indexed_links = len(self.links)


def _identity_key(link: LinkRecord) -> LinkIdentityKey:
    return (link.integration, link.link_type, link.left_object.name, link.right_object.name)


def _order_key(link: LinkRecord) -> LinkOrderKey:
    return (link.seq, link.id)


class MakeConnectionRecord(BaseModel):
    seq: int
    name: str
    app: str
    label: str
    type: str
    requested_type: str
    connected_system_name: str | None = None
    sections: dict[str, str] = Field(description="JSONC text by section name")
    common: dict[str, Any] = Field(default_factory=dict)
    gone_at: float | None = Field(default=None, description="Deleted: visible until this Unix time.")

    def visible(self, now: float) -> bool:
        return self.gone_at is None or now < self.gone_at


class MakeAppRecord(BaseModel):
    name: str
    connections_created: int = 0


class MakeState(BaseModel):
    apps: dict[str, MakeAppRecord] = Field(default_factory=dict, description="by name")
    connections: dict[str, MakeConnectionRecord] = Field(default_factory=dict, description="by name")


class EmulatorState(BaseModel):
    format_version: int = STATE_FORMAT_VERSION
    sequence: int = 0
    zis: ZisState = Field(default_factory=ZisState)
    make: MakeState = Field(default_factory=MakeState)

    def next_seq(self) -> int:
        self.sequence += 1
        return self.sequence

    def purge_deleted_make_connections(self, now: float) -> None:
        gone = [name for name, record in self.make.connections.items() if not record.visible(now)]
        for name in gone:
            del self.make.connections[name]


class StateStore:
    """The state, its lock, and its file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.state = self._load()
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[EmulatorState]:
        async with self._lock:
            yield self.state

    @asynccontextmanager
    async def mutating(self) -> AsyncIterator[EmulatorState]:
        """Hold the lock while the caller changes the state; save it if the caller finishes without raising."""
        async with self._lock:
            self.state.purge_deleted_make_connections(time.time())
            yield self.state
            self.save()

    async def reset(self) -> None:
        async with self._lock:
            self.state = EmulatorState()
            self.save()

    def save(self) -> None:
        if self.path is None:
            return
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(self.state.model_dump_json(indent=1), encoding="utf-8")
        os.replace(temporary, self.path)

    def _load(self) -> EmulatorState:
        if self.path is None or not self.path.exists():
            return EmulatorState()
        text = self.path.read_text(encoding="utf-8")
        if not text.strip():
            return EmulatorState()
        return EmulatorState.model_validate_json(text)
