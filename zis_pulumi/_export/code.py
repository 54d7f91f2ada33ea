"""Python source for the exported program: literals and identifiers in the form `ruff format` leaves unchanged.

Every non-empty dict, list and call is written one item a line with a trailing comma (ruff's "magic trailing
comma" keeps such a collection exploded), strings in double quotes unless that needs more escapes, so the
output is formatted without running a formatter.
"""

from __future__ import annotations

import hashlib
import keyword
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["INDENT", "Names", "call", "identifier", "literal", "string"]

INDENT = "    "
MAX_IDENTIFIER = 60
RESERVED = frozenset({"pulumi", "zis", "config"})
"""Names the program itself uses."""
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class Raw(str):
    """Source code to insert as it is (a variable, an expression), not a string literal."""


def string(value: str) -> str:
    """A string literal, double-quoted unless the text holds more double quotes than single ones."""
    quote = "'" if value.count('"') > value.count("'") else '"'
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char == quote:
            out.append("\\" + char)
        elif not char.isprintable():
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return quote + "".join(out) + quote


def literal(value: Any, depth: int = 0) -> str:
    """A JSON-like value as a Python expression; nested lines are indented for `depth` levels."""
    if isinstance(value, Raw):
        return str(value)
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return string(value)
    inner = INDENT * (depth + 1)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [f"{inner}{string(str(k))}: {literal(v, depth + 1)},\n" for k, v in value.items()]
        return "{\n" + "".join(items) + INDENT * depth + "}"
    if isinstance(value, Sequence):
        if not value:
            return "[]"
        items = [f"{inner}{literal(v, depth + 1)},\n" for v in value]
        return "[\n" + "".join(items) + INDENT * depth + "]"
    raise TypeError(f"cannot write {type(value).__name__} as a literal")


def call(function: str, positional: Sequence[Any], keywords: Mapping[str, Any], depth: int = 0) -> str:
    """`function(…)` with one argument a line; keyword arguments whose value is None are left out."""
    inner = INDENT * (depth + 1)
    lines = [f"{inner}{literal(arg, depth + 1)},\n" for arg in positional]
    lines += [f"{inner}{key}={literal(arg, depth + 1)},\n" for key, arg in keywords.items() if arg is not None]
    return f"{function}(\n" + "".join(lines) + INDENT * depth + ")"


def identifier(text: str) -> str:
    """A valid, readable Python identifier (also used as the Pulumi resource name) made from `text`."""
    name = re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_") or "resource"
    if name[0].isdigit():
        name = f"r_{name}"
    if len(name) > MAX_IDENTIFIER:
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        name = f"{name[: MAX_IDENTIFIER - 9].rstrip('_')}_{digest}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in RESERVED:
        name += "_"
    return name


class Names:
    """Hands out identifiers, each once: a clash gets `_2`, `_3`, … in the order asked (so sort what you ask)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, text: str) -> str:
        base = identifier(text)
        name, number = base, 1
        while name in self._taken:
            number += 1
            name = f"{base}_{number}"
        self._taken.add(name)
        return name
