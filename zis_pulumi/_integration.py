"""The rule every ZIS resource applies to its `integration` input."""

from __future__ import annotations

import re
from typing import Any

from ._unknowns import shown

INTEGRATION_NAME = re.compile(r"^[a-z0-9_-]{1,64}$")
"""The bundles reference's `integration` path parameter: 1 to 64 of a-z, 0-9, '-' and '_'."""


def integration_problem(value: Any) -> str | None:
    """Why `value` is not a valid integration name, or None."""
    if not isinstance(value, str) or not INTEGRATION_NAME.match(value):
        return f"must be 1 to 64 characters of a-z, 0-9, '-' and '_' (got {shown(value)})"
    return None
