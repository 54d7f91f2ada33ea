"""The rule every ZIS resource applies to its `integration` input."""

from __future__ import annotations

import re
from typing import Any

from pulumi.dynamic import CheckFailure

from ._unknowns import is_unknown, shown

INTEGRATION_NAME = re.compile(r"^[a-z0-9_-]{1,64}$")
"""The bundles reference's `integration` path parameter: 1 to 64 of a-z, 0-9, '-' and '_'."""


def integration_failures(value: Any, belonging: str) -> list[CheckFailure]:
    """The problems of a resource's `integration` input (none while it is unknown); `belonging` names what
    belongs to it, e.g. "the link"."""
    if value is None:
        return [CheckFailure("integration", f"is required: the integration {belonging} belongs to")]
    problem = None if is_unknown(value) else integration_problem(value)
    return [CheckFailure("integration", problem)] if problem else []


def integration_problem(value: Any) -> str | None:
    """Why `value` is not a valid integration name, or None."""
    if not isinstance(value, str) or not INTEGRATION_NAME.match(value):
        return f"must be 1 to 64 characters of a-z, 0-9, '-' and '_' (got {shown(value)})"
    return None
