"""Identifiers and timestamps in the formats the vendors use."""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime, timezone

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_uuid() -> str:
    return str(uuid.uuid4())


def new_ulid() -> str:
    """A ULID such as ``01FDVK3EZ0CW6ZV1SWV6S0G64T`` (the links' ``id``): 48-bit milliseconds, 80 random bits."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 0x1F] for shift in range(125, -1, -5))


def timestamp_seconds() -> str:
    """``2022-02-03T09:30:12Z``, the links' format."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def timestamp_millis() -> str:
    """``2022-02-03T09:30:12.345Z``, the connections' format (RFC 3339 with a fraction)."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def created(now: str) -> dict[str, str]:
    """The timestamps of a record made `now`: created and (so far) last updated then."""
    return {"created_at": now, "updated_at": now}
